"""The packaged ICD-10-CM table (CMS FY2026 tabular list, April 2026 update) and its search."""

import dataclasses
import gzip
import re
from itertools import pairwise

import pytest

from portal_app.reference.icd10 import (
    DATA_FILE,
    Diagnosis,
    get_diagnosis,
    load_icd10cm,
    normalize_icd10_code,
    search_diagnoses,
    search_diagnoses_page,
)

TABLE = load_icd10cm()
NECK_OF_FEMUR = "Fracture of unspecified part of neck of right femur"


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("'", ""))


def test_the_packaged_file_is_small_and_loads_every_billable_code():
    assert DATA_FILE.stat().st_size < 3_000_000
    with gzip.open(DATA_FILE, "rt", encoding="utf-8") as handle:
        assert handle.readline() == "code,description\n"
    # The count of the FY2026 (April 1 2026) table; it changes only when the file is regenerated.
    assert len(TABLE) == 74_719
    assert load_icd10cm() is TABLE  # read once


def test_every_row_is_a_well_formed_leaf_code():
    codes = sorted(code.replace(".", "") for code in TABLE)
    for code, diagnosis in TABLE.items():
        assert diagnosis.code == code == normalize_icd10_code(code)
        assert diagnosis.description and diagnosis.description == diagnosis.description.strip()
    # A billable code is a leaf: no other code continues it.
    assert not [(a, b) for a, b in pairwise(codes) if b.startswith(a)]


@pytest.mark.parametrize(
    ("code", "description"),
    [
        ("M54.50", "Low back pain, unspecified"),  # M54.5 was split in FY2022
        ("I20.9", "Angina pectoris, unspecified"),
        ("I20.0", "Unstable angina"),
        ("R51.9", "Headache, unspecified"),
        ("C50.911", "Malignant neoplasm of unspecified site of right female breast"),
        ("E11.9", "Type 2 diabetes mellitus without complications"),
        ("G47.33", "Obstructive sleep apnea (adult) (pediatric)"),
        ("J44.9", "Chronic obstructive pulmonary disease, unspecified"),
        ("A09", "Infectious gastroenteritis and colitis, unspecified"),  # a billable 3-character code
        ("Z66", "Do not resuscitate"),  # shares its name with a one-code block
        ("U07.1", "COVID-19"),
        ("C4A.9", "Merkel cell carcinoma, unspecified"),  # a letter in the 3rd place
        ("QA0.0101", "SCN2A-related neurodevelopmental disorder"),  # a letter in the 2nd place
        ("H81.01", "Ménière's disease, right ear"),
        # 7th characters, with the placeholder X where the code is shorter than six characters
        ("S72.001A", f"{NECK_OF_FEMUR}, initial encounter for closed fracture"),
        ("S72.001B", f"{NECK_OF_FEMUR}, initial encounter for open fracture type I or II"),  # no note
        ("T36.0X1A", "Poisoning by penicillins, accidental (unintentional), initial encounter"),
        ("H34.8112", "Central retinal vein occlusion, right eye, stable"),
    ],
)
def test_real_codes_and_their_cms_titles(code, description):
    assert get_diagnosis(code) == Diagnosis(code, description)
    assert TABLE[code].description == description


@pytest.mark.parametrize(
    "code",
    [
        "M54",  # category header
        "M54.5",  # subcategory header since FY2022
        "I20",
        "I20.8",
        "C50.91",
        "S72.001",  # needs a 7th character
        "S72",
        "T36.0X1",
        "S06.1X7D",  # a 7th character CMS does not allow here (death: no subsequent encounter)
        "M54.99",  # well formed, does not exist
        "QA0",
    ],
)
def test_headers_and_unknown_codes_are_not_billable(code):
    assert code not in TABLE
    assert get_diagnosis(code) is None


def test_a_diagnosis_is_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        get_diagnosis("M54.50").code = "M54.51"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("m5450", "M54.50"),
        ("M54.50", "M54.50"),
        (" m54.5 0", "M54.50"),
        ("\tm54.50\n", "M54.50"),
        ("a09", "A09"),
        ("A09.", "A09"),
        ("s72001a", "S72.001A"),
        ("t360x1a", "T36.0X1A"),
        ("c4a9", "C4A.9"),
        ("qa00101", "QA0.0101"),
        ("M54", "M54"),  # well formed even though it is not billable
        ("", None),
        ("   ", None),
        ("M", None),
        ("M5", None),
        ("54.50", None),
        ("MMM4", None),  # a digit must come 2nd or 3rd (as in M54, QA0)
        ("pain", None),
        ("M5.450", None),  # the dot belongs after the 3rd character
        ("M54..50", None),
        ("M54.50.1", None),
        ("S72.001AB", None),  # too long
        ("M54-50", None),
        ("M54.5ü", None),
        (None, None),
    ],
)
def test_normalize_icd10_code(text, expected):
    assert normalize_icd10_code(text) == expected


def test_get_diagnosis_accepts_any_spelling_of_the_code():
    assert get_diagnosis("m5450") == get_diagnosis(" M54.50 ") == TABLE["M54.50"]
    assert get_diagnosis("nonsense") is None
    assert get_diagnosis("") is None


def test_words_find_low_back_pain_first():
    found = search_diagnoses("low back pain")
    assert found[0] == Diagnosis("M54.50", "Low back pain, unspecified")
    assert {"M54.50", "M54.51", "M54.59"} <= {d.code for d in found}


def test_every_word_of_the_query_starts_a_word_of_the_description():
    for query in ("low back pain", "fracture femur right", "type 2 diab", "obstructive sleep"):
        found = search_diagnoses(query, limit=200)
        assert found, query
        for diagnosis in found:
            words = _words(diagnosis.description)
            assert all(any(w.startswith(q) for w in words) for q in _words(query)), (query, diagnosis)


def test_angina_finds_the_angina_codes_first():
    found = search_diagnoses("angina")
    assert len(found) == 20
    assert found[0] == TABLE["I20.9"]  # starts with the word, shortest such title
    assert {"I20.0", "I20.1", "I20.2", "I20.81", "I20.89", "I20.9"} <= {d.code for d in found}
    assert all("angina" in _words(d.description) for d in found)


def test_words_ignore_case_accents_and_apostrophes():
    codes = {d.code for d in search_diagnoses("MENIERE")}
    assert codes == {"H81.01", "H81.02", "H81.03", "H81.09"}
    assert search_diagnoses("alzheimers")[0].code.startswith("G30")
    assert search_diagnoses("Alzheimer's disease") == search_diagnoses("alzheimers disease")


def test_whole_words_before_the_start_of_longer_ones():
    found = search_diagnoses("pain", limit=50)
    assert all("pain" in _words(d.description) for d in found)  # "pain" itself before "painful"
    assert _words(found[0].description)[0] == "pain"


def test_a_code_prefix_returns_its_codes_shortest_first():
    found = [d.code for d in search_diagnoses("I20")]
    assert found == ["I20.0", "I20.1", "I20.2", "I20.9", "I20.81", "I20.89"]
    assert [d.code for d in search_diagnoses("i20.")] == found
    assert [d.code for d in search_diagnoses("m54.5")] == ["M54.50", "M54.51", "M54.59"]
    assert [d.code for d in search_diagnoses("C50.91")] == ["C50.911", "C50.912", "C50.919"]
    assert [d.code for d in search_diagnoses(" m54.50 ")] == ["M54.50"]
    assert search_diagnoses("S72.001", limit=3) == [TABLE["S72.001A"], TABLE["S72.001B"], TABLE["S72.001C"]]
    assert all(d.code.startswith("QA0") for d in search_diagnoses("qa0"))


def test_a_large_code_prefix_is_cut_to_the_limit_in_order():
    found = search_diagnoses("S72", limit=100_000)
    assert len(found) == sum(1 for code in TABLE if code.startswith("S72"))
    assert [d.code for d in found] == sorted((d.code for d in found), key=lambda c: (len(c), c))


def test_a_code_like_word_with_no_code_is_searched_as_a_word():
    found = search_diagnoses("b12")  # there is no category B12
    assert found and all("b12" in _words(d.description) for d in found)
    assert any(d.code.startswith("D51") for d in found)


@pytest.mark.parametrize("limit", [1, 5, 20, 37])
def test_the_limit_is_respected(limit):
    assert len(search_diagnoses("pain", limit=limit)) == limit
    assert len(search_diagnoses("S72", limit=limit)) == limit


def test_the_default_limit_is_twenty():
    assert len(search_diagnoses("fracture")) == 20


@pytest.mark.parametrize(
    "query",
    ["", "   ", "!!!", "-", ".", "zzzzqqq", "low back zzzz", "M99.999", "Q99.99", "x" * 300, None],
)
def test_empty_and_garbage_queries_return_nothing(query):
    assert search_diagnoses(query) == []


def test_a_zero_or_negative_limit_returns_nothing():
    assert search_diagnoses("pain", limit=0) == []
    assert search_diagnoses("I20", limit=-1) == []


@pytest.mark.parametrize("query", ["pain", "M4", "fracture femur"])
def test_pages_follow_one_another_in_the_search_order(query):
    whole = search_diagnoses(query, limit=45)
    pages = [search_diagnoses_page(query, page=n, page_size=15) for n in range(3)]
    assert [d for found, _ in pages for d in found] == whole
    assert all(more for _, more in pages)  # each of these queries has more than 45 codes
    assert pages[0][0] == search_diagnoses(query, limit=15)  # the first page is the old capped list


def test_the_last_page_says_there_is_no_more():
    whole = search_diagnoses("angina", limit=1000)
    assert 15 < len(whole) < 1000
    last = (len(whole) - 1) // 15
    found, more = search_diagnoses_page("angina", page=last, page_size=15)
    assert found == whole[last * 15 :] and not more
    assert search_diagnoses_page("angina", page=last + 1, page_size=15) == ([], False)
    assert search_diagnoses_page("angina", page=-3, page_size=15) == search_diagnoses_page(
        "angina", page=0, page_size=15
    )
