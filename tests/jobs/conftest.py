"""The search backends, for the tests that check offers leave the index."""
from ..search.conftest import search_backend  # noqa: F401
