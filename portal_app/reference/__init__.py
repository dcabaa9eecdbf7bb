"""Reference data files shipped with the portal, and their cached loaders."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The common-password list (see the header of common_passwords.txt for its source)."""
    lines = (REFERENCE_DIR / "common_passwords.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))
