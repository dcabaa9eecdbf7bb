"""The quality score of each modality an imaging facility registers, from its registration answers.

The formula is data: ``reference/facility_score_items.csv`` lists every scored item with its points
per modality (they add up to 100 for each modality), the points of the middle tier for tiered items,
what would raise it, and the standard it comes from. This module decides, per item, whether the
registration's answers meet it on a given day. Items that run out with time (an accreditation's
expiry date, the annual physicist survey, equipment getting older with the calendar year) earn
nothing from the day they run out; ``ModalityScore.rescore_on`` is the next such day.

``sections`` is a registration's answers as stored (see services/facility_registration.py):
``{"modalities": {"offered": ["ct", ...]}, "equipment": {"ct": {...}}, "staff": {"ct": {...}},
"accreditation": {"ct": {"body": "acr", "expires_on": "2027-05-01"}}, "quality": {"qc_log": "yes",
..., "ct": {"physics_survey_on": "2026-02-01"}}}``. Answers are strings as typed ("yes"/"no" for
questions); anything missing or unreadable counts as not reported.
"""

from __future__ import annotations

import calendar
import csv
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from portal_app.reference import REFERENCE_DIR

ITEMS_FILE = "facility_score_items.csv"
TOTAL_POINTS = 100

SCORED_MODALITIES: dict[str, str] = {
    "ct": "CT",
    "mri": "MRI",
    "nuclear": "Nuclear medicine",
    "pet": "PET",
    "ultrasound": "Ultrasound",
    "echo": "Echocardiography",
}
# The imaging program's exam modalities (programs/imaging.py MODALITY_LABELS) each scored modality covers.
_EXAMS_OF: dict[str, tuple[str, ...]] = {
    "ct": ("ct", "cta", "cardiac_ct"),
    "mri": ("mri", "mra", "mrs", "fmri", "cardiac_mri"),
    "nuclear": ("mpi", "muga", "infarct"),
    "pet": ("pet", "cardiac_pet"),
    "ultrasound": (),
    "echo": ("stress_echo", "tte", "tee"),
}
_SCORED_OF_EXAM: dict[str, str] = {exam: scored for scored, exams in _EXAMS_OF.items() for exam in exams}

ACCREDITING_BODIES: dict[str, str] = {"acr": "ACR", "iac": "IAC"}
PHYSICS_SURVEY_MONTHS = 13  # an annual survey, with a month's grace [K]
NEW_EQUIPMENT_YEARS = 5  # COCIR golden rules: 5 years or less, 6-10 years, over 10 years
OLD_EQUIPMENT_YEARS = 10
CT_FULL_SLICES, CT_PARTIAL_SLICES = 64, 16
MRI_FULL_TESLA, MRI_PARTIAL_TESLA = 1.5, 1.0


def scored_modality_for_exam(exam_modality: str) -> str | None:
    """The scored modality that covers an imaging-program exam modality (``cta`` -> ``ct``)."""
    return _SCORED_OF_EXAM.get(exam_modality)


def exam_modalities_for(scored: str) -> tuple[str, ...]:
    """The imaging-program exam modalities a scored modality covers (none for general ultrasound)."""
    return _EXAMS_OF.get(scored, ())


# --- the weights file ---


@dataclass(frozen=True)
class ScoreItem:
    item: str
    section: str
    modality: str
    points: int
    partial_points: int
    label: str
    how_to_raise: str
    standard: str
    source: str


class ScoreItemsError(ValueError):
    """The weights file is not usable; the message says which row and why."""


def _parse_rows(rows: list[dict[str, str]]) -> list[ScoreItem]:
    items: list[ScoreItem] = []
    for number, row in enumerate(rows, start=1):
        where = f"{ITEMS_FILE} row {number} ({row.get('item', '')})"
        if any(
            not (row.get(column) or "").strip()
            for column in (
                "item",
                "section",
                "modalities",
                "points",
                "label",
                "how_to_raise",
                "standard",
                "source",
            )
        ):
            raise ScoreItemsError(f"{where}: every column but partial_points needs a value")
        item, section = row["item"].strip(), row["section"].strip()
        if item not in _EVALUATORS:
            raise ScoreItemsError(f"{where}: no rule scores the item {item!r}")
        if section not in SCORED_SECTIONS:
            raise ScoreItemsError(f"{where}: unknown section {section!r}")
        try:
            points, partial = int(row["points"]), int((row.get("partial_points") or "0").strip() or 0)
        except ValueError:
            raise ScoreItemsError(f"{where}: points must be whole numbers") from None
        if points <= 0 or not 0 <= partial < points:
            raise ScoreItemsError(f"{where}: points must be positive and partial points below them")
        modalities = SCORED_MODALITIES if row["modalities"].strip() == "*" else row["modalities"].split("|")
        for modality in modalities:
            modality = modality.strip()
            if modality not in SCORED_MODALITIES:
                raise ScoreItemsError(f"{where}: unknown modality {modality!r}")
            items.append(
                ScoreItem(
                    item=item,
                    section=section,
                    modality=modality,
                    points=points,
                    partial_points=partial,
                    label=row["label"].strip(),
                    how_to_raise=row["how_to_raise"].strip(),
                    standard=row["standard"].strip(),
                    source=row["source"].strip(),
                )
            )
    return items


def validate_items(rows: list[dict[str, str]]) -> dict[str, tuple[ScoreItem, ...]]:
    """The items of each modality, or ScoreItemsError when a row is bad, an item is listed twice for a
    modality, or a modality's points do not add up to 100."""
    by_modality: dict[str, list[ScoreItem]] = {modality: [] for modality in SCORED_MODALITIES}
    for item in _parse_rows(rows):
        if any(existing.item == item.item for existing in by_modality[item.modality]):
            raise ScoreItemsError(f"{ITEMS_FILE}: {item.item} is listed twice for {item.modality}")
        by_modality[item.modality].append(item)
    for modality, items in by_modality.items():
        total = sum(item.points for item in items)
        if total != TOTAL_POINTS:
            raise ScoreItemsError(
                f"{ITEMS_FILE}: the points of {modality} add up to {total}, not {TOTAL_POINTS}"
            )
    return {modality: tuple(items) for modality, items in by_modality.items()}


def read_items_file(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines))


@lru_cache(maxsize=1)
def score_items() -> Mapping[str, tuple[ScoreItem, ...]]:
    """The scored items of each modality, from the weights file (checked on first use)."""
    return validate_items(read_items_file(REFERENCE_DIR / ITEMS_FILE))


# --- scoring ---


@dataclass(frozen=True)
class Factor:
    item: str
    label: str
    section: str
    points_earned: float
    points_possible: float
    met: bool
    explanation: str
    how_to_raise: str
    standard: str


@dataclass(frozen=True)
class ModalityScore:
    modality: str
    score: int  # 0-100
    factors: tuple[Factor, ...]
    rescore_on: date | None  # the next day the score changes by itself

    @property
    def label(self) -> str:
        return SCORED_MODALITIES.get(self.modality, self.modality)


@dataclass(frozen=True)
class _Outcome:
    """How an item fares: ``tier`` 2 = full points, 1 = partial points, 0 = none."""

    tier: int
    explanation: str
    changes_on: date | None = None


def _answers(sections: Mapping[str, Any], section: str, modality: str | None = None) -> Mapping[str, Any]:
    found = sections.get(section) if isinstance(sections, Mapping) else None
    found = found if isinstance(found, Mapping) else {}
    if modality is not None:
        found = found.get(modality)
        found = found if isinstance(found, Mapping) else {}
    return found


def _text(answers: Mapping[str, Any], key: str) -> str:
    value = answers.get(key)
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value))


def _yes(answers: Mapping[str, Any], key: str) -> bool | None:
    """True for "yes", False for "no", None when not answered."""
    value = _text(answers, key).lower()
    return {"yes": True, "true": True, "no": False, "false": False}.get(value)


def _number(answers: Mapping[str, Any], key: str) -> float | None:
    try:
        return float(_text(answers, key))
    except ValueError:
        return None


def _day(answers: Mapping[str, Any], key: str) -> date | None:
    try:
        return date.fromisoformat(_text(answers, key))
    except ValueError:
        return None


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _yes_no_item(section: str, key: str, yes_text: str, no_text: str) -> Callable[..., _Outcome]:
    def evaluate(sections: Mapping[str, Any], modality: str, on: date) -> _Outcome:
        answers = _answers(sections, section, None if section == "quality" else modality)
        answer = _yes(answers, key)
        if answer is None:
            return _Outcome(0, "Not answered in the registration.")
        return _Outcome(2, yes_text) if answer else _Outcome(0, no_text)

    return evaluate


def _accreditation(sections: Mapping[str, Any], modality: str, on: date) -> _Outcome:
    answers = _answers(sections, "accreditation", modality)
    body = ACCREDITING_BODIES.get(_text(answers, "body").lower())
    if body is None:
        return _Outcome(0, "No accreditation reported.")
    expires = _day(answers, "expires_on")
    if expires is None:
        return _Outcome(0, f"{body} accreditation reported without an expiry date.")
    if on >= expires:
        return _Outcome(0, f"{body} accreditation expired on {expires.isoformat()}.")
    return _Outcome(2, f"{body} accreditation current until {expires.isoformat()}.", changes_on=expires)


def _equipment_age(sections: Mapping[str, Any], modality: str, on: date) -> _Outcome:
    year = _number(_answers(sections, "equipment", modality), "year_installed")
    if year is None or year != int(year):
        return _Outcome(0, "Year installed not reported.")
    installed = int(year)
    age = on.year - installed
    if age <= NEW_EQUIPMENT_YEARS:
        return _Outcome(
            2,
            f"Oldest unit installed in {installed}: {NEW_EQUIPMENT_YEARS} years old or less.",
            changes_on=date(installed + NEW_EQUIPMENT_YEARS + 1, 1, 1),
        )
    if age <= OLD_EQUIPMENT_YEARS:
        return _Outcome(
            1,
            f"Oldest unit installed in {installed}: {NEW_EQUIPMENT_YEARS + 1} to "
            f"{OLD_EQUIPMENT_YEARS} years old.",
            changes_on=date(installed + OLD_EQUIPMENT_YEARS + 1, 1, 1),
        )
    return _Outcome(0, f"Oldest unit installed in {installed}: more than {OLD_EQUIPMENT_YEARS} years old.")


def _ct_slices(sections: Mapping[str, Any], modality: str, on: date) -> _Outcome:
    slices = _number(_answers(sections, "equipment", modality), "slices")
    if slices is None:
        return _Outcome(0, "Slice count not reported.")
    shown = f"{int(slices)} slices"
    if slices >= CT_FULL_SLICES:
        return _Outcome(2, f"{shown}: at least {CT_FULL_SLICES}.")
    if slices >= CT_PARTIAL_SLICES:
        return _Outcome(1, f"{shown}: {CT_PARTIAL_SLICES} to {CT_FULL_SLICES - 1}.")
    return _Outcome(0, f"{shown}: fewer than {CT_PARTIAL_SLICES}.")


def _mri_field_strength(sections: Mapping[str, Any], modality: str, on: date) -> _Outcome:
    tesla = _number(_answers(sections, "equipment", modality), "field_strength")
    if tesla is None:
        return _Outcome(0, "Field strength not reported.")
    shown = f"{tesla:g} T"
    if tesla >= MRI_FULL_TESLA:
        return _Outcome(2, f"{shown}: at least {MRI_FULL_TESLA:g} T.")
    if tesla >= MRI_PARTIAL_TESLA:
        return _Outcome(1, f"{shown}: {MRI_PARTIAL_TESLA:g} to under {MRI_FULL_TESLA:g} T.")
    return _Outcome(0, f"{shown}: under {MRI_PARTIAL_TESLA:g} T.")


def _physics_survey(sections: Mapping[str, Any], modality: str, on: date) -> _Outcome:
    surveyed = _day(_answers(sections, "quality", modality), "physics_survey_on")
    if surveyed is None:
        return _Outcome(0, "No physicist survey date reported.")
    due = add_months(surveyed, PHYSICS_SURVEY_MONTHS)
    if surveyed > on:
        return _Outcome(
            0, f"Survey date {surveyed.isoformat()} is after the scoring day.", changes_on=surveyed
        )
    if on >= due:
        return _Outcome(0, f"Last survey on {surveyed.isoformat()}: overdue since {due.isoformat()}.")
    return _Outcome(2, f"Surveyed on {surveyed.isoformat()}; counts until {due.isoformat()}.", changes_on=due)


_EVALUATORS: dict[str, Callable[[Mapping[str, Any], str, date], _Outcome]] = {
    "accreditation": _accreditation,
    "equipment_age": _equipment_age,
    "ct_slices": _ct_slices,
    "mri_field_strength": _mri_field_strength,
    "xr29": _yes_no_item(
        "equipment", "xr29", "Scanner meets NEMA XR-29.", "Scanner does not meet NEMA XR-29."
    ),
    "iterative_reconstruction": _yes_no_item(
        "equipment",
        "iterative_reconstruction",
        "Iterative reconstruction available.",
        "No iterative reconstruction.",
    ),
    "automatic_exposure_control": _yes_no_item(
        "equipment",
        "automatic_exposure_control",
        "Automatic exposure control in use.",
        "No automatic exposure control.",
    ),
    "dose_records": _yes_no_item(
        "equipment", "dose_records", "Dose recorded for every exam.", "Dose not recorded for every exam."
    ),
    "technologists": _yes_no_item(
        "staff",
        "technologists_credentialed",
        "All technologists credentialed.",
        "Not all technologists credentialed.",
    ),
    "physicians": _yes_no_item(
        "staff",
        "physicians_board_certified",
        "All interpreting physicians certified.",
        "Not all interpreting physicians certified.",
    ),
    "contrast_physician": _yes_no_item(
        "staff",
        "physician_on_site_contrast",
        "A physician is on site for contrast.",
        "No physician on site for every contrast exam.",
    ),
    "physics_survey": _physics_survey,
    "qc_log": _yes_no_item("quality", "qc_log", "Quality control log kept.", "No quality control log."),
    "dose_registry": _yes_no_item(
        "quality", "dose_registry", "CT doses monitored or sent to a registry.", "CT doses not monitored."
    ),
    "emergency_training": _yes_no_item(
        "quality",
        "emergency_training",
        "Emergency equipment and training in place.",
        "Emergency equipment or reaction training missing.",
    ),
}
SCORED_SECTIONS: tuple[str, ...] = ("equipment", "staff", "accreditation", "quality")


def _factor(item: ScoreItem, outcome: _Outcome) -> Factor:
    earned = {2: item.points, 1: item.partial_points}.get(outcome.tier, 0)
    return Factor(
        item=item.item,
        label=item.label,
        section=item.section,
        points_earned=float(earned),
        points_possible=float(item.points),
        met=earned == item.points,
        explanation=outcome.explanation,
        how_to_raise="" if earned == item.points else item.how_to_raise,
        standard=item.standard,
    )


def score_modality(sections: Mapping[str, Any], modality: str, on: date) -> ModalityScore:
    """The score of one modality on day ``on``: each item's points, and the next day it changes."""
    if modality not in SCORED_MODALITIES:
        raise ValueError(f"Not a scored modality: {modality}")
    factors, changes = [], []
    for item in score_items()[modality]:
        outcome = _EVALUATORS[item.item](sections, modality, on)
        factors.append(_factor(item, outcome))
        if outcome.changes_on is not None and outcome.changes_on > on:
            changes.append(outcome.changes_on)
    total = sum(factor.points_earned for factor in factors)
    return ModalityScore(
        modality=modality,
        score=max(0, min(TOTAL_POINTS, int(total + 0.5))),
        factors=tuple(factors),
        rescore_on=min(changes, default=None),
    )


def offered_modalities(sections: Mapping[str, Any]) -> tuple[str, ...]:
    """The scored modalities the registration offers, in the order of SCORED_MODALITIES."""
    offered = _answers(sections, "modalities").get("offered")
    chosen = set(offered) if isinstance(offered, (list, tuple)) else set()
    return tuple(modality for modality in SCORED_MODALITIES if modality in chosen)


def score_registration(sections: Mapping[str, Any], on: date) -> dict[str, ModalityScore]:
    """One score per offered modality."""
    return {modality: score_modality(sections, modality, on) for modality in offered_modalities(sections)}


def overall_score(scores: Mapping[str, ModalityScore]) -> int | None:
    """The facility's quality score: the rounded mean of its modality scores (None without any)."""
    if not scores:
        return None
    return int(sum(score.score for score in scores.values()) / len(scores) + 0.5)


def earliest_rescore(scores: Mapping[str, ModalityScore]) -> date | None:
    return min((score.rescore_on for score in scores.values() if score.rescore_on), default=None)
