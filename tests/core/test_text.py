"""Names in French order: one key (``core.text.collation_key``) for Python sorts and for the
stored ``name_key`` columns that SQL orders by."""
import random

import pytest

from intranet.core.text import collation_key, french_sorted

FRENCH_ORDER = ["Agen", "Boé", "Boussès", "Dévillac", "Duras", "Écouen", "Eysines",
                "L'Isle-Jourdain", "Lisle", "Œuilly", "Oloron-Sainte-Marie", "Saint-Front",
                "Saint-Sardos", "Sainte-Livrade-sur-Lot", "Ste-Bazeille", "Villeneuve"]


def test_names_sort_in_french_order_whatever_they_came_in():
    shuffled = FRENCH_ORDER[:]
    random.Random(47).shuffle(shuffled)
    assert french_sorted(shuffled) == FRENCH_ORDER


@pytest.mark.parametrize("name, key", [
    ("Mairie de Boé", "mairie de boe"),
    ("DÉVILLAC", "devillac"),
    ("Œuilly", "oeuilly"),
    ("Lætitia", "laetitia"),
    ("Penne-d'Agenais", "penne d agenais"),
    ("Penne d’Agenais", "penne d agenais"),   # typographic apostrophe
    ("  Saint-Front  ", "saint front"),
    ("St-Front", "st front"),                 # « St » is not read as « Saint »
    ("", ""),
    (None, ""),
])
def test_the_key_ignores_accents_case_ligatures_and_punctuation(name, key):
    assert collation_key(name) == key


def test_ties_keep_a_stable_order_and_objects_sort_by_a_chosen_name():
    rows = [{"name": "boé"}, {"name": "Boé"}, {"name": "Boe"}]
    assert [r["name"] for r in french_sorted(rows, key=lambda r: r["name"])] == \
        ["Boe", "Boé", "boé"]
