"""The satisfaction survey's questions, as data, and the arithmetic of its results.

The questions are the ones seed 004 lists for the benefits manager's post-call survey (likelihood to
recommend, easy to do business with, main reason for the contact, resolved or not, contacted more
than once, overall satisfaction), asked here about the portal visit instead of a call, in our own
words. Every question is optional. Answers are stored as the choice's ``value`` (text), one row per
question answered (``models/survey.SatisfactionSurveyAnswer``).

Net Promoter Score (NPS), on the 0–10 "recommend" question: promoters answer 9 or 10, passives 7
or 8, detractors 0 to 6; NPS = percent promoters − percent detractors, from −100 to 100. With no
answers there is no score (``None``, shown blank), never 0. (Reichheld, "The One Number You Need to
Grow", Harvard Business Review, December 2003; the bands as Bain & Company publish them at
netpromotersystem.com.)

Pure: no I/O, no database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

SOURCE = "Seed 004 (provider news): planned post-call survey questions"
NPS_SOURCE = "Reichheld, Harvard Business Review, Dec 2003; bands per Bain & Company (netpromotersystem.com)"


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Question:
    code: str
    text: str
    choices: tuple[Choice, ...]
    source: str = SOURCE
    scale: bool = False  # shown as a row of numbers (0–10) rather than a list of words

    def label_of(self, value: str) -> str:
        return next((c.label for c in self.choices if c.value == value), value)


def _scale_0_10() -> tuple[Choice, ...]:
    words = {0: "not at all likely", 10: "extremely likely"}
    return tuple(Choice(str(n), f"{n} – {words[n]}" if n in words else str(n)) for n in range(0, 11))


RECOMMEND = "recommend"

QUESTIONS: tuple[Question, ...] = (
    Question(
        RECOMMEND,
        "How likely are you to recommend Precert to a colleague?",
        _scale_0_10(),
        scale=True,
    ),
    Question(
        "easy",
        "Precert is easy to do business with. How much do you agree?",
        (
            Choice("strongly_disagree", "Strongly disagree"),
            Choice("disagree", "Disagree"),
            Choice("neutral", "Neither agree nor disagree"),
            Choice("agree", "Agree"),
            Choice("strongly_agree", "Strongly agree"),
        ),
    ),
    Question(
        "reason",
        "What was the main reason for your visit today?",
        (
            Choice("new_request", "Ask for a new authorization"),
            Choice("status", "Check where a request stands"),
            Choice("information", "Send information a reviewer asked for"),
            Choice("peer_to_peer", "Arrange a peer-to-peer conversation"),
            Choice("appeal", "Ask for a reconsideration or an appeal"),
            Choice("other", "Something else"),
        ),
    ),
    Question(
        "resolved",
        "Did you get done what you came to do?",
        (Choice("yes", "Yes"), Choice("partly", "Partly"), Choice("no", "No")),
    ),
    Question(
        "repeat_contact",
        "Did you need to contact us more than once for it?",
        (Choice("no", "No, once was enough"), Choice("yes", "Yes, more than once")),
    ),
    Question(
        "satisfaction",
        "Overall, how satisfied are you with this visit?",
        (
            Choice("very_dissatisfied", "Very dissatisfied"),
            Choice("dissatisfied", "Dissatisfied"),
            Choice("neutral", "Neither satisfied nor dissatisfied"),
            Choice("satisfied", "Satisfied"),
            Choice("very_satisfied", "Very satisfied"),
        ),
    ),
)
BY_CODE: dict[str, Question] = {q.code: q for q in QUESTIONS}

# The NPS bands of the 0–10 answer (inclusive).
PROMOTER_MIN = 9
PASSIVE_MIN = 7


class InvalidAnswer(ValueError):
    """An answer names no choice of its question; the message says which question."""


def clean_answers(raw: Mapping[str, object]) -> dict[str, str]:
    """The answers given, by question code: blanks dropped (every question is optional), keys that
    are no question ignored, a value that is no choice of its question refused (InvalidAnswer)."""
    answers: dict[str, str] = {}
    for question in QUESTIONS:
        value = raw.get(question.code)
        text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
        if not text:
            continue
        if text not in {c.value for c in question.choices}:
            raise InvalidAnswer(f'Choose one of the answers offered to "{question.text}"')
        answers[question.code] = text
    return answers


def band(score: int) -> str:
    """ "promoter", "passive" or "detractor" for a 0–10 answer."""
    if not 0 <= score <= 10:
        raise ValueError(f"A likelihood to recommend is 0 to 10, not {score}")
    if score >= PROMOTER_MIN:
        return "promoter"
    return "passive" if score >= PASSIVE_MIN else "detractor"


def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class Nps:
    answers: int
    promoters: int
    passives: int
    detractors: int
    percent_promoters: float | None
    percent_passives: float | None
    percent_detractors: float | None
    score: float | None  # None with no answers: shown blank, not 0


def nps(counts: Mapping[int, int]) -> Nps:
    """The NPS of the 0–10 answers counted as ``{answer: how many}``."""
    split = {"promoter": 0, "passive": 0, "detractor": 0}
    for score, how_many in counts.items():
        split[band(int(score))] += int(how_many)
    total = sum(split.values())
    promoters, detractors = split["promoter"], split["detractor"]
    return Nps(
        answers=total,
        promoters=promoters,
        passives=split["passive"],
        detractors=detractors,
        percent_promoters=_percent(promoters, total),
        percent_passives=_percent(split["passive"], total),
        percent_detractors=_percent(detractors, total),
        score=round(100.0 * (promoters - detractors) / total, 1) if total else None,
    )


@dataclass(frozen=True)
class ChoiceCount:
    value: str
    label: str
    answers: int
    percent: float | None  # of this question's answers


@dataclass(frozen=True)
class QuestionResult:
    code: str
    text: str
    answers: int
    choices: tuple[ChoiceCount, ...]


def distribution(question: Question, counts: Mapping[str, int]) -> QuestionResult:
    """How many chose each answer of ``question`` (in the question's order), and the share of each."""
    known = {c.value for c in question.choices}
    total = sum(int(n) for value, n in counts.items() if value in known)
    return QuestionResult(
        code=question.code,
        text=question.text,
        answers=total,
        choices=tuple(
            ChoiceCount(
                c.value, c.label, int(counts.get(c.value, 0)), _percent(int(counts.get(c.value, 0)), total)
            )
            for c in question.choices
        ),
    )
