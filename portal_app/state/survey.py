"""The satisfaction survey on the order summary: offered once a month after a submitted request.

Loaded with the order summary page (its own on_load, after ``OrderSummaryState.load_order``); the
rules are in ``portal_app/services/survey.py``. The open survey's id stays on the server
(``_survey_id``): the browser only answers or dismisses "the survey offered to me".
"""

from __future__ import annotations

import contextlib

import reflex as rx

from portal_app.domain import survey_questions
from portal_app.domain.enums import Role
from portal_app.services import survey as survey_service
from portal_app.services.authz import PermissionDenied
from portal_app.state.auth import authorized, call_service, current_actor
from portal_app.state.navigation import page_params

STAFF = Role.ORDERING_PROVIDER_STAFF


class SurveyState(rx.State):
    _survey_id: int = 0
    offered: bool = False
    error: str = ""
    thanks: str = ""

    def _close(self, thanks: str) -> None:
        self._survey_id, self.offered, self.error, self.thanks = 0, False, "", thanks

    @rx.event
    @authorized()
    async def load_offer(self):
        """Offer the survey on this order's summary when the rules allow it (offices only)."""
        self._close("")
        if current_actor().role != STAFF:
            return
        number = str(page_params(self).get("order_number", ""))[:20]
        offer = await call_service(survey_service.offer_survey, order_number=number)
        if offer is not None:
            self._survey_id, self.offered = offer.survey_id, True

    @rx.event
    @authorized(STAFF)
    async def answer(self, form_data: dict):
        if not self.offered or not isinstance(form_data, dict):
            return
        try:
            await call_service(
                survey_service.answer_survey,
                survey_id=self._survey_id,
                answers={
                    q.code: str(form_data.get(f"survey_{q.code}", ""))[:40]
                    for q in survey_questions.QUESTIONS
                },
                comment=str(form_data.get("survey_comment", ""))[: survey_service.COMMENT_MAX + 100],
            )
        except survey_service.SurveyRefused as refused:
            self.error = str(refused)
            return
        except PermissionDenied:
            self._close("")
            return
        self._close("Thank you for your answer. It helps us make the portal easier to use.")

    @rx.event
    @authorized(STAFF)
    async def not_now(self):
        if not self.offered:
            return
        with contextlib.suppress(survey_service.SurveyRefused, PermissionDenied):
            await call_service(survey_service.dismiss_survey, survey_id=self._survey_id)
        self._close("")
