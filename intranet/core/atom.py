"""Atom 1.0 feeds (RFC 4287), built with the standard library's XML writer.

ElementTree writes whatever text it is given, characters XML 1.0 forbids included (a control
character pasted into a title): every text goes through ``strip_forbidden`` first, so that one
title cannot make the whole feed unreadable."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

from flask import Response, request

from .inputs import strip_forbidden

ATOM = "http://www.w3.org/2005/Atom"


@dataclass
class Entry:
    id: str             # a stable tag: or https URI
    title: str
    link: str           # absolute URL of the page
    updated: datetime   # naive UTC
    summary: str = ""
    author: str = ""


def _iso(value: datetime) -> str:
    return value.replace(tzinfo=UTC).isoformat().replace("+00:00", "Z")


def feed(*, feed_id: str, title: str, self_url: str, page_url: str,
         entries: list[Entry]) -> Response:
    """The feed as a response. A private feed (a per-person token address) is marked
    ``Cache-Control: private, no-store`` so no shared cache keeps it."""
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(root, f"{{{ATOM}}}id").text = strip_forbidden(feed_id)
    ET.SubElement(root, f"{{{ATOM}}}title").text = strip_forbidden(title)
    ET.SubElement(root, f"{{{ATOM}}}link", href=strip_forbidden(self_url), rel="self")
    ET.SubElement(root, f"{{{ATOM}}}link", href=strip_forbidden(page_url), rel="alternate")
    updated = max((e.updated for e in entries), default=datetime(2000, 1, 1))
    ET.SubElement(root, f"{{{ATOM}}}updated").text = _iso(updated)
    author = ET.SubElement(root, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = strip_forbidden(title)
    for entry in entries:
        node = ET.SubElement(root, f"{{{ATOM}}}entry")
        ET.SubElement(node, f"{{{ATOM}}}id").text = strip_forbidden(entry.id)
        ET.SubElement(node, f"{{{ATOM}}}title").text = strip_forbidden(entry.title)
        ET.SubElement(node, f"{{{ATOM}}}link", href=strip_forbidden(entry.link), rel="alternate")
        ET.SubElement(node, f"{{{ATOM}}}updated").text = _iso(entry.updated)
        if entry.author:
            who = ET.SubElement(node, f"{{{ATOM}}}author")
            ET.SubElement(who, f"{{{ATOM}}}name").text = strip_forbidden(entry.author)
        if entry.summary:
            ET.SubElement(node, f"{{{ATOM}}}summary", type="text").text = \
                strip_forbidden(entry.summary)
    body = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    response = Response(body, mimetype="application/atom+xml")
    if request.view_args and "token" in request.view_args:
        response.headers["Cache-Control"] = "private, no-store"
    return response


# Private feeds (per-person token addresses) offered on the profile page: (label, endpoint).
# Each domain adds its own when its views module is imported; the endpoint takes ``token``.
PRIVATE_FEEDS: list[tuple[str, str]] = []


def register_private_feed(label: str, endpoint: str) -> None:
    if (label, endpoint) not in PRIVATE_FEEDS:
        PRIVATE_FEEDS.append((label, endpoint))
