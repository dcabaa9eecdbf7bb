"""The optional satisfaction survey shown on the order summary after a submitted request: the seeds'
questions (``domain/survey_questions.QUESTIONS``), each optional, and a comment."""

from __future__ import annotations

import reflex as rx

from portal_app.domain.survey_questions import QUESTIONS, Question
from portal_app.services.survey import COMMENT_MAX
from portal_app.state.survey import SurveyState

S = SurveyState
_HEADING_ID = "survey-heading"
_FIELDSET = {
    "border": "none",
    "padding": "0",
    "margin": "0",
    "display": "flex",
    "gap": "0.3em 0.9em",
}


def _question(question: Question) -> rx.Component:
    """One question: a group of radio buttons (a row of numbers for the 0–10 scale)."""
    return rx.el.fieldset(
        rx.el.legend(question.text, style={"font_weight": "500", "margin_bottom": "0.3em"}),
        *[
            rx.el.label(
                rx.el.input(type="radio", name=f"survey_{question.code}", value=choice.value),
                f" {choice.label}",
                style={"display": "flex", "gap": "0.3em", "align_items": "center"},
            )
            for choice in question.choices
        ],
        style={**_FIELDSET, "flex_direction": "row" if question.scale else "column", "flex_wrap": "wrap"},
    )


def survey_prompt() -> rx.Component:
    """The seeds' questions, an optional comment, "Send answers" or "Not now"."""
    return rx.fragment(
        rx.cond(
            S.offered,
            rx.el.section(
                rx.vstack(
                    rx.heading("A few quick questions", size="4", as_="h2", id=_HEADING_ID),
                    rx.text(
                        "Every question is optional, and we ask at most once a month. The review team sees "
                        "the answers without your name.",
                        size="2",
                    ),
                    rx.form(
                        rx.vstack(
                            *[_question(question) for question in QUESTIONS],
                            rx.cond(
                                S.error != "",
                                rx.text(
                                    S.error, id="survey-error", color_scheme="red", size="2", role="alert"
                                ),
                            ),
                            rx.el.label(
                                "Anything we could do better? (optional)",
                                html_for="field-survey_comment",
                                font_weight="500",
                            ),
                            rx.text_area(
                                id="field-survey_comment",
                                name="survey_comment",
                                max_length=COMMENT_MAX,
                                width="100%",
                            ),
                            rx.hstack(
                                rx.button("Send answers", type="submit"),
                                rx.button("Not now", type="button", variant="outline", on_click=S.not_now),
                            ),
                            spacing="3",
                            width="100%",
                        ),
                        on_submit=S.answer,
                        reset_on_submit=False,
                        width="100%",
                    ),
                    spacing="2",
                    width="100%",
                ),
                aria_labelledby=_HEADING_ID,
                class_name="no-print",
                style={
                    "border": "1px solid var(--gray-6)",
                    "border_radius": "8px",
                    "padding": "1em",
                    "width": "100%",
                },
            ),
        ),
        rx.cond(
            S.thanks != "",
            rx.callout(S.thanks, color_scheme="green", role="status", width="100%", class_name="no-print"),
        ),
    )
