"""Amounts of money typed the French way, and shown the French way.

``parse_amount`` reads « 12 345,67 », « 12345.67 » or « 1 500 € » (spaces, non-breaking spaces
and the euro sign are ignored) into a ``Decimal`` with at most two decimals, and refuses, with a
French message that says what to fix, what is negative, not a number, written with an exponent
(« 1e3 »), more precise than a cent (« 10.001 ») or ambiguous: « 12,345 » could be twelve
thousand or twelve euros, so three digits after a comma are refused. Amounts are stored in
``Numeric(14, 2)`` columns, never floats. The Jinja filter ``euros`` shows « 12 345,67 € ».
"""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MAX_AMOUNT = Decimal("999999999999.99")          # what Numeric(14, 2) holds
_IGNORED = re.compile(r"[\s\u00a0\u202f€]+")
_NUMBER = re.compile(r"^\d+(?:[.,]\d+)?$")
NARROW_NBSP = "\u202f"


class AmountError(ValueError):
    """An amount that cannot be read; the message, in French, says what to fix."""


def parse_amount(text, *, what: str = "Le montant") -> Decimal:
    """``text`` as a Decimal of at most two decimals (see the module's docstring)."""
    if isinstance(text, Decimal):
        raw = format(text, "f")
    else:
        raw = str(text if text is not None else "")
    typed = raw.strip()
    compact = _IGNORED.sub("", typed)
    if not compact:
        raise AmountError(f"{what} est vide : indiquez un nombre d'euros, par exemple 12 345,67.")
    if compact.startswith("-"):
        raise AmountError(f"{what} ne peut pas être négatif : « {typed} ».")
    if re.fullmatch(r"\d+(?:[.,]\d+)?[eE][+-]?\d+", compact):
        raise AmountError(f"{what} « {typed} » est écrit avec un exposant : écrivez le nombre "
                          "en entier, par exemple 1 000 au lieu de 1e3.")
    if not _NUMBER.match(compact):
        raise AmountError(f"{what} « {typed} » n'est pas un nombre : écrivez par exemple "
                          "12 345,67 (chiffres, espaces et une virgule).")
    whole, _, decimals = compact.replace(",", ".").partition(".")
    if "," in compact and len(decimals) == 3:
        cents = format(Decimal(f"{whole}.{decimals}").quantize(Decimal("0.01"), ROUND_HALF_UP),
                       "f").replace(".", ",")
        raise AmountError(f"{what} « {typed} » est ambigu : écrivez « {whole} {decimals} » "
                          f"pour {whole} mille {decimals} euros, ou « {cents} » pour des "
                          "centimes.")
    if len(decimals) > 2:
        raise AmountError(f"{what} « {typed} » a plus de deux décimales : arrondissez au "
                          "centime (deux chiffres après la virgule).")
    try:
        value = Decimal(f"{whole}.{decimals or '0'}").quantize(Decimal("0.01"))
    except InvalidOperation as error:   # pragma: no cover - the pattern lets none through
        raise AmountError(f"{what} « {typed} » n'est pas un nombre.") from error
    if value > MAX_AMOUNT:
        raise AmountError(f"{what} « {typed} » est trop grand.")
    return value


def euros(value) -> str:
    """« 12 345,67 € » (a narrow no-break space between thousands); « — » for nothing."""
    if value is None or value == "":
        return "—"
    amount = Decimal(value).quantize(Decimal("0.01"))
    sign = "-" if amount < 0 else ""
    whole, _, cents = format(abs(amount), "f").partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return f"{sign}{NARROW_NBSP.join(groups)},{cents}\u00a0€"


def sum_cents(column):
    """SQL: the sum of a money column, in whole cents. SQLite keeps ``Numeric`` as a float, so
    summing the column itself would add 0.1 and 0.2 into 0.30000000000000004; each amount is
    rounded to its cents first, and sums of integers are exact on every database."""
    from sqlalchemy import func
    return func.coalesce(func.sum(func.round(column * 100)), 0)


def from_cents(value) -> Decimal:
    """What ``sum_cents`` returned, back in euros."""
    return (Decimal(int(round(value or 0))) / 100).quantize(Decimal("0.01"))
