"""Functional outcome tools: published scoring, missing-item rules, scales and MCIDs.

Expected values and their sources:
* ODI worked example: 16 points scored out of 50 = 32 %; with one section unanswered,
  16 / 45 = 35.5 % (idcafe.net / ODI scoring sheet, "for every question not answered, the
  denominator is reduced by 5"); at least 9 of 10 answered (awell-score);
* NDI: same formula and rule (Vernon & Mior 1991; awell-score);
* QuickDASH: ((sum / n) - 1) * 25, at most 1 of 11 missing (Gummesson 2006; awell-score);
* LEFS: sum of 20 items 0-4, 0-80 (Binkley 1999), every item answered;
* PSFS: mean of the activity ratings 0-10 (Stratford 1995);
* KOOS JR raw 15 (items 2+2+1+3+2+2+3) -> 50.012 and raw 7 -> 68.284; HOOS JR raw 11
  (items 2+2+2+3+1+1) -> 55.985 and raw 6 -> 70.426 (paciowg/sample-data-fsh examples and a
  public JSON fixture, both quoted in clinical-reference §1.4);
* MCIDs: ODI 10, NDI 15 (7.5 of 50), LEFS 9, QuickDASH 14, PSFS 2, KOOS JR 15.1, HOOS JR 18
  (clinical-reference §1.1, see portal_app/domain/outcome_tools.py).
"""

from itertools import pairwise

import pytest

from portal_app.domain.outcome_tools import (
    HOOS_JR_TABLE,
    KOOS_JR_TABLE,
    TOOLS,
    change_from_baseline,
    is_on_scale,
    score,
    tool_info,
    tools_for,
)

ALL_TOOLS = ("ODI", "NDI", "LEFS", "QUICKDASH", "PSFS", "KOOS_JR", "HOOS_JR")


def spread(total: int, count: int, maximum: int) -> list[int]:
    """`count` item answers adding up to `total`, none above `maximum`."""
    answers = []
    for _ in range(count):
        answer = min(maximum, total)
        answers.append(answer)
        total -= answer
    assert total == 0
    return answers


# --- ODI ------------------------------------------------------------------------------------


def test_odi_worked_example_all_sections():
    assert score("ODI", spread(16, 10, 5)) == pytest.approx(32.0)


def test_odi_worked_example_one_section_missing_uses_45():
    answers = spread(16, 9, 5) + [None]
    assert score("ODI", answers) == pytest.approx(100 * 16 / 45)  # 35.6 (the sheet truncates to 35.5)


def test_odi_blank_section_anywhere():
    answers = [None] + spread(16, 9, 5)
    assert score("ODI", answers) == pytest.approx(100 * 16 / 45)


def test_odi_two_missing_sections_cannot_be_scored():
    with pytest.raises(ValueError, match="2 of its 10 items are blank"):
        score("ODI", spread(16, 8, 5) + [None, None])


def test_odi_extremes():
    assert score("ODI", [0] * 10) == 0.0
    assert score("ODI", [5] * 10) == 100.0


# --- NDI ------------------------------------------------------------------------------------


def test_ndi_percentage_of_answered_maximum():
    assert score("NDI", spread(20, 10, 5)) == pytest.approx(40.0)  # raw 20 of 50
    assert score("NDI", spread(18, 9, 5) + [None]) == pytest.approx(40.0)  # 18 of 45


def test_ndi_two_missing_items_cannot_be_scored():
    with pytest.raises(ValueError, match="blank"):
        score("NDI", [None, None] + [1] * 8)


# --- QuickDASH ------------------------------------------------------------------------------


def test_quickdash_formula():
    assert score("QUICKDASH", [1] * 11) == 0.0
    assert score("QUICKDASH", [5] * 11) == 100.0
    answers = spread(30 - 11, 11, 4)  # shift to the 1-5 scale below
    answers = [answer + 1 for answer in answers]
    assert sum(answers) == 30
    assert score("QUICKDASH", answers) == pytest.approx((30 / 11 - 1) * 25)  # 43.18


def test_quickdash_one_missing_item_uses_the_answered_mean():
    answers = [3] * 10 + [None]
    assert score("QUICKDASH", answers) == pytest.approx(50.0)  # ((30 / 10) - 1) * 25


def test_quickdash_two_missing_items_cannot_be_scored():
    with pytest.raises(ValueError, match="At most 1 of the 11 items"):
        score("QUICKDASH", [3] * 9 + [None, None])


def test_quickdash_zero_is_off_the_item_scale():
    with pytest.raises(ValueError, match="from 1 to 5"):
        score("QUICKDASH", [0] + [3] * 10)


# --- LEFS -----------------------------------------------------------------------------------


def test_lefs_is_the_sum():
    assert score("LEFS", [4] * 20) == 80.0
    assert score("LEFS", [0] * 20) == 0.0
    assert score("LEFS", [2] * 10 + [3] * 10) == 50.0


def test_lefs_requires_every_item():
    with pytest.raises(ValueError, match="All 20 activities"):
        score("LEFS", [4] * 19 + [None])


def test_lefs_item_above_four_is_off_scale():
    with pytest.raises(ValueError, match="Item 20"):
        score("LEFS", [4] * 19 + [5])


# --- PSFS -----------------------------------------------------------------------------------


def test_psfs_is_the_mean_of_the_rated_activities():
    assert score("PSFS", [3, 5, 7]) == pytest.approx(5.0)
    assert score("PSFS", [2, 4, 6, 8, 10]) == pytest.approx(6.0)
    assert score("PSFS", [4, None, 6, None, None]) == pytest.approx(5.0)  # unused slots


def test_psfs_limits():
    with pytest.raises(ValueError, match="1 to 5 activities"):
        score("PSFS", [5] * 6)
    with pytest.raises(ValueError, match="at least one activity"):
        score("PSFS", [None, None, None])
    with pytest.raises(ValueError, match="from 0 to 10"):
        score("PSFS", [3, 11, 4])


# --- KOOS JR and HOOS JR --------------------------------------------------------------------


def test_koos_jr_published_examples():
    assert score("KOOS_JR", [2, 2, 1, 3, 2, 2, 3]) == pytest.approx(50.012)  # raw 15
    assert score("KOOS_JR", [1, 1, 1, 1, 1, 1, 1]) == pytest.approx(68.284)  # raw 7
    assert score("KOOS_JR", [0] * 7) == 100.0
    assert score("KOOS_JR", [4] * 7) == 0.0


def test_hoos_jr_published_examples():
    assert score("HOOS_JR", [2, 2, 2, 3, 1, 1]) == pytest.approx(55.985)  # raw 11
    assert score("HOOS_JR", [1] * 6) == pytest.approx(70.426)  # raw 6
    assert score("HOOS_JR", [0] * 6) == 100.0
    assert score("HOOS_JR", [4] * 6) == 0.0


@pytest.mark.parametrize("tool, items", [("KOOS_JR", 7), ("HOOS_JR", 6)])
def test_joint_replacement_tools_allow_no_missing_item(tool, items):
    with pytest.raises(ValueError, match=f"All {items} items"):
        score(tool, [1] * (items - 1) + [None])


def test_conversion_tables_cover_every_raw_sum_and_fall_steadily():
    assert len(KOOS_JR_TABLE) == 7 * 4 + 1
    assert len(HOOS_JR_TABLE) == 6 * 4 + 1
    for table in (KOOS_JR_TABLE, HOOS_JR_TABLE):
        assert table[0] == 100.0 and table[-1] == 0.0
        assert all(earlier > later for earlier, later in pairwise(table))


# --- Input checks ---------------------------------------------------------------------------


@pytest.mark.parametrize("tool", ["ODI", "NDI", "LEFS", "QUICKDASH", "KOOS_JR", "HOOS_JR"])
def test_wrong_number_of_items(tool):
    count = TOOLS[tool].item_count
    with pytest.raises(ValueError, match=f"has {count} items; {count + 1} were given"):
        score(tool, [1] * (count + 1))
    with pytest.raises(ValueError, match=f"has {count} items; {count - 1} were given"):
        score(tool, [1] * (count - 1))


@pytest.mark.parametrize("bad", [True, "3", 2.5, -1])
def test_answers_must_be_whole_numbers_on_the_scale(bad):
    with pytest.raises(ValueError, match="Item 1"):
        score("ODI", [bad] + [1] * 9)


def test_whole_floats_are_accepted():
    assert score("ODI", [1.0] * 10) == 20.0


def test_unknown_tool():
    with pytest.raises(ValueError, match="not an outcome tool"):
        score("WOMAC", [1] * 24)


def test_tool_codes_are_forgiving_about_case_and_separators():
    assert score("koos jr", [2, 2, 1, 3, 2, 2, 3]) == pytest.approx(50.012)
    assert score("QuickDASH", [1] * 11) == 0.0


def test_answers_must_be_a_list():
    with pytest.raises(ValueError, match="as a list"):
        score("ODI", "1111111111")


# --- Metadata -------------------------------------------------------------------------------


def test_every_tool_is_described():
    assert set(TOOLS) == set(ALL_TOOLS)
    for tool in TOOLS.values():
        assert tool.name and tool.mcid > 0 and tool.mcid_source and tool.scoring_source
        assert tool.score_min < tool.score_max and tool.body_regions and tool.disciplines


@pytest.mark.parametrize(
    "tool, higher_is_better, mcid",
    [
        ("ODI", False, 10.0),
        ("NDI", False, 15.0),
        ("QUICKDASH", False, 14.0),
        ("LEFS", True, 9.0),
        ("PSFS", True, 2.0),
        ("KOOS_JR", True, 15.1),
        ("HOOS_JR", True, 18.0),
    ],
)
def test_direction_and_mcid(tool, higher_is_better, mcid):
    assert tool_info(tool).higher_is_better is higher_is_better
    assert tool_info(tool).mcid == mcid


def test_tools_by_discipline_and_region():
    assert [tool.code for tool in tools_for("PT", "low_back")] == ["ODI", "PSFS"]
    assert [tool.code for tool in tools_for("PT", "knee")] == ["LEFS", "PSFS", "KOOS_JR"]
    assert [tool.code for tool in tools_for("OT", "upper_extremity")] == ["QUICKDASH", "PSFS"]
    assert tools_for("ST", "other") == []


def test_is_on_scale():
    assert is_on_scale("ODI", 44.4)
    assert not is_on_scale("ODI", 101)
    assert not is_on_scale("ODI", float("nan"))
    assert is_on_scale("KOOS_JR", 50.012)
    assert not is_on_scale("KOOS_JR", 15)  # a raw sum entered instead of the interval score
    assert is_on_scale("LEFS", 40)
    assert not is_on_scale("LEFS", 40.5)


# --- Change from baseline against the MCID --------------------------------------------------


def test_lower_is_better_tool_improves_when_the_score_falls():
    change = change_from_baseline("ODI", 40, 30)
    assert change.improvement == pytest.approx(10.0)
    assert change.meets_mcid  # exactly the MCID counts


def test_just_under_the_mcid():
    assert not change_from_baseline("ODI", 40, 31).meets_mcid
    assert not change_from_baseline("LEFS", 40, 48).meets_mcid
    assert change_from_baseline("LEFS", 40, 49).meets_mcid


def test_worsening_is_a_negative_improvement():
    change = change_from_baseline("ODI", 30, 40)
    assert change.improvement == pytest.approx(-10.0)
    assert change.worsened and not change.meets_mcid
    assert change_from_baseline("LEFS", 50, 40).improvement == pytest.approx(-10.0)


def test_interval_scores_and_fractional_mcids():
    change = change_from_baseline("KOOS_JR", 50.012, 65.994)  # raw 15 -> raw 8
    assert change.improvement == pytest.approx(15.982)
    assert change.meets_mcid
    assert not change_from_baseline("KOOS_JR", 50.012, 63.776).meets_mcid  # 13.8 < 15.1
    assert change_from_baseline("QUICKDASH", 50, 36).meets_mcid
    assert not change_from_baseline("QUICKDASH", 50, 37).meets_mcid
    assert change_from_baseline("PSFS", 3, 5).meets_mcid


def test_change_rejects_scores_off_the_scale():
    with pytest.raises(ValueError, match="baseline"):
        change_from_baseline("ODI", 120, 30)
    with pytest.raises(ValueError, match="current"):
        change_from_baseline("LEFS", 40, 81)
