"""Activities: the month's work of every site — plan, approve, publish, sign up, sign in by
QR, hours, photos, quota. Writes go through ``activities.services``."""

from .activity import (
    HELD_STATES,
    PUBLIC_STATES,
    SCHEDULED_STATES,
    Activity,
    ActivityEvent,
    ActivityQuerySet,
    Kind,
    Photo,
    State,
)
from .attendance import Attendance, Flag, Method, SignUp, SignUpStatus
from .county import (
    DEFAULT_HOURS_STEPS,
    DEFAULT_RADIUS,
    ActivityArchive,
    ActivitySettings,
    ArchiveStatus,
    QuotaShortfall,
)
from .planning import AnnualPlan, BrandProject, RecurringTemplate, Stage

__all__ = [
    "DEFAULT_HOURS_STEPS",
    "DEFAULT_RADIUS",
    "HELD_STATES",
    "PUBLIC_STATES",
    "SCHEDULED_STATES",
    "Activity",
    "ActivityArchive",
    "ActivityEvent",
    "ActivityQuerySet",
    "ActivitySettings",
    "AnnualPlan",
    "ArchiveStatus",
    "Attendance",
    "BrandProject",
    "Flag",
    "Kind",
    "Method",
    "Photo",
    "QuotaShortfall",
    "RecurringTemplate",
    "SignUp",
    "SignUpStatus",
    "Stage",
    "State",
]
