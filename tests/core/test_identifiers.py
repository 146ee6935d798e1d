"""SIREN and SIRET: length and check key, as INSEE computes them."""
import pytest

from intranet.core import identifiers


@pytest.mark.parametrize("siren", [
    "214700015",    # the commune of Agen
    "356000000",    # La Poste
    "732829320",
])
def test_valid_sirens(siren):
    assert identifiers.siren_problem(siren) is None


@pytest.mark.parametrize("siren, says", [
    ("214700016", "clé de contrôle"),     # one digit off
    ("214700051", "clé de contrôle"),     # two digits swapped
    ("21470001", "9 chiffres ; celui-ci en a 8"),
    ("2147000150", "en a 10"),
    ("21470001A", "que des chiffres"),
    ("", "que des chiffres"),
])
def test_invalid_sirens(siren, says):
    assert says in identifiers.siren_problem(siren)


@pytest.mark.parametrize("siret", [
    "21470001500016",   # Agen's SIREN and a NIC with a right key
    "73282932000074",
    "35600000049837",   # La Poste: Luhn fails, the digit sum is a multiple of 5
])
def test_valid_sirets(siret):
    assert identifiers.siret_problem(siret) is None


@pytest.mark.parametrize("siret, siren, says", [
    ("21470001500014", None, "clé de contrôle"),
    ("35600000049838", None, "clé de contrôle"),      # La Poste's own rule, broken
    ("35600000000048", None, "clé de contrôle"),      # Luhn holds, La Poste's rule does not
    ("2147000150001", None, "14 chiffres"),
    ("2147000150001X", None, "que des chiffres"),
    ("73282932000074", "214700015", "commencer par le SIREN de l'organisation (214700015)"),
])
def test_invalid_sirets(siret, siren, says):
    assert says in identifiers.siret_problem(siret, siren)


def test_what_people_type_is_compacted():
    assert identifiers.compact(" 214 700 015 ") == "214700015"
    assert identifiers.compact("214.700.015-00016") == "21470001500016"
