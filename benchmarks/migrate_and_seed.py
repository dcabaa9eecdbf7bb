"""Time migrating an empty database to head and loading the demo data.

Usage: .venv/bin/python benchmarks/migrate_and_seed.py [DB_URL]
Prints seconds for: upgrade to head, first seed, second (no-op) seed.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal_app.cli import migrate, seed


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{Path(folder) / 'bench.db'}"
        for label, step in (("migrate to head", migrate), ("seed (first)", seed), ("seed (again)", seed)):
            started = time.perf_counter()
            step(url)
            print(f"{label:<16} {time.perf_counter() - started:7.3f} s")


if __name__ == "__main__":
    main()
