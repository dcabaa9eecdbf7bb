"""Readers and checks of the plans' member and provider files (domain/data_files.py): every
problem names where it is (line or resource) and the field."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from portal_app.domain import data_files as d
from portal_app.domain.enums import FacilityType, LineOfBusiness, NetworkStatus, Sex

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
MEMBER_HEADER = ",".join(d.MEMBER_COLUMNS)
GOOD_MEMBER = {
    "member_id": "evg900000001",
    "first_name": "Ada",
    "last_name": "Example",
    "date_of_birth": "1961-04-12",
    "sex": "F",
    "line_of_business": "commercial_hmo_pos",
    "address_line": "12  Sample Street",
    "city": "Springfield",
    "state": "il",
    "postal_code": "62701",
    "phone": "(217) 555 0101",
    "coverage_start": "2026-01-01",
    "coverage_end": "",
}
GOOD_PROVIDER = {
    "npi": "1980000016",
    "kind": "practitioner",
    "first_name": "Iris",
    "last_name": "Example",
    "specialty": "Orthopedic surgery",
    "tax_id": "901000001",
    "address_line": "100 Demo Way",
    "city": "Springfield",
    "state": "IL",
    "postal_code": "62701",
    "phone": "217-555-0150",
    "fax": "217 555 0151",
    "network": "In",
    "network_start": "2025-01-01",
}


def _problems(result) -> list[tuple[str, str]]:
    assert isinstance(result, list), result
    return [(p.where, p.field) for p in result]


def test_a_good_member_row_is_cleaned():
    record = d.check_member("line 2", GOOD_MEMBER)
    assert isinstance(record, d.MemberRecord)
    assert record.member_number == "EVG900000001"
    assert record.address_line == "12 Sample Street" and record.state == "IL"
    assert record.phone == "217-555-0101"
    assert record.sex == Sex.FEMALE and record.line_of_business == LineOfBusiness.COMMERCIAL_HMO_POS
    assert (record.eligibility_start, record.eligibility_end) == (date(2026, 1, 1), None)


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("member_id", "", "required"),
        ("member_id", "X" * 41, "At most 40"),
        ("first_name", "", "required"),
        ("date_of_birth", "04/12/1961", "YYYY-MM-DD"),
        ("sex", "woman", "F, M, U"),
        ("line_of_business", "gold", "commercial"),
        ("state", "Illinois", "two-letter"),
        ("postal_code", "6270", "ZIP"),
        ("phone", "555-01", "10 digits"),
        ("coverage_start", "", "required"),
        ("coverage_end", "2025-12-31", "before the start"),
    ],
)
def test_each_member_problem_names_its_line_and_field(field, value, words):
    result = d.check_member("line 7", {**GOOD_MEMBER, field: value})
    assert _problems(result) == [("line 7", field)]
    assert words in result[0].problem


def test_a_line_of_business_the_plan_does_not_offer_is_refused():
    result = d.check_member("line 3", GOOD_MEMBER, lines_of_business=[LineOfBusiness.MEDICAID])
    assert _problems(result) == [("line 3", "line_of_business")]


def test_a_coverage_before_birth_is_refused():
    result = d.check_member("line 3", {**GOOD_MEMBER, "coverage_start": "1960-01-01"})
    assert _problems(result) == [("line 3", "coverage_start")]


def test_a_good_provider_row_is_cleaned():
    record = d.check_provider("line 2", GOOD_PROVIDER)
    assert isinstance(record, d.ProviderRecord)
    assert record.tax_id == "90-1000001" and record.fax == "217-555-0151"
    assert record.network_status == NetworkStatus.IN_NETWORK and record.network_until is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("npi", "1980000017"),  # wrong check digit
        ("npi", "19800000"),
        ("kind", "group"),
        ("last_name", ""),
        ("specialty", ""),
        ("tax_id", "12-345"),
        ("fax", "555-0151"),
        ("network", "maybe"),
        ("network_start", "2025-02-30"),
    ],
)
def test_each_provider_problem_names_its_line_and_field(field, value):
    assert _problems(d.check_provider("line 9", {**GOOD_PROVIDER, field: value})) == [("line 9", field)]


def test_a_facility_needs_its_name_and_a_known_type():
    facility = {**GOOD_PROVIDER, "kind": "facility", "first_name": "", "last_name": "", "specialty": ""}
    assert _problems(d.check_provider("line 4", facility)) == [
        ("line 4", "organization_name"),
        ("line 4", "facility_type"),
    ]
    named = {**facility, "organization_name": "Example Imaging", "facility_type": "free_standing"}
    record = d.check_provider("line 4", named)
    assert isinstance(record, d.ProviderRecord) and record.facility_type == FacilityType.FREE_STANDING


def test_csv_header_problems_name_the_column():
    lines = ["# a comment\n", "member_id,first_name,nickname\n", "x,y,z\n"]
    found = [item for items in d.read_member_csv(lines) for item in items]
    fields = {p.field for p in found}
    assert "nickname" in fields and "last_name" in fields and "phone" not in fields
    assert all(p.where == "line 2" for p in found)


def test_csv_rows_are_numbered_as_lines_of_the_file():
    values = ",".join(GOOD_MEMBER[c] for c in d.MEMBER_COLUMNS)
    lines = [
        "# comment\n",
        MEMBER_HEADER + "\n",
        values + "\n",
        "\n",
        values.replace("1961", "19x1") + "\n",
        "a,b\n",
    ]
    results = list(d.read_member_csv(lines))
    assert isinstance(results[0], d.MemberRecord) and results[0].where == "line 3"
    assert _problems(results[1]) == [("line 5", "date_of_birth")]
    assert _problems(results[2]) == [("line 6", "row")]


def test_the_example_files_read_the_same_in_every_format():
    with open(EXAMPLES / "members.csv") as f:
        from_csv = [r.columns() for r in d.read_member_csv(f)]
    for name in ("members.ndjson", "members-bundle.json"):
        with open(EXAMPLES / name) as f:
            assert [r.columns() for r in d.read_member_fhir(f, plan_code="EVG")] == from_csv
    with open(EXAMPLES / "providers.csv") as f:
        providers = [r.party_columns() | r.network_columns() for r in d.read_provider_csv(f)]
    with open(EXAMPLES / "providers.ndjson") as f:
        plan_net = [r.party_columns() | r.network_columns() for r in d.read_provider_fhir(f, plan_code="EVG")]
    assert plan_net == providers and len(providers) == 3


def _ndjson(*resources) -> list[str]:
    return [json.dumps(r) + "\n" for r in resources]


def test_fhir_member_problems_name_the_resource_and_element():
    lines = (EXAMPLES / "members.ndjson").read_text().splitlines(keepends=True)
    patient = json.loads(lines[0])
    coverage = json.loads(lines[1])
    patient["birthDate"] = "1961"
    (result,) = list(d.read_member_fhir(_ndjson(patient, coverage), plan_code="EVG"))
    assert _problems(result) == [("Coverage/c1", "Patient.birthDate")]


def test_fhir_members_without_their_partner_are_reported():
    lines = (EXAMPLES / "members.ndjson").read_text().splitlines(keepends=True)
    results = list(d.read_member_fhir([lines[0], lines[3], "not json\n"], plan_code="EVG"))
    problems = sorted(p for items in results for p in _problems(items))
    assert problems == [
        ("Coverage/c2", "Coverage.beneficiary"),
        ("Patient/p1", "Patient"),
        ("line 3", "JSON"),
    ]


def test_a_plan_net_role_outside_the_plans_network_is_refused():
    text = (EXAMPLES / "providers.ndjson").read_text()
    results = list(d.read_provider_fhir(text.splitlines(keepends=True), plan_code="LKS"))
    assert all(_problems(r)[0][1].endswith(".network") for r in results)


def test_a_role_naming_a_missing_location_is_reported():
    lines = [line for line in (EXAMPLES / "providers.ndjson").read_text().splitlines(keepends=True)]
    without = [line for line in lines if '"id": "loc1"' not in line]
    results = list(d.read_provider_fhir(without, plan_code="EVG"))
    assert _problems(results[0]) == [("PractitionerRole/role1", "PractitionerRole.location")]


def test_the_format_comes_from_the_name_or_the_first_line():
    assert d.file_format("members.CSV", "{") == "csv"
    assert d.file_format("members.ndjson", "a,b") == "fhir"
    assert d.file_format("upload", '{"resourceType": "Patient"}') == "fhir"
    assert d.file_format("upload", "member_id,first_name") == "csv"
