"""The portal's version, kept in one place: ``[project] version`` in pyproject.toml.

Read from the source tree's pyproject.toml (the portal runs from its checkout); an installed
distribution's metadata is the fallback when the file is not there.
"""

from __future__ import annotations

import tomllib
from importlib import metadata

from portal_app.settings import PROJECT_ROOT

DISTRIBUTION = "precert"


def _read_version() -> str:
    pyproject = PROJECT_ROOT / "pyproject.toml"
    if pyproject.is_file():
        with pyproject.open("rb") as file:
            return str(tomllib.load(file)["project"]["version"])
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        return "0+unknown"


__version__ = _read_version()
