"""Tests of the administration domain: organisation admins and the platform admin."""
# Pages are read with ``tests.helpers.text`` (entities decoded), re-exported for these tests.
from ..helpers import text as page_text  # noqa: F401
