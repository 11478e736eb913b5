"""Nested-set containment for django-mptt trees (sites, teams): the one place outside the
importer and ``check_tree`` that spells ``tree_id``/``lft``/``rght``.

A *node* is a row of a tree model (anything with ``tree_id``, ``lft`` and ``rght``), or
``outer(path)``: the outer query's node at ``path``, inside a sub-select. A *path* is the
lookup from the rows being filtered to their node: ``""`` for the tree model itself,
``"site"``, ``"home_site"``, ``"content_object"``, ``"account__volunteer__home_site"``
(a trailing ``"__"`` is allowed).

"Under" a node means in its subtree; "over" means among its ancestors. Both include the
node itself unless ``strict``. A node lies under another exactly when its ``lft`` falls
within the other's bounds, so "under" is one range on the ``(tree_id, lft)`` index.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from django.db.models import Exists, OuterRef, Q, QuerySet


class Node(Protocol):
    """A tree row, or ``Outer``: anything that reads ``tree_id``, ``lft`` and ``rght``."""

    @property
    def tree_id(self) -> Any: ...

    @property
    def lft(self) -> Any: ...

    @property
    def rght(self) -> Any: ...


@dataclass(frozen=True)
class Outer:
    """The outer query's node at ``path`` (see ``outer``)."""

    path: str = ""

    @property
    def tree_id(self) -> OuterRef:
        return OuterRef(f"{_prefix(self.path)}tree_id")

    @property
    def lft(self) -> OuterRef:
        return OuterRef(f"{_prefix(self.path)}lft")

    @property
    def rght(self) -> OuterRef:
        return OuterRef(f"{_prefix(self.path)}rght")


@dataclass(frozen=True)
class Bounds:
    """A node known only by its numbers (read with ``values()``, say): ``Bounds(tree_id, lft, rght)``."""

    tree_id: int
    lft: int
    rght: int


def outer(path: str = "") -> Outer:
    """The node of the outer query's rows at ``path``, for conditions inside a sub-select."""
    return Outer(path)


def _prefix(path: str) -> str:
    path = path.removesuffix("__")
    return f"{path}__" if path else ""


def under(node: Node, path: str = "", *, strict: bool = False) -> Q:
    """Rows whose node at ``path`` lies under ``node`` (``node`` itself too unless ``strict``)."""
    p = _prefix(path)
    low, high = ("gt", "lt") if strict else ("gte", "lte")
    return Q(**{f"{p}tree_id": node.tree_id, f"{p}lft__{low}": node.lft, f"{p}lft__{high}": node.rght})


def over(node: Node, path: str = "", *, strict: bool = False) -> Q:
    """Rows whose node at ``path`` lies over ``node``: its ancestors (``node`` itself too
    unless ``strict``)."""
    p = _prefix(path)
    low, high = ("lt", "gt") if strict else ("lte", "gte")
    return Q(**{f"{p}tree_id": node.tree_id, f"{p}lft__{low}": node.lft, f"{p}rght__{high}": node.rght})


def contains(top: Node, node: Node, *, strict: bool = False) -> bool:
    """Whether ``node`` lies under ``top`` (two rows already loaded; no query)."""
    if top.tree_id != node.tree_id:
        return False
    if strict:
        return top.lft < node.lft and node.rght < top.rght
    return top.lft <= node.lft and node.rght <= top.rght


def exists_under(nodes: QuerySet, path: str = "", *, node_path: str = "", strict: bool = False) -> Exists:
    """True for rows whose node at ``path`` lies under one of ``nodes`` (a queryset whose
    node is at ``node_path``): one EXISTS sub-select in the same query."""
    return Exists(nodes.filter(over(outer(path), node_path, strict=strict)))


def exists_over(nodes: QuerySet, path: str = "", *, node_path: str = "", strict: bool = False) -> Exists:
    """True for rows whose node at ``path`` lies over one of ``nodes`` (a queryset whose
    node is at ``node_path``): one EXISTS sub-select in the same query."""
    return Exists(nodes.filter(under(outer(path), node_path, strict=strict)))


def tree_order(path: str = "", *, reverse: bool = False) -> tuple[str, str]:
    """``order_by`` fields for tree order (parents before children); ``reverse`` puts the
    deepest first, which makes the nearest ancestor the first row of ``over(...)``."""
    p = _prefix(path)
    sign = "-" if reverse else ""
    return f"{sign}{p}tree_id", f"{sign}{p}lft"


def sql_contains(top: str, node: str) -> str:
    """Raw SQL for "the row aliased ``node`` lies under the row aliased ``top``" (same table
    shape), for the few hand-written statements that need it."""
    return f"{top}.tree_id = {node}.tree_id AND {top}.lft <= {node}.lft AND {top}.rght >= {node}.rght"


def sql_tree_order(alias: str, *, reverse: bool = False) -> str:
    """Raw SQL ``ORDER BY`` terms for tree order of the rows aliased ``alias``."""
    direction = " DESC" if reverse else ""
    return f"{alias}.tree_id{direction}, {alias}.lft{direction}"


def number(root, children: Callable[[Any], Iterable[Any]], *, tree_id: int) -> None:
    """Give a tree of unsaved nodes its nested sets (``lft``, ``rght``, level, ``tree_id``)
    before a bulk write; ``children(node)`` lists a node's children in tree order."""
    level_attr = root._mptt_meta.level_attr
    counter = 1
    stack: list[tuple[Any, int, Iterator[Any] | None]] = [(root, 0, None)]
    while stack:
        node, level, pending = stack.pop()
        if pending is None:
            node.lft, node.tree_id = counter, tree_id
            setattr(node, level_attr, level)
            counter += 1
            pending = iter(children(node))
        child = next(pending, None)
        if child is None:
            node.rght = counter
            counter += 1
        else:
            stack.append((node, level, pending))
            stack.append((child, level + 1, None))
