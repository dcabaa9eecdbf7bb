"""A plan's code list file: which codes a program manages for one plan, line of business and year.

Pure: ``read_code_list`` checks every row and returns the cleaned entries or the problems (line,
field, problem); ``diff_code_lists`` says what a new version adds, removes and changes against the
previous one. The format is documented in ``docs/data-files.md`` ("Code lists").
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from portal_app.domain.data_files import FileProblem, csv_rows

CODE_LIST_COLUMNS = ("code", "code_system", "notification_only", "description", "source")
CODE_LIST_OPTIONAL = frozenset({"code_system", "notification_only", "description"})
MAX_DESCRIPTION = 300
MAX_SOURCE = 1000
MAX_CODES = 5000
# CPT: five characters, four digits then a digit or a category letter (F, T, U); HCPCS level II:
# a letter A-V and four digits (CMS HCPCS quarterly file layout).
_CODE_SHAPES = {"CPT": re.compile(r"^\d{4}[0-9FTU]$"), "HCPCS": re.compile(r"^[A-V]\d{4}$")}
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0", ""}


@dataclass(frozen=True)
class CodeListEntry:
    code: str
    code_system: str
    notification_only: bool
    description: str
    source: str


@dataclass(frozen=True)
class CodeListCheck:
    entries: tuple[CodeListEntry, ...]
    problems: tuple[FileProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class EntryChange:
    code: str
    before: str
    after: str


@dataclass(frozen=True)
class CodeListDiff:
    added: tuple[CodeListEntry, ...]
    removed: tuple[CodeListEntry, ...]
    changed: tuple[EntryChange, ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _entry(where: str, values: dict[str, str], problems: list[FileProblem]) -> CodeListEntry | None:
    found = len(problems)
    code = values.get("code", "").strip().upper()
    system = values.get("code_system", "").strip().upper() or "CPT"
    if system not in _CODE_SHAPES:
        problems.append(FileProblem(where, "code_system", f"{system} is not CPT or HCPCS."))
    elif not code:
        problems.append(FileProblem(where, "code", "A code is required."))
    elif not _CODE_SHAPES[system].match(code):
        problems.append(FileProblem(where, "code", f"{code} is not the shape of a {system} code."))
    flag = values.get("notification_only", "").strip().lower()
    if flag not in _YES | _NO:
        problems.append(FileProblem(where, "notification_only", f"{flag} is not yes or no."))
    description = " ".join(values.get("description", "").split())
    if len(description) > MAX_DESCRIPTION:
        problems.append(FileProblem(where, "description", f"At most {MAX_DESCRIPTION} characters."))
    source = " ".join(values.get("source", "").split())
    if not source:
        problems.append(FileProblem(where, "source", "Say where the row comes from (the plan's list, page)."))
    elif len(source) > MAX_SOURCE:
        problems.append(FileProblem(where, "source", f"At most {MAX_SOURCE} characters."))
    if len(problems) > found:
        return None
    return CodeListEntry(code, system, flag in _YES, description, source)


def read_code_list(lines: Iterable[str]) -> CodeListCheck:
    """Every row of a code list file checked; the entries only count when there are no problems."""
    entries: list[CodeListEntry] = []
    problems: list[FileProblem] = []
    first_line: dict[str, str] = {}
    for item in csv_rows(lines, CODE_LIST_COLUMNS, CODE_LIST_OPTIONAL):
        if isinstance(item, FileProblem):
            problems.append(item)
            continue
        where, values = item
        entry = _entry(where, values, problems)
        if entry is None:
            continue
        if entry.code in first_line:
            problems.append(
                FileProblem(where, "code", f"{entry.code} is listed already on {first_line[entry.code]}.")
            )
            continue
        first_line[entry.code] = where
        entries.append(entry)
    if not problems and not entries:
        problems.append(FileProblem("line 1", "file", "The file lists no codes."))
    if len(entries) > MAX_CODES:
        problems.append(FileProblem("file", "code", f"At most {MAX_CODES} codes in one list."))
    ordered = tuple(sorted(entries, key=lambda e: e.code))
    return CodeListCheck(ordered if not problems else (), tuple(problems))


def _wording(entry: CodeListEntry) -> str:
    kind = "notification only" if entry.notification_only else "request needed"
    return f"{entry.code_system}, {kind}" + (f", {entry.description}" if entry.description else "")


def diff_code_lists(before: Sequence[CodeListEntry], after: Sequence[CodeListEntry]) -> CodeListDiff:
    """What ``after`` adds, removes and changes (system, notification only, description) against
    ``before``; a change of source alone is no change of what the plan manages."""
    old = {e.code: e for e in before}
    new = {e.code: e for e in after}
    return CodeListDiff(
        added=tuple(new[c] for c in sorted(new.keys() - old.keys())),
        removed=tuple(old[c] for c in sorted(old.keys() - new.keys())),
        changed=tuple(
            EntryChange(c, _wording(old[c]), _wording(new[c]))
            for c in sorted(old.keys() & new.keys())
            if _wording(old[c]) != _wording(new[c])
        ),
    )


def content_hash(entries: Sequence[CodeListEntry]) -> str:
    """A fingerprint of the list's entries (sources included): the same file twice, the same hash."""
    digest = hashlib.sha256()
    for e in sorted(entries, key=lambda item: item.code):
        digest.update(
            "\x1f".join((e.code, e.code_system, str(e.notification_only), e.description, e.source)).encode()
        )
        digest.update(b"\x1e")
    return digest.hexdigest()


@dataclass(frozen=True)
class DiffLine:
    """One line of a diff as the support page shows it."""

    change: str  # "Added", "Removed" or "Changed"
    code: str
    detail: str


def diff_lines(diff: CodeListDiff) -> list[DiffLine]:
    return (
        [DiffLine("Added", e.code, _wording(e)) for e in diff.added]
        + [DiffLine("Removed", e.code, _wording(e)) for e in diff.removed]
        + [DiffLine("Changed", c.code, f"{c.before} → {c.after}") for c in diff.changed]
    )
