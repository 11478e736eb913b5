"""What the apps declare in their AppConfig, gathered in one place.

An app names, as attributes of its AppConfig:

- ``periodic_tasks``: ``{name: PeriodicTask}``, Celery beat entries (``task``, ``schedule``
  and optional ``args``, ``kwargs``, ``options``). ``install_beat_schedule`` puts every app's
  entries into the Celery app's beat schedule when Django starts (``CivicConfig.ready``).
- ``audit_labels``: ``{action: AuditLabel}``, how the audit trail says each action it
  records (``civic.selectors.audit_lines`` reads them).

(The navigation, ``nav_items``, is gathered by ``civic.nav``; the figures of lower pages,
``site_figures`` and ``volunteer_figures``, by ``civic.figures``.)

This module imports no model, so that an ``apps.py`` may import it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from typing import Any, NotRequired, TypedDict

from celery.schedules import schedule as celery_schedule
from django.apps import AppConfig, apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise

Text = str | Promise  # a string, or a lazy translation of one


class PeriodicTask(TypedDict):
    """One Celery beat entry, as ``CELERY_BEAT_SCHEDULE`` would hold it."""

    task: str
    schedule: celery_schedule | timedelta | float
    args: NotRequired[list[Any] | tuple[Any, ...]]
    kwargs: NotRequired[dict[str, Any]]
    options: NotRequired[dict[str, Any]]


@dataclass(frozen=True)
class AuditLabel:
    """How the trail says one action.

    - ``name``: the action in a few words, for the trail's filter ("site added");
    - ``sentence``: the line of the trail, a template with ``%(actor)s`` (who), ``%(object)s``
      (what it was done to), ``%(changes)s`` (its changes not named otherwise, as "status from
      pending to rejected; ..."), ``%(field)s``/``%(old)s``/``%(new)s`` (its first change) and
      ``%(<key>)s`` (the new value of the change ``key``). Changes the sentence does not name
      are not shown.
    - ``fields``: names of change keys that are not fields of the object's model.
    """

    name: Text
    sentence: Text
    fields: Mapping[str, Text] = field(default_factory=dict)


def declared(attribute: str) -> list[tuple[AppConfig, Any]]:
    """``(app config, value)`` of every installed app that declares ``attribute``, in
    INSTALLED_APPS order."""
    return [(config, value) for config in apps.get_app_configs() if (value := getattr(config, attribute, None))]


def merged(attribute: str) -> dict[str, Any]:
    """The mappings every app declares as ``attribute``, merged; a key two apps declare is a
    configuration error."""
    result: dict[str, Any] = {}
    owners: dict[str, str] = {}
    for config, mapping in declared(attribute):
        for key, value in mapping.items():
            if key in result:
                raise ImproperlyConfigured(f"{attribute} {key!r} is declared by both {owners[key]} and {config.label}")
            result[key] = value
            owners[key] = config.label
    return result


def periodic_tasks() -> dict[str, PeriodicTask]:
    """Every app's beat entries, by name."""
    return merged("periodic_tasks")


def install_beat_schedule(celery_app: Any) -> None:
    """Put every app's ``periodic_tasks`` into ``celery_app``'s beat schedule, beside any
    entries still in ``CELERY_BEAT_SCHEDULE`` (a name in both is a configuration error)."""
    schedule = dict(celery_app.conf.beat_schedule or {})
    for name, entry in periodic_tasks().items():
        if name in schedule and schedule[name] != entry:
            raise ImproperlyConfigured(f"periodic task {name!r} is both in CELERY_BEAT_SCHEDULE and an AppConfig")
        schedule[name] = dict(entry)
    celery_app.conf.beat_schedule = schedule


@lru_cache(maxsize=1)
def audit_labels() -> dict[str, AuditLabel]:
    """Every app's audit labels, by action."""
    labels = merged("audit_labels")
    for action, label in labels.items():
        if not isinstance(label, AuditLabel):
            raise ImproperlyConfigured(f"audit label {action!r} must be an AuditLabel")
    return labels


def audit_label_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """``(app name, [(action, name), ...])`` for a grouped choice of actions."""
    return [
        (str(config.verbose_name), [(action, str(label.name)) for action, label in mapping.items()])
        for config, mapping in declared("audit_labels")
    ]
