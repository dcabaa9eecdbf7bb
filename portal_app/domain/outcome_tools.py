"""Functional outcome tools of the rehabilitation program: scoring, metadata, change from baseline.

Public API (an outside validation suite imports it; keep the names):

* ``score(tool, answers) -> float`` for the tool codes ``"ODI"``, ``"NDI"``, ``"LEFS"``,
  ``"QUICKDASH"``, ``"PSFS"``, ``"KOOS_JR"`` and ``"HOOS_JR"``. ``answers`` holds one entry per
  item in the published order, ``None`` for an item left blank. Raises ``ValueError`` with a
  plain message when the tool is unknown, the number of items is wrong, an answer is off the
  item's scale or too many items are missing.
* ``TOOLS`` / ``tool_info(tool)``: name, items, scale, direction, MCID with its source, body
  regions and disciplines.
* ``change_from_baseline(tool, baseline, current) -> Change``: the improvement in the tool's
  own direction and whether it reaches the tool's minimal clinically important difference.

Scores are returned unrounded, exactly as the published formulas give them (the KOOS JR and
HOOS JR tables are published to three decimals).

Sources are named above each table and formula; ``clinical-reference`` means
shared/domain/clinical-reference.md §1, which cites them. [K] marks a value that could not be
confirmed in a second source; it must be checked against the primary document before release.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

# Body regions and disciplines a tool belongs to (the rehabilitation wizard offers the tools
# for the request's discipline and body region).
BODY_REGIONS: tuple[str, ...] = ("low_back", "neck", "upper_extremity", "hip", "knee", "ankle_foot", "other")
BODY_REGION_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "low_back": "Low back",
        "neck": "Neck",
        "upper_extremity": "Shoulder, arm, elbow, wrist or hand",
        "hip": "Hip",
        "knee": "Knee",
        "ankle_foot": "Ankle or foot",
        "other": "Another body region",
    }
)
DISCIPLINES: tuple[str, ...] = ("PT", "OT", "ST")


# ---------------------------------------------------------------------------------------------
# Conversion tables
# ---------------------------------------------------------------------------------------------

# KOOS JR raw sum (7 items, 0-28) -> interval score (0 = total disability, 100 = perfect knee
# health). Lyman et al. 2016 (HSS KOOS JR scoring table), as reproduced in clinical-reference
# §1.4. Rows confirmed by a second source: raw 7 -> 68.284 (a public GitHub JSON fixture of
# survey responses) and raw 15 -> 50.012 (paciowg/sample-data-fsh KOOSJRExample1, items
# 2+2+1+3+2+2+3). [K] for every other row: check against the official HSS sheet.
KOOS_JR_TABLE: tuple[float, ...] = (
    100.000,
    91.975,
    84.600,
    79.914,
    76.332,
    73.342,
    70.704,
    68.284,
    65.994,
    63.776,
    61.583,
    59.381,
    57.140,
    54.840,
    52.465,
    50.012,
    47.487,
    44.905,
    42.281,
    39.625,
    36.931,
    34.174,
    31.307,
    28.251,
    24.875,
    20.941,
    15.939,
    8.291,
    0.000,
)

# HOOS JR raw sum (6 items, 0-24) -> interval score (0 = total disability, 100 = perfect hip
# health). Lyman et al. 2016 (HSS HOOS JR scoring table), as reproduced in clinical-reference
# §1.4. Rows confirmed by a second source: raw 6 -> 70.426 (the same GitHub fixture) and raw
# 11 -> 55.985 (paciowg/sample-data-fsh HOOSJRExample1, items 2+2+2+3+1+1). [K] for every
# other row: check against the official HSS sheet.
HOOS_JR_TABLE: tuple[float, ...] = (
    100.000,
    92.340,
    85.257,
    80.550,
    76.776,
    73.472,
    70.426,
    67.516,
    64.664,
    61.815,
    58.930,
    55.985,
    52.965,
    49.858,
    46.652,
    43.335,
    39.902,
    36.363,
    32.735,
    29.009,
    25.103,
    20.805,
    15.633,
    8.104,
    0.000,
)


# ---------------------------------------------------------------------------------------------
# Tool definitions
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutcomeTool:
    code: str
    name: str
    item_count: int  # answer slots; PSFS: up to this many patient-chosen activities
    item_min: int
    item_max: int
    score_min: float
    score_max: float
    higher_is_better: bool
    min_answered: int  # fewest answered items that still give a score
    mcid: float  # in score points
    mcid_source: str
    scoring_source: str
    missing_rule: str  # plain words, for help texts
    body_regions: tuple[str, ...]
    disciplines: tuple[str, ...]

    @property
    def direction_label(self) -> str:
        return "Higher scores are better" if self.higher_is_better else "Higher scores are worse"

    @property
    def allowed_missing(self) -> int:
        return self.item_count - self.min_answered


TOOLS: Mapping[str, OutcomeTool] = MappingProxyType(
    {
        # Fairbank & Pynsent, Spine 2000 (ODI v2.1a): 10 sections scored 0-5,
        # ODI % = 100 * sum / (5 * answered); with one section unanswered the denominator drops
        # by 5 (idcafe.net scoring guide); awell-score requires at least 9 of 10 answered.
        # MCID 10 points: Ostelo et al., Spine 2008 consensus (clinical-reference, [K] there);
        # second sources: a PT clinic's MCID table (github cesc1989/apuntes, 10 points for the
        # modified Oswestry) and Abbott & Schmitt, JOSPT 2014;44(8):560 (MID 12).
        "ODI": OutcomeTool(
            code="ODI",
            name="Oswestry Disability Index (ODI)",
            item_count=10,
            item_min=0,
            item_max=5,
            score_min=0.0,
            score_max=100.0,
            higher_is_better=False,
            min_answered=9,
            mcid=10.0,
            mcid_source="Ostelo et al., Spine 2008 (10 points); Abbott & Schmitt, JOSPT 2014 (12 points)",
            scoring_source="Fairbank & Pynsent 2000 (ODI v2.1a); awell-score; idcafe.net scoring guide",
            missing_rule="At most 1 of the 10 sections may be left blank; the score is then out of 45.",
            body_regions=("low_back",),
            disciplines=("PT",),
        ),
        # Vernon & Mior 1991: 10 items scored 0-5, NDI % = 100 * sum / (5 * answered), same
        # missing-item rule as the ODI (awell-score: at least 9 of 10 answered). MCID 7.5 raw
        # points of 50 = 15 percentage points: Young et al., Spine J 2009 (clinical-reference);
        # second source: Abbott & Schmitt, JOSPT 2014;44(8):560 (MID 14 percentage points).
        "NDI": OutcomeTool(
            code="NDI",
            name="Neck Disability Index (NDI)",
            item_count=10,
            item_min=0,
            item_max=5,
            score_min=0.0,
            score_max=100.0,
            higher_is_better=False,
            min_answered=9,
            mcid=15.0,
            mcid_source=(
                "Young et al., Spine J 2009 (7.5 of 50 raw points); Abbott & Schmitt, JOSPT 2014 (14)"
            ),
            scoring_source="Vernon & Mior 1991; awell-score",
            missing_rule="At most 1 of the 10 items may be left blank; the score is then out of 45.",
            body_regions=("neck",),
            disciplines=("PT",),
        ),
        # Binkley et al., Phys Ther 1999;79:371: 20 items scored 0-4, LEFS = sum (0-80). No
        # prorating rule is published and the form asks for an answer to every activity
        # (worldoscar LEFS eForm quoting Binkley 1999), so all 20 are required. MCID 9 points:
        # Binkley 1999 (aliciapyne; worldoscar eForm); Abbott & Schmitt, JOSPT 2014 (9 to 16).
        "LEFS": OutcomeTool(
            code="LEFS",
            name="Lower Extremity Functional Scale (LEFS)",
            item_count=20,
            item_min=0,
            item_max=4,
            score_min=0.0,
            score_max=80.0,
            higher_is_better=True,
            min_answered=20,
            mcid=9.0,
            mcid_source="Binkley et al., Phys Ther 1999 (9 points); Abbott & Schmitt, JOSPT 2014 (9-16)",
            scoring_source="Binkley et al., Phys Ther 1999",
            missing_rule="All 20 activities must be answered.",
            body_regions=("hip", "knee", "ankle_foot"),
            disciplines=("PT",),
        ),
        # QuickDASH (Institute for Work & Health): 11 items scored 1-5,
        # score = ((sum / answered) - 1) * 25, at least 10 of 11 answered (Gummesson et al.,
        # BMC Musculoskelet Disord 2006;7:44; awell-score). MCID 14 points (95% CI 9-20):
        # Sorensen et al. 2013 (issh.org); a shoulder study reports 8 (Mintken 2009).
        "QUICKDASH": OutcomeTool(
            code="QUICKDASH",
            name="QuickDASH (arm, shoulder and hand)",
            item_count=11,
            item_min=1,
            item_max=5,
            score_min=0.0,
            score_max=100.0,
            higher_is_better=False,
            min_answered=10,
            mcid=14.0,
            mcid_source="Sorensen et al. 2013 (14 points, 95% CI 9-20), via issh.org",
            scoring_source="Gummesson et al., BMC Musculoskelet Disord 2006;7:44; awell-score",
            missing_rule="At most 1 of the 11 items may be left blank.",
            body_regions=("upper_extremity",),
            disciplines=("PT", "OT"),
        ),
        # Stratford et al., Physiother Can 1995: the patient names up to five activities and
        # rates each 0 (unable) to 10 (as before the problem); PSFS = mean of the ratings
        # (awell-score README: "up to five"). MCID 2 points for the mean [K Stratford 1995 via
        # clinical-reference]; Abbott & Schmitt, JOSPT 2014 (confirmed) report 1.3 / 2.3 / 2.7
        # for small / medium / large change, which brackets it.
        "PSFS": OutcomeTool(
            code="PSFS",
            name="Patient-Specific Functional Scale (PSFS)",
            item_count=5,
            item_min=0,
            item_max=10,
            score_min=0.0,
            score_max=10.0,
            higher_is_better=True,
            min_answered=1,
            mcid=2.0,
            mcid_source="Stratford et al. 1995 (2 points) [K]; Abbott & Schmitt, JOSPT 2014 (1.3-2.7)",
            scoring_source="Stratford et al., Physiother Can 1995; awell-score",
            missing_rule="Rate between 1 and 5 activities; re-rate the same activities later.",
            body_regions=BODY_REGIONS,
            disciplines=("PT", "OT"),
        ),
        # KOOS JR: 7 items scored 0-4 (none to extreme), raw sum converted with the table
        # above. No missing item is allowed [K clinical-reference: "conservatively require all
        # 7 items"]. MCID: median 15.1 across methods (Hung et al., World J Orthop 2018;9(3):41).
        "KOOS_JR": OutcomeTool(
            code="KOOS_JR",
            name="KOOS JR (knee joint replacement)",
            item_count=7,
            item_min=0,
            item_max=4,
            score_min=0.0,
            score_max=100.0,
            higher_is_better=True,
            min_answered=7,
            mcid=15.1,
            mcid_source="Hung et al., World J Orthop 2018;9(3):41 (median of methods)",
            scoring_source="Lyman et al. 2016 (HSS KOOS JR scoring table)",
            missing_rule="All 7 items must be answered.",
            body_regions=("knee",),
            disciplines=("PT",),
        ),
        # HOOS JR: 6 items scored 0-4, raw sum converted with the table above. No missing item
        # [K clinical-reference]. MCID: median 18.0 (Hung et al., World J Orthop 2018).
        "HOOS_JR": OutcomeTool(
            code="HOOS_JR",
            name="HOOS JR (hip joint replacement)",
            item_count=6,
            item_min=0,
            item_max=4,
            score_min=0.0,
            score_max=100.0,
            higher_is_better=True,
            min_answered=6,
            mcid=18.0,
            mcid_source="Hung et al., World J Orthop 2018;9(3):41 (median of methods)",
            scoring_source="Lyman et al. 2016 (HSS HOOS JR scoring table)",
            missing_rule="All 6 items must be answered.",
            body_regions=("hip",),
            disciplines=("PT",),
        ),
    }
)

_CONVERSION_TABLES: Mapping[str, tuple[float, ...]] = MappingProxyType(
    {"KOOS_JR": KOOS_JR_TABLE, "HOOS_JR": HOOS_JR_TABLE}
)
# Scores that are always whole numbers (LEFS is a plain sum).
_WHOLE_NUMBER_TOOLS: frozenset[str] = frozenset({"LEFS"})


def normalize_tool_code(tool: str) -> str:
    """``"koos jr"`` / ``"KOOS-JR"`` -> ``"KOOS_JR"``; the code is not checked here."""
    return "_".join((tool or "").strip().upper().replace("-", " ").split())


def tool_info(tool: str) -> OutcomeTool:
    """The definition of an outcome tool; ValueError for an unknown code."""
    code = normalize_tool_code(tool)
    if code not in TOOLS:
        known = ", ".join(TOOLS)
        raise ValueError(f"'{tool}' is not an outcome tool the program scores. Use one of: {known}.")
    return TOOLS[code]


def tools_for(discipline: str, body_region: str) -> list[OutcomeTool]:
    """The in-scope tools for a discipline (PT, OT, ST) and body region, in catalogue order."""
    discipline = (discipline or "").strip().upper()
    return [
        tool for tool in TOOLS.values() if discipline in tool.disciplines and body_region in tool.body_regions
    ]


# ---------------------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------------------


def _checked_answers(tool: OutcomeTool, answers: Sequence[int | None]) -> list[int | None]:
    if isinstance(answers, (str, bytes)) or not isinstance(answers, Sequence):
        raise ValueError(f"Give the {tool.name} answers as a list, one entry per item.")
    if tool.code == "PSFS":
        if not 1 <= len(answers) <= tool.item_count:
            raise ValueError(
                f"The {tool.name} takes 1 to {tool.item_count} activities; {len(answers)} were given."
            )
    elif len(answers) != tool.item_count:
        raise ValueError(f"The {tool.name} has {tool.item_count} items; {len(answers)} were given.")
    return [_checked_item(tool, position, answer) for position, answer in enumerate(answers, start=1)]


def _checked_item(tool: OutcomeTool, position: int, answer: object) -> int | None:
    if answer is None:
        return None
    if isinstance(answer, float) and answer.is_integer():
        answer = int(answer)
    if (
        not isinstance(answer, int)
        or isinstance(answer, bool)
        or not tool.item_min <= answer <= tool.item_max
    ):
        raise ValueError(
            f"Item {position} of the {tool.name} is {answer!r}; answers are whole numbers from "
            f"{tool.item_min} to {tool.item_max}."
        )
    return answer


def _answered(tool: OutcomeTool, items: list[int | None]) -> list[int]:
    answered = [item for item in items if item is not None]
    if len(answered) < tool.min_answered:
        missing = len(items) - len(answered)
        if tool.code == "PSFS":
            raise ValueError(f"Rate at least one activity to score the {tool.name}.")
        raise ValueError(
            f"The {tool.name} cannot be scored: {missing} of its {tool.item_count} items are "
            f"blank. {tool.missing_rule}"
        )
    return answered


def _percent_of_answered_maximum(tool: OutcomeTool, answered: list[int]) -> float:
    # ODI and NDI: 100 * sum / (5 * answered items).
    return 100 * sum(answered) / (tool.item_max * len(answered))


def _quickdash(tool: OutcomeTool, answered: list[int]) -> float:
    # ((sum / answered items) - 1) * 25.
    return (sum(answered) / len(answered) - 1) * 25


def _plain_sum(tool: OutcomeTool, answered: list[int]) -> float:
    return float(sum(answered))


def _mean(tool: OutcomeTool, answered: list[int]) -> float:
    return sum(answered) / len(answered)


def _converted(tool: OutcomeTool, answered: list[int]) -> float:
    return _CONVERSION_TABLES[tool.code][sum(answered)]


_FORMULAS: Mapping[str, Callable[[OutcomeTool, list[int]], float]] = MappingProxyType(
    {
        "ODI": _percent_of_answered_maximum,
        "NDI": _percent_of_answered_maximum,
        "LEFS": _plain_sum,
        "QUICKDASH": _quickdash,
        "PSFS": _mean,
        "KOOS_JR": _converted,
        "HOOS_JR": _converted,
    }
)


def score(tool: str, answers: list[int | None]) -> float:
    """The tool's published score from its item answers (``None`` = item left blank).

    ValueError (plain message) for an unknown tool, a wrong number of items, an answer off the
    item scale, or more blank items than the tool's missing-item rule allows.
    """
    definition = tool_info(tool)
    answered = _answered(definition, _checked_answers(definition, answers))
    return _FORMULAS[definition.code](definition, answered)


def is_on_scale(tool: str, value: float) -> bool:
    """True when ``value`` is a score the tool can produce on the scale the program uses.

    Beyond the range, a KOOS JR / HOOS JR score must be one of its table's interval scores (a
    raw sum entered instead is caught) and a LEFS score a whole number.
    """
    definition = tool_info(tool)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return False
    if not definition.score_min <= value <= definition.score_max:
        return False
    if definition.code in _CONVERSION_TABLES:
        return any(abs(value - interval) < 0.0005 for interval in _CONVERSION_TABLES[definition.code])
    if definition.code in _WHOLE_NUMBER_TOOLS:
        return float(value).is_integer()
    return True


def scale_label(tool: str) -> str:
    """E.g. ``"0 to 100, higher scores are worse"``."""
    definition = tool_info(tool)
    return (
        f"{_number(definition.score_min)} to {_number(definition.score_max)}, "
        f"{definition.direction_label.lower()}"
    )


def _number(value: float) -> str:
    return f"{value:g}" if float(value).is_integer() else f"{value:.1f}"


# ---------------------------------------------------------------------------------------------
# Change from baseline
# ---------------------------------------------------------------------------------------------

# Floating-point slack so that, e.g., 45 - 35 counts as exactly a 10-point change.
_MCID_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Change:
    tool: str
    baseline: float
    current: float
    improvement: float  # positive = better, whatever the tool's direction
    mcid: float
    meets_mcid: bool

    @property
    def worsened(self) -> bool:
        return self.improvement < 0


def change_from_baseline(tool: str, baseline: float, current: float) -> Change:
    """Improvement from ``baseline`` to ``current`` in the tool's direction, against its MCID.

    clinical-reference §1.3: change = (current - baseline) for higher-is-better tools and
    (baseline - current) for higher-is-worse tools; the MCID is met when change >= MCID.
    ValueError when either score is outside the tool's range.
    """
    definition = tool_info(tool)
    for label, value in (("baseline", baseline), ("current", current)):
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
            or not (definition.score_min <= value <= definition.score_max)
        ):
            raise ValueError(
                f"The {label} {definition.name} score {value!r} is not on its scale "
                f"({scale_label(definition.code)})."
            )
    difference = current - baseline
    improvement = difference if definition.higher_is_better else -difference
    return Change(
        tool=definition.code,
        baseline=float(baseline),
        current=float(current),
        improvement=float(improvement),
        mcid=definition.mcid,
        meets_mcid=improvement + _MCID_TOLERANCE >= definition.mcid,
    )
