"""A tree (folders, an org chart's units) as the plain outline its forms offer: each node's id,
depth and name in tree order, parents before their children, siblings in the order given.

An outline is plain data, so that a process may keep it across requests
(``generations.kept``); the « move to » choices are drawn from it without reading a row.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

Node = TypeVar("Node")
Outline = tuple[tuple[int, int, str], ...]     # (id, depth, name), in tree order


def tree_order(nodes: Iterable[Node], id_of: Callable[[Node], int],
               parent_of: Callable[[Node], int | None]) -> list[tuple[Node, int]]:
    """``nodes`` in tree order with their depth, from the roots (no parent) down, siblings in
    the order given. A node whose parent is not among them is left out, and so is everything
    under it (a folder in a binned folder), as is a node caught in a cycle."""
    children: dict[int | None, list[Node]] = {}
    for node in nodes:
        children.setdefault(parent_of(node), []).append(node)
    ordered: list[tuple[Node, int]] = []
    stack = [(node, 0) for node in reversed(children.get(None, []))]
    while stack:
        node, depth = stack.pop()
        ordered.append((node, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(id_of(node), [])))
    return ordered


def choices(outline: Outline, label: Callable[[int, str], str],
            exclude: int | None = None) -> dict[str, str]:
    """Select choices (``{str(id): label(depth, name)}``) in tree order, without ``exclude``
    and everything under it (where a node may not be moved)."""
    found: dict[str, str] = {}
    banned_below = None      # the depth of ``exclude`` while what is under it follows
    for node_id, depth, name in outline:
        if banned_below is not None and depth > banned_below:
            continue
        banned_below = depth if node_id == exclude else None
        if banned_below is None:
            found[str(node_id)] = label(depth, name)
    return found
