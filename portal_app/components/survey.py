"""The optional satisfaction survey shown on the order summary after a submitted request."""

from __future__ import annotations

import reflex as rx

from portal_app.services.survey import COMMENT_MAX, QUESTION, RATING_LABELS, RATINGS
from portal_app.state.survey import SurveyState

S = SurveyState
_HEADING_ID = "survey-heading"


def _rating(value: int) -> rx.Component:
    return rx.el.label(
        rx.el.input(
            type="radio",
            name="survey_rating",
            value=str(value),
            required=True,
            aria_describedby="survey-rating-error",
        ),
        f" {value} – {RATING_LABELS[value]}",
        style={"display": "flex", "gap": "0.4em", "align_items": "center"},
    )


def survey_prompt() -> rx.Component:
    """ "How easy was it?" from 1 to 5, an optional comment, "Send answer" or "Not now"."""
    return rx.fragment(
        rx.cond(
            S.offered,
            rx.el.section(
                rx.vstack(
                    rx.heading("A quick question", size="4", as_="h2", id=_HEADING_ID),
                    rx.text(
                        "Optional, and asked at most once a month. Your answer is shown to the review team "
                        "without your name.",
                        size="2",
                    ),
                    rx.form(
                        rx.vstack(
                            rx.el.fieldset(
                                rx.el.legend(
                                    QUESTION, style={"font_weight": "500", "margin_bottom": "0.3em"}
                                ),
                                *[_rating(value) for value in RATINGS],
                                style={
                                    "border": "none",
                                    "padding": "0",
                                    "margin": "0",
                                    "display": "flex",
                                    "flex_direction": "column",
                                    "gap": "0.3em",
                                },
                            ),
                            rx.cond(
                                S.error != "",
                                rx.text(
                                    S.error,
                                    id="survey-rating-error",
                                    color_scheme="red",
                                    size="2",
                                    role="alert",
                                ),
                            ),
                            rx.el.label(
                                "What could be easier? (optional)",
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
                                rx.button("Send answer", type="submit"),
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
