"""`flask db upgrade` from an empty database gives exactly the models; downgrade to base works."""
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text

from intranet import create_app
from intranet.extensions import db


@pytest.fixture
def empty_app(test_config, tmp_path):
    url = test_config["SQLALCHEMY_DATABASE_URI"]
    cleanup = None
    if url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'migrations.sqlite'}"
    else:  # a schema of its own, next to the test run's
        schema = "m_" + tmp_path.name[-20:].replace("-", "_").lower()
        base, _, _ = url.partition("?")
        admin = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1),
                              isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        url = f"{base}?options=-csearch_path%3D{schema}"

        def cleanup():
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    app = create_app(dict(test_config, SQLALCHEMY_DATABASE_URI=url))
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    if cleanup:
        cleanup()


def test_upgrade_from_empty_matches_the_models_and_downgrade_empties(empty_app):
    upgrade()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                db.metadata)
    assert diff == [], f"models and migrations differ: {diff}"
    # every generation has its row from the start: without one, nothing is kept (a database
    # upgraded would keep nothing until the first change of what each one watches)
    from intranet.core import generations
    with db.engine.connect() as conn:
        rows = set(conn.scalars(text("SELECT name FROM generation")))
    assert rows == set(generations.names())
    downgrade(revision="base")
    tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert tables == set()


def test_name_keys_are_filled_for_rows_written_before_them(empty_app):
    upgrade(revision="d5c1cbcd9ace")
    with db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO organisation (slug, name, kind, description, is_active, created_at) "
            "VALUES ('boe', 'Mairie de Boé', 'commune', '', true, CURRENT_TIMESTAMP)"))
        conn.execute(text(
            "INSERT INTO user_account (email, first_name, last_name, function, phone, active, "
            "is_platform_admin, token_generation, created_at) VALUES "
            "('e@x.fr', 'Élodie', 'Dévillac-Œuf', '', '', true, false, 0, CURRENT_TIMESTAMP), "
            "('sans.nom@x.fr', '', '', '', '', true, false, 0, CURRENT_TIMESTAMP)"))
    upgrade()
    with db.engine.connect() as conn:
        assert conn.scalar(text("SELECT name_key FROM organisation")) == "mairie de boe"
        assert conn.execute(text("SELECT name_key FROM user_account ORDER BY id")).scalars() \
            .all() == ["devillac oeuf elodie", "sans nom x fr"]
    downgrade(revision="base")
