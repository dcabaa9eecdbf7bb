"""The database, the data folder and uploads are readable by the service user only.

``keep_data_private()`` runs when the app and the command line start: it sets the process umask
to 077 (every file made from then on is 0600, every folder 0700: the SQLite file and its WAL,
uploads, letters, the development secret key) and narrows what an older install left wider.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url

from portal_app.settings import Settings, get_settings

PRIVATE_UMASK = 0o077
FILE_MODE = 0o600
DIR_MODE = 0o700


def _sqlite_files(db_url: str) -> list[Path]:
    if not db_url.startswith("sqlite"):
        return []
    database = make_url(db_url).database
    if not database or database == ":memory:":
        return []
    path = Path(database)
    return [path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")]


def _narrow(path: Path, mode: int) -> None:
    try:
        if path.exists() and (path.stat().st_mode & 0o777) & ~mode:
            path.chmod(mode)
    except OSError:  # not ours to change (a shared mount): leave it
        pass


def keep_data_private(settings: Settings | None = None) -> None:
    """Set the umask and make the data folder, uploads and the SQLite database owner-only."""
    os.umask(PRIVATE_UMASK)
    settings = settings or get_settings()
    for directory in (settings.data_dir, settings.uploads_dir):
        _narrow(directory, DIR_MODE)
    if settings.uploads_dir.is_dir():
        for stored in settings.uploads_dir.iterdir():
            _narrow(stored, DIR_MODE if stored.is_dir() else FILE_MODE)
    for path in _sqlite_files(settings.db_url):
        _narrow(path, FILE_MODE)
