"""ICD-10-CM diagnosis codes (billable codes only) shipped with the portal, and their search.

The table is `icd10cm_codes.csv.gz` beside this module (CMS ICD-10-CM FY2026, April 1 2026 update;
see icd10cm_SOURCE.md for where it came from and build_icd10cm.py for how to regenerate it). Nothing
is fetched at run time and no third-party package is needed.

`load_icd10cm()` reads the file once. The first search builds an index once (codes sorted for
prefix bisection, and a sorted vocabulary of description words with the ids of the codes using
each), after which a search costs a few milliseconds; `benchmarks/icd10_search.py` measures it.
"""

from __future__ import annotations

import csv
import gzip
import re
import sys
import unicodedata
from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from heapq import nsmallest
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "icd10cm_codes.csv.gz"

# Longest query searched; anything longer cannot match a description and returns [].
MAX_QUERY_LENGTH = 256

# A code: a letter, then a digit in the 2nd or 3rd place (E11, C4A, QA0), then up to four characters
# (written after a dot). Checked on the text without whitespace and dot.
_CODE = re.compile(r"[A-Z](?:[0-9][0-9A-Z]|[A-Z][0-9])[0-9A-Z]{0,4}", re.ASCII)
# What the search takes for the start of a code: at least the letter and the first digit ("I2", "QA0").
_CODE_PREFIX = re.compile(r"[A-Z](?:[0-9][0-9A-Z]{0,5}|[A-Z][0-9][0-9A-Z]{0,4})", re.ASCII)
_WORD = re.compile(r"[a-z0-9]+")  # after lower case and accents removed
_AFTER_ALL_CODES = "\x7f"  # sorts after every code character
_AFTER_ALL_WORDS = "\U0010ffff"  # sorts after every word character


@dataclass(frozen=True)
class Diagnosis:
    code: str  # with the dot, upper case, e.g. "M54.50"
    description: str


@lru_cache(maxsize=1)
def load_icd10cm() -> dict[str, Diagnosis]:
    """Every billable ICD-10-CM code, keyed by the code with its dot. Shared: do not modify."""
    with gzip.open(DATA_FILE, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        if header != ["code", "description"]:
            raise ValueError(f"{DATA_FILE.name}: unexpected header {header!r}")
        return {code: Diagnosis(code, description) for code, description in reader}


def _compact(text: object) -> str | None:
    """Upper case without whitespace or dot; None when the text has a dot anywhere but after the 3rd
    character, or characters no code has."""
    if not isinstance(text, str):
        return None
    compact = "".join(text.split())
    if not compact.isascii():
        return None
    compact = compact.upper()
    if "." in compact:
        head, _, tail = compact.partition(".")
        if len(head) != 3 or "." in tail:
            return None
        compact = head + tail
    return compact


def normalize_icd10_code(text: str) -> str | None:
    """The code written the standard way ("m5450", " m54.5 0" -> "M54.50"; "a09" -> "A09"), or None
    when the text cannot be an ICD-10-CM code. Whether the code exists is not checked here."""
    compact = _compact(text)
    if compact is None or not _CODE.fullmatch(compact):
        return None
    return compact if len(compact) == 3 else f"{compact[:3]}.{compact[3:]}"


def get_diagnosis(code: str) -> Diagnosis | None:
    """The billable code, however it is written; None for a header code ("M54") or an unknown one."""
    normalized = normalize_icd10_code(code)
    return load_icd10cm().get(normalized) if normalized else None


def _lower(text: str) -> str:
    return text.lower().replace("'", "").replace("\u2019", "")


def _unaccented(text: str) -> str:
    if text.isascii():
        return text
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _words(text: str) -> list[str]:
    """Lower-case words without apostrophes or accents ("Ménière's disease" -> ["menieres", "disease"])."""
    return _WORD.findall(_unaccented(_lower(text)))


class _Index:
    """Built once from the loaded table; read-only afterwards."""

    def __init__(self, table: dict[str, Diagnosis]) -> None:
        by_code = sorted(table.values(), key=lambda d: d.code.replace(".", ""))
        self.by_code = by_code
        self.code_keys = [d.code.replace(".", "") for d in by_code]
        # Word search ids follow the final tie-break (shorter description, then code), so candidates
        # taken in id order are already in that order.
        self.docs = sorted(by_code, key=lambda d: len(d.description))
        postings: defaultdict[str, list[int]] = defaultdict(list)
        self.doc_words: list[tuple[str, ...]] = []
        # One lower() for all descriptions; a description's words appear once, in their order.
        lines = _lower("\n".join(d.description for d in self.docs)).split("\n")
        for doc_id, line in enumerate(lines):
            words = tuple(dict.fromkeys(map(sys.intern, _WORD.findall(_unaccented(line)))))
            self.doc_words.append(words)
            for word in words:
                postings[word].append(doc_id)
        self.vocabulary = sorted(postings)
        self.postings = [postings[word] for word in self.vocabulary]
        self.total_before = [0]  # total_before[i]: number of postings of vocabulary[:i]
        for ids in self.postings:
            self.total_before.append(self.total_before[-1] + len(ids))

    def code_prefix(self, prefix: str, limit: int) -> list[Diagnosis]:
        low = bisect_left(self.code_keys, prefix)
        high = bisect_left(self.code_keys, prefix + _AFTER_ALL_CODES, low)
        # Stable: equal lengths keep code order.
        return nsmallest(limit, self.by_code[low:high], key=lambda d: len(d.code))

    def words(self, words: list[str], limit: int) -> list[Diagnosis]:
        spans = []
        for word in words:
            low = bisect_left(self.vocabulary, word)
            high = bisect_left(self.vocabulary, word + _AFTER_ALL_WORDS, low)
            if low == high:
                return []
            spans.append((self.total_before[high] - self.total_before[low], word, low, high))
        spans.sort()  # the rarest word first: the smallest candidate set
        candidates: set[int] | None = None
        for size, word, low, high in spans:
            if candidates is None:
                candidates = set().union(*self.postings[low:high])
            elif size > 8 * len(candidates):  # cheaper to check the few candidates' own words
                doc_words = self.doc_words
                candidates = {i for i in candidates if any(w.startswith(word) for w in doc_words[i])}
            elif high - low == 1:
                candidates.intersection_update(self.postings[low])
            else:
                candidates.intersection_update(set().union(*self.postings[low:high]))
            if not candidates:
                return []
        return self._ranked(sorted(candidates or ()), words, limit)

    def _ranked(self, ids: list[int], words: list[str], limit: int) -> list[Diagnosis]:
        """Order: fewest query words matched only as the start of a longer word ("pain" in "painful"),
        then descriptions starting with the query's first word, then shorter descriptions, then code
        (the id order). Stops early once `limit` codes of the best kind are found."""
        first = words[0]
        levels: list[list[int]] = [[] for _ in range(2 * len(words) + 2)]
        best = levels[0]
        for doc_id in ids:
            doc_words = self.doc_words[doc_id]
            level = 2 * sum(1 for w in words if w not in doc_words) + (not doc_words[0].startswith(first))
            levels[level].append(doc_id)
            if len(best) >= limit:  # later ids only come after these
                break
        ranked = [doc_id for level in levels for doc_id in level][:limit]
        return [self.docs[doc_id] for doc_id in ranked]


@lru_cache(maxsize=1)
def _index() -> _Index:
    return _Index(load_icd10cm())


def search_diagnoses(query: str, *, limit: int = 20) -> list[Diagnosis]:
    """Billable codes for what a person typed, best first, at most `limit`.

    A query that looks like the start of a code ("I20", "m54.5", "S72.001") returns the codes starting
    with it, shortest then alphabetical. Otherwise (or when no code starts with it, as for "B12")
    every word of the query must start a word of the description, case and accents ignored: "low back
    pain" finds M54.50 "Low back pain, unspecified". An empty, blank or over-long query returns [].
    """
    if not isinstance(query, str) or limit <= 0 or len(query) > MAX_QUERY_LENGTH:
        return []
    compact = _compact(query)
    if compact and _CODE_PREFIX.fullmatch(compact):
        found = _index().code_prefix(compact, limit)
        if found:
            return found
    words = list(dict.fromkeys(_words(query)))
    return _index().words(words, limit) if words else []


def search_diagnoses_page(query: str, *, page: int, page_size: int) -> tuple[list[Diagnosis], bool]:
    """Page ``page`` (from 0) of ``search_diagnoses(query)``, and whether a later page has more.

    The order is the search's own, so page ``n`` is the results ``n * page_size`` to
    ``(n + 1) * page_size`` of one longer search; the index stops as soon as it has that many.
    """
    if page_size <= 0:
        return [], False
    start = max(page, 0) * page_size
    found = search_diagnoses(query, limit=start + page_size + 1)
    return found[start : start + page_size], len(found) > start + page_size
