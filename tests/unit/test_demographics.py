"""Checks of new provider and site demographics: NPI, tax ID, address, phone and fax, effective date."""

from datetime import date

import pytest

from portal_app.domain.demographics import (
    check_new_values,
    describe_values,
    effective_date_problem,
    format_number,
    is_us_number,
    normalize_fax,
)

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("raw", "digits"),
    [
        ("(312) 555-0142", "3125550142"),
        ("312.555.0142", "3125550142"),
        ("+1 312 555 0142", "3125550142"),  # the US country code is dropped
        ("555-0142", "5550142"),
        ("", ""),
        ("none given", ""),
    ],
)
def test_normalize_fax_keeps_the_digits(raw, digits):
    assert normalize_fax(raw) == digits


def test_numbers_are_written_the_usual_us_way():
    assert format_number("3125550142") == "312-555-0142"
    assert format_number("5550142") == "555-0142"
    assert format_number("12") == "12"


@pytest.mark.parametrize(
    ("digits", "ok"),
    # North American Numbering Plan: area code and exchange start with 2-9.
    [
        ("3125550142", True),
        ("0125550142", False),
        ("3121550142", False),
        ("5550142", False),
        ("31255501420", False),
    ],
)
def test_a_us_number_has_ten_digits_in_the_north_american_plan(digits, ok):
    assert is_us_number(digits) is ok


def test_a_valid_npi_is_accepted_and_a_wrong_check_digit_is_not():
    # CMS check-digit example: 123456789 -> 3 (see tests/unit/test_identifiers.py).
    assert check_new_values("npi", {"npi": " 1234567893 "}) == ({"npi": "1234567893"}, {})
    cleaned, errors = check_new_values("npi", {"npi": "1234567890"})
    assert cleaned == {} and "check digit" in errors["npi"]


@pytest.mark.parametrize(("raw", "expected"), [("123456789", "12-3456789"), ("12-3456789", "12-3456789")])
def test_a_tax_id_is_written_with_the_dash(raw, expected):
    assert check_new_values("tax_id", {"tax_id": raw}) == ({"tax_id": expected}, {})


def test_a_short_tax_id_is_refused():
    assert "9 digits" in check_new_values("tax_id", {"tax_id": "12-345678"})[1]["tax_id"]


@pytest.mark.parametrize("field", ["phone", "fax"])
def test_phone_and_fax_need_ten_us_digits(field):
    assert check_new_values(field, {field: "(312) 555-0142"}) == ({field: "312-555-0142"}, {})
    cleaned, errors = check_new_values(field, {field: "555-0142"})
    assert cleaned == {} and "10-digit" in errors[field]


def test_a_complete_address_is_cleaned():
    cleaned, errors = check_new_values(
        "address",
        {
            "address_line": " 12  Main   Street ",
            "city": "Springfield",
            "state": "il",
            "postal_code": "62701-1234",
        },
    )
    assert errors == {}
    assert cleaned == {
        "address_line": "12 Main Street",
        "city": "Springfield",
        "state": "IL",
        "postal_code": "62701-1234",
    }


@pytest.mark.parametrize(
    ("values", "column"),
    [
        ({"address_line": "", "city": "Springfield", "state": "IL", "postal_code": "62701"}, "address_line"),
        ({"address_line": "1 Main St", "city": "", "state": "IL", "postal_code": "62701"}, "city"),
        (
            {"address_line": "1 Main St", "city": "Springfield", "state": "Illinois", "postal_code": "62701"},
            "state",
        ),
        (
            {"address_line": "1 Main St", "city": "Springfield", "state": "ZZ", "postal_code": "62701"},
            "state",
        ),
        (
            {"address_line": "1 Main St", "city": "Springfield", "state": "IL", "postal_code": "6270"},
            "postal_code",
        ),
        (
            {"address_line": "1 Main St", "city": "Springfield", "state": "IL", "postal_code": "62701-12"},
            "postal_code",
        ),
    ],
)
def test_each_address_problem_is_reported_under_its_column(values, column):
    cleaned, errors = check_new_values("address", values)
    assert cleaned == {} and list(errors) == [column]


def test_an_unknown_field_or_values_that_are_not_text_are_refused():
    assert "field" in check_new_values("email", {"email": "a@b.c"})[1]
    assert "npi" in check_new_values("npi", {"npi": 1234567893})[1]
    assert "fax" in check_new_values("fax", "3125550142")[1]  # not a dict


def test_the_effective_date_may_be_today_or_later_but_not_in_the_past():
    assert effective_date_problem(TODAY, TODAY) == ""
    assert effective_date_problem(date(2027, 3, 1), TODAY) == ""
    assert "past" in effective_date_problem(date(2026, 11, 22), TODAY)
    assert effective_date_problem(None, TODAY) != ""


def test_values_are_described_in_one_line():
    assert (
        describe_values(
            "address",
            {"address_line": "1 Main St", "city": "Springfield", "state": "IL", "postal_code": "62701"},
        )
        == "1 Main St, Springfield, IL 62701"
    )
    assert describe_values("fax", {"fax": "312-555-0142"}) == "312-555-0142"
