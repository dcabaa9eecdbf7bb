"""Decision clocks: when a prior-authorization decision is due, by the rule the member's coverage
follows, and how far a reviewer may extend it.

The rules are data (``reference/decision_clock_rules.csv``, one row per rule and urgency, each with
its source); which rule a plan applies for a line of business is data too
(``reference/plan_compliance_rules.csv``). A rule counts hours, calendar days or business days
(``domain/calendar.py``: weekends and U.S. federal holidays are not business days); a rule may also
have to meet another one (``also_within``: a state rule applies where it is stricter than the
federal floor), and then the earlier due time wins.

Pure: no database, no clock; times are timezone-aware.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from portal_app import reference
from portal_app.domain.calendar import add_business_days

FLOOR_RULE = "CMS_0057F"
HOURS, CALENDAR_DAYS, BUSINESS_DAYS = "hours", "calendar_days", "business_days"
URGENT, STANDARD = "urgent", "standard"


@dataclass(frozen=True)
class ClockRule:
    """One row of decision_clock_rules.csv: a rule's time frame for one urgency."""

    rule_id: str
    name: str
    urgency: str
    amount: int
    unit: str
    extension_days: int
    also_within: str
    effective_from: date
    effective_until: date | None
    source: str

    def covers(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_until is None or day <= self.effective_until)

    @property
    def time_frame(self) -> str:
        """The time frame in words, e.g. "72 hours", "3 business days"."""
        unit = self.unit.replace("_", " ")
        if self.amount == 1:
            unit = unit.removesuffix("s")
        return f"{self.amount} {unit}"


@dataclass(frozen=True)
class PlanChoice:
    """One row of plan_compliance_rules.csv."""

    plan_code: str
    line_of_business: str
    clock_rule: str
    gold_card_rule: str
    source: str


@dataclass(frozen=True)
class DueTime:
    """A due time, the rule it comes from, and the extension that rule allows."""

    due_at: datetime
    rule_id: str
    rule_name: str
    time_frame: str
    extension_days: int
    source: str


def _day(text: str) -> date | None:
    return date.fromisoformat(text) if text.strip() else None


@cache
def clock_rules() -> tuple[ClockRule, ...]:
    rows = reference._cached_table("decision_clock_rules.csv").to_dict("records")
    rules = []
    for row in rows:
        start = _day(row["effective_from"])
        if start is None:
            raise ValueError(f"decision_clock_rules.csv: {row['rule_id']} has no effective_from")
        if row["unit"] not in (HOURS, CALENDAR_DAYS, BUSINESS_DAYS):
            raise ValueError(f"decision_clock_rules.csv: unknown unit {row['unit']!r}")
        rules.append(
            ClockRule(
                rule_id=row["rule_id"],
                name=row["name"],
                urgency=row["urgency"],
                amount=int(row["amount"]),
                unit=row["unit"],
                extension_days=int(row["extension_days"] or 0),
                also_within=row["also_within"].strip(),
                effective_from=start,
                effective_until=_day(row["effective_until"]),
                source=row["source"],
            )
        )
    return tuple(rules)


@cache
def plan_choices() -> tuple[PlanChoice, ...]:
    rows = reference._cached_table("plan_compliance_rules.csv").to_dict("records")
    return tuple(
        PlanChoice(r["plan_code"], r["line_of_business"], r["clock_rule"], r["gold_card_rule"], r["source"])
        for r in rows
    )


def plan_choice(plan_code: str, line_of_business: str) -> PlanChoice:
    """The plan's choice for a line of business; without a row, the federal floor and no gold card."""
    for choice in plan_choices():
        if choice.plan_code == plan_code and choice.line_of_business == line_of_business:
            return choice
    return PlanChoice(plan_code, line_of_business, FLOOR_RULE, "", "No row: the portal's floor")


def clock_rule(rule_id: str, urgent: bool, on: date) -> ClockRule:
    """The row of ``rule_id`` for the urgency in force ``on``; the floor rule when it has none."""
    urgency = URGENT if urgent else STANDARD
    for rule in clock_rules():
        if rule.rule_id == rule_id and rule.urgency == urgency and rule.covers(on):
            return rule
    if rule_id != FLOOR_RULE:
        return clock_rule(FLOOR_RULE, urgent, on)
    raise LookupError(f"No {urgency} row of {FLOOR_RULE} in force on {on}")


def add_time_frame(start: datetime, amount: int, unit: str) -> datetime:
    """``start`` plus the time frame: hours, calendar days, or business days (the same time of day
    on the business day that many business days later; Friday + 1 is Monday or, if Monday is a
    federal holiday, Tuesday)."""
    if amount < 1:
        raise ValueError("A time frame is at least 1")
    if unit == HOURS:
        return start + timedelta(hours=amount)
    if unit == CALENDAR_DAYS:
        return start + timedelta(days=amount)
    if unit == BUSINESS_DAYS:
        later = add_business_days(start.date(), amount)
        return start + timedelta(days=(later - start.date()).days)
    raise ValueError(f"Unknown unit {unit!r}")


def due_time(rule_id: str, submitted_at: datetime, urgent: bool) -> DueTime:
    """When a request received at ``submitted_at`` must be decided under ``rule_id`` (and under
    the rule it must also meet, if any: the earlier due time)."""
    rule = clock_rule(rule_id, urgent, submitted_at.date())
    due = add_time_frame(submitted_at, rule.amount, rule.unit)
    frame, source = rule.time_frame, rule.source
    if rule.also_within:
        other = clock_rule(rule.also_within, urgent, submitted_at.date())
        other_due = add_time_frame(submitted_at, other.amount, other.unit)
        if other_due < due:
            due = other_due
            frame = f"{other.time_frame} ({other.name}, earlier than {rule.time_frame})"
    return DueTime(
        due_at=due,
        rule_id=rule.rule_id,
        rule_name=rule.name,
        time_frame=frame,
        extension_days=rule.extension_days,
        source=source,
    )


def extension_problem(
    rule_id: str, urgent: bool, submitted_at: datetime, days: int, reason: str
) -> str | None:
    """None when a reviewer may extend the case by ``days`` calendar days with ``reason``; else why not."""
    rule = clock_rule(rule_id, urgent, submitted_at.date())
    if rule.extension_days < 1:
        return f"The rule that applies ({rule.name}) allows no extension."
    if not 1 <= days <= rule.extension_days:
        return f"{rule.name} allows an extension of 1 to {rule.extension_days} calendar days."
    if len(reason.strip()) < 10:
        return "Give the reason for the extension (it goes to the office and the member)."
    return None


def extended_due(original_due: datetime, days: int) -> datetime:
    """The new due time after an extension of ``days`` calendar days."""
    return original_due + timedelta(days=days)
