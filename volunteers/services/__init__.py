"""Writes to volunteers, teams, memberships and roster imports. Every page, API call, admin
action, task and command goes through these: keyword-only, typed, model instances as
arguments, one transaction, permission and state checked, a clear ValidationError or
PermissionDenied. Reads that decide (``allowed_statuses``, ``may_decide_membership``,
``duplicate_message``...) are in ``volunteers.selectors``.

- ``people``: registration (the record is built by ``volunteers.records``), approval,
  status, profile, deletion on request;
- ``claims``: logins of people registered by their station;
- ``teams``: teams and memberships;
- ``roster``: roster imports (the file format is ``volunteers.roster``).
"""

from ..records import MAX_PER_PHONE
from .claims import login_claim_confirm, login_claim_request, login_password_change, login_reset_password
from .common import TEAM_TREES, Actor
from .people import (
    REGISTER_CODE,
    VolunteerChanges,
    registration_code_send,
    volunteer_anonymise,
    volunteer_decide,
    volunteer_register,
    volunteer_set_status,
    volunteer_update,
)
from .roster import (
    MAX_UPLOAD_BYTES,
    roster_import_create,
    roster_import_requeue_stale,
    roster_import_run,
    roster_import_start,
)
from .teams import (
    TeamChanges,
    membership_decide,
    membership_leave,
    membership_request,
    team_create,
    team_set_leader,
    team_update,
)

__all__ = [
    "MAX_PER_PHONE",
    "MAX_UPLOAD_BYTES",
    "REGISTER_CODE",
    "TEAM_TREES",
    "Actor",
    "TeamChanges",
    "VolunteerChanges",
    "login_claim_confirm",
    "login_claim_request",
    "login_password_change",
    "login_reset_password",
    "membership_decide",
    "membership_leave",
    "membership_request",
    "registration_code_send",
    "roster_import_create",
    "roster_import_requeue_stale",
    "roster_import_run",
    "roster_import_start",
    "team_create",
    "team_set_leader",
    "team_update",
    "volunteer_anonymise",
    "volunteer_decide",
    "volunteer_register",
    "volunteer_set_status",
    "volunteer_update",
]
