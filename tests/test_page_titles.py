"""Every page title is unique and says where one is (« Documents — Agmé — Territoires »): in a
browser's tabs, its history and a screen reader's first words, two pages must not read alike.

The demo is walked as an anonymous visitor and as each demo account (tests/demo_crawl.py);
two different addresses (the query string aside: a second page of results is the same page)
must not share a title, and a page of a space or of an organisation names it.
"""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from intranet.accounts.models import Organisation
from intranet.extensions import db
from intranet.spaces.models import Space

from .demo_crawl import ACCOUNTS, crawl, load_demo

TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def _title(page: str) -> str:
    found = TITLE.search(page)
    return html.unescape(" ".join(found.group(1).split())) if found else ""


def test_every_page_of_the_demo_has_its_own_title_saying_where_it_is(app, runner):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("les titres ne dépendent pas de la base : vérifiés une fois, sur SQLite")
    load_demo(runner)
    with app.app_context():
        spaces = dict(db.session.execute(select(Space.slug, Space.name)).all())
        organisations = dict(db.session.execute(select(Organisation.slug, Organisation.name)).all())
    site = app.config["SITE_NAME"]
    titles: dict[str, set[str]] = {}      # title → the addresses that carry it
    unplaced = []
    for who in ACCOUNTS:
        for visit in crawl(app, who, per_endpoint=4, limit=250):
            if visit.status != 200:
                continue
            path = visit.url.split("?")[0]
            title = _title(visit.html)
            titles.setdefault(title, set()).add(path)
            parts = path.strip("/").split("/")
            place = (spaces.get(parts[1]) if parts[0] == "espaces" and len(parts) > 1 else
                     organisations.get(parts[1]) if parts[0] == "organisations" and len(parts) > 1
                     else None)
            if place and place not in title:
                unplaced.append(f"{path}: « {title} » ne nomme pas « {place} »")
    assert len(titles) > 150, f"the walk met only {len(titles)} titles"
    bare = [title for title in titles if not title.endswith(f" — {site}") or title == site]
    assert not bare, f"titres sans le nom du site ou sans rien devant : {bare[:10]}"
    shared = [f"« {title} » : {', '.join(sorted(paths)[:4])}"
              for title, paths in sorted(titles.items()) if len(paths) > 1]
    assert not shared, f"{len(shared)} titres partagés :\n" + "\n".join(shared[:40])
    assert not unplaced, "\n".join(sorted(set(unplaced))[:40])
