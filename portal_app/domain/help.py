"""The help desk's guides: per program, what the wizard asks, what is decided at once, how long an
approval lasts, and a "what you need before you start" checklist.

The checklists and the validity texts are derived from each program's criteria data, by the
program's own ``help.py`` (``portal_app/programs/<program>/help.py``, found through the program
registry), never
typed twice: a threshold, a warning sign or a question changed in the data changes the help page
with it. A criterion set, criterion or question the help page does not know how to explain raises
``UnknownCriterion`` (so the unit tests fail until a checklist line is written for it).

Pure functions over packaged reference data: no database, no settings. Each checklist item names
where it comes from (``source``: criterion ids and the reference file), as the criteria do.
"""

from __future__ import annotations

from collections.abc import Callable

from portal_app.domain import conversation
from portal_app.domain.enums import Program
from portal_app.domain.guidelines import GuidelineCriterion, GuidelineVersion
from portal_app.domain.guides import (
    GENERAL_DECISION,
    NOT_MANAGED,
    ChecklistItem,
    ProgramGuide,
    UnknownCriterion,
)
from portal_app.programs import parts, require

__all__ = [
    "CHECKLISTS",
    "GENERAL_DECISION",
    "NOT_MANAGED",
    "ChecklistItem",
    "ProgramGuide",
    "DOCUMENTS",
    "SITE_OF_CARE",
    "UnknownCriterion",
    "after_a_pend",
    "checklist",
    "criteria_listed",
    "every_request_checklist",
    "program_guide",
    "program_guides",
    "program_rules",
]

# ---------------------------------------------------------------------------------------------
# Every request, whatever the program
# ---------------------------------------------------------------------------------------------


def every_request_checklist() -> tuple[ChecklistItem, ...]:
    """What every request asks for (the wizard's common steps)."""
    return (
        ChecklistItem(
            "The member's ID card, or the member's last name and date of birth, to find the member."
        ),
        ChecklistItem("The ordering provider, and the servicing provider or facility (name, city or NPI)."),
        ChecklistItem("The office address and fax number where the decision letters should go."),
        ChecklistItem("The ICD-10-CM diagnosis codes, the main (primary) diagnosis first."),
        ChecklistItem("The date of service, and a reason if the request is urgent."),
    )


# Documents (domain/documents_needed.py; program FAQs, shared/seeds/000 tip 2, 002 and 003).
DOCUMENTS = (
    "When your answers would send a request to a reviewer, the last step of the wizard lists the documents "
    "that support it, criterion by criterion: for example the therapy notes that show six weeks of treatment "
    "before a back MRI, the imaging report and the instability findings for a spinal fusion, or the "
    "pathology report for a cancer treatment off the pathway.",
    "Upload them there, before you submit: they stay with the draft and become part of the order, so the "
    "reviewer has them from the start. Say which listed document each file is; the reviewer sees which "
    "listed documents arrived and which did not. PDF, PNG, JPEG and TIFF files are accepted.",
    "While a line waits for review you can add documents on the order summary. After a denial you can "
    "upload supporting documents there and send them to a physician reviewer instead of writing a "
    "reconsideration request: within 10 calendar days of the denial they are reviewed as a reconsideration, "
    "after that as a first-level appeal decided by another physician.",
)
SITE_OF_CARE = (
    "A CT or MR exam in a hospital outpatient department is reviewed by a physician, who decides whether the "
    "hospital setting is needed; a nurse may not approve it. If the hospital setting is not approved, the "
    "letter and the order summary name in-network free-standing centres and offices that can do the exam, "
    "with their quality score and distance."
)


def after_a_pend() -> tuple[tuple[str, str], ...]:
    """(heading, text) paragraphs on what happens while a request pends: peer-to-peer and the pend
    clock (domain/conversation.py holds the numbers)."""
    return (
        (
            "Peer-to-peer conversation",
            "The ordering physician can talk with one of our physician reviewers about a request at "
            "any time, before or after the decision: open the order and use the section "
            "'Talk to a physician reviewer'. For interventional pain procedures a physician who is "
            "free now is called at once and rings you back (they have "
            f"{conversation.IMMEDIATE_RESPONSE_MINUTES} minutes to answer); when nobody is free, or "
            "for spine and joint surgery and the other programs, the call is scheduled: propose up to "
            f"{conversation.MAX_PROPOSED_TIMES} times, or take a time a physician has published. The "
            "request goes first to a physician whose specialty fits the program. A reviewer may also "
            "offer times; choose one on the order. Every call is recorded, including a missed one.",
        ),
        (
            "The pend clock",
            "When a reviewer asks for information or offers a peer-to-peer conversation, you are told "
            "on your home page, on the order and by an e-mail that holds only a link. The case then "
            "waits for your answer for the number of business days the health plan sets (usually "
            f"{conversation.DEFAULT_PEND_BUSINESS_DAYS}; weekends and federal holidays do not count), "
            f"or {conversation.DEFAULT_PEND_URGENT_HOURS} hours from receipt for an urgent request. "
            "Adding information or a document, or arranging a call, answers it. Without an answer the "
            "case goes to a physician reviewer marked 'no response from the office': the portal never "
            "denies on its own, but the physician may deny because the information was not provided "
            "and no peer-to-peer took place. The letter then says so, with your rights to a "
            "reconsideration and an appeal.",
        ),
        (
            "Live review and call back",
            "If no decision has come and the patient returns soon, ask on the order for a live review: "
            "the case goes to the top of the reviewers' queue with the date you give. If you cannot "
            "wait, ask to be called back: you are alerted here and by e-mail when the review is done.",
        ),
    )


# ---------------------------------------------------------------------------------------------
# All programs: each program's help.py, found through the program registry
# ---------------------------------------------------------------------------------------------

CHECKLISTS: dict[Program, Callable[[], tuple[ChecklistItem, ...]]] = {
    program: module.checklist for program, module in parts("help").items()
}


def checklist(program: Program | str) -> tuple[ChecklistItem, ...]:
    """The "what you need before you start" checklist of one program, from its criteria data."""
    return require(program, "help").checklist()


def program_guide(program: Program | str) -> ProgramGuide:
    return require(program, "help").guide()


def program_guides() -> tuple[ProgramGuide, ...]:
    """Every program's guide, in the order of the programs."""
    return tuple(module.guide() for module in parts("help").values())


def program_rules(program: Program | str) -> tuple[GuidelineCriterion, ...]:
    """The criteria a program checks in code without criteria rows in its reference data (medical and
    radiation oncology, rehabilitation), from its help.py's optional ``rules()``: empty when it has none."""
    rules = getattr(require(program, "help"), "rules", None)
    return tuple(rules()) if rules else ()


def criteria_listed(version: GuidelineVersion) -> tuple[GuidelineCriterion, ...]:
    """What the help page lists for a program under `version`: the version's criteria, then the checks
    the program makes in code that the version does not name (every version keeps those, see
    ``domain/guidelines.py``)."""
    named = {item.criterion_id for item in version.criteria}
    return version.criteria + tuple(
        rule for rule in program_rules(version.program) if rule.criterion_id not in named
    )
