"""Imaging sites with their current scores and distance from the member, in the portal's order.

Used by the site-of-care alternatives and the servicing-provider search of the order wizard and by
the provider directory; the order itself is the rule in domain/site_ranking.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, func

from portal_app.domain.facility_scores import SCORED_MODALITIES, scored_modality_for_exam
from portal_app.domain.geo import miles_between, zips_within
from portal_app.domain.site_ranking import NEARBY_MILES, ranking_key
from portal_app.models import Facility
from portal_app.models.base import id_of
from portal_app.services.facility_registration import current_modality_scores

NOT_REGISTERED = "Not registered (no score)"


@dataclass(frozen=True)
class RankedFacility:
    facility: Facility
    scores: dict[str, int]  # scored modality -> score; empty when the site has not registered
    score: int | None  # the score the site is ordered by
    miles: float | None

    @property
    def registered(self) -> bool:
        return bool(self.scores)


def scores_label(scores: dict[str, int], only: str | None = None) -> str:
    """'CT 84 of 100 · MRI 77 of 100' (or one modality), or that the site has no score."""
    if not scores:
        return NOT_REGISTERED
    shown = [only] if only in scores else [m for m in SCORED_MODALITIES if m in scores]
    return " · ".join(f"{SCORED_MODALITIES[m]} {scores[m]} of 100" for m in shown)


def nearby(postal_code_column, near_zip: str, miles: float = NEARBY_MILES):
    """A SQL condition: the row's 5-digit ZIP lies within ``miles`` of ``near_zip``; None when that ZIP
    is unknown (then nothing is filtered out and no distance is shown)."""
    zips = zips_within(near_zip, miles) if near_zip else ()
    return func.substr(postal_code_column, 1, 5).in_(zips) if zips else None


def offers_exam(facility: Facility, scores: dict[str, int], exam_modality: str) -> bool:
    """Whether a site can do the exam: by its registration, else by the exams the network lists."""
    if not exam_modality:
        return True
    if scores:
        return scored_modality_for_exam(exam_modality) in scores
    listed = [m for m in facility.modalities.split(",") if m]
    return not listed or exam_modality in listed


def rank_facilities(
    session: Session,
    facilities: Iterable[Facility],
    *,
    near_zip: str = "",
    exam_modality: str = "",
    today: date | None = None,
) -> list[RankedFacility]:
    """The sites that can do the exam, with scores (rescored for today) and miles from ``near_zip``."""
    facilities = list(facilities)
    all_scores = current_modality_scores(session, [f.id for f in facilities], today=today)
    scored = scored_modality_for_exam(exam_modality) if exam_modality else None
    ranked = []
    for facility in facilities:
        scores = all_scores.get(id_of(facility), {})
        if not offers_exam(facility, scores, exam_modality):
            continue
        score = scores.get(scored) if scored else (facility.quality_score if scores else None)
        miles = miles_between(near_zip, facility.postal_code) if near_zip else None
        ranked.append(RankedFacility(facility, scores, score, miles))
    return sorted(ranked, key=lambda r: ranking_key(r.score, r.miles, r.facility.name))
