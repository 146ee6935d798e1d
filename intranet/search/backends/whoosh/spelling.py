"""The Whoosh backend's spelling vocabulary (« Vouliez-vous dire … », see
``intranet/search/spelling.py``).

The index's ``spell`` field holds each document's words as written (lower case, accents
folded, not stemmed); its lexicon, with the number of documents of each word, is read once per
process and grouped by first letter. Whoosh's own ``correct_query`` compares a word with every
word of the index in Python: about two seconds a query at 100,000 documents.
"""
from __future__ import annotations

from collections import defaultdict

from ...spelling import closest, letters


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
            self.by_letter[word[0]].append((word, count, letters(word)))

    def candidates(self, word: str) -> list[str]:
        return closest(word, self.by_letter.get(word[:1], ()))
