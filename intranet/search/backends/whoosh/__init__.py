"""The Whoosh backend (the default): the only package that imports Whoosh.

- ``schema``: the French analyser, the fields, the query parser;
- ``segments``: sets of documents per segment, postings, phrases, BM25;
- ``backend``: ``WhooshBackend``, the index's writer and the per-process searcher.
"""
from .backend import WhooshBackend
from .schema import STOP_WORDS, french_analyzer, schema

__all__ = ["STOP_WORDS", "WhooshBackend", "french_analyzer", "schema"]
