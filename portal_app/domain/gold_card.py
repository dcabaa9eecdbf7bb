"""Gold-carding: which providers are exempt from prior authorization for a service, and when an
exemption may be rescinded.

The rule sets are data (``reference/gold_card_rules.csv``: one row per parameter and period of
validity, each with its source); Texas Insurance Code chapter 4201 subchapter N (HB 3459, 2021, as
amended by HB 3812, 2025) is the first. In words:

* a provider is exempt for a particular service when, over the look-back period before the
  evaluation, at least ``threshold_percent`` of their requests for that service were approved
  (at once, after review, or after appeal: 4201.653(a) counts what the issuer "approved or would
  have approved");
* a provider with fewer than ``minimum_requests`` requests for the service is not evaluated for it;
* evaluations start on the first day of the ``evaluation_months``;
* an exemption may be rescinded only in a ``rescission_months`` month, after a retrospective review
  of a random sample of ``rescission_sample_min`` to ``rescission_sample_max`` claims found fewer
  than ``threshold_percent`` medically necessary, and takes effect no sooner than
  ``rescission_notice_days`` after the notice (4201.655).

Pure: no database, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from portal_app import reference

EXEMPT = "exempt"
NOT_EXEMPT = "not_exempt"
TOO_FEW = "too_few_requests"
RESCINDED = "rescinded"

_INT_PARAMETERS = (
    "threshold_percent",
    "lookback_months",
    "minimum_requests",
    "rescission_notice_days",
    "rescission_sample_min",
    "rescission_sample_max",
)
_MONTH_PARAMETERS = ("evaluation_months", "rescission_months")


@dataclass(frozen=True)
class GoldCardRule:
    """A rule set's parameters in force on one day, with the source of each."""

    rule_set: str
    on: date
    threshold_percent: int
    lookback_months: int
    minimum_requests: int
    evaluation_months: frozenset[int]
    rescission_months: frozenset[int]
    rescission_notice_days: int
    rescission_sample_min: int
    rescission_sample_max: int
    sources: tuple[tuple[str, str], ...]  # (parameter, source)


@dataclass(frozen=True)
class ServiceRecord:
    """One decided request line of a provider for a service in the look-back period."""

    provider_id: int
    service_code: str
    approved: bool  # finally approved in full: at once, after review or after appeal


@dataclass(frozen=True)
class Evaluation:
    """The figures and the outcome for one provider and service."""

    provider_id: int
    service_code: str
    requests: int
    approved: int
    percent: float | None
    outcome: str  # EXEMPT, NOT_EXEMPT or TOO_FEW

    @property
    def explanation(self) -> str:
        share = "no requests" if self.percent is None else f"{self.approved} of {self.requests} approved"
        if self.percent is not None:
            share += f" ({self.percent:g} %)"
        return share


def _rows() -> list[dict[str, str]]:
    return reference._cached_table("gold_card_rules.csv").to_dict("records")


def rule_sets() -> tuple[str, ...]:
    return tuple(sorted({row["rule_set"] for row in _rows()}))


def _covers(row: dict[str, str], on: date) -> bool:
    start = date.fromisoformat(row["effective_from"])
    end = date.fromisoformat(row["effective_until"]) if row["effective_until"].strip() else None
    return start <= on and (end is None or on <= end)


@cache
def gold_card_rule(rule_set: str, on: date) -> GoldCardRule:
    """The parameters of ``rule_set`` in force ``on``; LookupError if one is missing."""
    found: dict[str, dict[str, str]] = {}
    for row in _rows():
        if row["rule_set"] == rule_set and _covers(row, on):
            found[row["parameter"]] = row
    missing = [p for p in (*_INT_PARAMETERS, *_MONTH_PARAMETERS) if p not in found]
    if missing:
        raise LookupError(f"Gold-card rule {rule_set!r} on {on}: no {', '.join(missing)}")

    def months(name: str) -> frozenset[int]:
        return frozenset(int(m) for m in found[name]["value"].split(","))

    return GoldCardRule(
        rule_set=rule_set,
        on=on,
        **{name: int(found[name]["value"]) for name in _INT_PARAMETERS},
        evaluation_months=months("evaluation_months"),
        rescission_months=months("rescission_months"),
        sources=tuple((name, found[name]["source"]) for name in sorted(found)),
    )


def _months_before(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    return date(year, month + 1, min(day.day, 28))


def lookback_period(rule: GoldCardRule, evaluated_on: date) -> tuple[date, date]:
    """(first day, last day) of the look-back period of an evaluation on ``evaluated_on``: the
    ``lookback_months`` months ending the day before."""
    return _months_before(evaluated_on, rule.lookback_months), evaluated_on - timedelta(days=1)


def is_evaluation_month(rule: GoldCardRule, day: date) -> bool:
    return day.month in rule.evaluation_months


def evaluation_period_key(day: date) -> str:
    """The key of the evaluation that starts in ``day``'s month, e.g. "2027-01"."""
    return f"{day.year:04d}-{day.month:02d}"


def evaluate(rule: GoldCardRule, records: Iterable[ServiceRecord]) -> list[Evaluation]:
    """Each provider's outcome per service from their decided requests in the look-back period."""
    counts: dict[tuple[int, str], list[int]] = {}
    for record in records:
        tally = counts.setdefault((record.provider_id, record.service_code), [0, 0])
        tally[0] += 1
        tally[1] += int(record.approved)
    results = []
    for (provider_id, code), (requests, approved) in sorted(counts.items()):
        percent = round(100.0 * approved / requests, 1) if requests else None
        if requests < rule.minimum_requests:
            outcome = TOO_FEW
        # Compare exactly (9 of 10 is 90 %; 8.99 of 10 is not): approved / requests >= threshold / 100.
        elif approved * 100 >= rule.threshold_percent * requests:
            outcome = EXEMPT
        else:
            outcome = NOT_EXEMPT
        results.append(Evaluation(provider_id, code, requests, approved, percent, outcome))
    return results


@dataclass(frozen=True)
class RescissionCheck:
    problem: str  # "" when the rescission may go ahead
    takes_effect_on: date | None


def rescission_check(
    rule: GoldCardRule, *, noticed_on: date, sample_size: int, sample_met: int
) -> RescissionCheck:
    """Whether an exemption may be rescinded with a notice sent ``noticed_on``, after a retrospective
    review of ``sample_size`` claims of which ``sample_met`` met the medical necessity criteria;
    and the first day it no longer applies."""
    if noticed_on.month not in rule.rescission_months:
        months = ", ".join(date(2000, m, 1).strftime("%B") for m in sorted(rule.rescission_months))
        return RescissionCheck(f"An exemption may be rescinded only in {months}.", None)
    if not rule.rescission_sample_min <= sample_size <= rule.rescission_sample_max:
        return RescissionCheck(
            f"Review a random sample of {rule.rescission_sample_min} to {rule.rescission_sample_max} claims.",
            None,
        )
    if not 0 <= sample_met <= sample_size:
        return RescissionCheck("The claims that met the criteria cannot exceed the sample.", None)
    if sample_met * 100 >= rule.threshold_percent * sample_size:
        return RescissionCheck(
            f"{sample_met} of {sample_size} claims met the criteria: at least {rule.threshold_percent} %, "
            "so the exemption stays.",
            None,
        )
    return RescissionCheck("", noticed_on + timedelta(days=rule.rescission_notice_days))
