"""Text messages through a pluggable sender (DESIGN.md, Decisions): ``CIVIC_SMS_BACKEND``
names a class with ``send(phone, text)``. The default writes to the log (development);
a deployment plugs in its provider's sender. Messages go out after the transaction
commits, and a failing sender never undoes the write that caused the message."""

from __future__ import annotations

import logging
from functools import lru_cache

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from .people import mask_phone

log = logging.getLogger(__name__)


class ConsoleSender:
    """Writes each message to the log instead of sending it (the phone masked: logs are read
    by people outside the volunteer's scope; the text stays, so a demo can read its codes)."""

    def send(self, phone: str, text: str) -> None:
        log.info("SMS to %s: %s", mask_phone(phone), text)


class MemorySender:
    """Keeps the messages in ``outbox`` (for tests)."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        self.outbox.append((phone, text))


@lru_cache(maxsize=4)
def _sender(path: str):
    return import_string(path)()


def send_later(phone: str, text: str) -> None:
    """Send ``text`` to ``phone`` once the current transaction commits."""
    if not phone:
        return

    def deliver() -> None:
        try:
            _sender(settings.CIVIC_SMS_BACKEND).send(phone, str(text))
        except Exception:  # a provider's failure must not break the page that caused it
            log.exception("SMS to %s failed", mask_phone(phone))

    transaction.on_commit(deliver)
