"""Amounts typed the French way: read into Decimals of at most two decimals, or refused with a
French message that says what to fix; shown as « 12 345,67 € »."""
from decimal import Decimal

import pytest

from intranet.core.money import AmountError, euros, parse_amount


@pytest.mark.parametrize("typed, value", [
    ("12 345,67", "12345.67"), ("12345.67", "12345.67"), ("1 500 €", "1500.00"),
    ("1\u00a0500,5", "1500.50"), ("1\u202f000 000", "1000000.00"), ("  42  ", "42.00"),
    ("0,5", "0.50"), (Decimal("7.1"), "7.10"),
])
def test_amounts_typed_the_french_way_are_read(typed, value):
    assert parse_amount(typed) == Decimal(value)


@pytest.mark.parametrize("typed, says", [
    ("-12", "négatif"), ("douze", "n'est pas un nombre"), ("1e3", "exposant"),
    ("10.001", "plus de deux décimales"), ("12,345", "« 12 345 »"), ("12,345", "« 12,35 »"),
    ("", "vide"), ("1,2,3", "n'est pas un nombre"), ("12.345.678", "n'est pas un nombre"),
    ("9" * 16, "trop grand"),
])
def test_bad_amounts_are_refused_saying_what_to_fix(typed, says):
    with pytest.raises(AmountError) as refused:
        parse_amount(typed, what="Le coût")
    assert says in str(refused.value) and str(refused.value).startswith("Le coût")


def test_amounts_are_shown_with_grouped_thousands_and_the_euro_sign():
    assert euros(Decimal("12345.67")) == "12\u202f345,67\u00a0€"
    assert euros(Decimal("1234567")) == "1\u202f234\u202f567,00\u00a0€"
    assert euros(Decimal("5")) == "5,00\u00a0€"
    assert euros(None) == "—"
