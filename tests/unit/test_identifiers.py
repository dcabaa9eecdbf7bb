import pytest

from portal_app.domain.identifiers import is_valid_npi, normalize_tax_id, npi_check_digit


def test_npi_check_digit_matches_the_cms_worked_example():
    # CMS, "Requirements for Check Digit Algorithm for the NPI" (2005): the
    # identifier 123456789 gets check digit 3, giving NPI 1234567893.
    assert npi_check_digit("123456789") == 3
    assert is_valid_npi("1234567893")


@pytest.mark.parametrize("npi", ["1234567890", "123456789", "12345678931", "abcdefghij", ""])
def test_npi_with_wrong_check_digit_or_shape_is_invalid(npi):
    assert not is_valid_npi(npi)


def test_npi_stem_must_be_nine_digits():
    with pytest.raises(ValueError):
        npi_check_digit("12345")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("123456789", "12-3456789"),
        ("12-3456789", "12-3456789"),
        (" 12-3456789 ", "12-3456789"),
        ("12-345678", None),
        ("123-456789", None),
        ("12a456789", None),
        ("", None),
    ],
)
def test_tax_id_accepts_nine_digits_with_or_without_the_dash(raw, expected):
    assert normalize_tax_id(raw) == expected
