"""Every write to activities, sign-ups, attendance, photos, plans and the county's settings.
Pages, the API, the admin, tasks and commands call these; none writes those models
directly. Each runs in one transaction, checks permission and state, and raises a clear
ValidationError or PermissionDenied."""

from .archive import archive_requeue_stale, archive_run, archive_start
from .attendance import (
    Confirmed,
    Location,
    attendance_confirm,
    attendance_mark,
    attendance_sign_in,
    attendance_sign_out,
    attendance_unconfirm,
    source_key,
)
from .lifecycle import (
    KEEP,
    activity_approve,
    activity_archive,
    activity_cancel,
    activity_create,
    activity_finish,
    activity_move,
    activity_publish,
    activity_renew_code,
    activity_return,
    activity_start,
    activity_submit,
    activity_update,
)
from .orders import activity_record_order_service
from .photos import clean_photo, photo_add, photo_make_thumbnail, photo_remove, photo_update
from .planning import (
    activity_settings_save,
    brand_project_advance,
    brand_project_create,
    plan_open,
    plan_submit,
    recurring_fill,
    template_save,
)
from .quota import quota_warnings_run
from .signups import open_to, publish_notice_send, reminders_send, signup_cancel, signup_create

__all__ = [
    "KEEP",
    "Confirmed",
    "Location",
    "activity_approve",
    "activity_archive",
    "activity_cancel",
    "activity_create",
    "activity_finish",
    "activity_move",
    "activity_publish",
    "activity_record_order_service",
    "activity_renew_code",
    "activity_return",
    "activity_settings_save",
    "activity_start",
    "activity_submit",
    "activity_update",
    "archive_requeue_stale",
    "archive_run",
    "archive_start",
    "attendance_confirm",
    "attendance_mark",
    "attendance_sign_in",
    "attendance_sign_out",
    "attendance_unconfirm",
    "brand_project_advance",
    "brand_project_create",
    "clean_photo",
    "open_to",
    "photo_add",
    "photo_make_thumbnail",
    "photo_remove",
    "photo_update",
    "plan_open",
    "plan_submit",
    "publish_notice_send",
    "quota_warnings_run",
    "recurring_fill",
    "reminders_send",
    "signup_cancel",
    "signup_create",
    "source_key",
    "template_save",
]
