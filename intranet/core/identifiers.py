"""French public identifiers: SIREN (an organisation, 9 digits) and SIRET (one of its
establishments, 14 digits: the SIREN followed by a 5-digit NIC).

Both end with a Luhn check digit, as INSEE computes it. One exception, which INSEE makes too:
La Poste (SIREN 356 000 000) numbers more establishments than its NICs' keys allow, so a SIRET of
La Poste is valid when the sum of its digits is a multiple of 5.
"""
from __future__ import annotations

import re

LA_POSTE = "356000000"


def compact(value: str | None) -> str:
    """What a person typed, without the spaces, dots and dashes people put in numbers."""
    return re.sub(r"[\s.\-]", "", value or "")


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        digit = int(char) * (2 if index % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


def siren_problem(value: str) -> str | None:
    """None for a valid SIREN, else what is wrong with it, in French."""
    if not re.fullmatch(r"\d+", value or ""):
        return "Un SIREN ne contient que des chiffres (9)."
    if len(value) != 9:
        return f"Un SIREN compte 9 chiffres ; celui-ci en a {len(value)}."
    if value != LA_POSTE and not luhn_ok(value):
        return ("Ce SIREN n'existe pas : sa clé de contrôle (le dernier chiffre) est fausse. "
                "Vérifiez-le sur annuaire-entreprises.data.gouv.fr.")
    return None


def siret_problem(value: str, siren: str | None = None) -> str | None:
    """None for a valid SIRET (of ``siren``, when given), else what is wrong, in French."""
    if not re.fullmatch(r"\d+", value or ""):
        return "Un SIRET ne contient que des chiffres (14)."
    if len(value) != 14:
        return (f"Un SIRET compte 14 chiffres (le SIREN, 9 chiffres, puis le NIC de "
                f"l'établissement, 5 chiffres) ; celui-ci en a {len(value)}.")
    valid = (sum(int(c) for c in value) % 5 == 0 if value.startswith(LA_POSTE)
             else luhn_ok(value))
    if not valid:
        return ("Ce SIRET n'existe pas : sa clé de contrôle est fausse. Vérifiez-le sur "
                "annuaire-entreprises.data.gouv.fr.")
    if siren and not value.startswith(siren):
        return f"Le SIRET doit commencer par le SIREN de l'organisation ({siren})."
    return None


def siren_is_valid(value: str) -> bool:
    return siren_problem(value) is None


def siret_is_valid(value: str) -> bool:
    return siret_problem(value) is None
