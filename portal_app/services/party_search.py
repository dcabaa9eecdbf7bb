"""Which providers and facilities a typed text finds: the one filter the wizard's servicing search and
the directory share, written so that each database answers it from an index (docs/performance.md,
"Searches").

A text matches a provider by NPI or ZIP (equal), or when it occurs in the last name, first name,
specialty or city (case aside; LIKE wildcards typed match only themselves). A facility: NPI or ZIP, or
the text occurs in the name, city or modalities, or in the facility type (spaces typed as the type's
underscores).

- PostgreSQL answers ``ILIKE '%text%'`` from pg_trgm GIN indexes (revision 0025).
- SQLite cannot use an index for a LIKE that starts with ``%``: a text of 3 characters or more is looked
  up in FTS5 trigram tables over the same columns (same revision, kept in step by triggers); a shorter
  text falls back to LIKE, which reads the table (PostgreSQL's trigram index cannot help there either).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, func, or_

from portal_app.domain.enums import FacilityType
from portal_app.domain.search_text import LIKE_ESCAPE, contains_pattern
from portal_app.models import Facility, Provider
from portal_app.models.providers import (
    FACILITIES_FTS,
    FACILITIES_FTS_COLUMNS,
    PROVIDERS_FTS,
    PROVIDERS_FTS_COLUMNS,
)

# FTS5's trigram tokenizer matches substrings of at least three characters; shorter ones match nothing.
TRIGRAM = 3


def uses_trigram_table(session: Session, text: str) -> bool:
    """Whether a contains-search for ``text`` is answered from the SQLite FTS5 trigram tables."""
    return session.get_bind().dialect.name == "sqlite" and len(text) >= TRIGRAM


def _fts_phrase(text: str) -> str:
    """``text`` as one FTS5 string: every character literal (quotes doubled), matched as a substring."""
    return '"' + text.replace('"', '""') + '"'


def _in_fts(id_column, fts: str, text: str) -> ColumnElement[bool]:
    phrase = sa.bindparam(f"{fts}_match", _fts_phrase(text), type_=sa.String(), unique=True)
    rowids: sa.Select[Any] = (
        sa.select(sa.literal_column("rowid"))
        .select_from(sa.table(fts))
        .where(sa.literal_column(fts).op("MATCH")(phrase))
    )
    return col(id_column).in_(rowids)


def _contains(columns, text: str) -> list[ColumnElement[bool]]:
    like = contains_pattern(text)
    return [col(column).ilike(like, escape=LIKE_ESCAPE) for column in columns]


def provider_filter(session: Session, text: str, *, force_like: bool = False) -> ColumnElement[bool]:
    """Providers ``text`` finds (see the module's docstring). ``force_like`` skips the trigram table,
    for comparing the two (tests, benchmarks)."""
    exact = [col(Provider.npi) == text, col(Provider.postal_code) == text]
    if uses_trigram_table(session, text) and not force_like:
        return or_(*exact, _in_fts(Provider.id, PROVIDERS_FTS, text))
    columns = [getattr(Provider, name) for name in PROVIDERS_FTS_COLUMNS]
    return or_(*exact, *_contains(columns, text))


def facility_types_containing(text: str) -> list[FacilityType]:
    """The facility types whose stored value contains ``text`` (a space stands for an underscore)."""
    needle = text.lower().replace(" ", "_")
    return [kind for kind in FacilityType if needle in kind.value.lower()]


def facility_filter(session: Session, text: str, *, force_like: bool = False) -> ColumnElement[bool]:
    """Facilities ``text`` finds (see the module's docstring)."""
    terms = [col(Facility.npi) == text, col(Facility.postal_code) == text]
    types = facility_types_containing(text)
    if types:
        terms.append(col(Facility.facility_type).in_(types))
    if uses_trigram_table(session, text) and not force_like:
        return or_(*terms, _in_fts(Facility.id, FACILITIES_FTS, text))
    columns = [getattr(Facility, name) for name in FACILITIES_FTS_COLUMNS]
    return or_(*terms, *_contains(columns, text))


def name_order(session: Session, text: str, last_name, first_name, row_id) -> tuple:
    """The order of one page of search results: by name, then id.

    For a text the trigram index or table answers, by the lower-cased name: no index gives that order,
    so the database collects the matches from the trigram index and sorts them. Ordered by the name
    column itself, PostgreSQL may instead walk the name index in order, testing every row until a page
    is full (its guess at how many rows match decides), which for a rare text reads the whole table.
    A shorter text has no trigram to look up: walking the name index and stopping once a page is full
    is then the cheapest way."""
    if len(text) >= TRIGRAM:
        return func.lower(last_name), func.lower(first_name), col(row_id)
    return col(last_name), col(first_name), col(row_id)
