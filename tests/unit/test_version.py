"""The portal's version comes from pyproject.toml and nowhere else."""

from __future__ import annotations

import re
import tomllib

from portal_app.settings import PROJECT_ROOT
from portal_app.version import __version__

# Semantic Versioning 2.0.0 (https://semver.org), core with optional pre-release and build parts.
SEMVER = re.compile(r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?")


def test_version_is_pyprojects():
    with (PROJECT_ROOT / "pyproject.toml").open("rb") as file:
        assert __version__ == tomllib.load(file)["project"]["version"]


def test_version_looks_like_semver():
    assert SEMVER.fullmatch(__version__), __version__
