import pytest

from intranet.forums.tracking import BUFFER


@pytest.fixture(autouse=True)
def empty_view_buffer():
    """What other tests' pages showed must not reach this test's database."""
    BUFFER.clear()
    yield
    BUFFER.clear()
