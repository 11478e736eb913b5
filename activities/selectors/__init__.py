"""Reads of activities that are more than a filter, each in a fixed number of queries (its
docstring says how many; the tests pin them)."""

from .figures import (
    QuotaProgress,
    brand_projects_by_township,
    plan_progress,
    quota_progress,
    shortfalls_for,
    site_activity_figures,
    site_stats,
    site_top_volunteers,
    volunteer_activity_figures,
)
from .lists import (
    MoveOption,
    NeedsAction,
    activity_calendar,
    activity_list,
    allowed_moves,
    attendance_export,
    family_volunteers,
    my_history,
    my_signups,
    needs_action,
    open_near,
    plan_is_late,
)

__all__ = [
    "MoveOption",
    "NeedsAction",
    "QuotaProgress",
    "activity_calendar",
    "activity_list",
    "allowed_moves",
    "attendance_export",
    "brand_projects_by_township",
    "family_volunteers",
    "my_history",
    "my_signups",
    "needs_action",
    "open_near",
    "plan_is_late",
    "plan_progress",
    "quota_progress",
    "shortfalls_for",
    "site_activity_figures",
    "site_stats",
    "site_top_volunteers",
    "volunteer_activity_figures",
]
