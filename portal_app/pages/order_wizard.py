"""The order wizard page: generic steps around the program's own step."""

from __future__ import annotations

import reflex as rx

from portal_app.components.forms import field_error, labelled_input, notice_box, problem_callout
from portal_app.components.layout import page_heading, page_shell
from portal_app.components.stepper import stepper
from portal_app.domain.enums import Urgency
from portal_app.pages.wizard_documents import wizard_documents
from portal_app.programs import parts
from portal_app.state.order_wizard import (
    PROGRAM_STEP,
    REVIEW_STEP,
    STEPS,
    MemberRow,
    Option,
    OrderWizardState,
    PartyRow,
)

W = OrderWizardState
_SELECT_STYLE = {
    "padding": "0.4em",
    "border_radius": "6px",
    "border": "1px solid var(--gray-7)",
    "width": "100%",
}


def _text(
    label: str, field: str, *, input_type: str = "text", hint: str = "", error_key: str = "", name: str = ""
) -> rx.Component:
    return labelled_input(
        label,
        name=name or field,
        input_type=input_type,
        required=False,
        value=getattr(W, field),
        on_change=lambda value: W.update_field(field, value),
        error=W.errors[error_key] if error_key else "",
        hint=hint,
    )


def _select(label: str, field: str, options, *, placeholder: str, error_key: str) -> rx.Component:
    return rx.vstack(
        rx.el.label(label, html_for=f"field-{field}", font_weight="500"),
        rx.el.select(
            rx.el.option(placeholder, value=""),
            rx.foreach(options, lambda o: rx.el.option(o.label, value=o.value)),
            id=f"field-{field}",
            value=getattr(W, field),
            on_change=lambda v: W.update_field(field, v),
            aria_describedby=f"field-{field}-error",
            style=_SELECT_STYLE,
        ),
        field_error(W.errors[error_key], field_id=f"field-{field}"),
        spacing="1",
        width="100%",
    )


def _checkbox(label: str, field: str) -> rx.Component:
    return rx.checkbox(label, checked=getattr(W, field), on_change=lambda v: W.toggle(field, v))


# --- step 1 ---


def _plan_step() -> rx.Component:
    return rx.vstack(
        _select(
            "Health plan", "plan_id", W.plan_options, placeholder="Choose the health plan", error_key="plan"
        ),
        _text(
            "Date of service",
            "service_date",
            input_type="date",
            error_key="service_date",
            hint="The planned date, or the date it was performed (at most 2 business days ago).",
        ),
        _select(
            "Program", "program", W.program_options, placeholder="Choose the program", error_key="program"
        ),
        rx.cond(
            (W.plan_id != "") & (W.service_date != "") & (W.program_options.length() == 0),
            rx.text("This plan has delegated no program on that date.", size="2", color_scheme="amber"),
        ),
        spacing="4",
        width="100%",
    )


# --- step 2 ---


def _member_row(member: rx.Var[MemberRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(member.name),
        rx.table.cell(member.member_number),
        rx.table.cell(member.birth_date),
        rx.table.cell(
            rx.button(
                "Select",
                size="1",
                variant="outline",
                on_click=W.pick_member(member.member_id),
                aria_label="Select " + member.name + " " + member.member_number,
            )
        ),
    )


def _pager(page: rx.Var[int], more: rx.Var[bool], page_step) -> rx.Component:
    """ "Earlier results" / "More results" under a search that comes in pages; shown once there is
    more than one page."""
    return rx.cond(
        (page > 0) | more,
        rx.hstack(
            rx.button(
                "Earlier results",
                on_click=page_step(-1),
                type="button",
                variant="soft",
                disabled=page == 0,
            ),
            rx.text("Page ", page + 1, size="2"),
            rx.button(
                "More results",
                on_click=page_step(1),
                type="button",
                variant="soft",
                disabled=~more,
            ),
            align="center",
        ),
    )


def _member_step() -> rx.Component:
    return rx.vstack(
        rx.text("Search by member ID, or by last name and date of birth.", size="2"),
        rx.hstack(
            _text("Member ID", "member_number"),
            _text("Last name", "last_name"),
            _text("Member date of birth", "birth_date", input_type="date"),
            _search_button("Search members", W.search_members, "members", margin_top="1.6em"),
            align="start",
            wrap="wrap",
        ),
        rx.cond(
            W.members.length() > 0,
            rx.table.root(
                rx.el.caption("Members found", class_name="visually-hidden"),
                rx.table.header(
                    rx.table.row(
                        *[rx.table.column_header_cell(h) for h in ("Name", "Member ID", "Date of birth", "")]
                    )
                ),
                rx.table.body(rx.foreach(W.members, _member_row)),
                width="100%",
            ),
        ),
        _pager(W.member_page, W.member_more, W.member_page_step),
        rx.cond(
            W.member.member_id != 0,
            rx.card(
                rx.vstack(
                    rx.heading("Confirm the member", size="3", as_="h3"),
                    rx.data_list.root(
                        rx.data_list.item(rx.data_list.label("Name"), rx.data_list.value(W.member.name)),
                        rx.data_list.item(
                            rx.data_list.label("Member ID"), rx.data_list.value(W.member.member_number)
                        ),
                        rx.data_list.item(rx.data_list.label("Plan"), rx.data_list.value(W.member.plan)),
                        rx.data_list.item(
                            rx.data_list.label("Date of birth"), rx.data_list.value(W.member.birth_date)
                        ),
                        rx.data_list.item(
                            rx.data_list.label("Address"), rx.data_list.value(W.member.address)
                        ),
                        rx.data_list.item(
                            rx.data_list.label("Eligibility"), rx.data_list.value(W.member.eligibility)
                        ),
                    ),
                    _checkbox(
                        "I have checked the name, date of birth and address with the patient's records",
                        "member_confirmed",
                    ),
                ),
                width="100%",
            ),
        ),
        field_error(W.errors["member"], field_id="field-member"),
        spacing="3",
        width="100%",
    )


# --- step 3 ---


def _search_button(label: str, handler, search: str, *, margin_top: str) -> rx.Component:
    """A search button with a status line that says while its search runs."""
    running = W.searching == search
    return rx.vstack(
        rx.button(label, on_click=handler, type="button", aria_busy=running),
        rx.text(rx.cond(running, "Searching…", ""), role="status", size="1"),
        margin_top=margin_top,
        spacing="1",
    )


def _party_row(party: rx.Var[PartyRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(party.name),
        rx.table.cell(party.detail),
        rx.table.cell(party.city),
        rx.table.cell(party.npi),
        rx.table.cell(party.quality),
        rx.table.cell(party.distance),
        rx.table.cell(party.cost),
        rx.table.cell(
            rx.cond(
                party.in_network,
                rx.badge("In network", color_scheme="green"),
                rx.badge("Out of network", color_scheme="red"),
            )
        ),
        rx.table.cell(
            rx.button(
                "Select",
                size="1",
                variant="outline",
                on_click=W.pick_servicing(party.kind, party.id),
                aria_label="Select " + party.name,
            )
        ),
    )


def _providers_step() -> rx.Component:
    return rx.vstack(
        _select(
            "Ordering provider",
            "ordering_provider_id",
            W.ordering_options,
            placeholder="Choose the ordering provider",
            error_key="ordering",
        ),
        rx.hstack(
            _text(
                "Find the servicing provider or facility",
                "servicing_query",
                hint="Name, NPI, ZIP code, specialty or city.",
            ),
            _search_button("Search providers", W.search_servicing, "servicing", margin_top="2.6em"),
            align="start",
            width="100%",
        ),
        rx.cond(
            W.servicing_results.length() > 0,
            rx.table.root(
                rx.el.caption("Servicing providers found", class_name="visually-hidden"),
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(h)
                            for h in (
                                "Name",
                                "Kind",
                                "City",
                                "NPI",
                                "Imaging score",
                                "Distance",
                                "Cost level (plan's data)",
                                "Network",
                                "",
                            )
                        ]
                    )
                ),
                rx.table.body(rx.foreach(W.servicing_results, _party_row)),
                width="100%",
            ),
        ),
        _pager(W.servicing_page, W.servicing_more, W.servicing_page_step),
        rx.cond(
            W.servicing.id != 0,
            rx.callout(
                rx.vstack(
                    rx.text(
                        "Servicing: ",
                        rx.text.strong(W.servicing.name),
                        " — ",
                        W.servicing.detail,
                        ", ",
                        W.servicing.city,
                    ),
                    rx.text("Office address: ", W.servicing.address, " — check that it is the right office."),
                    spacing="1",
                ),
                color_scheme=rx.cond(W.servicing.in_network, "teal", "amber"),
                width="100%",
            ),
        ),
        rx.cond(
            W.searched_servicing & (W.servicing_results.length() == 0),
            rx.callout(
                "No provider or facility matches. If the one you need is not listed, contact provider "
                "support: " + W.support_contact,
                color_scheme="amber",
                role="status",
                width="100%",
            ),
        ),
        rx.cond(
            (W.servicing.id != 0) & ~W.servicing.in_network,
            rx.text(
                "Out of network means the member's benefits may not cover this provider, or may pay less. "
                "If you believe the provider is in network, ask the plan's network representative to check "
                "the provider's record. Cannot find the right provider? Contact provider support: ",
                W.support_contact,
                size="2",
            ),
        ),
        rx.cond(
            (W.servicing.id != 0) & ~W.servicing.in_network,
            _checkbox(
                "This provider is out of network for the plan; I want to request it anyway",
                "out_of_network_confirmed",
            ),
        ),
        field_error(W.errors["servicing"], field_id="field-servicing"),
        rx.heading("Where letters go", size="3", as_="h3"),
        _text("Office address for letters", "letter_address"),
        _text("Office fax for letters", "letter_fax", input_type="tel"),
        _checkbox("The address and fax for letters are correct", "letters_confirmed"),
        field_error(W.errors["letters"], field_id="field-letters"),
        spacing="3",
        width="100%",
    )


# --- step 5 ---


def _diagnosis_result(option: rx.Var[Option]) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.text(option.label, size="2"),
            rx.button(
                "Add",
                size="1",
                variant="outline",
                on_click=W.add_diagnosis(option.value),
                aria_label="Add diagnosis " + option.value,
            ),
            align="center",
        )
    )


def _chosen_diagnosis(option: rx.Var[Option], index: rx.Var[int]) -> rx.Component:
    return rx.el.li(
        rx.hstack(
            rx.text(option.label, size="2"),
            rx.cond(
                index == 0,
                rx.badge("Primary"),
                rx.button(
                    "Make primary",
                    size="1",
                    variant="ghost",
                    on_click=W.make_primary(option.value),
                    aria_label="Make " + option.value + " primary",
                ),
            ),
            rx.button(
                "Remove",
                size="1",
                variant="ghost",
                on_click=W.remove_diagnosis(option.value),
                aria_label="Remove diagnosis " + option.value,
            ),
            align="center",
        )
    )


# Every program package's wizard step (its step_page, which imports its step state), found through
# the program registry (portal_app/programs/) when the app is imported, so that the backend knows every
# step state before any event for one arrives.
STEP_PAGES = parts("step_page")


def _program_step() -> rx.Component:
    """The chosen program's own questions: its package's ``step_page.step()``."""
    return rx.match(
        W.program,
        *[(program.value, module.step()) for program, module in STEP_PAGES.items()],
        rx.fragment(),
    )


def _diagnosis_step() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            _text("Search ICD-10-CM by code or words", "diagnosis_query"),
            _search_button("Search codes", W.search_diagnoses, "diagnoses", margin_top="1.6em"),
            align="start",
            width="100%",
        ),
        rx.el.ul(rx.foreach(W.diagnosis_results, _diagnosis_result), aria_label="Diagnosis codes found"),
        _pager(W.diagnosis_page, W.diagnosis_more, W.diagnosis_page_step),
        rx.heading("Diagnoses on the request (primary first)", size="3", as_="h3"),
        rx.el.ol(rx.foreach(W.diagnoses, _chosen_diagnosis), aria_label="Diagnoses on the request"),
        field_error(W.errors["diagnoses"], field_id="field-diagnoses"),
        spacing="3",
        width="100%",
    )


# --- step 6 ---


def _urgency_step() -> rx.Component:
    return rx.vstack(
        rx.text("Urgency", font_weight="500", id="urgency-label"),
        rx.radio_group(
            [u.label for u in Urgency],
            value=W.urgency_label,
            on_change=W.choose_urgency,
            aria_labelledby="urgency-label",
        ),
        field_error(W.errors["urgency"], field_id="field-urgency"),
        rx.cond(
            W.urgency == Urgency.URGENT.value,
            rx.vstack(
                rx.el.label(
                    "Clinical reason for urgency", html_for="field-urgency_reason", font_weight="500"
                ),
                rx.text(
                    "Urgent means that waiting for a standard decision could seriously harm the patient's "
                    "health. Urgent requests are decided within 72 hours.",
                    size="1",
                    color_scheme="gray",
                ),
                rx.text_area(
                    id="field-urgency_reason",
                    value=W.urgency_reason,
                    on_change=lambda v: W.update_field("urgency_reason", v),
                    width="100%",
                ),
                field_error(W.errors["urgency_reason"], field_id="field-urgency_reason"),
                width="100%",
            ),
        ),
        _text(
            "Date of service",
            "service_date",
            input_type="date",
            error_key="service_date",
            hint="A service already performed can be requested up to 2 business days after it.",
            name="service_date_again",
        ),
        spacing="4",
        width="100%",
    )


# --- step 7 ---


def _review_step() -> rx.Component:
    return rx.vstack(
        rx.data_list.root(
            rx.data_list.item(
                rx.data_list.label("Member"),
                rx.data_list.value(W.member.name + " (" + W.member.member_number + ")"),
            ),
            rx.data_list.item(rx.data_list.label("Servicing"), rx.data_list.value(W.servicing.name)),
            rx.data_list.item(rx.data_list.label("Date of service"), rx.data_list.value(W.service_date)),
            rx.data_list.item(rx.data_list.label("Urgency"), rx.data_list.value(W.urgency)),
            rx.data_list.item(
                rx.data_list.label("Diagnoses"),
                rx.data_list.value(rx.foreach(W.diagnoses, lambda d: rx.text(d.label, size="2"))),
            ),
        ),
        rx.cond(
            W.duplicates.length() > 0,
            notice_box(
                rx.vstack(
                    rx.text(
                        rx.text.strong("Possible duplicate. "),
                        "A similar request for this member is already on file:",
                    ),
                    rx.el.ul(rx.foreach(W.duplicates, lambda d: rx.el.li(d.label))),
                    rx.text(
                        "You may still submit; a nurse will then review the request with the duplicate noted."
                    ),
                    _checkbox("I have read this notice and want to submit anyway", "duplicates_acknowledged"),
                ),
                role="alert",
            ),
        ),
        wizard_documents(),
        rx.cond(
            W.submit_problems.length() > 0,
            notice_box(
                rx.el.ul(rx.foreach(W.submit_problems, lambda p: rx.el.li(p))),
                color="red",
                role="alert",
            ),
        ),
        spacing="3",
        width="100%",
    )


def _shown_on(step: int, content: rx.Component) -> rx.Component:
    return rx.box(content, display=rx.cond(W.step == step, "block", "none"), width="100%")


def _buttons() -> rx.Component:
    return rx.hstack(
        rx.cond(W.step > 0, rx.button("Back", variant="outline", on_click=W.previous_step, type="button")),
        rx.spacer(),
        rx.cond(
            W.step == REVIEW_STEP,
            rx.button("Submit request", on_click=W.submit, loading=W.working, type="button"),
            rx.button("Next", on_click=W.next_step, loading=W.working, type="button"),
        ),
        width="100%",
        margin_top="1.5em",
    )


def order_wizard_page() -> rx.Component:
    return page_shell(
        page_heading("New prior-authorization request"),
        stepper(STEPS, W.step),
        rx.card(
            rx.vstack(
                rx.heading(rx.match(W.step, *[(i, s) for i, s in enumerate(STEPS)], ""), size="5", as_="h2"),
                problem_callout(W.errors["form"]),
                problem_callout(W.errors["details"]),
                problem_callout(W.routed_note, color="blue"),
                rx.cond(
                    W.order_id != 0,
                    rx.text("Draft saved automatically at every step.", size="1", color_scheme="gray"),
                ),
                _shown_on(0, _plan_step()),
                _shown_on(1, _member_step()),
                _shown_on(2, _providers_step()),
                _shown_on(
                    PROGRAM_STEP,
                    _program_step(),
                ),
                _shown_on(4, _diagnosis_step()),
                _shown_on(5, _urgency_step()),
                _shown_on(REVIEW_STEP, _review_step()),
                _buttons(),
                spacing="3",
                width="100%",
            ),
        ),
    )
