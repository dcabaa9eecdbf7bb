import pytest

from portal_app.domain.order_numbers import format_order_number, is_valid_order_number


def test_format_and_check():
    number = format_order_number(2026, 42)
    assert number.startswith("PC2026000042") and len(number) == 13
    assert is_valid_order_number(number)
    assert is_valid_order_number(number.lower())


def test_a_mistyped_digit_is_caught():
    number = format_order_number(2026, 42)
    typo = number[:-2] + str((int(number[-2]) + 1) % 10) + number[-1]
    assert not is_valid_order_number(typo)


@pytest.mark.parametrize("sequence", [0, 1_000_000])
def test_sequence_out_of_range(sequence):
    with pytest.raises(ValueError):
        format_order_number(2026, sequence)
