"""Recording the audit trail from services."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType

from .models import AuditEntry


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def record(*, actor, action: str, obj, site_id: int | None = None, changes: dict | None = None) -> None:
    """Add one line to the audit trail (inside the caller's transaction)."""
    AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=ContentType.objects.get_for_model(type(obj)),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        site_id=site_id,
        changes={key: [_plain(a), _plain(b)] for key, (a, b) in (changes or {}).items()},
    )


def diff(obj, fields: list[str], before: dict) -> dict:
    """The fields of ``obj`` that differ from ``before`` (as {field: (old, new)})."""
    return {f: (before[f], getattr(obj, f)) for f in fields if before[f] != getattr(obj, f)}


def snapshot(obj, fields: list[str]) -> dict:
    return {f: getattr(obj, f) for f in fields}
