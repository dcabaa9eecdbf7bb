"""Regenerate icd10cm_codes.csv.gz, the billable ICD-10-CM codes shipped with the portal.

Source: the CMS/NCHS ICD-10-CM tabular list XML (public domain) as shipped inside the wheel of the
`simple-icd-10-cm` package (MIT). The wheel is needed only to run this script, never by the app:

    .venv/bin/pip download simple-icd-10-cm==1.5.0 --no-deps -d /tmp/icd
    .venv/bin/python portal_app/reference/build_icd10cm.py /tmp/icd/simple_icd_10_cm-1.5.0-py3-none-any.whl

Nothing is installed: the script reads the two data files straight out of the wheel (a zip):

* `icd10c-tabular-April-1-2026.xml`, the CMS tabular list, for the codes and their titles;
* `code-list-April-2026.txt`, the package's list of every existing code, used only to drop the
  7th-character combinations that the XML's <sevenChrDef> tables would allow but CMS does not define.

A code is written when it is a <diag> with no child <diag> (a leaf): these are the billable ("valid
for submission") codes. Where a 7th character applies (from the code's own <sevenChrDef> or its
nearest ancestor's), the leaf itself is not billable; its extensions are written instead, padded with
the placeholder X to six characters (S72.001 -> S72.001A; T36.0 -> T36.0X1A), titled
"<leaf title>, <7th-character title>" as in the CMS code-title file. The <note> inclusion terms that
some <sevenChrDef> tables carry are not part of the title and are left out.

The script then imports the package from the same wheel and checks that its leaf codes are exactly
the ones written here (`--no-cross-check` skips that). The output is sorted by code, UTF-8, with two
columns `code,description`, gzip with a zero mtime so that the same wheel gives the same bytes.
See icd10cm_SOURCE.md for the provenance.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
import re
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

PACKAGE = "simple-icd-10-cm"
EXPECTED_VERSION = "1.5.0"
TABULAR_XML = "simple_icd_10_cm/data/icd10c-tabular-April-1-2026.xml"
CODE_LIST = "simple_icd_10_cm/data/code-list-April-2026.txt"
OUTPUT = Path(__file__).resolve().parent / "icd10cm_codes.csv.gz"

# A letter, a digit in the 2nd or 3rd place (QA0 has a letter 2nd), then up to four more characters
# after the dot.
CODE_PATTERN = re.compile(r"[A-Z](?:[0-9][0-9A-Z]|[A-Z][0-9])(?:\.[0-9A-Z]{1,4})?", re.ASCII)


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def wheel_version(archive: zipfile.ZipFile) -> str:
    metadata = next(name for name in archive.namelist() if name.endswith(".dist-info/METADATA"))
    for line in archive.read(metadata).decode("utf-8").splitlines():
        if line.startswith("Version:"):
            return line.split(":", 1)[1].strip()
    raise SystemExit("no Version line in the wheel's METADATA")


def billable_codes(tabular_xml: bytes, code_list: str) -> tuple[dict[str, str], str]:
    """{code with dot: title} for every billable code, and the XML's <version> (the fiscal year)."""
    existing = {line.split(" ")[0].strip().replace(".", "") for line in code_list.splitlines()}
    root = ET.fromstring(tabular_xml)
    rows: dict[str, str] = {}

    def add(code: str, title: str) -> None:
        if not CODE_PATTERN.fullmatch(code) or not title:
            raise SystemExit(f"unexpected row in the tabular list: {code!r} {title!r}")
        if rows.setdefault(code, title) != title:
            raise SystemExit(f"two titles for {code}")

    def walk(diag: ET.Element, seventh: dict[str, str] | None) -> None:
        name, title = _clean(diag.findtext("name")), _clean(diag.findtext("desc"))
        table = diag.find("sevenChrDef")
        if table is not None:
            seventh = {ext.get("char", ""): _clean(ext.text) for ext in table if ext.tag == "extension"}
        children = diag.findall("diag")
        for child in children:
            walk(child, seventh)
        if children:
            return
        if not seventh:
            add(name, title)
            return
        stem = (name if "." in name else name + ".").ljust(7, "X")
        for char, char_title in seventh.items():
            if (stem + char).replace(".", "") in existing:
                add(stem + char, f"{title}, {char_title}")

    for chapter in root.findall("chapter"):
        for section in chapter.findall("section"):
            for diag in section.findall("diag"):
                walk(diag, None)
    return rows, _clean(root.findtext("version"))


def cross_check(wheel: Path, rows: dict[str, str]) -> None:
    """The package's own leaves must be the same codes (its 7th-character titles add the notes)."""
    sys.path.insert(0, str(wheel))
    import simple_icd_10_cm as cm

    codes = cm.get_all_codes(with_dots=True)
    leaves = {c for c in codes if cm.is_category_or_subcategory(c) and cm.is_leaf(c)}
    if leaves != set(rows):
        raise SystemExit(
            f"the package disagrees: only in the package {sorted(leaves - set(rows))[:10]}, "
            f"only here {sorted(set(rows) - leaves)[:10]}"
        )
    # The package appends a 7th character's <note> to its title after a "/": the only allowed difference.
    different = []
    for code, title in rows.items():
        theirs = _clean(cm.get_description(code))
        if theirs != title and not theirs.startswith(title + "/"):
            different.append(code)
    if different:
        raise SystemExit(f"titles differ from the package's for {different[:10]}")


def write_csv_gz(rows: dict[str, str], output: Path) -> bytes:
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(("code", "description"))
    writer.writerows(sorted(rows.items(), key=lambda row: row[0].replace(".", "")))
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buffer, compresslevel=9, mtime=0) as gz:
        gz.write(text.getvalue().encode("utf-8"))
    data = buffer.getvalue()
    output.write_bytes(data)
    return data


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("wheel", type=Path, help="simple_icd_10_cm-1.5.0-py3-none-any.whl")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--no-cross-check", action="store_true", help="do not compare with the package")
    args = parser.parse_args(argv)

    with zipfile.ZipFile(args.wheel) as archive:
        version = wheel_version(archive)
        if version != EXPECTED_VERSION:
            raise SystemExit(
                f"{PACKAGE} {version} found, {EXPECTED_VERSION} expected: update EXPECTED_VERSION, the data "
                "file names above and icd10cm_SOURCE.md together when moving to a new release"
            )
        rows, fiscal_year = billable_codes(archive.read(TABULAR_XML), archive.read(CODE_LIST).decode("utf-8"))
    if not args.no_cross_check:
        cross_check(args.wheel, rows)
    data = write_csv_gz(rows, args.output)
    print(f"{PACKAGE} {version}: {TABULAR_XML.rsplit('/', 1)[1]} (<version>{fiscal_year}</version>)")
    print(f"{len(rows)} billable codes -> {args.output} ({len(data):,} bytes)")
    print(f"sha256 of the wheel  {hashlib.sha256(args.wheel.read_bytes()).hexdigest()}")
    print(f"sha256 of the output {hashlib.sha256(data).hexdigest()}")


if __name__ == "__main__":
    main()
