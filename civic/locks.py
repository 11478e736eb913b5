"""PostgreSQL advisory locks held for the rest of the current transaction.

``advisory_lock("centers.tree", tree_id)`` waits until no other transaction holds that
(namespace, key) pair, then holds it until commit or rollback; ``shared=True`` lets other
shared holders in and keeps exclusive ones out. A namespace is a name, turned into the
lock's first 32-bit number, so apps pick their own without a central table. On SQLite (the
demo) the database has one writer anyway and the locks are skipped.
"""

from __future__ import annotations

import zlib

from django.db import connection, transaction


def namespace_id(namespace: str) -> int:
    """The signed 32-bit number PostgreSQL knows ``namespace`` by (stable across runs)."""
    value = zlib.crc32(namespace.encode())
    return value - (1 << 32) if value >= 1 << 31 else value


def advisory_lock(namespace: str, key: int = 0, *, shared: bool = False) -> None:
    """Take the advisory lock (``namespace``, ``key``) until the transaction ends."""
    if connection.vendor != "postgresql":
        return
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("advisory_lock() must run inside a transaction")
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s, %s)", [namespace_id(namespace), key])
