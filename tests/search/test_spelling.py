"""The spelling helpers both backends use for « Vouliez-vous dire … »."""
import random

import pytest

from intranet.search.spelling import closest, edit_distance, fold, is_query_word, suggest


def _reference(a: str, b: str) -> int:
    """Damerau-Levenshtein (optimal string alignment), the textbook table."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1,
                          d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


def test_edit_distance_agrees_with_the_textbook_table_up_to_its_limit():
    rng = random.Random(5)
    for _ in range(2000):
        a = "".join(rng.choices("abcde", k=rng.randint(0, 8)))
        b = "".join(rng.choices("abcde", k=rng.randint(0, 8)))
        expected = _reference(a, b)
        for limit in (1, 2, 3):
            assert edit_distance(a, b, limit) == min(expected, limit + 1), (a, b, limit)


@pytest.mark.parametrize("typed, expected", [
    ("budjet", ["budget", "budgets"]),       # a letter replaced; the most frequent first
    ("voiirie", ["voirie", "voire"]),        # a letter doubled: one edit, then two
    ("eglies", ["eglise"]),                  # two letters swapped
    ("assainisseent", ["assainissement"]),
    ("cimetiere", []),                       # known: nothing else is that close
    ("zudget", []),                          # the first letter is not guessed
    ("voie", ["voire"]),                     # four letters: one edit only
])
def test_closest_words_first_then_the_most_frequent(typed, expected):
    vocabulary = [("budget", 900), ("budgets", 30), ("voirie", 40), ("voire", 300),
                  ("cimetiere", 50), ("eglise", 70), ("assainissement", 20)]
    assert closest(typed, vocabulary) == expected


def test_fold_removes_case_and_accents_like_the_indexes():
    assert fold("Délibération") == "deliberation"
    assert fold("ŒUVRE") == "oeuvre" and fold("Noël") == "noel"


def test_suggest_replaces_only_the_words_nobody_readable_holds():
    readable = {"budget": "doc-1", "annexe": "doc-2", "délibération": "doc-3"}
    folded = {fold(word): key for word, key in readable.items()}
    text = "budjet annexe deliberasion"
    words = [(0, 6, "budjet"), (7, 13, "annexe"), (14, 26, "deliberasion")]
    found = suggest(text, words, folded.get,
                    lambda word: closest(word, [(known, 1) for known in folded]),
                    lambda word, key: next(w for w, k in readable.items() if k == key))
    assert found == "budget annexe délibération"
    assert suggest("annexe", [(0, 6, "annexe")], folded.get, lambda word: [], None) is None
    assert is_query_word("titre:budjet", 6, 12) and not is_query_word("titre:budjet", 0, 5)
    assert not is_query_word("budget OU voirie", 7, 9)
