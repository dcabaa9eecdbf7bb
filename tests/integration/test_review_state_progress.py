"""The case page shows progress while a reviewer's decision is saved and its letters are written:
the busy text is set and sent to the browser before the service runs, and cleared afterwards, also
when the service fails."""

from __future__ import annotations

import asyncio
import concurrent.futures

import pytest
import reflex as rx

import portal_app.portal_app  # noqa: F401  (registers every page and state)
from portal_app.state.review import DECISION_SAVING_TEXT, OTHER_SAVING_TEXT, CaseState

# The handler without its @authorized guard (which needs a signed-in browser session).
SUBMIT = CaseState.submit_action.fn.__wrapped__


def _case_state(action: str) -> CaseState:
    root = rx.State(_reflex_internal_init=True)
    case = root.get_substate(CaseState.get_full_name().split(".")[1:])
    case.action = action
    return case


def _run(case: CaseState, seen: list[str]) -> list:
    """Drive the handler like Reflex does; return what it yielded to the browser."""

    async def drive():
        sent = []
        async for update in SUBMIT(case, {"text": "Meets the guideline."}):
            sent.append(update)
            seen.append(f"sent: {case.saving}")
        return sent

    # In a thread of its own: the browser tests' sync Playwright keeps an event loop running in the
    # main thread when both suites run in one pytest session.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, drive()).result()


def _recording_service(monkeypatch, seen: list[str], *, fails: bool = False) -> None:
    async def carry_out(self, form_data):
        seen.append(f"service: {self.saving}")
        if fails:
            raise RuntimeError("the letter service is down")

    monkeypatch.setattr(CaseState, "_carry_out", carry_out)


@pytest.mark.parametrize("action", ["approve", "deny", "partially_approve"])
def test_a_decision_says_the_letters_are_being_written_until_it_is_saved(monkeypatch, action):
    seen: list[str] = []
    _recording_service(monkeypatch, seen)
    case = _case_state(action)
    sent = _run(case, seen)
    assert len(sent) == 1
    assert seen == [f"sent: {DECISION_SAVING_TEXT}", f"service: {DECISION_SAVING_TEXT}"]
    assert case.saving == ""


def test_other_actions_say_saving(monkeypatch):
    seen: list[str] = []
    _recording_service(monkeypatch, seen)
    _run(_case_state("escalate"), seen)
    assert seen == [f"sent: {OTHER_SAVING_TEXT}", f"service: {OTHER_SAVING_TEXT}"]


def test_the_busy_text_is_cleared_when_the_service_fails(monkeypatch):
    seen: list[str] = []
    _recording_service(monkeypatch, seen, fails=True)
    case = _case_state("approve")
    with pytest.raises(RuntimeError):
        _run(case, seen)
    assert case.saving == ""


def test_a_second_submit_while_saving_does_nothing(monkeypatch):
    seen: list[str] = []
    _recording_service(monkeypatch, seen)
    case = _case_state("approve")
    case.saving = DECISION_SAVING_TEXT
    assert _run(case, seen) == []
    assert seen == [] and case.saving == DECISION_SAVING_TEXT
