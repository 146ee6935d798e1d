"""Tests of the spaces domain: group spaces, their members and their membership rules."""
# Pages are read with ``tests.helpers.text`` (entities decoded), re-exported for these tests.
from ..helpers import text as page_text  # noqa: F401
