"""Reference data files shipped with the portal, and their cached loaders."""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parent
PROGRAMS_DIR = REFERENCE_DIR.parent / "programs"  # each program package has its own reference/ folder


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The common-password list (see the header of common_passwords.txt for its source)."""
    lines = (REFERENCE_DIR / "common_passwords.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def path_of(name: str) -> Path:
    """Where a reference file lives: this folder (data shared by programs), or the ``reference/``
    folder of the program package that owns it (``portal_app/programs/<program>/reference/``).
    File names are unique across the folders."""
    found = [REFERENCE_DIR / name] if (REFERENCE_DIR / name).is_file() else []
    found += [path for path in sorted(PROGRAMS_DIR.glob(f"*/reference/{name}")) if path.is_file()]
    if len(found) != 1:
        raise FileNotFoundError(
            f"{name}: {'no reference file' if not found else 'more than one reference file'} of that name"
        )
    return found[0]


def _read_table(name: str):  # -> pandas.DataFrame
    """Read a packaged CSV (lines starting with # are notes), every cell as text.

    Every row must have a non-empty `source` column.
    """
    import pandas as pd  # imported here so that loading the password list stays light

    frame = pd.read_csv(path_of(name), dtype=str, comment="#", keep_default_na=False, skipinitialspace=True)
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
