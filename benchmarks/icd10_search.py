"""Time loading the packaged ICD-10-CM table, building the search index, and typical searches.

Usage: .venv/bin/python benchmarks/icd10_search.py [REPEATS]
Prints seconds for the first load and the index build (both once per process), then the median and
worst milliseconds of each query over REPEATS runs (default 200) and the number of codes it returned.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal_app.reference import icd10

QUERIES = [
    "M54.50",  # a whole code
    "I20",  # a category
    "S72",  # a category with thousands of 7th-character codes
    "m54.5",
    "low back pain",
    "angina",
    "headache",
    "type 2 diabetes",
    "obstructive sleep apnea",
    "malignant neoplasm right female breast",
    "fracture",  # a word in about a third of all codes
    "fracture femur right",
    "pain",
    "osteo",  # a word being typed
    "a",  # one letter: the worst case
    "zzzz",  # nothing
]


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    started = time.perf_counter()
    table = icd10.load_icd10cm()
    loaded = time.perf_counter()
    icd10.search_diagnoses("warm up")  # builds the index
    indexed = time.perf_counter()
    size = icd10.DATA_FILE.stat().st_size
    print(f"{len(table)} codes from {icd10.DATA_FILE.name} ({size:,} bytes)")
    print(f"load_icd10cm (first call)  {loaded - started:7.3f} s")
    print(f"index build (first search) {indexed - loaded:7.3f} s")
    print(f"{'query':<40} {'median ms':>10} {'max ms':>8} {'found':>6}")
    for query in QUERIES:
        timings = []
        for _ in range(repeats):
            began = time.perf_counter()
            found = icd10.search_diagnoses(query)
            timings.append((time.perf_counter() - began) * 1000)
        print(f"{query!r:<40} {statistics.median(timings):10.3f} {max(timings):8.3f} {len(found):6}")


if __name__ == "__main__":
    main()
