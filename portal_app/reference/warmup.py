"""Load reference data once at start-up, off the event loop, so the first user does not wait."""

from __future__ import annotations

import asyncio
import logging

logger = logging.getLogger(__name__)


def _load_everything() -> None:
    from portal_app.domain.geo import zip_centroid
    from portal_app.programs.imaging import domain as imaging
    from portal_app.reference.icd10 import search_diagnoses

    search_diagnoses("low back pain")  # builds the ICD-10-CM index (about half a second)
    imaging.code_choices("EVG", 2026)  # reads the imaging code and criteria tables
    zip_centroid("97024")  # the ZIP centroids for distances (about a second)


async def warm_reference_data() -> None:
    """A lifespan task: build the reference indexes in a worker thread."""
    try:
        await asyncio.to_thread(_load_everything)
    except Exception:  # a cold cache is slower, never fatal
        logger.exception("Could not pre-load reference data")
