"""Errors clear when their cause is fixed, and an order's page forgets the order seen before
(issue 25, defects found in a browser): the states driven directly, without a browser."""

from __future__ import annotations

import asyncio
import concurrent.futures
from datetime import date, timedelta

import reflex as rx

import portal_app.portal_app  # noqa: F401  (registers every page and state)
from portal_app.programs.medical_oncology import domain as onc
from portal_app.programs.medical_oncology.step_state import MedOncStepState
from portal_app.programs.outpatient.step_state import OutpatientStepState
from portal_app.state.order_wizard import OrderWizardState
from portal_app.state.orders import OrderSummaryState, SummaryView

NON_CANCER, CANCER = "M54.50", "C50.911"  # low back pain; breast cancer (ICD-10-CM 2026)


def _substate(root: rx.State, cls: type[rx.State]):
    return root.get_substate(cls.get_full_name().split(".")[1:])


def _drive(coroutine_or_generator):
    """Run a handler like Reflex does (in a thread of its own: Playwright may hold the main loop)."""

    async def drive():
        if hasattr(coroutine_or_generator, "__anext__"):
            return [update async for update in coroutine_or_generator]
        return await coroutine_or_generator

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, drive()).result()


def test_the_oncology_refusal_goes_once_the_primary_diagnosis_is_a_cancer():
    root = rx.State(_reflex_internal_init=True)
    wizard, step = _substate(root, OrderWizardState), _substate(root, MedOncStepState)
    drug = next(iter(onc.supportive_drugs()))
    step.supportive_drugs, step.primary_diagnosis = [drug], NON_CANCER
    refusal = onc.no_request_reason(step._details_payload())
    assert refusal  # the program does not review a supportive drug for low back pain
    wizard.program, wizard._refused = "medical_oncology", True
    wizard.errors = {**wizard.errors, "details": refusal}
    update = MedOncStepState.update_field.fn.__wrapped__

    _drive(update(step, "secondary_diagnosis", "R11.0"))  # still not a cancer: the refusal stays
    assert wizard.errors["details"] == refusal

    _drive(update(step, "primary_diagnosis", CANCER))  # now the secondary diagnosis is the cause
    assert "R11.0" in wizard.errors["details"] and wizard._refused is True

    _drive(update(step, "secondary_diagnosis", "D70.1"))  # neutropenia caused by chemotherapy
    assert wizard.errors["details"] == "" and wizard._refused is False


def test_the_refusal_is_left_alone_when_the_wizard_did_not_refuse():
    root = rx.State(_reflex_internal_init=True)
    wizard = _substate(root, OrderWizardState)
    wizard.program = "medical_oncology"
    wizard.errors = {**wizard.errors, "details": "Please correct the answers marked below."}
    wizard._recheck_refusal({"primary_diagnosis": CANCER})
    assert wizard.errors["details"] == "Please correct the answers marked below."


def test_the_transport_schedule_error_follows_the_schedule_once_shortened():
    root = rx.State(_reflex_internal_init=True)
    step = _substate(root, OutpatientStepState)
    start = date(2026, 12, 7)  # a Monday
    step._service_date, step._plan_code = start.isoformat(), "EVG"
    step.service_kind, step.trip_type = "transport", "recurring"
    step.weekdays, step.start_date = ["mon"], start.isoformat()
    step.end_date = (start + timedelta(days=120)).isoformat()
    step._refresh_trips()
    too_long = step.schedule_problem
    assert "runs past" in too_long
    step.errors = {**step.errors, "schedule": too_long}  # as shown after Next

    _drive(
        OutpatientStepState.update_field.fn.__wrapped__(
            step, "end_date", (start + timedelta(days=28)).isoformat()
        )
    )

    assert step.schedule_problem == "" and step.errors["schedule"] == ""


def test_an_orders_page_sends_the_cleared_order_before_reading_the_next(monkeypatch):
    root = rx.State(_reflex_internal_init=True)
    summary = _substate(root, OrderSummaryState)
    summary.summary, summary.found = SummaryView(order_number="PC2026EARLIER01"), True
    summary.diagnoses = ["M54.50 Low back pain"]
    seen_when_sent = []

    async def load(self, number):
        self.summary, self.found = SummaryView(order_number=number), True

    monkeypatch.setattr(OrderSummaryState, "_load", load)
    handler = OrderSummaryState.load_order.fn.__wrapped__

    async def drive():
        async for _update in handler(summary, "PC2026LATER0001"):
            seen_when_sent.append((summary.summary.order_number, summary.found, list(summary.diagnoses)))

    _drive(drive())

    assert seen_when_sent[0] == ("", False, [])  # the browser first gets an empty page
    assert summary.summary.order_number == "PC2026LATER0001"
