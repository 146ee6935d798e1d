"""« Vouliez-vous dire … » for the Whoosh backend.

The index's ``spell`` field holds each document's words as written (lower case, accents
folded, not stemmed). A misspelt word is compared with the words of the same first letter and
of a close length only (a typing error rarely hits the first letter), with an edit distance
that gives up past two edits: a few hundred comparisons, not the whole vocabulary (Whoosh's
own ``correct_query`` compares with every word of the index, about two seconds at 100,000
documents).
"""
from __future__ import annotations

from collections import defaultdict

from whoosh.support.levenshtein import damerau_levenshtein

MAX_EDITS = 2


class Vocabulary:
    """The words of some segments, with the number of documents holding each, by first
    letter."""

    def __init__(self, readers):
        counts: dict[str, int] = {}
        for reader in readers:
            if "spell" not in reader.schema:
                continue
            for text, info in reader.iter_field("spell"):
                word = text.decode("utf-8")
                counts[word] = counts.get(word, 0) + info.doc_frequency()
        self.by_letter: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
        for word, count in counts.items():
            self.by_letter[word[0]].append((word, count, _letters(word)))

    def candidates(self, word: str, limit: int = 5) -> list[str]:
        """The closest words, best first: fewest edits, then most documents. Short words
        (four letters or fewer) allow one edit only."""
        edits = 1 if len(word) <= 4 else MAX_EDITS
        letters = _letters(word)
        scored = []
        for other, count, other_letters in self.by_letter.get(word[:1], ()):
            # each letter of one word missing from the other costs an edit at least: a
            # bound that rules most words out without computing their distance
            if (other == word or abs(len(other) - len(word)) > edits
                    or (letters & ~other_letters).bit_count() > edits
                    or (other_letters & ~letters).bit_count() > edits):
                continue
            distance = damerau_levenshtein(word, other, edits)
            if distance <= edits:
                scored.append((distance, -count, other))
        return [other for *_, other in sorted(scored)[:limit]]


def _letters(word: str) -> int:
    """The letters of a word as a set of bits (two letters may share a bit: the bound above
    only gets weaker, never wrong)."""
    bits = 0
    for char in word:
        bits |= 1 << (ord(char) & 63)
    return bits
