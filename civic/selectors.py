"""Reads of the core: the audit trail, as people read it.

``audit_lines(entries, viewer)`` turns audit entries into sentences in the viewer's language
("张三 将 李四 的状态由 待审核 改为 已驳回"): people named through ``civic.people`` as the viewer
may see them, field names by the models' verbose names, values by their choices and the rows
their ids point to, any ID or mobile number masked. Each action is said as its app declares
in ``audit_labels`` (``civic.registry.AuditLabel``).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from . import nested
from .models import AuditEntry
from .people import mask_numbers, person_names
from .registry import AuditLabel, audit_labels
from .types import Viewer

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_OWN_PLACEHOLDERS = frozenset({"actor", "object", "changes", "field", "old", "new", "action"})


@dataclass(frozen=True)
class AuditLine:
    """One entry of the trail as a person reads it."""

    entry_id: int
    created_at: datetime
    actor_id: int | None
    actor_name: str
    action: str
    name: str  # the action in a few words ("site added")
    text: str  # the whole sentence
    html: str = ""  # the sentence as markup: who and what marked as data (translate="no")


@dataclass
class _Change:
    key: str
    field: models.Field | None
    old: Any
    new: Any


class _Values(dict[str, str]):
    """Values of a sentence; a placeholder with no value reads as a dash."""

    def __missing__(self, key: str) -> str:
        return "—"


def _model_of(entry: AuditEntry) -> type[models.Model] | None:
    if AuditEntry.object_type.is_cached(entry):
        content_type = entry.object_type
    else:
        content_type = ContentType.objects.get_for_id(entry.object_type_id)  # cached per process
    return content_type.model_class()


def _field_of(model: type[models.Model] | None, key: str) -> models.Field | None:
    if model is None:
        return None
    try:
        found = model._meta.get_field(key)  # a field's name or its column's ("standard_set_id")
    except FieldDoesNotExist:
        return None
    return found if isinstance(found, models.Field) else None


def _related_model(field: models.Field | None) -> type[models.Model] | None:
    """The model a foreign key points to (None for any other field)."""
    if field is None or not field.many_to_one:
        return None
    related = field.related_model
    return related if isinstance(related, type) and issubclass(related, models.Model) else None


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


class _Renderer:
    """The rows and names a page of entries needs, read once for the whole page."""

    def __init__(self, entries: list[AuditEntry], viewer: Viewer) -> None:
        self.viewer = viewer
        self.labels = audit_labels()
        self.plans = [(entry, self._changes(entry)) for entry in entries]
        wanted: dict[type[models.Model], set[int]] = defaultdict(set)
        for _entry, changes in self.plans:
            for change in changes:
                related = _related_model(change.field)
                if related is not None:
                    for value in (change.old, change.new):
                        if _is_id(value):
                            wanted[related].add(value)
        user_model = get_user_model()
        actors = self._actors(entries)
        wanted_users = wanted.pop(user_model, set()) - set(actors)
        if wanted_users:
            actors.update(user_model._default_manager.in_bulk(list(wanted_users)))
        self.rows: dict[type[models.Model], dict[Any, models.Model]] = {
            model: model._default_manager.in_bulk(list(ids)) for model, ids in wanted.items()
        }
        self.user_model = user_model
        self.names = person_names(actors.values(), viewer)

    @staticmethod
    def _actors(entries: list[AuditEntry]) -> dict[int, Any]:
        actors: dict[int, Any] = {}
        missing = set()
        for entry in entries:
            if entry.actor_id is None:
                continue
            if AuditEntry.actor.is_cached(entry):
                actors[entry.actor_id] = entry.actor
            else:
                missing.add(entry.actor_id)
        if missing - set(actors):
            actors.update(get_user_model()._default_manager.in_bulk(list(missing - set(actors))))
        return actors

    @staticmethod
    def _changes(entry: AuditEntry) -> list[_Change]:
        """The entry's changes in the order of its model's fields, then the other keys by name
        (the database keeps no order of its own)."""
        model = _model_of(entry)
        order = {field.name: n for n, field in enumerate(model._meta.get_fields())} if model else {}
        changes = []
        for key, pair in (entry.changes or {}).items():
            old, new = (pair[0], pair[1]) if isinstance(pair, (list, tuple)) and len(pair) == 2 else (None, pair)
            changes.append(_Change(key, _field_of(model, key), old, new))
        unknown = len(order)
        return sorted(changes, key=lambda c: (order.get(c.field.name, unknown) if c.field else unknown, c.key))

    def value(self, change: _Change, value: Any) -> str:
        """One value as a person reads it ("" for none)."""
        if _empty(value):
            return ""
        field = change.field
        related = _related_model(field)
        if related is not None and _is_id(value):
            if related is self.user_model:
                shown = self.names.get(value)
            else:
                row = self.rows.get(related, {}).get(value)
                shown = str(row) if row is not None else None
            return mask_numbers(shown) if shown else _("(removed)")
        if field is not None and field.choices:
            return mask_numbers(str(dict(field.flatchoices).get(value, value)))
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if isinstance(value, list):
            return mask_numbers(_(", ").join(str(item) for item in value))
        if isinstance(value, (date, datetime)):
            return value.isoformat()
        return mask_numbers(str(value))

    def field_name(self, change: _Change, label: AuditLabel | None) -> str:
        if label is not None and change.key in label.fields:
            return str(label.fields[change.key])
        if change.field is not None:
            return str(change.field.verbose_name)
        return change.key.replace("_", " ")

    def clause(self, change: _Change, label: AuditLabel | None) -> str:
        field, old, new = self.field_name(change, label), self.value(change, change.old), self.value(change, change.new)
        if not old:
            return _("%(field)s set to %(new)s") % {"field": field, "new": new or "—"}
        if not new:
            return _("%(field)s cleared (was %(old)s)") % {"field": field, "old": old}
        return _("%(field)s from %(old)s to %(new)s") % {"field": field, "old": old, "new": new}

    def line(self, entry: AuditEntry, changes: list[_Change]) -> AuditLine:
        label = self.labels.get(entry.action)
        actor = self.names.get(entry.actor_id, "") if entry.actor_id is not None else ""
        values = _Values(
            actor=actor or _("The system"),
            object=mask_numbers(entry.object_repr),
            action=entry.action,
        )
        sentence = str(label.sentence) if label is not None else "%(actor)s · %(action)s · %(object)s: %(changes)s"
        named = set(_PLACEHOLDER.findall(sentence))
        rest = [change for change in changes if change.key not in named]
        if changes and named & {"field", "old", "new"}:
            first = changes[0]
            values.update(
                field=self.field_name(first, label),
                old=self.value(first, first.old) or "—",
                new=self.value(first, first.new) or "—",
            )
            rest = [change for change in rest if change is not first]
        for change in changes:
            if change.key in named and change.key not in _OWN_PLACEHOLDERS:
                values[change.key] = self.value(change, change.new if not _empty(change.new) else change.old) or "—"
        if "changes" in named:
            if rest:
                values["changes"] = _("; ").join(self.clause(change, label) for change in rest)
            elif label is not None:
                sentence = _("%(actor)s changed %(object)s")
            else:
                sentence = "%(actor)s · %(action)s · %(object)s"
        return AuditLine(
            entry_id=entry.pk,
            created_at=entry.created_at,
            actor_id=entry.actor_id,
            actor_name=actor,
            action=entry.action,
            name=str(label.name) if label is not None else entry.action,
            text=sentence % values,
            html=_markup(sentence, values),
        )


def _markup(sentence: str, values: dict[str, str]) -> str:
    """``sentence % values`` as safe markup, the names of who and what in ``translate="no"``
    (they are data, not words of the interface)."""
    marked = {key: conditional_escape(value) for key, value in values.items()}
    for key in ("actor", "object"):
        if key in values:
            marked[key] = format_html('<span translate="no">{}</span>', values[key])
    return mark_safe(conditional_escape(sentence) % _Values(marked))


def audit_lines(entries: Iterable[AuditEntry], viewer: Viewer) -> list[AuditLine]:
    """The entries as sentences for ``viewer``. Queries, whatever the number of entries: the
    entries themselves if a queryset is given (select ``actor`` and ``object_type`` with them),
    one for the actors if they are not selected, one per people provider, and one per model
    whose ids the changes name (sites, checklists, source groups...)."""
    renderer = _Renderer(list(entries), viewer)
    return [renderer.line(entry, changes) for entry, changes in renderer.plans]


def audit_entries(
    viewer: Viewer,
    *,
    site: Any = None,
    actor_id: int | None = None,
    action: str = "",
    since: date | None = None,
    until: date | None = None,
) -> models.QuerySet[AuditEntry]:
    """The entries ``viewer`` may read (those of the sites in their scope), newest first,
    narrowed to the subtree of ``site``, one actor, one action and a span of days (inclusive,
    in local time). No query until it is read."""
    entries = AuditEntry.objects.restrict(viewer, "view").select_related("actor", "object_type")
    if site is not None:
        entries = entries.filter(nested.under(site, "site"))
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    if action:
        entries = entries.filter(action=action)
    if since is not None:
        entries = entries.filter(created_at__date__gte=since)
    if until is not None:
        entries = entries.filter(created_at__date__lte=until)
    return entries.order_by("-created_at", "-id")


def audit_actors(entries: models.QuerySet[AuditEntry], viewer: Viewer, limit: int = 200) -> list[tuple[int, str]]:
    """``(user id, name)`` of the people who appear in ``entries`` (at most ``limit`` of them),
    by name, for a choice of who (2 queries and one per people provider)."""
    ids = list(entries.exclude(actor__isnull=True).order_by().values_list("actor_id", flat=True).distinct()[:limit])
    users = get_user_model()._default_manager.in_bulk(ids)
    names: Mapping[int, str] = person_names(users.values(), viewer)
    return sorted(((pk, names[pk]) for pk in users), key=lambda pair: pair[1])
