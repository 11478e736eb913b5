from celery.schedules import crontab
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from civic.registry import AuditLabel, PeriodicTask


class ActivitiesConfig(AppConfig):
    name = "activities"
    verbose_name = _("Activities")
    site_figures = "activities.selectors.site_activity_figures"
    volunteer_figures = "activities.selectors.volunteer_activity_figures"
    periodic_tasks: dict[str, PeriodicTask] = {
        "activity-reminders-daily": {
            "task": "activities.tasks.reminders",
            "schedule": crontab(hour=8, minute=0),
            "options": {"expires": 3 * 3600},
        },
        "activity-quota-warnings-on-the-20th": {
            "task": "activities.tasks.quota_warnings",
            "schedule": crontab(day_of_month=20, hour=9, minute=0),
            "options": {"expires": 12 * 3600},
        },
        "activity-thumbnails-sweep": {
            "task": "activities.tasks.thumbnails_sweep",
            "schedule": crontab(minute="*/15"),
            "options": {"expires": 600},
        },
        "activity-archives-requeue-stale": {
            "task": "activities.tasks.archive_requeue_stale",
            "schedule": crontab(minute="*/10"),
            "options": {"expires": 300},
        },
    }
    audit_labels = {
        "activity.create": AuditLabel(_("activity added"), _("%(actor)s added the activity %(object)s")),
        "activity.update": AuditLabel(
            _("activity changed"), _("%(actor)s changed the activity %(object)s: %(changes)s")
        ),
        "activity.submit": AuditLabel(_("activity submitted"), _("%(actor)s submitted %(object)s for approval")),
        "activity.approve": AuditLabel(_("activity approved"), _("%(actor)s approved %(object)s")),
        "activity.return": AuditLabel(
            _("activity sent back"),
            _("%(actor)s sent %(object)s back for changes: %(reason)s"),
            {"reason": _("reason")},
        ),
        "activity.publish": AuditLabel(_("activity published"), _("%(actor)s opened %(object)s for sign-up")),
        "activity.start": AuditLabel(_("activity started"), _("%(actor)s started %(object)s")),
        "activity.finish": AuditLabel(_("activity finished"), _("%(actor)s finished %(object)s with its summary")),
        "activity.archive": AuditLabel(_("activity archived"), _("%(actor)s archived %(object)s")),
        "activity.cancel": AuditLabel(
            _("activity cancelled"), _("%(actor)s cancelled %(object)s: %(reason)s"), {"reason": _("reason")}
        ),
        "activity.renew_code": AuditLabel(
            _("sign-in code renewed"), _("%(actor)s renewed the sign-in code of %(object)s")
        ),
        "activity.sign_up": AuditLabel(_("signed up"), _("%(actor)s signed up: %(object)s")),
        "activity.sign_up_cancel": AuditLabel(_("sign-up cancelled"), _("%(actor)s cancelled the sign-up %(object)s")),
        "activity.sign_in": AuditLabel(_("signed in"), _("%(actor)s signed in: %(object)s")),
        "activity.sign_out": AuditLabel(_("signed out"), _("%(actor)s signed out: %(object)s")),
        "activity.attendance_mark": AuditLabel(
            _("attendance marked"), _("%(actor)s marked the attendance %(object)s by hand")
        ),
        "activity.confirm": AuditLabel(
            _("attendance confirmed"),
            _("%(actor)s confirmed the attendance of %(object)s: %(confirmed)s people, %(hours)s hours"),
            {"confirmed": _("people confirmed"), "hours": _("hours")},
        ),
        "activity.unconfirm": AuditLabel(
            _("attendance unconfirmed"),
            _("%(actor)s took back the confirmation of %(object)s for %(unconfirmed)s people: %(reason)s"),
            {"unconfirmed": _("people unconfirmed"), "reason": _("reason")},
        ),
        "activity.photo_add": AuditLabel(_("photo added"), _("%(actor)s added the photo %(object)s")),
        "activity.photo_remove": AuditLabel(_("photo removed"), _("%(actor)s removed the photo %(object)s")),
        "activity.record_order": AuditLabel(
            _("order service recorded"), _("%(actor)s recorded the order service %(object)s")
        ),
        "activity.archive_year": AuditLabel(_("year archived"), _("%(actor)s started the yearly archive %(object)s")),
        "activity.settings": AuditLabel(_("activity settings"), _("%(actor)s set the activity rules %(object)s")),
        "activity_plan.open": AuditLabel(_("annual plan opened"), _("%(actor)s opened the annual plan %(object)s")),
        "activity_plan.submit": AuditLabel(_("annual plan filed"), _("%(actor)s filed the annual plan %(object)s")),
        "activity_template.create": AuditLabel(
            _("recurring activity added"), _("%(actor)s added the recurring activity %(object)s")
        ),
        "activity_template.update": AuditLabel(
            _("recurring activity changed"), _("%(actor)s changed the recurring activity %(object)s: %(changes)s")
        ),
        "activity_template.fill": AuditLabel(
            _("plan filled"),
            _("%(actor)s filled the plan from %(object)s with %(drafts)s drafts"),
            {"drafts": _("drafts")},
        ),
        "brand_project.create": AuditLabel(_("brand project added"), _("%(actor)s added the brand project %(object)s")),
        "brand_project.stage": AuditLabel(
            _("brand project moved on"),
            _("%(actor)s moved the brand project %(object)s from %(old)s to %(new)s"),
            {"stage": _("stage")},
        ),
    }
    nav_items = [
        ("activities:home", _("Activities"), "staff"),
        ("activities:open", _("Activities near me"), "volunteer"),
        ("activities:mine", _("My sign-ups"), "volunteer"),
    ]
    home_panels = ["activities.selectors.home_panel", "activities.selectors.home_volunteer_panel"]
