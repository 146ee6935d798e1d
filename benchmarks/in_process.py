"""What the in-process benchmarks share (``agenda_feed``, ``subsidies``): a fresh database —
a uniquely named PostgreSQL database, dropped at the end unless ``--keep``, or a SQLite file —
migrated, with the application on it (a Whoosh index in a temporary folder). Signing in is
``profile_pages.sign_in``."""
from __future__ import annotations

import argparse
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from benchmarks.signed_in import create_database, drop_database

ROOT = Path(__file__).resolve().parent.parent


def add_database_arguments(parser: argparse.ArgumentParser, name: str) -> None:
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default=f"{name}_{os.getpid()}",
                        help="a PostgreSQL database name, or « sqlite »")
    parser.add_argument("--keep", action="store_true",
                        help="keep the PostgreSQL database at the end")


@contextmanager
def fresh_application(args, prefix: str):
    """(app, work folder, database URL): the application on a new, migrated database."""
    work = Path(tempfile.mkdtemp(prefix=f"{prefix}-"))
    url = f"sqlite:///{work / 'bench.sqlite'}" if args.database == "sqlite" else \
        create_database(args.server, args.database)
    os.environ["DATABASE_URL"] = url
    from flask_migrate import upgrade

    from intranet import create_app
    app = create_app()
    app.config.update(SEARCH_BACKEND="whoosh", SEARCH_INDEX_DIR=str(work / "index"))
    try:
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
        yield app, work, url
    finally:
        if args.database != "sqlite" and not args.keep:
            from intranet.extensions import db
            with app.app_context():
                db.engine.dispose()
            drop_database(args.server, args.database)
