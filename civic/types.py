"""Types the services and selectors of every app share.

``Actor`` is who performs a write: a user, or ``None`` for the system itself (a command, a
task, the demo). ``Viewer`` is who reads: a page's ``request.user`` may be anonymous.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

Actor: TypeAlias = "User | None"
Viewer: TypeAlias = "User | AnonymousUser | None"
