
import pytest

from intranet.extensions import db
from intranet.search import services

BACKENDS = ["whoosh", "postgres"]


@pytest.fixture(params=BACKENDS)
def search_backend(request, app, data_app):
    """Each search test runs on Whoosh, and on PostgreSQL full-text search when the suite runs
    on PostgreSQL; the index starts empty."""
    name = request.param
    if name == "postgres" and db.engine.dialect.name != "postgresql":
        pytest.skip("le moteur PostgreSQL se teste quand TEST_DATABASE_URL est une base PostgreSQL")
    for flask_app in (app, data_app):
        flask_app.config["SEARCH_BACKEND"] = name
        services.forget_backend(flask_app)
    services.backend().clear()
    yield name
    for flask_app in (app, data_app):
        flask_app.config["SEARCH_BACKEND"] = "whoosh"
        services.forget_backend(flask_app)
