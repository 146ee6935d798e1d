"""What the index holds for one object, and the registry of searchable models."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

TYPE_LABELS: dict[str, str] = {}
_REGISTRY: dict[str, type] = {}


@dataclass
class SearchDocument:
    """One searchable object.

    Who may see it is either its space (``space_id``, with the content's own narrowing
    ``narrow``: "" for as the space, or public/network/members) — checked at query time
    against the person's live spaces — or an explicit list of ``readers`` (user ids), for
    content that lives outside spaces (private messages).

    ``container`` and ``author_id`` only serve the search's filters (« dans ce forum »,
    « de cet auteur »); they never widen who may see the document.
    """
    key: str                      # "type:id"
    type: str
    title: str
    body: str
    url: str
    date: datetime
    space_id: int | None = None
    narrow: str = ""
    organisation_id: int | None = None
    organisation_name: str = ""
    readers: list[int] = field(default_factory=list)
    container: str = ""           # the forum or list it is part of: "forum:12", "list:3"
    author_id: int | None = None  # the account that wrote it, if any


def searchable(type_key: str, label: str, *, unread: tuple[str, ...] = ()):
    """Class decorator: the model's rows are indexed under ``type_key`` (facet ``label``).
    ``unread``: attributes its document does not show, whose change alone leaves the document
    as it is (a person's last sign-in: signing in would otherwise index them again)."""
    def register(cls):
        _REGISTRY[type_key] = cls
        TYPE_LABELS[type_key] = label
        cls.__search_type__ = type_key
        cls.__search_unread__ = frozenset(unread)
        return cls
    return register


def registered() -> dict[str, type]:
    return dict(_REGISTRY)


def key_of(obj) -> str | None:
    type_key = getattr(type(obj), "__search_type__", None)
    if type_key is None or getattr(obj, "id", None) is None:
        return None
    return f"{type_key}:{obj.id}"
