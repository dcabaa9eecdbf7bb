"""PAP adherence from device data: the compliance rule, device-export parsing, member matching.

Public API (an outside validation suite imports it; keep the names):

* ``evaluate(usage_minutes_by_night, setup_date) -> ComplianceResult`` with the fields
  ``compliant``, ``window_start``, ``nights_over_4h`` and ``percent`` first.
* ``parse_device_export(content, filename) -> DeviceExport`` for a manufacturer's CSV or JSON
  file with one row per night; ``DeviceExportError`` (a ``ValueError``) lists every bad row by
  line (CSV) or night number (JSON).
* ``match_member(export_identity, member_id, name, dob) -> MemberMatch``: a file is attached to
  a member only when ID, name and date of birth all agree; otherwise it is held for support
  (never attached to another member).

The rule: at least 4 hours (240 minutes) of use on at least 70 % of the nights (21 of 30) in
some 30 consecutive nights within the first 3 months (90 nights) of therapy. Sources: CMS NCD
240.4 / DME MAC LCD L33718 as summarised in JCSM 2019;15(2):245 (pubmed 30736874) and the CGS
PAP supplier FAQ (clinical-reference §3.3, §3.4). The setup night is night 1, so the 90 nights
are ``setup_date`` .. ``setup_date + 89 days`` and a 30-night window may start on night 1 to
night 61 (``setup_date + 60 days``); a window starting on night 62 would end on night 91.
A "night" is the device's therapy day (usually noon to noon), keyed by the date it starts.
Nights without data count as zero minutes.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

# CMS NCD 240.4 / LCD L33718 adherence rule (see the module docstring for the sources).
MIN_MINUTES_PER_NIGHT = 240  # 4 hours
WINDOW_NIGHTS = 30
REQUIRED_NIGHTS = 21  # 70 % of 30
FIRST_PERIOD_NIGHTS = 90  # the first 3 months of therapy
LAST_WINDOW_START_NIGHT = FIRST_PERIOD_NIGHTS - WINDOW_NIGHTS + 1  # night 61
MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True)
class NightUsage:
    night: date
    minutes: int  # 0 when the device reported nothing for the night

    @property
    def over_4h(self) -> bool:
        return self.minutes >= MIN_MINUTES_PER_NIGHT


@dataclass(frozen=True)
class ComplianceResult:
    compliant: bool
    window_start: date | None  # the best window; None when no night reached 4 hours
    nights_over_4h: int  # in that window
    percent: float  # nights_over_4h as a percentage of the 30 nights of the window
    window_end: date | None = None
    period_start: date | None = None  # night 1 (the setup night)
    period_end: date | None = None  # night 90
    nights: tuple[NightUsage, ...] = ()  # all 90 nights, for display
    required_nights: int = REQUIRED_NIGHTS

    @property
    def window_nights(self) -> tuple[NightUsage, ...]:
        if self.window_start is None or self.window_end is None:
            return ()
        return tuple(night for night in self.nights if self.window_start <= night.night <= self.window_end)


def _checked_minutes(night: date, minutes: object) -> int:
    if minutes is None:  # a night listed without data
        return 0
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 <= minutes <= MINUTES_PER_DAY:
        raise ValueError(
            f"Usage for the night of {night.isoformat()} must be whole minutes from 0 to "
            f"{MINUTES_PER_DAY}; got {minutes!r}."
        )
    return minutes


def evaluate(usage_minutes_by_night: Mapping[date, int], setup_date: date) -> ComplianceResult:
    """Check the adherence rule over the first 90 nights after ``setup_date`` (night 1).

    The result describes the best 30-night window: the most nights with 4 hours or more, the
    earliest on a tie. ``compliant`` is True when that window has at least 21 such nights.
    Nights before the setup date or after night 90 are ignored; a night missing or given as
    None counts as zero. ValueError for usage that is not whole minutes from 0 to 1440.
    """
    period = [setup_date + timedelta(days=offset) for offset in range(FIRST_PERIOD_NIGHTS)]
    nights = tuple(
        NightUsage(night, _checked_minutes(night, usage_minutes_by_night.get(night, 0))) for night in period
    )
    over = [1 if night.over_4h else 0 for night in nights]
    best_start, best_count = 0, sum(over[:WINDOW_NIGHTS])
    count = best_count
    for start in range(1, LAST_WINDOW_START_NIGHT):  # sliding window, start index 1..60
        count += over[start + WINDOW_NIGHTS - 1] - over[start - 1]
        if count > best_count:  # strictly more: the earliest window wins a tie
            best_start, best_count = start, count
    has_window = best_count > 0
    return ComplianceResult(
        compliant=best_count >= REQUIRED_NIGHTS,
        window_start=period[best_start] if has_window else None,
        nights_over_4h=best_count,
        percent=best_count * 100 / WINDOW_NIGHTS,
        window_end=period[best_start + WINDOW_NIGHTS - 1] if has_window else None,
        period_start=period[0],
        period_end=period[-1],
        nights=nights,
    )


# ---------------------------------------------------------------------------------------------
# Device exports
# ---------------------------------------------------------------------------------------------

MAX_EXPORT_BYTES = 5 * 1024 * 1024
MAX_NIGHTS = 4000  # about eleven years of nights
MAX_REPORTED_PROBLEMS = 20
MAX_NAME_LENGTH = 200
MAX_MEMBER_ID_LENGTH = 40  # as members.member_number


class DeviceExportError(ValueError):
    """A device file that cannot be read; ``problems`` lists each one in plain words."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = problems[:MAX_REPORTED_PROBLEMS]
        more = len(problems) - len(shown)
        text = " ".join(shown) + (f" (and {more} more problems)" if more else "")
        super().__init__(text)


@dataclass(frozen=True)
class ExportIdentity:
    """Who the device file says the patient is."""

    member_id: str
    name: str
    date_of_birth: date


@dataclass(frozen=True)
class DeviceNight:
    night: date
    usage_minutes: int
    ahi: float | None = None  # residual events per hour, as the device reports it
    leak: float | None = None  # as the device reports it (L/min for most makers)


@dataclass(frozen=True)
class DeviceExport:
    identity: ExportIdentity
    nights: tuple[DeviceNight, ...]  # sorted by night
    source_format: str  # "csv" or "json"
    device_serial: str = ""
    device_model: str = ""

    def usage_by_night(self) -> dict[date, int]:
        return {night.night: night.usage_minutes for night in self.nights}

    @property
    def first_night(self) -> date | None:
        return self.nights[0].night if self.nights else None

    @property
    def last_night(self) -> date | None:
        return self.nights[-1].night if self.nights else None


# Column names accepted in a CSV header (after lower-casing and turning spaces into "_").
_COLUMN_ALIASES: Mapping[str, tuple[str, ...]] = {
    "member_id": ("member_id", "member_number", "patient_id"),
    "name": ("member_name", "name", "patient_name"),
    "date_of_birth": ("date_of_birth", "dob", "birth_date"),
    "night": ("date", "night", "therapy_date", "session_date"),
    "usage_minutes": ("usage_minutes", "usage", "minutes", "usage_min"),
    "ahi": ("ahi",),
    "leak": ("leak", "leak_l_min", "median_leak"),
    "device_serial": ("device_serial", "serial_number", "serial"),
    "device_model": ("device_model", "model"),
}
_REQUIRED_COLUMNS = ("member_id", "name", "date_of_birth", "night", "usage_minutes")
_COLUMN_LABELS = {
    "member_id": "member ID",
    "name": "member name",
    "date_of_birth": "date of birth",
    "night": "date",
    "usage_minutes": "usage minutes",
}


def parse_device_export(content: bytes, filename: str) -> DeviceExport:
    """Read a manufacturer's per-night export (CSV or JSON, told apart by the file name).

    CSV: a header row, then one row per night with the columns member_id, member_name,
    date_of_birth, date, usage_minutes and optionally ahi, leak, device_serial, device_model
    (the member columns repeat on every row and must agree). JSON: ``{"member": {"member_id",
    "name", "date_of_birth"}, "device": {"serial", "model"} (optional), "nights": [{"date",
    "usage_minutes", "ahi", "leak"}, ...]}``. Dates are ISO (YYYY-MM-DD). Raises
    DeviceExportError listing every problem with its line or night number.
    """
    kind = _format_of(filename)
    text = _decoded(content)
    return _parse_csv(text) if kind == "csv" else _parse_json(text)


def _format_of(filename: str) -> str:
    suffix = (filename or "").strip().lower().rsplit(".", 1)[-1] if "." in (filename or "") else ""
    if suffix not in ("csv", "json"):
        raise DeviceExportError(["Upload the device data as a .csv or .json file."])
    return suffix


def _decoded(content: bytes) -> str:
    if not content:
        raise DeviceExportError(["The file is empty."])
    if len(content) > MAX_EXPORT_BYTES:
        raise DeviceExportError([f"The file is larger than {MAX_EXPORT_BYTES // (1024 * 1024)} MB."])
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DeviceExportError(["The file is not UTF-8 text; export it again as CSV or JSON."]) from None


def _parse_date(value: object, what: str) -> date:
    text = str(value or "").strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{what} {text!r} is not a date in the form YYYY-MM-DD.") from None


def _parse_minutes(value: object) -> int:
    text = str(value).strip() if value is not None else ""
    if isinstance(value, bool) or not re.fullmatch(r"\d+(\.0+)?", text) or int(float(text)) > MINUTES_PER_DAY:
        raise ValueError(f"usage minutes {text!r} must be a whole number from 0 to {MINUTES_PER_DAY}.")
    return int(float(text))


def _parse_optional_number(value: object, what: str) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = (
            float(value) if isinstance(value, str | int | float) and not isinstance(value, bool) else None
        )
    except (TypeError, ValueError):
        number = None
    if number is None or not math.isfinite(number) or number < 0:
        raise ValueError(f"{what} {value!r} must be a number of 0 or more, or left empty.")
    return number


def _parse_identity(member_id: object, name: object, dob: object) -> ExportIdentity:
    member_id_text = str(member_id or "").strip()
    name_text = " ".join(str(name or "").split())
    if not member_id_text or len(member_id_text) > MAX_MEMBER_ID_LENGTH:
        raise ValueError(f"the member ID is missing or longer than {MAX_MEMBER_ID_LENGTH} characters.")
    if not name_text or len(name_text) > MAX_NAME_LENGTH:
        raise ValueError(f"the member name is missing or longer than {MAX_NAME_LENGTH} characters.")
    return ExportIdentity(member_id_text, name_text, _parse_date(dob, "the date of birth"))


def _parse_night(night: object, minutes: object, ahi: object, leak: object) -> DeviceNight:
    return DeviceNight(
        night=_parse_date(night, "the date"),
        usage_minutes=_parse_minutes(minutes),
        ahi=_parse_optional_number(ahi, "AHI"),
        leak=_parse_optional_number(leak, "leak"),
    )


def _header_columns(header: list[str]) -> dict[str, int]:
    normalised = ["_".join(cell.strip().lower().replace("/", " ").split()) for cell in header]
    columns: dict[str, int] = {}
    for field_name, aliases in _COLUMN_ALIASES.items():
        for position, cell in enumerate(normalised):
            if cell in aliases:
                columns[field_name] = position
                break
    missing = [_COLUMN_LABELS[name] for name in _REQUIRED_COLUMNS if name not in columns]
    if missing:
        raise DeviceExportError([f"Line 1: the header has no column for {', '.join(missing)}."])
    return columns


def _parse_csv(text: str) -> DeviceExport:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise DeviceExportError(["The file is empty."])
    columns = _header_columns(rows[0])
    problems: list[str] = []
    identity: ExportIdentity | None = None
    nights: list[tuple[int, DeviceNight]] = []
    serial = model = ""

    def cell(row: list[str], name: str) -> str:
        position = columns.get(name)
        return row[position].strip() if position is not None and position < len(row) else ""

    for line, row in enumerate(rows[1:], start=2):
        if not any(value.strip() for value in row):
            continue
        try:
            row_identity = _parse_identity(
                cell(row, "member_id"), cell(row, "name"), cell(row, "date_of_birth")
            )
            night = _parse_night(
                cell(row, "night"), cell(row, "usage_minutes"), cell(row, "ahi"), cell(row, "leak")
            )
        except ValueError as error:
            problems.append(f"Line {line}: {error}")
            continue
        if identity is None:
            identity = row_identity
        elif row_identity != identity:
            problems.append(
                f"Line {line}: the member details differ from line {nights[0][0]}; one file per member."
            )
            continue
        serial = serial or cell(row, "device_serial")
        model = model or cell(row, "device_model")
        nights.append((line, night))
    return _export(identity, nights, problems, "csv", "Line", serial, model)


def _parse_json(text: str) -> DeviceExport:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise DeviceExportError([f"The JSON is not valid (line {error.lineno}): {error.msg}."]) from None
    if not isinstance(document, dict) or not isinstance(document.get("member"), dict):
        raise DeviceExportError(['The JSON must be an object with a "member" object and a "nights" list.'])
    member = document["member"]
    try:
        identity = _parse_identity(member.get("member_id"), member.get("name"), member.get("date_of_birth"))
    except ValueError as error:
        raise DeviceExportError([f"Member: {error}"]) from None
    entries = document.get("nights")
    if not isinstance(entries, list):
        raise DeviceExportError(['The JSON has no "nights" list.'])
    problems: list[str] = []
    nights: list[tuple[int, DeviceNight]] = []
    for number, entry in enumerate(entries, start=1):
        try:
            if not isinstance(entry, dict):
                raise ValueError("each night must be an object with a date and usage minutes.")
            night = _parse_night(
                entry.get("date"), entry.get("usage_minutes"), entry.get("ahi"), entry.get("leak")
            )
            nights.append((number, night))
        except ValueError as error:
            problems.append(f"Night {number}: {error}")
    device = device if isinstance(device := document.get("device"), dict) else {}
    serial, model = str(device.get("serial") or "").strip(), str(device.get("model") or "").strip()
    return _export(identity, nights, problems, "json", "Night", serial, model)


def _export(
    identity: ExportIdentity | None,
    nights: list[tuple[int, DeviceNight]],
    problems: list[str],
    source_format: str,
    position_label: str,
    serial: str,
    model: str,
) -> DeviceExport:
    first_seen: dict[date, int] = {}
    for position, night in nights:
        if night.night in first_seen:
            problems.append(
                f"{position_label} {position}: the night of {night.night.isoformat()} is already on "
                f"{position_label.lower()} {first_seen[night.night]}."
            )
        else:
            first_seen[night.night] = position
    if len(nights) > MAX_NIGHTS:
        problems.append(f"The file has more than {MAX_NIGHTS} nights; export a shorter period.")
    if problems:
        raise DeviceExportError(problems)
    if identity is None or not nights:
        raise DeviceExportError(["The file has no nights of usage data."])
    ordered = tuple(sorted((night for _, night in nights), key=lambda night: night.night))
    return DeviceExport(identity, ordered, source_format, serial[:100], model[:100])


# ---------------------------------------------------------------------------------------------
# Member matching
# ---------------------------------------------------------------------------------------------

HELD_FOR_SUPPORT = "held_for_support"


@dataclass(frozen=True)
class MemberMatch:
    """True when the file belongs to the member; otherwise the reasons it is held for support."""

    matched: bool
    reasons: tuple[str, ...] = field(default=())

    def __bool__(self) -> bool:
        return self.matched

    @property
    def reason(self) -> str:
        return " ".join(self.reasons)

    @property
    def disposition(self) -> str:
        return "attach" if self.matched else HELD_FOR_SUPPORT


def normalize_member_id(value: str) -> str:
    """Case, spaces and hyphens do not matter in a member ID."""
    return re.sub(r"[\s-]+", "", (value or "")).upper()


def normalize_name(value: str) -> tuple[str, ...]:
    """The name's words, accents, case and punctuation removed, in sorted order.

    "Smith, John" and "JOHN SMITH" agree; "Jon Smith" or "John A Smith" do not (a person
    checks those), because a wrong match would show one member's data to another.
    """
    text = unicodedata.normalize("NFKD", value or "")
    text = "".join(char for char in text if not unicodedata.combining(char))
    words = re.sub(r"[^a-z0-9]+", " ", text.lower().replace("'", "")).split()
    return tuple(sorted(words))


def match_member(export_identity: ExportIdentity, member_id: str, name: str, dob: date) -> MemberMatch:
    """Whether a device file's patient is this member: ID, name and date of birth must all agree.

    Anything else holds the file for support; it is never attached to another member (program
    tips, shared/seeds/000: the DME provider registers the device with the member's demographic
    data and the benefits manager validates that data; protecting PHI, shared/seeds/004).
    """
    reasons = []
    if normalize_member_id(export_identity.member_id) != normalize_member_id(member_id):
        reasons.append("The member ID in the file does not match the member's ID.")
    file_name = normalize_name(export_identity.name)
    if not file_name or file_name != normalize_name(name):
        reasons.append("The name in the file does not match the member's name.")
    if export_identity.date_of_birth != dob:
        reasons.append("The date of birth in the file does not match the member's date of birth.")
    if reasons:
        reasons.append("The file is held for support to check; it was not attached to any member.")
        return MemberMatch(False, tuple(reasons))
    return MemberMatch(True)
