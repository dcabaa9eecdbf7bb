import re

import pytest

from portal_app.domain.order_numbers import (
    ALPHABET,
    format_order_number,
    is_valid_order_number,
    new_order_number,
    normalize_order_number,
)


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


# --- new numbers: random, short, checked (issue 17 row 3) ---


def test_a_new_number_is_short_readable_and_valid():
    number = new_order_number(2026)
    assert re.fullmatch(r"PC2026[0-9A-HJKMNP-TV-Z]{9}", number), number
    assert len(number) == 15 and is_valid_order_number(number)
    assert not set(number[6:]) & set("ILOU")


def test_new_numbers_do_not_follow_one_another():
    numbers = [new_order_number(2026) for _ in range(2000)]
    assert len(set(numbers)) == len(numbers)
    # Neighbours in time share no more of the random part than chance would give (1/32 a character).
    shared = sum(a[6:14] == b[6:14] for a, b in zip(numbers, numbers[1:], strict=False))
    assert shared == 0
    first_chars = {n[6] for n in numbers}
    assert len(first_chars) == len(ALPHABET)


def test_every_single_mistyped_character_is_caught():
    number = new_order_number(2026, random_part="K7M2QX9D")
    for position in range(2, len(number)):
        for char in ALPHABET:
            if char != number[position]:
                typo = number[:position] + char + number[position + 1 :]
                assert not is_valid_order_number(typo), typo


def test_most_swapped_neighbours_are_caught():
    caught = total = 0
    for _ in range(200):
        number = new_order_number(2026)
        for i in range(6, len(number) - 1):
            if number[i] != number[i + 1]:
                total += 1
                swapped = number[:i] + number[i + 1] + number[i] + number[i + 2 :]
                caught += not is_valid_order_number(swapped)
    assert caught / total > 0.9


def test_look_alike_letters_and_separators_are_read_as_meant():
    number = new_order_number(2026, random_part="10001000")
    spoken = "pc-2026-iO0o-L0oO-" + number[-1].lower()
    assert normalize_order_number(spoken) == number
    assert is_valid_order_number(spoken)


@pytest.mark.parametrize("part", ["SHORT", "TOOLONGPART", "ABCDEFGU"])
def test_the_random_part_is_checked(part):
    with pytest.raises(ValueError):
        new_order_number(2026, random_part=part)
