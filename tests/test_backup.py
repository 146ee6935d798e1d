"""Backups that restore: the demo (content of every kind, files included) is saved, the
database dropped and the files deleted, and the archive restored — every row, every file byte
for byte, the pages and the search are back. A damaged archive, or a restore over existing
data, is refused in French and changes nothing."""
from __future__ import annotations

import hashlib
import shutil
import uuid
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, select, text

from intranet import create_app
from intranet.extensions import db

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def own_database(test_config, tmp_path):
    """(application, drop): an application on a database of its own — a SQLite file, or a
    PostgreSQL schema next to the test run's — with its own upload and index folders."""
    url = test_config["SQLALCHEMY_DATABASE_URI"]
    admin = None
    if url.startswith("sqlite"):
        own = f"sqlite:///{tmp_path / 'sauvegarde.sqlite'}"
    else:
        schema = f"b_{uuid.uuid4().hex[:12]}"
        base = url.partition("?")[0]
        admin = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1),
                              isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        own = f"{base}?options=-csearch_path%3D{schema}"
    app = create_app(dict(test_config, SQLALCHEMY_DATABASE_URI=own,
                          UPLOAD_DIR=str(tmp_path / "fichiers"),
                          SEARCH_INDEX_DIR=str(tmp_path / "index")))

    def drop():
        """The database and the files gone, as after a disk lost."""
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if admin is None:
            Path(own.removeprefix("sqlite:///")).unlink()
        else:
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        shutil.rmtree(tmp_path / "fichiers")
    yield app, drop
    from intranet.search import services as search
    search.forget_backend(app)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if admin is not None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def _rows() -> dict[str, list]:
    """Every row of every table, in a comparable form."""
    return {table.name: sorted(repr(tuple(row)) for row in db.session.execute(select(table)))
            for table in db.metadata.sorted_tables}


def _files(app) -> dict[str, str]:
    folder = Path(app.config["UPLOAD_DIR"])
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*") if p.is_file()}


def test_a_backup_restores_every_row_and_file_and_refuses_damage(own_database, tmp_path):
    app, drop = own_database

    class Runner:
        """The ``flask`` commands, in this application's context (the suite's own is
        another's)."""
        @staticmethod
        def invoke(args):
            with app.app_context():
                return app.test_cli_runner().invoke(args=args)
    runner = Runner()
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
    assert runner.invoke(args=["seed-demo", "--quiet"]).exit_code == 0
    with app.app_context():
        from intranet.accounts.models import User
        from intranet.documents import services as documents
        from intranet.spaces.models import Space, SpaceKind
        author = db.session.scalar(select(User).where(User.email == "mairie@agen.fr"))
        space = db.session.scalar(select(Space).where(Space.kind == SpaceKind.ORGANISATION))
        for n in range(3):
            documents.upload(space, None, (b"%PDF-1.4\n%" + bytes(range(256)) * (n + 1),
                                           f"compte-rendu-{n}.pdf"), by=author)
        from intranet.search import services as search
        search.reindex()      # as the restore does: the files' text extracted, the queue empty
        rows, files = _rows(), _files(app)
    assert files and rows["conversation_message"] and rows["forum_post"] and rows["deliberation"]
    made = runner.invoke(args=["backup", "create", "--dossier", str(tmp_path / "sauvegardes")])
    assert made.exit_code == 0, made.output
    [archive] = (tmp_path / "sauvegardes").glob("territoires-*.tar.gz")

    over = runner.invoke(args=["backup", "restore", str(archive)])
    assert over.exit_code != 0 and "n'est pas vide" in over.output    # nothing overwritten

    damaged = tmp_path / "abimee.tar.gz"
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    drop()
    refused = runner.invoke(args=["backup", "restore", str(damaged)])
    assert refused.exit_code != 0 and "n'a pas été restaurée" in refused.output
    with app.app_context():
        from intranet import backup
        assert backup._database_is_empty()

    restored = runner.invoke(args=["backup", "restore", str(archive)])
    assert restored.exit_code == 0, restored.output
    with app.app_context():
        assert _rows() == rows
        assert _files(app) == files
        from flask_login import AnonymousUserMixin

        from intranet.search import services as search
        from intranet.search.backends import SearchRequest
        found = search.query(AnonymousUserMixin(), SearchRequest(text="conseil"))
        assert found.total > 0
    client = app.test_client()
    assert "Agen" in client.get("/organisations").get_data(as_text=True)
    assert client.get("/connexion").status_code == 200


def test_an_archive_damaged_anywhere_is_refused_in_french(tmp_path):
    """Wherever the damaged byte falls (in a header, or inside a member's compressed data,
    where gzip's own error is not a tarfile one), the restore says so in French."""
    import io
    import random
    import tarfile

    from intranet import backup
    pick = random.Random(47)
    words = ["conseil", "commune", "voirie", "budget", "séance", "délibération", "école"]
    packed = io.BytesIO()
    with tarfile.open(fileobj=packed, mode="w:gz") as tar:
        for n in range(3):
            body = " ".join(pick.choice(words) for _ in range(8_000)).encode()
            info = tarfile.TarInfo(f"files/compte-rendu-{n}.txt")
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
    whole = packed.getvalue()
    refusals = set()
    for position in range(20, len(whole) - 10, len(whole) // 150):
        data = bytearray(whole)
        data[position] ^= 0xFF
        archive = tmp_path / f"abimee-{position}.tar.gz"
        archive.write_bytes(bytes(data))
        with pytest.raises(backup.BackupError) as refused:
            backup.verify(archive, tmp_path / f"lue-{position}")
        refusals.add(str(refused.value).split(" (")[0])
    assert "L'archive est illisible ou incomplète" in refusals
