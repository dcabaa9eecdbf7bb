"""The plan's member (eligibility) and provider (network) files: reading and checking each record.

Pure: the readers take lines of text (a CSV file, an NDJSON file or a FHIR Bundle) and yield, per
record, either the cleaned record or the problems found in it, each naming where it is (``line 12``
or ``Coverage/abc``), the field and what is wrong, in plain words. Applying the records to the
database is ``services/data_loads.py``; the formats are described in ``docs/data-files.md``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import date
from itertools import chain
from typing import Any

from portal_app.domain.demographics import check_new_values, format_number, normalize_fax
from portal_app.domain.enums import FacilityType, LineOfBusiness, NetworkStatus, Sex

PRECERT = "https://fhir.precert.invalid"
LINE_OF_BUSINESS_SYSTEM = f"{PRECERT}/CodeSystem/line-of-business"
FACILITY_TYPE_SYSTEM = f"{PRECERT}/CodeSystem/facility-type"
NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
TAX_ID_SYSTEM = "urn:oid:2.16.840.1.113883.4.4"
IDENTIFIER_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v2-0203"
PLAN_NET_ORG_TYPE_SYSTEM = "http://hl7.org/fhir/us/davinci-pdex-plan-net/CodeSystem/OrgTypeCS"
PLAN_NET_NETWORK_REFERENCE = (
    "http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/network-reference"
)

MAX_NAME = 100
MAX_ORGANIZATION_NAME = 200
MAX_MEMBER_NUMBER = 40
MAX_SPECIALTY = 100
# A file with more problems than this is reported with the first ones only (the count is complete).
MAX_REPORTED_PROBLEMS = 500

MEMBER_COLUMNS = (
    "member_id",
    "first_name",
    "last_name",
    "date_of_birth",
    "sex",
    "line_of_business",
    "address_line",
    "city",
    "state",
    "postal_code",
    "phone",
    "coverage_start",
    "coverage_end",
)
MEMBER_OPTIONAL = frozenset({"phone", "coverage_end"})
PROVIDER_COLUMNS = (
    "npi",
    "kind",
    "first_name",
    "last_name",
    "organization_name",
    "facility_type",
    "specialty",
    "tax_id",
    "address_line",
    "city",
    "state",
    "postal_code",
    "phone",
    "fax",
    "network",
    "network_start",
    "network_end",
)
PROVIDER_OPTIONAL = frozenset(
    {"first_name", "last_name", "organization_name", "facility_type", "network_end"}
)
PRACTITIONER = "practitioner"
FACILITY = "facility"
_NETWORK_WORDS = {"in": NetworkStatus.IN_NETWORK, "out": NetworkStatus.OUT_OF_NETWORK}
_FHIR_GENDER = {"female": Sex.FEMALE, "male": Sex.MALE, "other": Sex.UNKNOWN, "unknown": Sex.UNKNOWN}


@dataclass(frozen=True)
class FileProblem:
    """One thing wrong in a file: where (line or resource), which field, what."""

    where: str
    field: str
    problem: str

    def text(self) -> str:
        return f"{self.where}, {self.field}: {self.problem}"


@dataclass(frozen=True)
class MemberRecord:
    """One member's coverage as the plan sent it, cleaned."""

    where: str
    member_number: str
    first_name: str
    last_name: str
    date_of_birth: date
    sex: Sex
    line_of_business: LineOfBusiness
    address_line: str
    city: str
    state: str
    postal_code: str
    phone: str
    eligibility_start: date
    eligibility_end: date | None

    def columns(self) -> dict[str, Any]:
        """The values of the ``members`` columns this record sets."""
        values = asdict(self)
        del values["where"]
        return values


@dataclass(frozen=True)
class ProviderRecord:
    """One practitioner or facility and its participation in the plan's network, cleaned."""

    where: str
    kind: str  # PRACTITIONER or FACILITY
    npi: str
    first_name: str
    last_name: str
    organization_name: str
    facility_type: FacilityType | None
    specialty: str
    tax_id: str
    address_line: str
    city: str
    state: str
    postal_code: str
    phone: str
    fax: str
    network_status: NetworkStatus
    network_from: date
    network_until: date | None

    def party_columns(self) -> dict[str, Any]:
        """The values of the ``providers`` (or ``facilities``) columns this record sets."""
        common = {
            "npi": self.npi,
            "tax_id": self.tax_id,
            "address_line": self.address_line,
            "city": self.city,
            "state": self.state,
            "postal_code": self.postal_code,
            "phone": self.phone,
            "fax": self.fax,
        }
        if self.kind == FACILITY:
            return {**common, "name": self.organization_name, "facility_type": self.facility_type}
        return {
            **common,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "specialty": self.specialty,
        }

    def network_columns(self) -> dict[str, Any]:
        return {
            "status": self.network_status,
            "effective_from": self.network_from,
            "effective_until": self.network_until,
        }


Checked = MemberRecord | list[FileProblem]
CheckedProvider = ProviderRecord | list[FileProblem]


# ---- field checks -------------------------------------------------------------------------------


class _Row:
    """The raw values of one record, collecting the problems found while reading them."""

    def __init__(self, where: str, values: dict[str, Any]):
        self.where = where
        self.values = values
        self.problems: list[FileProblem] = []

    def text(self, field: str) -> str:
        value = self.values.get(field)
        return " ".join(value.split()) if isinstance(value, str) else ""

    def fail(self, field: str, problem: str) -> None:
        self.problems.append(FileProblem(self.where, field, problem))

    def required(self, field: str, max_length: int) -> str:
        value = self.text(field)
        if not value:
            self.fail(field, "This field is required.")
        elif len(value) > max_length:
            self.fail(field, f"At most {max_length} characters.")
        return value

    def day(self, field: str, *, required: bool = True) -> date | None:
        value = self.text(field)
        if not value:
            if required:
                self.fail(field, "This field is required (a date written YYYY-MM-DD).")
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(field, f"{value!r} is not a date written YYYY-MM-DD.")
            return None

    def choice(self, field: str, options: dict[str, Any], wording: str) -> Any:
        value = self.text(field).lower()
        if value in options:
            return options[value]
        self.fail(field, f"{value!r} is not one of: {wording}." if value else f"Give one of: {wording}.")
        return None

    def checked(self, kind: str, columns: tuple[str, ...], *, optional: bool = False) -> dict[str, str]:
        """Run the demographic checks of ``kind`` (address, phone, fax, npi, tax_id)."""
        raw = {column: self.text(column) for column in columns}
        if optional and not any(raw.values()):
            return dict.fromkeys(columns, "")
        cleaned, errors = check_new_values(kind, raw)
        for column, message in errors.items():
            self.fail(column, message)
        return cleaned or dict.fromkeys(columns, "")

    def phone(self, field: str) -> str:
        """An optional phone number of 10 digits (or 7, the local number alone), written NNN-NNN-NNNN."""
        value = self.text(field)
        digits = normalize_fax(value)
        if value and len(digits) not in (7, 10):
            self.fail(field, "Give the 10 digits of the phone number (312-555-0142), or leave it empty.")
            return ""
        return format_number(digits) if value else ""

    def dates_in_order(self, start: date | None, end: date | None, end_field: str) -> None:
        if start and end and end < start:
            self.fail(end_field, "The end date is before the start date.")


def _options(enum_type, *, labels: bool = True) -> dict[str, Any]:
    found = {member.value.lower(): member for member in enum_type}
    if labels:
        found.update({member.label.lower(): member for member in enum_type})
    return found


_SEXES = {**_options(Sex, labels=False), "female": Sex.FEMALE, "male": Sex.MALE, "unknown": Sex.UNKNOWN}
_LINES = _options(LineOfBusiness)
_FACILITY_TYPES = _options(FacilityType)
_LINE_WORDING = ", ".join(line.value for line in LineOfBusiness)
_FACILITY_WORDING = ", ".join(kind.value for kind in FacilityType)


def check_member(
    where: str, values: dict[str, Any], *, lines_of_business: Iterable[LineOfBusiness] | None = None
) -> Checked:
    """One member row (column name -> text) -> the cleaned record, or its problems."""
    row = _Row(where, values)
    member_number = row.required("member_id", MAX_MEMBER_NUMBER).upper()
    first_name = row.required("first_name", MAX_NAME)
    last_name = row.required("last_name", MAX_NAME)
    birth = row.day("date_of_birth")
    sex = row.choice("sex", _SEXES, "F, M, U")
    line = row.choice("line_of_business", _LINES, _LINE_WORDING)
    offered = frozenset(lines_of_business) if lines_of_business is not None else None
    if line is not None and offered is not None and line not in offered:
        row.fail("line_of_business", f"The plan does not offer the line of business {line.value}.")
    address = row.checked("address", ("address_line", "city", "state", "postal_code"))
    phone = row.phone("phone")
    start = row.day("coverage_start")
    end = row.day("coverage_end", required=False)
    row.dates_in_order(start, end, "coverage_end")
    if birth and start and start < birth:
        row.fail("coverage_start", "Coverage starts before the date of birth.")
    if row.problems:
        return row.problems
    assert birth is not None and start is not None
    return MemberRecord(
        where=where,
        member_number=member_number,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=birth,
        sex=sex,
        line_of_business=line,
        phone=phone,
        eligibility_start=start,
        eligibility_end=end,
        **address,
    )


def check_provider(where: str, values: dict[str, Any]) -> CheckedProvider:
    """One provider row (column name -> text) -> the cleaned record, or its problems."""
    row = _Row(where, values)
    npi = row.checked("npi", ("npi",))["npi"]
    kind = row.choice("kind", {PRACTITIONER: PRACTITIONER, FACILITY: FACILITY}, "practitioner, facility")
    first_name = last_name = organization_name = ""
    facility_type = None
    if kind == PRACTITIONER:
        first_name = row.required("first_name", MAX_NAME)
        last_name = row.required("last_name", MAX_NAME)
    elif kind == FACILITY:
        organization_name = row.required("organization_name", MAX_ORGANIZATION_NAME)
        facility_type = row.choice("facility_type", _FACILITY_TYPES, _FACILITY_WORDING)
    specialty = row.required("specialty", MAX_SPECIALTY) if kind == PRACTITIONER else row.text("specialty")
    tax_id = row.checked("tax_id", ("tax_id",))["tax_id"]
    address = row.checked("address", ("address_line", "city", "state", "postal_code"))
    phone = row.checked("phone", ("phone",))["phone"]
    fax = row.checked("fax", ("fax",))["fax"]
    status = row.choice("network", _NETWORK_WORDS, "in, out")
    start = row.day("network_start")
    end = row.day("network_end", required=False)
    row.dates_in_order(start, end, "network_end")
    if row.problems:
        return row.problems
    assert start is not None
    return ProviderRecord(
        where=where,
        kind=kind,
        npi=npi,
        first_name=first_name,
        last_name=last_name,
        organization_name=organization_name,
        facility_type=facility_type,
        specialty=specialty[:MAX_SPECIALTY],
        tax_id=tax_id,
        phone=phone,
        fax=fax,
        network_status=status,
        network_from=start,
        network_until=end,
        **address,
    )


# ---- CSV ------------------------------------------------------------------------------------------


def csv_rows(
    lines: Iterable[str], columns: tuple[str, ...], optional: frozenset[str]
) -> Iterator[tuple[str, dict[str, str]] | FileProblem]:
    """(``line N``, values by column) per data row; a FileProblem for a bad header or row shape.

    Lines starting with ``#`` before the header are comments. Column names are matched without
    regard to case or surrounding spaces.
    """
    it = iter(lines)
    skipped, first = 0, ""
    for line in it:
        if line.startswith("#") or not line.strip():
            skipped += 1
            continue
        first = line
        break
    if not first:
        yield FileProblem("line 1", "header", "The file is empty.")
        return
    reader = csv.reader(chain([first], it))
    header = [name.strip().lower() for name in next(reader)]
    missing = [name for name in columns if name not in header and name not in optional]
    unknown = [name for name in header if name not in columns]
    for name in missing:
        yield FileProblem(f"line {skipped + 1}", name, "This column is missing from the header.")
    for name in unknown:
        yield FileProblem(f"line {skipped + 1}", name or "(blank)", "This column is not part of the format.")
    if missing or unknown:
        return
    for cells in reader:
        where = f"line {reader.line_num + skipped}"
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            yield FileProblem(where, "row", f"Has {len(cells)} values; the header has {len(header)} columns.")
            continue
        yield where, dict(zip(header, cells, strict=True))


def read_member_csv(
    lines: Iterable[str], *, lines_of_business: Iterable[LineOfBusiness] | None = None
) -> Iterator[Checked]:
    offered = frozenset(lines_of_business) if lines_of_business is not None else None
    for item in csv_rows(lines, MEMBER_COLUMNS, MEMBER_OPTIONAL):
        if isinstance(item, FileProblem):
            yield [item]
        else:
            yield check_member(item[0], item[1], lines_of_business=offered)


def read_provider_csv(lines: Iterable[str]) -> Iterator[CheckedProvider]:
    for item in csv_rows(lines, PROVIDER_COLUMNS, PROVIDER_OPTIONAL):
        yield [item] if isinstance(item, FileProblem) else check_provider(item[0], item[1])


# ---- FHIR (NDJSON or a Bundle) -------------------------------------------------------------------


def fhir_resources(lines: Iterable[str]) -> Iterator[tuple[str, dict[str, Any]] | FileProblem]:
    """(where, resource) per resource of an NDJSON file or of a Bundle's entries.

    NDJSON is read line by line; a Bundle (a file whose first character is ``{`` and which is one
    JSON document over several lines) is read whole, so large files should be NDJSON.
    """
    it = iter(lines)
    first, skipped = "", 0
    for line in it:
        if line.strip():
            first = line
            break
        skipped += 1
    if not first:
        yield FileProblem("line 1", "file", "The file is empty.")
        return
    try:
        one = json.loads(first)
    except ValueError:
        one = None
    if isinstance(one, dict) and one.get("resourceType") != "Bundle":
        yield from _ndjson_line(skipped + 1, first)
        for number, line in enumerate(it, start=skipped + 2):
            yield from _ndjson_line(number, line)
        return
    text = first + "".join(it)
    try:
        bundle = json.loads(text)
    except ValueError as problem:
        yield FileProblem(
            "file", "JSON", f"Not valid JSON (a Bundle, or NDJSON: one resource a line): {problem}"
        )
        return
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        yield FileProblem("file", "resourceType", "Expected a Bundle, or NDJSON with one resource a line.")
        return
    for number, entry in enumerate(bundle.get("entry") or [], start=1):
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            yield FileProblem(f"entry {number}", "resource", "The entry has no resource.")
            continue
        yield _resource_where(resource, f"entry {number}"), resource


def _ndjson_line(number: int, line: str) -> Iterator[tuple[str, dict[str, Any]] | FileProblem]:
    if not line.strip():
        return
    try:
        resource = json.loads(line)
    except ValueError:
        yield FileProblem(f"line {number}", "JSON", "Not valid JSON (NDJSON holds one resource per line).")
        return
    if not isinstance(resource, dict) or not resource.get("resourceType"):
        yield FileProblem(f"line {number}", "resourceType", "Each line must be one FHIR resource.")
        return
    yield _resource_where(resource, f"line {number}"), resource


def _resource_where(resource: dict[str, Any], fallback: str) -> str:
    kind, ident = resource.get("resourceType"), resource.get("id")
    return f"{kind}/{ident}" if kind and ident else f"{fallback} ({kind})"


def _reference_id(value: Any) -> str:
    reference = value.get("reference") if isinstance(value, dict) else None
    return str(reference).rsplit("/", 1)[-1] if reference else ""


def _codes(concept: Any, system: str) -> list[str]:
    codings = concept.get("coding") if isinstance(concept, dict) else None
    return [
        str(c.get("code") or "") for c in codings or [] if isinstance(c, dict) and c.get("system") == system
    ]


def _identifier(resource: dict[str, Any], *, system: str = "", type_code: str = "") -> str:
    for identifier in resource.get("identifier") or []:
        if not isinstance(identifier, dict):
            continue
        if system and identifier.get("system") == system:
            return str(identifier.get("value") or "")
        if type_code and type_code in _codes(identifier.get("type"), IDENTIFIER_TYPE_SYSTEM):
            return str(identifier.get("value") or "")
    return ""


def _identifier_values(resource: dict[str, Any]) -> set[str]:
    return {
        str(identifier.get("value") or "").strip().upper()
        for identifier in resource.get("identifier") or []
        if isinstance(identifier, dict)
    }


def _first(items: Any) -> dict[str, Any]:
    return items[0] if isinstance(items, list) and items and isinstance(items[0], dict) else {}


def _telecom(resources: Iterable[dict[str, Any]], system: str) -> str:
    for resource in resources:
        for point in resource.get("telecom") or []:
            if isinstance(point, dict) and point.get("system") == system and point.get("value"):
                return str(point["value"])
    return ""


def _address(resource: dict[str, Any]) -> dict[str, str]:
    address = resource.get("address")
    address = _first(address) if isinstance(address, list) else address if isinstance(address, dict) else {}
    lines = address.get("line") or []
    return {
        "address_line": " ".join(str(line) for line in lines) if isinstance(lines, list) else "",
        "city": str(address.get("city") or ""),
        "state": str(address.get("state") or ""),
        "postal_code": str(address.get("postalCode") or ""),
    }


def _period(resource: dict[str, Any]) -> tuple[str, str]:
    period = resource.get("period")
    if not isinstance(period, dict):
        return "", ""
    return str(period.get("start") or "")[:10], str(period.get("end") or "")[:10]


def member_values_from_fhir(patient: dict[str, Any], coverage: dict[str, Any]) -> dict[str, str]:
    """The member columns read from a Patient and its Coverage (names as in the CSV format)."""
    name = _first(patient.get("name"))
    given = name.get("given") or []
    start, end = _period(coverage)
    lines = _codes(coverage.get("type"), LINE_OF_BUSINESS_SYSTEM)
    gender = str(patient.get("gender") or "")
    return {
        "member_id": str(coverage.get("subscriberId") or "") or _identifier(patient, type_code="MB"),
        "first_name": str(given[0]) if isinstance(given, list) and given else "",
        "last_name": str(name.get("family") or ""),
        "date_of_birth": str(patient.get("birthDate") or ""),
        "sex": _FHIR_GENDER[gender].value if gender in _FHIR_GENDER else gender,
        "line_of_business": lines[0] if lines else "",
        "phone": _telecom([patient], "phone"),
        "coverage_start": start,
        "coverage_end": end,
        **_address(patient),
    }


def coverage_plan_codes(coverage: dict[str, Any]) -> list[str]:
    """The plan codes a Coverage names in its ``class`` of type ``plan``."""
    found = []
    for item in coverage.get("class") or []:
        if isinstance(item, dict) and "plan" in _codes(
            item.get("type"), "http://terminology.hl7.org/CodeSystem/coverage-class"
        ):
            found.append(str(item.get("value") or "").strip().upper())
    return found


def read_member_fhir(
    lines: Iterable[str], *, plan_code: str, lines_of_business: Iterable[LineOfBusiness] | None = None
) -> Iterator[Checked]:
    """Members from Patient + Coverage resources (each Coverage's ``beneficiary`` names its Patient).

    A Patient is held until its Coverage comes (and the other way round), so a file that puts each
    Coverage next to its Patient is read in bounded memory whatever its length.
    """
    offered = frozenset(lines_of_business) if lines_of_business is not None else None
    patients: dict[str, tuple[str, dict[str, Any]]] = {}
    coverages: dict[str, tuple[str, dict[str, Any]]] = {}
    for item in fhir_resources(lines):
        if isinstance(item, FileProblem):
            yield [item]
            continue
        where, resource = item
        kind = resource.get("resourceType")
        if kind == "Patient":
            key = str(resource.get("id") or "")
            if not key:
                yield [
                    FileProblem(where, "Patient.id", "A Patient needs an id for its Coverage to refer to.")
                ]
            elif key in coverages:
                cov_where, coverage = coverages.pop(key)
                yield _member_from_pair(cov_where, resource, coverage, plan_code, offered)
            else:
                patients[key] = (where, resource)
        elif kind == "Coverage":
            key = _reference_id(resource.get("beneficiary"))
            if not key:
                yield [FileProblem(where, "Coverage.beneficiary", "The Coverage does not name its Patient.")]
            elif key in patients:
                yield _member_from_pair(where, patients.pop(key)[1], resource, plan_code, offered)
            else:
                coverages[key] = (where, resource)
        else:
            yield [
                FileProblem(where, "resourceType", f"{kind} is not read here (Patient and Coverage only).")
            ]
    for where, _ in patients.values():
        yield [FileProblem(where, "Patient", "No Coverage in the file refers to this Patient.")]
    for where, coverage in coverages.values():
        ref = _reference_id(coverage.get("beneficiary"))
        yield [FileProblem(where, "Coverage.beneficiary", f"Patient/{ref} is not in the file.")]


def _member_from_pair(
    where: str,
    patient: dict[str, Any],
    coverage: dict[str, Any],
    plan_code: str,
    offered: frozenset[LineOfBusiness] | None,
) -> Checked:
    plans = coverage_plan_codes(coverage)
    if plans and plan_code.upper() not in plans:
        return [
            FileProblem(where, "Coverage.class", f"The Coverage is for plan {plans[0]}, not {plan_code}.")
        ]
    checked = check_member(where, member_values_from_fhir(patient, coverage), lines_of_business=offered)
    if isinstance(checked, list):
        return [FileProblem(p.where, _FHIR_MEMBER_FIELDS.get(p.field, p.field), p.problem) for p in checked]
    return checked


_FHIR_MEMBER_FIELDS = {
    "member_id": "Coverage.subscriberId",
    "first_name": "Patient.name.given",
    "last_name": "Patient.name.family",
    "date_of_birth": "Patient.birthDate",
    "sex": "Patient.gender",
    "line_of_business": "Coverage.type",
    "address_line": "Patient.address.line",
    "city": "Patient.address.city",
    "state": "Patient.address.state",
    "postal_code": "Patient.address.postalCode",
    "phone": "Patient.telecom",
    "coverage_start": "Coverage.period.start",
    "coverage_end": "Coverage.period.end",
}


# Providers in the Da Vinci Plan-Net shape: a PractitionerRole ties a Practitioner to its group
# Organization (the tax ID), a Location (address, phone, fax), a specialty and the network
# (extension network-reference) with the participation's period; ``active: false`` is out of network.
# A facility is an Organization (type ``fac``) and its participation an OrganizationAffiliation
# (``participatingOrganization``, ``network``, ``location``, ``period``, ``active``).


def read_provider_fhir(lines: Iterable[str], *, plan_code: str) -> Iterator[CheckedProvider]:
    """Providers from Practitioner/PractitionerRole/Organization/Location (and OrganizationAffiliation).

    The roles and affiliations are resolved once the whole file is read (they refer to resources
    that may come later); the memory held is that of the referenced resources, not of the file.
    """
    parties: dict[str, dict[str, Any]] = {}
    links: list[tuple[str, dict[str, Any]]] = []
    for item in fhir_resources(lines):
        if isinstance(item, FileProblem):
            yield [item]
            continue
        where, resource = item
        kind = resource.get("resourceType")
        if kind in ("Practitioner", "Organization", "Location"):
            parties[f"{kind}/{resource.get('id') or ''}"] = resource
        elif kind in ("PractitionerRole", "OrganizationAffiliation"):
            links.append((where, resource))
        else:
            yield [FileProblem(where, "resourceType", f"{kind} is not read in a provider file.")]
    networks = {
        key
        for key, resource in parties.items()
        if key.startswith("Organization/") and "ntwk" in _org_types(resource)
    }
    for where, link in links:
        yield _provider_from_link(where, link, parties, networks, plan_code)


def _org_types(resource: dict[str, Any]) -> list[str]:
    return [
        code for concept in resource.get("type") or [] for code in _codes(concept, PLAN_NET_ORG_TYPE_SYSTEM)
    ]


def _network_ids(link: dict[str, Any]) -> list[str]:
    if link.get("resourceType") == "OrganizationAffiliation":
        return [str(ref.get("reference") or "") for ref in link.get("network") or [] if isinstance(ref, dict)]
    return [
        str((ext.get("valueReference") or {}).get("reference") or "")
        for ext in link.get("extension") or []
        if isinstance(ext, dict) and ext.get("url") == PLAN_NET_NETWORK_REFERENCE
    ]


def _resolve(where: str, field: str, value: Any, parties: dict[str, dict[str, Any]], kind: str) -> tuple:
    reference = str(value.get("reference") or "") if isinstance(value, dict) else ""
    if not reference:
        return {}, [FileProblem(where, field, f"The {kind} is not named.")]
    if reference not in parties:
        return {}, [FileProblem(where, field, f"{reference} is not in the file.")]
    return parties[reference], []


def _provider_from_link(
    where: str,
    link: dict[str, Any],
    parties: dict[str, dict[str, Any]],
    networks: set[str],
    plan_code: str,
) -> CheckedProvider:
    kind = link["resourceType"]
    problems: list[FileProblem] = []
    plan_networks = [
        ref
        for ref in _network_ids(link)
        if ref in networks and plan_code.upper() in _identifier_values(parties[ref])
    ]
    if not plan_networks:
        problems.append(
            FileProblem(
                where,
                f"{kind}.network",
                f"Name the network of plan {plan_code} (an Organization of type ntwk).",
            )
        )
    if kind == "PractitionerRole":
        person, found = _resolve(
            where, "PractitionerRole.practitioner", link.get("practitioner"), parties, "practitioner"
        )
        group, found_group = _resolve(
            where, "PractitionerRole.organization", link.get("organization"), parties, "organization"
        )
        problems += found + found_group
    else:
        person = {}
        group, found = _resolve(
            where,
            "OrganizationAffiliation.participatingOrganization",
            link.get("participatingOrganization"),
            parties,
            "facility",
        )
        problems += found
    location, found_location = _resolve(
        where, f"{kind}.location", _first(link.get("location")), parties, "location"
    )
    problems += found_location
    if problems:
        return problems
    values = _provider_values(link, person, group, location)
    checked = check_provider(where, values)
    if isinstance(checked, list):
        fields = _FHIR_PROVIDER_FIELDS
        return [FileProblem(p.where, fields.get(p.field, p.field), p.problem) for p in checked]
    return checked


def _provider_values(
    link: dict[str, Any], person: dict[str, Any], group: dict[str, Any], location: dict[str, Any]
) -> dict[str, str]:
    start, end = _period(link)
    is_facility = link["resourceType"] == "OrganizationAffiliation"
    name = _first(person.get("name"))
    given = name.get("given") or []
    specialty = _first(link.get("specialty"))
    specialty_text = str(specialty.get("text") or "") or str(
        _first(specialty.get("coding")).get("display") or ""
    )
    facility_types = [c for concept in group.get("type") or [] for c in _codes(concept, FACILITY_TYPE_SYSTEM)]
    sources = [link, location, group]
    return {
        "npi": _identifier(group if is_facility else person, system=NPI_SYSTEM),
        "kind": FACILITY if is_facility else PRACTITIONER,
        "first_name": str(given[0]) if isinstance(given, list) and given else "",
        "last_name": str(name.get("family") or ""),
        "organization_name": str(group.get("name") or "") if is_facility else "",
        "facility_type": facility_types[0] if facility_types else "",
        "specialty": specialty_text,
        "tax_id": _identifier(group, system=TAX_ID_SYSTEM),
        "phone": _telecom(sources, "phone"),
        "fax": _telecom(sources, "fax"),
        "network": "out" if link.get("active") is False else "in",
        "network_start": start,
        "network_end": end,
        **_address(location),
    }


_FHIR_PROVIDER_FIELDS = {
    "npi": "identifier (NPI)",
    "first_name": "Practitioner.name.given",
    "last_name": "Practitioner.name.family",
    "organization_name": "Organization.name",
    "facility_type": "Organization.type",
    "specialty": "PractitionerRole.specialty",
    "tax_id": "Organization.identifier (tax ID)",
    "address_line": "Location.address.line",
    "city": "Location.address.city",
    "state": "Location.address.state",
    "postal_code": "Location.address.postalCode",
    "phone": "telecom (phone)",
    "fax": "telecom (fax)",
    "network_start": "period.start",
    "network_end": "period.end",
}


def file_format(file_name: str, first_line: str) -> str:
    """``csv`` or ``fhir`` from the file's name, else from its first line."""
    lowered = file_name.lower()
    if lowered.endswith((".ndjson", ".jsonl", ".json")):
        return "fhir"
    if lowered.endswith(".csv"):
        return "csv"
    return "fhir" if first_line.lstrip().startswith("{") else "csv"
