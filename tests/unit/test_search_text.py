"""LIKE wildcards typed into a search match only themselves (issue 17 row 4)."""

import pytest
from sqlalchemy import create_engine, text

from portal_app.domain.search_text import LIKE_ESCAPE, contains_pattern, escape_like, prefix_pattern


@pytest.mark.parametrize(
    ("typed", "escaped"),
    [
        ("Demoson", "Demoson"),
        ("%", "\\%"),
        ("_", "\\_"),
        ("\\", "\\\\"),
        ("50%_off\\", "50\\%\\_off\\\\"),
    ],
)
def test_wildcards_and_the_escape_character_are_escaped(typed, escaped):
    assert escape_like(typed) == escaped


def test_patterns():
    assert contains_pattern("a%") == "%a\\%%"
    assert prefix_pattern("_x") == "\\_x%"


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        (escape_like("%"), "Demoson", False),
        (escape_like("%"), "%", True),
        (escape_like("D_moson"), "Demoson", False),
        (escape_like("demoson"), "Demoson", True),
        (contains_pattern("%"), "Demoson", False),
        (contains_pattern("mos"), "Demoson", True),
        (prefix_pattern("\\"), "\\Demoson", True),
        (prefix_pattern("\\"), "Demoson", False),
    ],
)
def test_the_database_reads_them_as_meant(pattern, value, matches):
    engine = create_engine("sqlite://")
    with engine.connect() as connection:
        found = connection.execute(
            text(f"SELECT :value LIKE :pattern ESCAPE '{LIKE_ESCAPE}'"), {"value": value, "pattern": pattern}
        ).scalar()
    assert bool(found) is matches
