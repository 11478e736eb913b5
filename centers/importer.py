"""Bulk import of official divisions (code,name,level,parent_code) into the site tree.

The import validates the whole input before writing anything, then, under the global tree
lock, loads the trees it touches, merges them with the file (the file's parent wins for
coded rows; every other row keeps its parent), walks each resulting root computing the
nested sets itself (siblings by code, then name, as ``Site.MPTTMeta``) and writes only the
difference in bulk: COPY and one UPDATE ... FROM on PostgreSQL, bulk_create/bulk_update on
SQLite. It never goes node by node through mptt and never calls ``rebuild()``. It ends with
``check_tree`` on the trees it wrote, in the same transaction.
"""

from __future__ import annotations

import csv
import gc
import gzip
import io
import os
import time
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civic import audit
from civic.ids import is_digits

from .import_writers import OrmWriter, PostgresWriter
from .models import CODE_LENGTH, LEVEL_RANK, Kind, Level, Site, short_name_for
from .pinyin import PinyinCache
from .signals import sites_moved
from .tree import check_tree, lock_trees

HEADER = ["code", "name", "level", "parent_code"]
MAX_PROBLEMS = 20
NAME_MAX = Site._meta.get_field("name").max_length
FILE_RANKS = {level: LEVEL_RANK[level] for level in CODE_LENGTH}
RANK_LEVEL = {rank: level for level, rank in LEVEL_RANK.items()}
_CONTROL = {chr(c) for c in range(32)} | {"\x7f"}
_CHUNK = 50_000


def shared_dir() -> Path:
    """The shared data and benchmark folder: ``<repo>/../shared`` unless CIVIC_SHARED_DIR says otherwise."""
    return Path(os.environ.get("CIVIC_SHARED_DIR") or Path(settings.BASE_DIR).parent / "shared")


class DivisionFileError(ValidationError):
    """A division file (or list of rows) that cannot be imported; lists up to MAX_PROBLEMS problems."""

    def __init__(self, problems: list[str], total: int | None = None, lines: list[int] | None = None):
        total = len(problems) if total is None else total
        self.lines = list(lines or [])  # the file lines the problems are on (for callers and tests)
        shown = list(problems[:MAX_PROBLEMS])
        if total > len(shown):
            shown.append(_("… and %(n)s more problems.") % {"n": total - len(shown)})
        self.problems = shown
        self.total = total
        super().__init__(shown)


# Input -------------------------------------------------------------------------------


@dataclass
class DivisionRows:
    """Validated rows held as columns (compact for the 665,276 rows of the whole country).

    ``parents`` holds the index of each row's parent (-1 for the file's roots); ``lines``
    the 1-based line of each row in its file; ``extras`` optional field values for rows
    that get created (the demo's populations and liaisons).
    """

    codes: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    ranks: bytearray = field(default_factory=bytearray)
    parents: array = field(default_factory=lambda: array("q"))
    lines: array = field(default_factory=lambda: array("q"))
    extras: dict[int, dict] = field(default_factory=dict)
    index: dict[str, int] = field(default_factory=dict)
    source: str = ""

    def __len__(self) -> int:
        return len(self.codes)


def _problem(line: int, message: str) -> str:
    return _("Line %(line)s: %(problem)s") % {"line": line, "problem": message}


def _parse(records: Iterable[tuple[int, list[str]]], source: str) -> DivisionRows:
    """Check rows (line, fields) and build the columns; raises DivisionFileError listing the problems."""
    rows = DivisionRows(source=source)
    codes, names, ranks, parents, lines = rows.codes, rows.names, rows.ranks, rows.parents, rows.lines
    index = rows.index
    names_seen: set[tuple[int, str]] = set()
    problems: list[str] = []
    problem_lines: list[int] = []
    total = 0

    def refuse(line: int, message: str) -> None:
        nonlocal total
        total += 1
        if len(problems) < MAX_PROBLEMS:
            problems.append(_problem(line, message))
            problem_lines.append(line)

    for line, fields in records:
        if len(fields) != 4:
            if not any(f.strip() for f in fields):
                continue  # a blank line
            refuse(line, _("expected 4 fields (code, name, level, parent code), found %(n)s.") % {"n": len(fields)})
            continue
        code, name, level, parent_code = (f.strip() for f in fields)
        rank = FILE_RANKS.get(level)
        bad = False
        if rank is None:
            refuse(
                line,
                _("unknown level “%(level)s” (expected one of %(levels)s).")
                % {"level": level, "levels": ", ".join(FILE_RANKS)},
            )
            bad = True
        elif len(code) != CODE_LENGTH[level] or not is_digits(code):
            refuse(
                line,
                _("the code “%(code)s” of a %(level)s must have %(n)s digits.")
                % {"code": code, "level": Level(level).label, "n": CODE_LENGTH[level]},
            )
            bad = True
        if not name:
            refuse(line, _("the name is empty."))
            bad = True
        elif len(name) > NAME_MAX:
            refuse(line, _("the name is longer than %(n)s characters.") % {"n": NAME_MAX})
            bad = True
        elif not _CONTROL.isdisjoint(name):
            refuse(line, _("the name contains control characters."))
            bad = True
        if code in index:
            refuse(
                line,
                _("the code %(code)s already appears on line %(first)s.") % {"code": code, "first": lines[index[code]]},
            )
            continue
        parent = -1
        if parent_code:
            parent = index.get(parent_code, -2)
            if parent == -2:
                refuse(line, _("the parent code %(code)s does not appear on an earlier line.") % {"code": parent_code})
                bad = True
            elif rank is not None and rank <= ranks[parent]:
                refuse(
                    line,
                    _("a %(level)s cannot sit under a %(parent)s.")
                    % {"level": Level(level).label, "parent": Level(RANK_LEVEL[ranks[parent]]).label},
                )
                bad = True
        if not bad:
            key = (parent, name)
            if key in names_seen:
                refuse(line, _("another row under the same parent is already named “%(name)s”.") % {"name": name})
                bad = True
            else:
                names_seen.add(key)
        if bad:
            continue
        index[code] = len(codes)
        codes.append(code)
        names.append(name)
        ranks.append(rank)
        parents.append(parent)
        lines.append(line)
    if problems:
        raise DivisionFileError(problems, total, problem_lines)
    if not codes:
        raise DivisionFileError([_("The file has no rows to import.")])
    return rows


def read_division_file(path: str | Path) -> DivisionRows:
    """Read and check a division CSV (.csv or .csv.gz; UTF-8 with or without BOM, or GBK)."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
    except (OSError, EOFError) as exc:
        raise DivisionFileError([_("Cannot read %(file)s: %(error)s") % {"file": path.name, "error": exc}]) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # Excel and WPS on Chinese Windows save CSV as GBK (DESIGN.md, Decisions).
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            line = data.count(b"\n", 0, exc.start) + 1
            raise DivisionFileError(
                [_problem(line, _("the file is neither UTF-8 nor GBK text. Save it as “CSV UTF-8” and try again."))],
                lines=[line],
            ) from exc
    del data
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None or [h.strip().lower() for h in header] != HEADER:
        message = _("the header must be “%(header)s”.") % {"header": ",".join(HEADER)}
        raise DivisionFileError([_problem(1, message)], lines=[1])
    return _parse(((reader.line_num, fields) for fields in reader), path.name)


def rows_from_records(records: Iterable[tuple], source: str = "") -> DivisionRows:
    """Check in-memory rows: (code, name, level, parent_code) or (…, extras dict). Line n is row n + 1."""
    extras: dict[int, dict] = {}
    plain = []
    for number, record in enumerate(records, start=2):
        plain.append((number, list(record[:4])))
        if len(record) > 4 and record[4]:
            extras[number] = dict(record[4])
    rows = _parse(plain, source)
    if extras:
        by_line = {line: i for i, line in enumerate(rows.lines)}
        rows.extras = {by_line[line]: values for line, values in extras.items() if line in by_line}
    return rows


@dataclass
class ImportResult:
    """What an import did. ``unchanged`` counts the file's rows whose name and parent stayed;
    ``renumbered`` the rows (in the file or not) whose place in the nested sets alone moved."""

    created: int = 0
    updated: int = 0
    renumbered: int = 0
    unchanged: int = 0
    created_by_level: dict[str, int] = field(default_factory=dict)
    trees: list[int] = field(default_factory=list)
    root_ids: list[int] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.renumbered)


def import_divisions(rows: DivisionRows, *, under: str | None = None, actor=None) -> ImportResult:
    """Import checked rows into the site tree, in one transaction (see the module docstring).

    ``under`` is the code of an existing site to put the rows' roots under. Raises
    DivisionFileError, with nothing written, when the rows do not fit the database.
    """
    started = time.monotonic()
    try:
        with transaction.atomic():
            result = _Import(rows, under, actor).run()
    except IntegrityError as exc:
        raise DivisionFileError(
            [_("The import clashes with sites already in the database: %(error)s") % {"error": exc}]
        ) from exc
    result.seconds = time.monotonic() - started
    return result


def import_division_file(path: str | Path, *, under: str | None = None, actor=None) -> ImportResult:
    """Read, check and import a division file."""
    return import_divisions(read_division_file(path), under=under, actor=actor)


class _Import:
    def __init__(self, rows: DivisionRows, under: str | None, actor):
        self.rows = rows
        self.under = (under or "").strip()
        self.actor = actor
        self.file_size = len(rows)
        self.problems: list[str] = []
        self.problem_lines: list[int] = []
        size = len(rows)
        zeros = bytes(8 * size)
        # What the database holds for each node (0 for nodes the import creates).
        self.old_id, self.old_parent, self.old_lft, self.old_rght, self.old_depth, self.old_tree = (
            array("q", zeros) for _ in range(6)
        )
        self.renamed = bytearray(size)
        self.db_parent_of: dict[int, int | None] = {}  # loaded rows that are not in the file
        self.trees: set[int] = set()

    def refuse(self, message: str, line: int = 0) -> None:
        self.problems.append(_problem(line, message) if line else message)
        self.problem_lines.append(line)

    def stop_if_refused(self) -> None:
        if self.problems:
            raise DivisionFileError(self.problems, lines=self.problem_lines)

    def run(self) -> ImportResult:
        lock_trees(everything=True)
        rows = self.rows
        under_site = self._under_site()
        self.file_roots = [i for i in range(self.file_size) if rows.parents[i] == -1]
        if under_site is not None:
            for i in self.file_roots:
                if rows.ranks[i] <= LEVEL_RANK[under_site.level]:
                    self.refuse(
                        _("a %(level)s cannot go under %(site)s, a %(site_level)s.")
                        % {
                            "level": Level(RANK_LEVEL[rows.ranks[i]]).label,
                            "site": under_site.name,
                            "site_level": Level(under_site.level).label,
                        },
                        rows.lines[i],
                    )
            self.trees.add(under_site.tree_id)
        self.stop_if_refused()
        self.trees |= self._trees_holding_codes()
        self._load()
        self.stop_if_refused()
        self._link(under_site)
        self._order()
        self._check_names()
        self.stop_if_refused()
        result = self._walk()
        if result.changed:
            problems = check_tree(result.trees)
            if problems:
                raise DivisionFileError(
                    [_("The tree check failed, so nothing was imported: %(p)s") % {"p": p} for p in problems]
                )
            if result.renumbered or result.updated:
                sites_moved.send(sender=Site, tree_ids=sorted(result.trees))
            root = Site.objects.get(pk=result.root_ids[0])
            audit.record(
                actor=self.actor,
                action="site.import",
                obj=root,
                site_id=root.pk,
                changes={
                    "file": (None, rows.source),
                    "created": (None, result.created),
                    "updated": (None, result.updated),
                    "renumbered": (None, result.renumbered),
                },
            )
        return result

    def _under_site(self) -> Site | None:
        if not self.under:
            return None
        site = Site.objects.filter(code=self.under).first()
        if site is None:
            raise DivisionFileError([_("There is no site with the official code %(code)s.") % {"code": self.under}])
        if site.kind != Kind.PRACTICE:
            raise DivisionFileError([_("Nothing can be placed under a base or a service post.")])
        if self.under in self.rows.index:
            raise DivisionFileError(
                [_("The site to import under (%(code)s) is itself in the file.") % {"code": self.under}]
            )
        return site

    def _trees_holding_codes(self) -> set[int]:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT DISTINCT tree_id FROM {Site._meta.db_table} WHERE code = ANY(string_to_array(%s, ','))",
                    [",".join(self.rows.codes)],
                )
                return {row[0] for row in cursor.fetchall()}
        index = self.rows.index
        return {t for code, t in Site.objects.exclude(code="").values_list("code", "tree_id") if code in index}

    def _load(self) -> None:
        """Read the rows of the trees the import touches, matching them to the file by code."""
        if not self.trees:
            return
        rows = self.rows
        index, codes, names, ranks, parents, lines = (
            rows.index,
            rows.codes,
            rows.names,
            rows.ranks,
            rows.parents,
            rows.lines,
        )
        old = (self.old_id, self.old_parent, self.old_lft, self.old_rght, self.old_depth, self.old_tree)
        old_id, old_parent, old_lft, old_rght, old_depth, old_tree = old
        renamed, db_parent_of = self.renamed, self.db_parent_of
        queryset = Site.objects.filter(tree_id__in=sorted(self.trees)).values_list(
            "id", "parent_id", "code", "name", "level", "lft", "rght", "depth", "tree_id"
        )
        for pk, parent_id, code, name, level, lft, rght, depth, tree_id in queryset.iterator(chunk_size=20_000):
            i = index.get(code) if code else None
            if i is None:
                i = len(codes)
                codes.append(code)
                names.append(name)
                ranks.append(LEVEL_RANK.get(level, 0))
                parents.append(-1)
                lines.append(0)
                for column in old:
                    column.append(0)
                renamed.append(0)
                db_parent_of[i] = parent_id
            else:
                if LEVEL_RANK.get(level) != ranks[i]:
                    self.refuse(
                        _("the code %(code)s belongs to “%(name)s”, which is not a %(level)s.")
                        % {"code": code, "name": name, "level": Level(RANK_LEVEL[ranks[i]]).label},
                        lines[i],
                    )
                if name != names[i]:
                    renamed[i] = 1
            old_id[i] = pk
            old_parent[i] = parent_id or 0
            old_lft[i], old_rght[i], old_depth[i], old_tree[i] = lft, rght, depth, tree_id

    def _link(self, under_site: Site | None) -> None:
        """Give every node its parent in the merged tree: the file's, else the database's."""
        parents, old_id, old_parent = self.rows.parents, self.old_id, self.old_parent
        targets: dict[int, int] = {}
        for i in self.file_roots:
            if under_site is not None:
                targets[i] = under_site.pk
            elif old_id[i] and old_parent[i]:
                targets[i] = old_parent[i]
        wanted = set(targets.values()) | {p for p in self.db_parent_of.values() if p}
        found = {old_id[i]: i for i in range(len(old_id)) if old_id[i] in wanted} if wanted else {}
        try:
            for i, parent_id in self.db_parent_of.items():
                parents[i] = found[parent_id] if parent_id else -1
            for i, parent_id in targets.items():
                parents[i] = found[parent_id]
        except KeyError as exc:  # a parent outside its child's tree: the table is already broken
            raise DivisionFileError(
                [_("Site %(id)s has its parent in another tree; run check_tree.") % {"id": exc.args[0]}]
            ) from exc
        self.checked_parents = set(targets.values()) | {p for p in self.db_parent_of.values() if p}
        self.checked_parents = {found[p] for p in self.checked_parents}

    def _order(self) -> None:
        """Children of each node by (code, name), like ``MPTTMeta.order_insertion_by``."""
        codes, names, parents = self.rows.codes, self.rows.names, self.rows.parents
        total = len(codes)
        order = sorted(range(total), key=codes.__getitem__)
        blank = 0
        while blank < total and not codes[order[blank]]:
            blank += 1
        if blank > 1:  # codes are unique, so only sites without one can tie
            order[:blank] = sorted(order[:blank], key=names.__getitem__)
        kids: dict[int, list[int]] = {}
        roots: list[int] = []
        for i in order:
            parent = parents[i]
            if parent < 0:
                roots.append(i)
            else:
                children = kids.get(parent)
                if children is None:
                    kids[parent] = [i]
                else:
                    children.append(i)
        self.kids, self.roots = kids, roots

    def _check_names(self) -> None:
        """Names stay unique under each parent, and among top-level sites, once merged."""
        names, lines = self.rows.names, self.rows.lines

        def clashes(nodes: list[int]) -> None:
            seen: dict[str, int] = {}
            for node in nodes:
                other = seen.setdefault(names[node], node)
                if other != node:
                    line = lines[node] or lines[other]
                    self.refuse(
                        _("“%(name)s” would share its name with another site under the same parent.")
                        % {"name": names[node]},
                        line,
                    )

        for parent in self.checked_parents:
            clashes(self.kids.get(parent, []))
        clashes(self.roots)
        root_names = [names[r] for r in self.roots]
        taken = (
            Site.objects.filter(parent__isnull=True, name__in=root_names)
            .exclude(tree_id__in=self.trees)
            .values_list("name", flat=True)
        )
        for name in taken:
            line = next(self.rows.lines[r] for r in self.roots if names[r] == name)
            self.refuse(_("“%(name)s” is already the name of another top-level site.") % {"name": name}, line)

    def _walk(self) -> ImportResult:
        """Number each merged tree depth first; changed rows go to the writer at once, new rows
        are written afterwards (``_write_new``) from the positions noted here."""
        rows, kids = self.rows, self.kids
        old_id, old_parent, old_lft, old_rght, old_depth, old_tree = (
            self.old_id,
            self.old_parent,
            self.old_lft,
            self.old_rght,
            self.old_depth,
            self.old_tree,
        )
        renamed, file_size, names = self.renamed, self.file_size, rows.names
        file_roots = set(self.file_roots)
        now = timezone.now()
        writer = PostgresWriter(now) if connection.vendor == "postgresql" else OrmWriter(now)
        new_count = sum(1 for i in range(file_size) if not old_id[i])
        next_id = writer.reserve_ids(new_count) if new_count else 0
        next_tree = (Site.objects.order_by("-tree_id").values_list("tree_id", flat=True).first() or 0) + 1
        # Where each new row goes: its id, its parent's id and its place in the nested sets.
        zeros = bytes(8 * file_size) if new_count else b""
        new_id, new_parent, new_lft, new_rght, new_depth, new_tree = (array("q", zeros) for _ in range(6))
        pool = _pinyin_pool(new_count)
        pinyin = PinyinCache()
        result = ImportResult()
        root_ids: dict[int, int] = {}
        trees: set[int] = set()
        visited = 0
        try:
            for root in self.roots:
                if old_id[root] and not old_parent[root]:
                    tree_id = old_tree[root]
                else:
                    tree_id, next_tree = next_tree, next_tree + 1
                if old_id[root]:
                    pk = old_id[root]
                else:
                    pk, next_id = next_id, next_id + 1
                node_stack, pos_stack, lft_stack, id_stack = [root], [0], [1], [pk]
                counter = 2
                while node_stack:
                    node = node_stack[-1]
                    children = kids.get(node)
                    position = pos_stack[-1]
                    if children is not None and position < len(children):
                        pos_stack[-1] = position + 1
                        child = children[position]
                        if old_id[child]:
                            child_pk = old_id[child]
                        else:
                            child_pk, next_id = next_id, next_id + 1
                        node_stack.append(child)
                        pos_stack.append(0)
                        lft_stack.append(counter)
                        id_stack.append(child_pk)
                        counter += 1
                        continue
                    rght = counter
                    counter += 1
                    depth = len(node_stack) - 1
                    pk = id_stack[-1]
                    parent_id = id_stack[-2] if depth else 0
                    lft = lft_stack[-1]
                    node_stack.pop()
                    pos_stack.pop()
                    lft_stack.pop()
                    id_stack.pop()
                    visited += 1
                    if node in file_roots:
                        root_ids[node] = pk
                    if not old_id[node]:
                        new_id[node], new_parent[node], new_lft[node] = pk, parent_id, lft
                        new_rght[node], new_depth[node], new_tree[node] = rght, depth, tree_id
                        trees.add(tree_id)
                        continue
                    moved = old_parent[node] != parent_id
                    if (
                        moved
                        or renamed[node]
                        or old_lft[node] != lft
                        or old_rght[node] != rght
                        or old_depth[node] != depth
                        or old_tree[node] != tree_id
                    ):
                        new_names = None
                        if renamed[node]:
                            name = names[node]
                            short_name = short_name_for(name)
                            new_names = (name, short_name, pinyin(name, short_name))
                        writer.change(pk, parent_id, lft, rght, depth, tree_id, moved, new_names)
                        trees.update((tree_id, old_tree[node]))
                        if moved or renamed[node]:
                            result.updated += 1
                            continue
                        result.renumbered += 1
                    if node < file_size:
                        result.unchanged += 1
            if visited != len(rows.codes):
                raise DivisionFileError([_("The merged tree has a cycle; nothing was imported.")])
            if new_count:
                positions = (new_id, new_parent, new_lft, new_rght, new_depth, new_tree)
                result.created, by_level = self._write_new(writer, positions, pool, pinyin)
                result.created_by_level = {RANK_LEVEL[rank]: n for rank, n in sorted(by_level.items())}
            writer.finish()
        finally:
            writer.stop()
            if pool is not None:
                pool.terminate()
        result.trees = sorted(trees)
        result.root_ids = [root_ids[i] for i in self.file_roots]
        return result

    def _write_new(self, writer, positions, pool, pinyin: PinyinCache) -> tuple[int, dict[int, int]]:
        """Hand the new rows to the writer in file order, chunk by chunk, with their short
        names and pinyin (worked out by a pool of processes for large files)."""
        rows, old_id = self.rows, self.old_id
        codes, names, ranks, extras = rows.codes, rows.names, rows.ranks, rows.extras
        new_id, new_parent, new_lft, new_rght, new_depth, new_tree = positions
        levels = {rank: str(level) for rank, level in RANK_LEVEL.items()}
        chunks = [range(start, min(start + _CHUNK, self.file_size)) for start in range(0, self.file_size, _CHUNK)]

        def new_nodes(chunk: range) -> list[int]:
            return [i for i in chunk if not old_id[i]]

        if pool is not None:
            named = pool.imap(_short_names_and_pinyin, ([names[i] for i in new_nodes(c)] for c in chunks))
        else:
            named = (_short_names_and_pinyin([names[i] for i in new_nodes(c)], pinyin) for c in chunks)
        writer.begin_bulk(sum(1 for i in range(self.file_size) if not old_id[i]))
        created = 0
        by_level: dict[int, int] = {}
        add = writer.add
        for chunk, (short_names, pinyins) in zip(chunks, named, strict=True):
            for node, short_name, node_pinyin in zip(new_nodes(chunk), short_names, pinyins, strict=True):
                rank = ranks[node]
                add(
                    new_id[node],
                    new_parent[node],
                    new_lft[node],
                    new_rght[node],
                    new_depth[node],
                    new_tree[node],
                    levels[rank],
                    codes[node],
                    names[node],
                    short_name,
                    node_pinyin,
                    extras.get(node),
                )
                by_level[rank] = by_level.get(rank, 0) + 1
                created += 1
        return created, by_level


_POOL_FROM = 50_000  # new rows from which short names and pinyin are worked out in parallel
_worker_pinyin: PinyinCache | None = None


def _short_names_and_pinyin(names: list[str], pinyin: PinyinCache | None = None) -> tuple[list[str], list[str]]:
    global _worker_pinyin
    if pinyin is None:
        pinyin = _worker_pinyin = _worker_pinyin or PinyinCache()
    short_names = [short_name_for(name) for name in names]
    return short_names, [pinyin(name, short) for name, short in zip(names, short_names, strict=True)]


def _pinyin_pool(new_count: int):
    """A pool of forked processes for a large import (before any thread starts), else None."""
    if new_count < _POOL_FROM or (os.cpu_count() or 1) < 2:
        return None
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    # Forked workers share the parent's pages until they write to them; the garbage collector
    # writes to every object it scans, so freeze the parent's objects out of its reach first
    # (without this each worker ends up with a private copy of most of the parent).
    gc.freeze()
    try:
        return multiprocessing.get_context("fork").Pool(min(os.cpu_count() or 2, 4))
    finally:
        gc.unfreeze()
