"""The survey's questions (seed 004's list) and the Net Promoter Score, on worked examples.

NPS bands and formula: Reichheld, "The One Number You Need to Grow", Harvard Business Review,
December 2003 (promoters 9–10, passives 7–8, detractors 0–6; NPS = % promoters − % detractors).
"""

from __future__ import annotations

import pytest

from portal_app.domain import survey_questions as sq


def test_the_seeds_six_questions_in_their_order_each_with_a_source():
    # Seed 004: recommend, easy to do business with, main reason, resolved, more than once, satisfied.
    assert [q.code for q in sq.QUESTIONS] == [
        "recommend",
        "easy",
        "reason",
        "resolved",
        "repeat_contact",
        "satisfaction",
    ]
    assert all(q.source and q.choices for q in sq.QUESTIONS)
    assert [c.value for c in sq.BY_CODE["recommend"].choices] == [str(n) for n in range(11)]
    for question in sq.QUESTIONS:
        values = [c.value for c in question.choices]
        assert len(values) == len(set(values)) and all(len(v) <= 40 for v in values)
        assert len(question.code) <= 40


@pytest.mark.parametrize(
    ("score", "band"),
    [(0, "detractor"), (6, "detractor"), (7, "passive"), (8, "passive"), (9, "promoter"), (10, "promoter")],
)
def test_bands(score, band):
    assert sq.band(score) == band


@pytest.mark.parametrize("score", [-1, 11])
def test_a_score_outside_0_to_10_has_no_band(score):
    with pytest.raises(ValueError):
        sq.band(score)


def test_nps_worked_example():
    # Ten answers: 10, 10, 9, 9, 9 (5 promoters), 8, 7, 7 (3 passives), 6, 0 (2 detractors).
    # 50 % promoters − 20 % detractors = NPS 30.
    result = sq.nps({10: 2, 9: 3, 8: 1, 7: 2, 6: 1, 0: 1})
    assert (result.answers, result.promoters, result.passives, result.detractors) == (10, 5, 3, 2)
    assert (result.percent_promoters, result.percent_passives, result.percent_detractors) == (
        50.0,
        30.0,
        20.0,
    )
    assert result.score == 30.0


def test_nps_can_be_negative_and_rounds_to_one_decimal():
    # Three answers 2, 5, 9: one promoter, two detractors: 33.3 % − 66.7 % = −33.3.
    result = sq.nps({2: 1, 5: 1, 9: 1})
    assert result.score == -33.3
    assert sq.nps({10: 4}).score == 100.0
    assert sq.nps({0: 4}).score == -100.0
    assert sq.nps({7: 3, 8: 1}).score == 0.0  # passives only: zero, and not blank


def test_nps_with_no_answers_is_blank_not_zero():
    result = sq.nps({})
    assert result.score is None and result.answers == 0
    assert result.percent_promoters is None and result.percent_detractors is None
    assert sq.nps({9: 0}).score is None


def test_distribution_in_the_questions_order_with_shares_of_that_questions_answers():
    question = sq.BY_CODE["resolved"]
    result = sq.distribution(question, {"no": 1, "yes": 2, "someday": 5})
    assert result.answers == 3  # an unknown value is not counted
    assert [(c.value, c.label, c.answers, c.percent) for c in result.choices] == [
        ("yes", "Yes", 2, 66.7),
        ("partly", "Partly", 0, 0.0),
        ("no", "No", 1, 33.3),
    ]
    empty = sq.distribution(question, {})
    assert empty.answers == 0 and [c.percent for c in empty.choices] == [None, None, None]


def test_clean_answers_keeps_the_answers_given_and_refuses_unknown_values():
    assert sq.clean_answers({"recommend": " 9 ", "easy": "", "reason": "status", "other": "x"}) == {
        "recommend": "9",
        "reason": "status",
    }
    assert sq.clean_answers({"recommend": 0}) == {"recommend": "0"}
    assert sq.clean_answers({}) == {}
    assert sq.clean_answers({"recommend": True}) == {}  # not a value at all: left unanswered
    for bad in ({"recommend": "11"}, {"recommend": "-1"}, {"easy": "agree strongly"}):
        with pytest.raises(sq.InvalidAnswer):
            sq.clean_answers(bad)
