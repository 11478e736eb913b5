"""Recording the audit trail from services."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import translation

from .models import AuditEntry
from .types import Viewer


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, models.Model):
        return value.pk
    return str(value)


def record(
    *,
    actor: Viewer,  # an anonymous visitor (a self-registration) is recorded as no one
    action: str,
    obj: models.Model,
    site_id: int | None = None,
    changes: Mapping[str, Any] | None = None,
) -> None:
    """Add one line to the audit trail (inside the caller's transaction). ``action`` is one
    the app declares in its ``audit_labels``; the object is named in the county's language
    (``LANGUAGE_CODE``), whoever wrote."""
    with translation.override(settings.LANGUAGE_CODE):
        name = str(obj)[:200]
    AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk),
        object_repr=name,
        site_id=site_id,
        changes={key: [_plain(a), _plain(b)] for key, (a, b) in (changes or {}).items()},
    )


def diff(obj: Any, fields: list[str], before: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The fields of ``obj`` that differ from ``before`` (as {field: (old, new)})."""
    return {f: (before[f], getattr(obj, f)) for f in fields if before[f] != getattr(obj, f)}


def snapshot(obj: Any, fields: list[str]) -> dict[str, Any]:
    return {f: getattr(obj, f) for f in fields}


Changes = dict[str, tuple[Any, Any]]


def model_update(instance: models.Model, *, data: Mapping[str, Any]) -> Changes:
    """Set ``data`` on ``instance`` and return what changed, ``{field: (old, new)}``, for
    ``record(changes=...)``. Only concrete fields of the model may be named (anything else is a
    TypeError at once; services type their keyword arguments so that mypy finds it first).
    It does not save: the service validates, then saves with ``update_fields=[*changes]``."""
    names = {field.attname for field in instance._meta.concrete_fields} | {
        field.name for field in instance._meta.concrete_fields
    }
    unknown = set(data) - names
    if unknown:
        raise TypeError(f"{type(instance).__name__} has no fields {sorted(unknown)}")
    changes: Changes = {}
    for name, value in data.items():
        old = getattr(instance, name)
        if old != value:
            changes[name] = (old, value)
            setattr(instance, name, value)
    return changes
