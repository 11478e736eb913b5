"""Guarding the nested sets: advisory locks for tree writes, and ``check_tree``.

Every tree write runs inside a transaction that first calls ``lock_trees``:
- a write inside existing trees takes the global key *shared* and each touched
  ``tree_id`` *exclusively*, so writes to different trees run side by side;
- a write that creates, removes or renumbers whole trees (a new root, a root moved under
  another node, a bulk import) takes the global key *exclusively*, which waits for every
  other tree write to finish.
On SQLite (the demo) the database has one writer anyway and the locks are skipped.
"""

from __future__ import annotations

from django.db import connection, transaction

from civic.locks import advisory_lock

# Lock namespaces: the key 0 of the first guards the set of trees; the second is keyed by tree_id.
TREES = "centers.trees"
TREE = "centers.tree"


def lock_trees(*tree_ids: int, everything: bool = False) -> None:
    """Take the advisory locks for a tree write (inside ``transaction.atomic``)."""
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("lock_trees() must run inside a transaction")
    if everything:
        advisory_lock(TREES)
        return
    advisory_lock(TREES, shared=True)
    for tree_id in sorted({t for t in tree_ids if t is not None}):
        advisory_lock(TREE, tree_id)


_CHECKS = {
    # Each query returns offending rows (at most a few), for a given set of trees.
    "parent in another tree, or not around its child, or level not one above": """
        SELECT c.id FROM centers_site c JOIN centers_site p ON p.id = c.parent_id
        WHERE {c_trees} AND (p.tree_id <> c.tree_id OR p.lft >= c.lft OR p.rght <= c.rght
                             OR c.depth <> p.depth + 1)
        LIMIT 5""",
    "root not at the start of its tree": """
        SELECT c.id FROM centers_site c
        WHERE {c_trees} AND c.parent_id IS NULL AND (c.lft <> 1 OR c.depth <> 0)
        LIMIT 5""",
    "left not before right": """
        SELECT c.id FROM centers_site c WHERE {c_trees} AND c.lft >= c.rght LIMIT 5""",
    "a tree without exactly one root, or whose bounds are not 1..2n": """
        SELECT c.tree_id FROM centers_site c WHERE {c_trees}
        GROUP BY c.tree_id
        HAVING COUNT(*) FILTER (WHERE c.parent_id IS NULL) <> 1
            OR MIN(c.lft) <> 1 OR MAX(c.rght) <> 2 * COUNT(*)
            OR COUNT(DISTINCT c.lft) <> COUNT(*) OR COUNT(DISTINCT c.rght) <> COUNT(*)
        LIMIT 5""",
    "left and right values shared between nodes": """
        SELECT a.tree_id FROM (
            SELECT c.tree_id, c.lft AS v FROM centers_site c WHERE {c_trees}
            UNION ALL SELECT c.tree_id, c.rght FROM centers_site c WHERE {c_trees}
        ) a GROUP BY a.tree_id, a.v HAVING COUNT(*) > 1 LIMIT 5""",
    "width not matching the children's": """
        SELECT p.id FROM centers_site p
        LEFT JOIN (SELECT c.parent_id, SUM(c.rght - c.lft + 1) AS w FROM centers_site c
                   WHERE {c_trees} AND c.parent_id IS NOT NULL GROUP BY c.parent_id) k
               ON k.parent_id = p.id
        WHERE {p_trees} AND p.rght - p.lft - 1 <> COALESCE(k.w, 0)
        LIMIT 5""",
}


def check_tree(tree_ids: list[int] | None = None) -> list[str]:
    """Verify the nested sets against the parent links, in SQL. Returns the problems found
    (an empty list when the trees are sound). ``tree_ids`` limits the check to those trees.

    Together the checks mean: each tree has one root spanning 1..2n, every node sits
    strictly inside its parent one level below it, every number 1..2n is used once, and
    each node is exactly as wide as its children together — which only a correct nested
    set satisfies.
    """
    params: list = []
    if tree_ids is None:
        c_trees = p_trees = "TRUE"
    else:
        if not tree_ids:
            return []
        c_trees, p_trees = "c.tree_id = ANY(%s)", "p.tree_id = ANY(%s)"
    problems = []
    with connection.cursor() as cursor:
        for label, sql in _CHECKS.items():
            query = sql.format(c_trees=c_trees, p_trees=p_trees)
            params = [list(tree_ids)] * query.count("%s") if tree_ids is not None else []
            if connection.vendor != "postgresql" and params:
                query, params = _expand_any(query, tree_ids)
            cursor.execute(query, params)
            rows = [row[0] for row in cursor.fetchall()]
            if rows:
                problems.append(f"{label}: {', '.join(map(str, rows))}")
    return problems


def _expand_any(query: str, tree_ids: list[int]) -> tuple[str, list]:
    """SQLite has no arrays: spell ``= ANY(%s)`` as ``IN (...)``."""
    placeholders = ", ".join(["%s"] * len(tree_ids))
    count = query.count("= ANY(%s)")
    return query.replace("= ANY(%s)", f"IN ({placeholders})"), list(tree_ids) * count
