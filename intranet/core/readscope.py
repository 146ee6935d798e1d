"""Who may see a row of content: the one description that every reader of content translates —
``access.visible_content`` into SQL, the PostgreSQL search backend into its statement, the
Whoosh backend into sets of documents — so the rule is written once (``admits``) and its
translations are tested against it (tests/test_visibility_rule.py).

A row has a space, a narrowing of that space's visibility (``""``/``"space"``: as its space;
``"public"``; ``"network"``; ``"members"``) and, for a few search documents that live outside
spaces (private messages), a list of readers. A person with this scope may see it when:

- it has readers: they are one of them (nobody else, whatever its space);
- otherwise its space is one of their ``member_space_ids`` (a space's members see all of its
  content, whatever its narrowing), or one of their ``visible_space_ids`` and its narrowing is
  one of ``narrowings`` (as its space and public for everybody; network too once signed in).

The scope is computed once per request from the database (``access.read_scope``)."""
from __future__ import annotations

from dataclasses import dataclass, field

AS_SPACE = ("", "space")


@dataclass(frozen=True)
class ReadScope:
    signed_in: bool
    user_id: int | None
    visible_space_ids: frozenset[int] = field(default_factory=frozenset)
    member_space_ids: frozenset[int] = field(default_factory=frozenset)

    def __post_init__(self):
        for name in ("visible_space_ids", "member_space_ids"):
            object.__setattr__(self, name, frozenset(getattr(self, name)))

    @property
    def narrowings(self) -> tuple[str, ...]:
        """The narrowings passed in a space one may see without being a member of it."""
        return (*AS_SPACE, "public", "network") if self.signed_in else (*AS_SPACE, "public")

    @property
    def other_space_ids(self) -> frozenset[int]:
        """The spaces one may see without being a member."""
        return self.visible_space_ids - self.member_space_ids

    def admits(self, space_id: int | None, narrow: str | None, readers=()) -> bool:
        if readers:
            return self.user_id is not None and self.user_id in readers
        if space_id in self.member_space_ids:
            return True
        return space_id in self.visible_space_ids and (narrow or "") in self.narrowings
