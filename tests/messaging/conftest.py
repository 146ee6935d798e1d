import pytest

from intranet.extensions import db
from intranet.search import services as search


@pytest.fixture(params=["whoosh", "postgres"])
def search_backend(request, app, data_app):
    """Search tests run on Whoosh, and on PostgreSQL full-text search when the suite runs on
    PostgreSQL; the index starts empty (it outlives the tables emptied between tests)."""
    name = request.param
    if name == "postgres" and db.engine.dialect.name != "postgresql":
        pytest.skip("le moteur PostgreSQL se teste quand TEST_DATABASE_URL est une base PostgreSQL")
    for flask_app in (app, data_app):
        flask_app.config["SEARCH_BACKEND"] = name
        search.forget_backend(flask_app)
    search.backend().clear()
    yield name
    search.backend().clear()
    for flask_app in (app, data_app):
        flask_app.config["SEARCH_BACKEND"] = "whoosh"
        search.forget_backend(flask_app)
