"""The help desk page: how a request works, a short guide per program with its "what you need before
you start" checklist (derived from the criteria data by ``portal_app/domain/help.py``), the
radiation therapy code look-up, and the support contact.

Public: anyone can read it without signing in (see ``portal_app/state/help.py``). Keyboard users
reach every section from the table of contents (in-page links) or by headings; every list is a
real list and the headings go h1, h2 per section, h3 per part.
"""

from __future__ import annotations

import reflex as rx

from portal_app import routes
from portal_app.components.layout import page_heading, page_shell
from portal_app.domain import help as guides
from portal_app.state.help import CriterionSource, HelpState
from portal_app.state.order_wizard import STEPS

START_ANCHOR = "help-start"
CODES_ANCHOR = "help-codes"
CONTACT_ANCHOR = "help-contact"
PEND_ANCHOR = "help-after-a-pend"


def _section(anchor: str, title: str, *children: rx.Component) -> rx.Component:
    return rx.el.section(
        rx.heading(
            title, size="5", as_="h2", id=f"{anchor}-title", margin_top="1.5em", margin_bottom="0.4em"
        ),
        *children,
        id=anchor,
        aria_labelledby=f"{anchor}-title",
    )


def _part(title: str, *children: rx.Component) -> rx.Component:
    return rx.fragment(
        rx.heading(title, size="3", as_="h3", margin_top="1em", margin_bottom="0.3em"), *children
    )


def _bullets(lines, label: str = "") -> rx.Component:
    props = {"aria_label": label} if label else {}
    return rx.el.ul(*[rx.el.li(line) for line in lines], **props)


def _item(item: guides.ChecklistItem) -> rx.Component:
    return rx.el.li(
        rx.text(item.text, as_="span"),
        rx.el.ul(*[rx.el.li(detail) for detail in item.details]) if item.details else rx.fragment(),
        rx.text("For: ", item.applies_to, size="1", color_scheme="gray")
        if item.applies_to
        else rx.fragment(),
        rx.text("Guideline: ", item.citation, size="1", color_scheme="gray")
        if item.citation
        else rx.fragment(),
        margin_bottom="0.5em",
    )


def _checklist(items: tuple[guides.ChecklistItem, ...], label: str) -> rx.Component:
    return rx.el.ul(*[_item(item) for item in items], aria_label=label)


def _contents(program_guides: tuple[guides.ProgramGuide, ...]) -> rx.Component:
    entries = [
        ("How a request works", START_ANCHOR),
        ("When a request pends: peer-to-peer and the pend clock", PEND_ANCHOR),
        *[(g.title, g.anchor) for g in program_guides],
        ("Radiation therapy codes", CODES_ANCHOR),
        ("Contact support", CONTACT_ANCHOR),
    ]
    return rx.el.nav(
        rx.heading("On this page", size="3", as_="h2", id="help-contents-title"),
        rx.el.ul(*[rx.el.li(rx.el.a(title, href=f"#{anchor}")) for title, anchor in entries]),
        aria_labelledby="help-contents-title",
    )


def _start() -> rx.Component:
    return _section(
        START_ANCHOR,
        "How a request works",
        rx.text(
            'Start a request from "New request" (ordering offices). The wizard keeps your draft at every '
            'step; continue it later from "My orders". Its steps:',
            size="2",
        ),
        rx.el.ol(*[rx.el.li(step) for step in STEPS], aria_label="Steps of a request"),
        _part(
            "What every request needs",
            _checklist(guides.every_request_checklist(), "What every request needs"),
        ),
        _part(
            "What happens when you submit",
            rx.text(guides.GENERAL_DECISION, size="2"),
            rx.text(
                "The order summary shows each line's decision, its reason and the guideline, and the dates "
                "an approval is valid. You can add information and documents there while a line waits "
                "for review.",
                size="2",
                margin_top="0.4em",
            ),
            rx.text(guides.SITE_OF_CARE, size="2", margin_top="0.4em"),
        ),
        _part(
            "Documents that support a request",
            *[rx.text(paragraph, size="2", margin_top="0.4em") for paragraph in guides.DOCUMENTS],
        ),
    )


def _after_a_pend() -> rx.Component:
    return _section(
        PEND_ANCHOR,
        "When a request pends: peer-to-peer and the pend clock",
        *[_part(heading, rx.text(text, size="2")) for heading, text in guides.after_a_pend()],
    )


def _criterion(item: rx.Var[CriterionSource]) -> rx.Component:
    return rx.el.li(
        rx.text(rx.text.strong(item.criterion_id), ": ", item.text, as_="span"),
        rx.text(
            "Source (version ",
            item.version,
            "): ",
            rx.cond(
                item.source_url != "",
                rx.el.a(item.source, href=item.source_url, target="_blank", rel="noopener noreferrer"),
                rx.text(item.source, as_="span"),
            ),
            size="1",
            color_scheme="gray",
        ),
        margin_bottom="0.5em",
    )


def _criteria(guide: guides.ProgramGuide) -> rx.Component:
    return _part(
        "The criteria and their sources",
        rx.text(
            "The criteria in force today, each with the guideline or publication it comes from. Versions "
            "that take effect later are on the ",
            rx.el.a("Coming soon page", href=routes.GUIDELINES_COMING_SOON),
            ".",
            size="2",
        ),
        rx.el.ul(
            rx.foreach(
                HelpState.criteria,
                lambda item: rx.cond(item.program == guide.program, _criterion(item), rx.fragment()),
            ),
            aria_label=f"Criteria: {guide.title}",
        ),
    )


def _program(guide: guides.ProgramGuide) -> rx.Component:
    return _section(
        guide.anchor,
        guide.title,
        rx.text(guide.covers, size="2"),
        _part("What the wizard asks", _bullets(guide.wizard_asks)),
        _part("What is decided at once", _bullets(guide.decided_at_once)),
        _part("How long an approval lasts", rx.text(guide.validity, size="2")),
        _part("What you need before you start", _checklist(guide.checklist, f"What you need: {guide.title}")),
        _criteria(guide),
        *[
            rx.text(lead, rx.el.a(text, href=href), ".", size="2", margin_top="0.4em")
            for lead, text, href in guide.see_also
        ],
    )


def _codes() -> rx.Component:
    return _section(
        CODES_ANCHOR,
        "Radiation therapy codes",
        rx.text(
            "The radiation oncology program manages its own CPT and HCPCS codes for each health plan and "
            "year. Check whether a code is on a plan's list with the ",
            rx.el.a("radiation therapy code look-up", href=routes.RADIATION_CODES),
            " (sign in first).",
            size="2",
        ),
    )


def _contact() -> rx.Component:
    return _section(
        CONTACT_ANCHOR,
        "Contact support",
        rx.text("For a question about the portal or your account, or when you cannot sign in:", size="2"),
        rx.el.address(HelpState.support_contact, font_style="normal", font_weight="500", margin_y="0.5em"),
        rx.text(
            "If your question is about a request, have its order number ready. Please do not send patient "
            "details by e-mail.",
            size="2",
        ),
    )


def help_page() -> rx.Component:
    program_guides = guides.program_guides()
    return page_shell(
        page_heading("Help desk"),
        rx.text(
            "Short guides to requesting prior authorization in Precert: what each program's wizard asks, "
            "what is decided at once, how long an approval lasts, and what to have ready before you start. "
            "The checklists come from the same criteria the portal applies. Guideline changes that take "
            "effect later are listed on the ",
            rx.el.a("Coming soon page", href=routes.GUIDELINES_COMING_SOON),
            ".",
            size="2",
        ),
        _contents(program_guides),
        _start(),
        _after_a_pend(),
        *[_program(guide) for guide in program_guides],
        _codes(),
        _contact(),
    )
