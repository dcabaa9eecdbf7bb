"""The initial determination of a request (CMS-0057-F counting), one rule per test."""

from datetime import UTC, datetime, timedelta

from portal_app.domain.outcomes import (
    APPROVED_AFTER_REVIEW,
    APPROVED_BY_RULES,
    DENIED,
    NOTIFICATION_ONLY,
    UNDECIDED,
    LineHistory,
    RecordedDecision,
    request_outcome,
)

SUBMITTED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _at(hours: float) -> datetime:
    return SUBMITTED + timedelta(hours=hours)


def _line(*decisions: tuple[str, str, float], current: str = "") -> LineHistory:
    recorded = [RecordedDecision(d, by, _at(h)) for d, by, h in decisions]
    return LineHistory(current or decisions[-1][0], recorded)


def test_rules_engine_approval_is_approved_at_once_with_its_hours():
    result = request_outcome(SUBMITTED, [_line(("authorized", "rules_engine", 0.5))], None)
    assert (result.outcome, result.hours, result.decided_at) == (APPROVED_BY_RULES, 0.5, _at(0.5))


def test_a_reviewer_deciding_any_line_makes_it_approved_after_review_at_the_last_first_decision():
    result = request_outcome(
        SUBMITTED,
        [
            _line(("authorized", "rules_engine", 0)),
            _line(("pended", "rules_engine", 0), ("authorized", "nurse", 30)),
        ],
        None,
    )
    assert (result.outcome, result.hours) == (APPROVED_AFTER_REVIEW, 30)


def test_one_line_still_pended_leaves_the_request_undecided():
    result = request_outcome(
        SUBMITTED,
        [
            _line(("authorized", "rules_engine", 0)),
            _line(("pended", "rules_engine", 0)),
        ],
        None,
    )
    assert (result.outcome, result.hours) == (UNDECIDED, None)


def test_a_partial_approval_first_counts_as_denied_even_when_reconsidered_to_full():
    result = request_outcome(
        SUBMITTED,
        [
            _line(
                ("pended", "rules_engine", 0),
                ("partially_authorized", "physician", 5),
                ("authorized", "physician", 40),
            ),
        ],
        None,
    )
    assert (result.outcome, result.hours) == (DENIED, 5)


def test_notification_only_lines_are_left_out():
    only = request_outcome(SUBMITTED, [_line(("notification_only", "rules_engine", 0))], None)
    assert only.outcome == NOTIFICATION_ONLY
    mixed = request_outcome(
        SUBMITTED,
        [
            _line(("notification_only", "rules_engine", 0)),
            _line(("pended", "rules_engine", 0), ("non_authorized", "physician", 12)),
        ],
        None,
    )
    assert (mixed.outcome, mixed.hours) == (DENIED, 12)


def test_approval_after_the_appeal_was_filed_counts_as_approved_after_appeal():
    line = _line(
        ("pended", "rules_engine", 0), ("non_authorized", "physician", 20), ("authorized", "physician", 100)
    )
    won = request_outcome(SUBMITTED, [line], _at(48))
    assert (won.outcome, won.appealed_at, won.approved_after_appeal) == (DENIED, _at(48), True)
    # The same approval before the appeal was filed (a reconsideration) is not an appeal won.
    assert request_outcome(SUBMITTED, [line], _at(150)).approved_after_appeal is False
    upheld = _line(
        ("pended", "rules_engine", 0),
        ("non_authorized", "physician", 20),
        ("non_authorized", "physician", 100),
    )
    assert request_outcome(SUBMITTED, [upheld], _at(48)).approved_after_appeal is False
