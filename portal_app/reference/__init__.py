"""Reference data files shipped with the portal, and their cached loaders."""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The common-password list (see the header of common_passwords.txt for its source)."""
    lines = (REFERENCE_DIR / "common_passwords.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def _read_table(name: str):  # -> pandas.DataFrame
    """Read a packaged CSV (lines starting with # are notes), every cell as text.

    Every row must have a non-empty `source` column.
    """
    import pandas as pd  # imported here so that loading the password list stays light

    frame = pd.read_csv(
        REFERENCE_DIR / name, dtype=str, comment="#", keep_default_na=False, skipinitialspace=True
    )
    if "source" not in frame.columns:
        raise ValueError(f"{name} has no source column")
    missing = frame.index[frame["source"].str.strip() == ""].tolist()
    if missing:
        raise ValueError(f"{name}: rows without a source: {missing}")
    return frame


@cache
def _cached_table(name: str):
    return _read_table(name)


def table(name: str):  # -> pandas.DataFrame
    """A reference file of this folder as a table of text cells (read once, copied per call)."""
    return _cached_table(name).copy()


def imaging_codes():  # -> pandas.DataFrame
    """Codes managed by the imaging and cardiology program, per plan and service year."""
    return _cached_table("imaging_codes.csv").copy()


def imaging_plans():  # -> pandas.DataFrame
    """Per-plan settings of the imaging and cardiology program (validity days)."""
    return _cached_table("imaging_plans.csv").copy()


def imaging_criteria():  # -> pandas.DataFrame
    """Automatic criteria sets of the imaging and cardiology program, with citations."""
    return _cached_table("imaging_criteria.csv").copy()


def imaging_pretest_probability():  # -> pandas.DataFrame
    """Pre-test probability of obstructive coronary disease by age band, sex and symptom."""
    return _cached_table("imaging_pretest_probability.csv").copy()
