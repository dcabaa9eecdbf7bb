"""Provider and site demographics: which fields a change request may touch, and checks of new values.

A change names one field; the address field covers four columns. New values are cleaned here
(tax ID written NN-NNNNNNN, phone and fax written NNN-NNN-NNNN, state upper-case) and each
problem is reported under the column it belongs to, in plain words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from portal_app.domain.identifiers import is_valid_npi, normalize_tax_id


@dataclass(frozen=True)
class ChangeField:
    name: str
    label: str
    columns: tuple[str, ...]


ADDRESS_COLUMNS = ("address_line", "city", "state", "postal_code")

CHANGE_FIELDS: dict[str, ChangeField] = {
    "npi": ChangeField("npi", "NPI", ("npi",)),
    "tax_id": ChangeField("tax_id", "Tax ID", ("tax_id",)),
    "address": ChangeField("address", "Address", ADDRESS_COLUMNS),
    "phone": ChangeField("phone", "Phone", ("phone",)),
    "fax": ChangeField("fax", "Fax", ("fax",)),
}

COLUMN_LABELS = {
    "npi": "NPI",
    "tax_id": "Tax ID",
    "address_line": "Street address",
    "city": "City",
    "state": "State",
    "postal_code": "ZIP code",
    "phone": "Phone",
    "fax": "Fax",
}

# USPS two-letter codes of the states, DC and the territories.
US_STATES = frozenset(
    [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "DC",
        "PR",
        "GU",
        "VI",
        "AS",
        "MP",
    ]
)
_ZIP = re.compile(r"^\d{5}(-\d{4})?$")
MAX_ADDRESS_LINE = 200
MAX_CITY = 100


def normalize_fax(text: str) -> str:
    """The digits of a phone or fax number; a leading US country code 1 on 11 digits is dropped."""
    digits = re.sub(r"\D", "", text or "")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits


def format_number(digits: str) -> str:
    """Digits written the usual US way: NNN-NNN-NNNN (or NNN-NNNN for seven digits)."""
    if len(digits) == 10:
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    if len(digits) == 7:
        return f"{digits[:3]}-{digits[3:]}"
    return digits


def is_us_number(digits: str) -> bool:
    """Ten digits whose area code and exchange do not start with 0 or 1 (the North American plan)."""
    return len(digits) == 10 and digits[0] not in "01" and digits[3] not in "01"


def _text(values: dict, key: str) -> str:
    value = values.get(key, "")
    return " ".join(value.split()) if isinstance(value, str) else ""


def _check_npi(values: dict) -> tuple[dict[str, str], dict[str, str]]:
    npi = _text(values, "npi").replace(" ", "")
    if not is_valid_npi(npi):
        return {}, {"npi": "An NPI has 10 digits and a correct check digit; check it against NPPES."}
    return {"npi": npi}, {}


def _check_tax_id(values: dict) -> tuple[dict[str, str], dict[str, str]]:
    tax_id = normalize_tax_id(_text(values, "tax_id"))
    if tax_id is None:
        return {}, {"tax_id": "A tax ID has 9 digits, written 12-3456789."}
    return {"tax_id": tax_id}, {}


def _check_number(column: str):
    def check(values: dict) -> tuple[dict[str, str], dict[str, str]]:
        digits = normalize_fax(_text(values, column))
        if not is_us_number(digits):
            return {}, {column: f"Enter a 10-digit US {column} number, for example 312-555-0142."}
        return {column: format_number(digits)}, {}

    return check


def _check_address(values: dict) -> tuple[dict[str, str], dict[str, str]]:
    cleaned = {
        "address_line": _text(values, "address_line"),
        "city": _text(values, "city"),
        "state": _text(values, "state").upper(),
        "postal_code": _text(values, "postal_code"),
    }
    errors: dict[str, str] = {}
    if not cleaned["address_line"] or len(cleaned["address_line"]) > MAX_ADDRESS_LINE:
        errors["address_line"] = f"Enter the street address (at most {MAX_ADDRESS_LINE} characters)."
    if not cleaned["city"] or len(cleaned["city"]) > MAX_CITY:
        errors["city"] = f"Enter the city (at most {MAX_CITY} characters)."
    if cleaned["state"] not in US_STATES:
        errors["state"] = "Enter the state as its two-letter code, for example IL."
    if not _ZIP.match(cleaned["postal_code"]):
        errors["postal_code"] = "A ZIP code has 5 digits, or 5 and 4 written 62701-1234."
    return ({} if errors else cleaned), errors


_CHECKS = {
    "npi": _check_npi,
    "tax_id": _check_tax_id,
    "address": _check_address,
    "phone": _check_number("phone"),
    "fax": _check_number("fax"),
}


def check_new_values(field: str, values: dict) -> tuple[dict[str, str], dict[str, str]]:
    """(cleaned values, errors by column) for a change of ``field``; cleaned is empty when any error."""
    if field not in CHANGE_FIELDS:
        return {}, {"field": "Choose what to change: NPI, tax ID, address, phone or fax."}
    if not isinstance(values, dict):
        values = {}
    return _CHECKS[field](values)


def effective_date_problem(effective: date | None, today: date) -> str:
    """Why ``effective`` cannot be the day a change takes effect, or "" (today and later are fine)."""
    if effective is None:
        return "Enter the date the change takes effect."
    if effective < today:
        return "The date the change takes effect cannot be in the past."
    return ""


def describe_values(field: str, values: dict) -> str:
    """A change's values in one line, as the history shows them."""
    if field == "address":
        line, city = values.get("address_line", ""), values.get("city", "")
        state, postal = values.get("state", ""), values.get("postal_code", "")
        return f"{line}, {city}, {state} {postal}".strip(", ")
    columns = CHANGE_FIELDS[field].columns if field in CHANGE_FIELDS else tuple(values)
    return ", ".join(str(values.get(column, "")) for column in columns)
