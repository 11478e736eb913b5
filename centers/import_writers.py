"""Bulk writers for the division import: COPY and UPDATE ... FROM on PostgreSQL,
bulk_create/bulk_update elsewhere."""

from __future__ import annotations

import io
import queue
import threading

from django.db import IntegrityError, connection

from .models import Kind, Site

_CHUNK = 50_000
NULL = "\\N"
PRACTICE = Kind.PRACTICE.value
_REBUILD_FROM = 100_000  # new rows from which indexes and foreign keys are rebuilt rather than kept


TREE_FIELDS = ["parent_id", "lft", "rght", "depth", "tree_id"]
NAME_FIELDS = ["name", "short_name", "pinyin"]
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


def _esc(text: str) -> str:
    return text.replace("\\", "\\\\") if "\\" in text else text


class _CopyThread(threading.Thread):
    """Runs COPY statements one after another on the transaction's connection, from a short queue."""

    def __init__(self, wrapper):
        super().__init__(name="division-import-copy", daemon=True)
        self.raw = wrapper.connection  # the psycopg2 connection, in the caller's transaction
        self.queue: queue.Queue = queue.Queue(maxsize=3)
        self.error: BaseException | None = None

    def put(self, sql: str, data: str | None) -> None:
        if self.error is not None:
            self.join_and_raise()
        self.queue.put((sql, data))

    def run(self) -> None:
        while (item := self.queue.get()) is not None:
            if self.error is not None:
                continue  # drain after a failure; the caller raises it
            sql, data = item
            try:
                with self.raw.cursor() as cursor:
                    if data is None:
                        cursor.execute(sql)
                    else:
                        cursor.copy_expert(sql, io.StringIO(data), size=1 << 22)
            except BaseException as exc:  # handed back to the importing thread
                self.error = exc

    def join_and_raise(self) -> None:
        if self.is_alive():
            self.queue.put(None)
            self.join()
        if self.error is not None:
            error, self.error = self.error, None
            if isinstance(error, connection.Database.IntegrityError):
                raise IntegrityError(str(error)) from error
            raise error

    def stop(self) -> None:
        """Let the thread end without raising (the transaction is being rolled back anyway)."""
        if self.is_alive():
            self.queue.put(None)
            self.join()


class PostgresWriter:
    """New rows by COPY into centers_site, changed rows by COPY into a temporary table and
    one UPDATE ... FROM."""

    OWN = ["id", *TREE_FIELDS, "level", "kind", "code", *NAME_FIELDS, "created_at", "updated_at"]

    def __init__(self, now):
        self.now = now
        self.now_text = now.isoformat()
        self.table = Site._meta.db_table
        self.other = [f for f in Site._meta.concrete_fields if f.column not in self.OWN]
        self.columns = self.OWN + [f.column for f in self.other]
        self.constant_suffix = "".join("\t" + _copy_value(f.get_default()) for f in self.other)
        self.new: list[str] = []
        self.changed: list[str] = []
        self.has_temp = False
        self.thread: _CopyThread | None = None
        self.rebuild: list[str] = []

    def reserve_ids(self, count: int) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [self.table])
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s)", [sequence])
            first = cursor.fetchone()[0]
            if count > 1:
                cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
        return first

    def add(self, pk, parent_id, lft, rght, depth, tree_id, level, code, name, short_name, pinyin, extras) -> None:
        if extras:
            suffix = "".join(
                "\t" + _copy_value(extras[f.attname] if f.attname in extras else f.get_default()) for f in self.other
            )
        else:
            suffix = self.constant_suffix
        self.new.append(
            f"{pk}\t{parent_id or NULL}\t{lft}\t{rght}\t{depth}\t{tree_id}\t{level}\t{PRACTICE}"
            f"\t{code}\t{_esc(name)}\t{_esc(short_name)}\t{_esc(pinyin)}\t{self.now_text}\t{self.now_text}{suffix}\n"
        )
        if len(self.new) >= _CHUNK:
            self._flush_new()

    def change(self, pk, parent_id, lft, rght, depth, tree_id, moved, names) -> None:
        name, short_name, pinyin = names or ("", "", "")
        self.changed.append(
            f"{pk}\t{parent_id or NULL}\t{lft}\t{rght}\t{depth}\t{tree_id}\t{moved and 't' or 'f'}"
            f"\t{names and 't' or 'f'}\t{_esc(name)}\t{_esc(short_name)}\t{_esc(pinyin)}\n"
        )
        if len(self.changed) >= _CHUNK:
            self._flush_changed()

    def _copy(self, sql: str, lines: list[str] | None) -> None:
        """Hand a statement (with COPY data) to the copy thread, so PostgreSQL works while Python goes on."""
        if self.thread is None:
            self.thread = _CopyThread(connection)
            self.thread.start()
        self.thread.put(sql, "".join(lines) if lines is not None else None)
        if lines:
            lines.clear()

    def _flush_new(self) -> None:
        if self.new:
            self._copy(f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN", self.new)

    def _flush_changed(self) -> None:
        if not self.changed:
            return
        if not self.has_temp:
            self._copy(
                "CREATE TEMPORARY TABLE centers_site_import (id bigint PRIMARY KEY, parent_id bigint, lft integer,"
                " rght integer, depth integer, tree_id integer, moved boolean, renamed boolean, name text,"
                " short_name text, pinyin text) ON COMMIT DROP",
                None,
            )
            self.has_temp = True
        self._copy("COPY centers_site_import FROM STDIN", self.changed)

    def stop(self) -> None:
        if self.thread is not None:
            self.thread.stop()

    def begin_bulk(self, new_count: int) -> None:
        """For a load that dwarfs the table (the whole country into an empty one), drop the
        secondary indexes and foreign keys for the COPY and build them again afterwards, as
        PostgreSQL's "Populating a Database" advises: one index build and one validating
        join instead of 665,276 index insertions and trigger checks. The DDL holds the table
        exclusively until the transaction ends, and rolls back with it."""
        if new_count < _REBUILD_FROM:
            return
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {self.table}")
            if cursor.fetchone()[0] * 2 > new_count:
                return
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid), contype FROM pg_constraint"
                " WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY contype DESC, conname",
                [self.table],
            )
            constraints = cursor.fetchall()
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
                " WHERE i.indrelid = %s::regclass AND NOT EXISTS"
                " (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
                [self.table],
            )
            indexes = cursor.fetchall()
            for name, _definition, _kind in constraints:
                cursor.execute(f'ALTER TABLE {self.table} DROP CONSTRAINT "{name}"')
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {name}")
        # Rebuilt in finish(): indexes first, then unique constraints, then foreign keys.
        self.rebuild = [definition for _name, definition in indexes] + [
            f'ALTER TABLE {self.table} ADD CONSTRAINT "{name}" {definition}'
            for name, definition, kind in sorted(constraints, key=lambda c: c[2] == "f")
        ]

    def finish(self) -> None:
        self._flush_new()
        self._flush_changed()
        if self.thread is not None:
            self.thread.join_and_raise()
        if self.rebuild:
            with connection.cursor() as cursor:
                for statement in self.rebuild:
                    cursor.execute(statement)
            self.rebuild = []
        if self.has_temp:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"""UPDATE {self.table} s SET parent_id = t.parent_id, lft = t.lft, rght = t.rght,
                        depth = t.depth, tree_id = t.tree_id,
                        name = CASE WHEN t.renamed THEN t.name ELSE s.name END,
                        short_name = CASE WHEN t.renamed THEN t.short_name ELSE s.short_name END,
                        pinyin = CASE WHEN t.renamed THEN t.pinyin ELSE s.pinyin END,
                        updated_at = CASE WHEN t.renamed OR t.moved THEN %s ELSE s.updated_at END
                    FROM centers_site_import t WHERE s.id = t.id""",
                    [self.now],
                )


class OrmWriter:
    """The same writes through bulk_create/bulk_update with explicit ids (SQLite, the demo)."""

    def __init__(self, now):
        self.now = now
        self.new: list[Site] = []
        self.changed: dict[tuple[str, ...], list[Site]] = {}

    def reserve_ids(self, count: int) -> int:
        last = Site.objects.order_by("-id").values_list("id", flat=True).first()
        return (last or 0) + 1

    def add(self, pk, parent_id, lft, rght, depth, tree_id, level, code, name, short_name, pinyin, extras) -> None:
        self.new.append(
            Site(
                id=pk,
                parent_id=parent_id or None,
                lft=lft,
                rght=rght,
                depth=depth,
                tree_id=tree_id,
                level=level,
                kind=Kind.PRACTICE,
                code=code,
                name=name,
                short_name=short_name,
                pinyin=pinyin,
                created_at=self.now,
                updated_at=self.now,
                **(extras or {}),
            )
        )

    def change(self, pk, parent_id, lft, rght, depth, tree_id, moved, names) -> None:
        site = Site(
            id=pk, parent_id=parent_id or None, lft=lft, rght=rght, depth=depth, tree_id=tree_id, updated_at=self.now
        )
        fields = list(TREE_FIELDS)
        if names:
            site.name, site.short_name, site.pinyin = names
            fields += NAME_FIELDS
        if names or moved:
            fields.append("updated_at")
        self.changed.setdefault(tuple(fields), []).append(site)

    def stop(self) -> None:
        pass

    def begin_bulk(self, new_count: int) -> None:
        pass

    def finish(self) -> None:
        # bulk_create runs auto_now(_add) pre_save hooks; the explicit times above are kept equal.
        Site.objects.bulk_create(self.new, batch_size=500)
        for fields, sites in self.changed.items():
            Site.objects.bulk_update(sites, ["parent" if f == "parent_id" else f for f in fields], batch_size=500)


# The import --------------------------------------------------------------------------
