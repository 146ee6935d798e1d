"""« Vouliez-vous dire … »: what both backends share.

A backend keeps a vocabulary of the words of its documents as written (lower case, accents
folded, not stemmed) with how many documents hold each. For a word of a query that finds
nothing the person may read, ``closest`` ranks the words of the vocabulary that share its
first letter (a typing error rarely hits the first letter): at most two edits (one for words of
four letters or fewer), fewest edits first, then most documents. The backend then keeps the
first candidate that a document the person may read holds, spelt as that document spells it:
a word that only private content holds is never suggested.
"""
from __future__ import annotations

import unicodedata

MAX_EDITS = 2
OPERATORS = frozenset({"OU", "OR", "ET", "AND", "SAUF", "NOT"})
FIELD_NAMES = frozenset({"titre", "texte", "contenu", "title", "body"})   # before a « : »


def suggest(text: str, words, holder, candidates, spelt) -> str | None:
    """``text`` with each word that no document the person may read holds replaced by its
    first candidate that one does hold, spelt as that document spells it; ``None`` when no word
    changes. ``words``: ``(start, end, word)`` for the words of ``text`` to check (folded, as the
    backend's vocabulary holds them); ``holder(word)``: a document the person may read holding
    it, or ``None``; ``candidates(word)``: closest words first; ``spelt(word, holder)``."""
    suggestion = text
    for start, end, word in reversed(words):    # from the end: earlier offsets stay right
        if holder(word) is not None:
            continue
        for candidate in candidates(word):
            found = holder(candidate)
            if found is not None:
                suggestion = suggestion[:start] + spelt(candidate, found) + suggestion[end:]
                break
    return suggestion if suggestion != text else None


def is_query_word(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` is a word to check, not an operator (``OU``, ``SAUF``…) or
    a field name (``titre:``; « plan: » is the word « plan »)."""
    word = text[start:end]
    return word not in OPERATORS and not (word in FIELD_NAMES and text[end:end + 1] == ":")


def fold(word: str) -> str:
    """Lower case, accents removed (« Délibération » → « deliberation »)."""
    word = word.lower().replace("œ", "oe").replace("æ", "ae")
    return "".join(char for char in unicodedata.normalize("NFKD", word)
                   if not unicodedata.combining(char))


def allowed_edits(word: str) -> int:
    return 1 if len(word) <= 4 else MAX_EDITS


def closest(word: str, vocabulary, limit: int = 5) -> list[str]:
    """The words of ``vocabulary`` — ``(word, documents)`` pairs, or ``(word, documents,
    letters)`` with ``letters(word)`` computed beforehand — nearest to ``word``, best first;
    only words of the same first letter."""
    edits = allowed_edits(word)
    mine = letters(word)
    scored = []
    for entry in vocabulary:
        other, count = entry[0], entry[1]
        theirs = entry[2] if len(entry) > 2 else letters(other)
        # each letter of one word missing from the other costs an edit at least: a bound that
        # rules most words out without computing their distance
        if (other == word or other[:1] != word[:1] or abs(len(other) - len(word)) > edits
                or (mine & ~theirs).bit_count() > edits or (theirs & ~mine).bit_count() > edits):
            continue
        distance = edit_distance(word, other, edits)
        if distance <= edits:
            scored.append((distance, -count, other))
    return [other for *_, other in sorted(scored)[:limit]]


def letters(word: str) -> int:
    """The letters of a word as a set of bits (two letters may share a bit: the bound above only
    gets weaker, never wrong)."""
    bits = 0
    for char in word:
        bits |= 1 << (ord(char) & 63)
    return bits


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (insertions, deletions, substitutions, transpositions of
    two neighbours), or ``limit + 1`` as soon as it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before, previous = None, list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, other in enumerate(b, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1,
                             previous[j - 1] + (char != other))
            if (before is not None and j > 1 and char == b[j - 2] and a[i - 2] == other
                    and char != other):
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return min(previous[-1], limit + 1)
