from celery.schedules import crontab
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from civic.registry import AuditLabel, PeriodicTask

_STATUS_CHANGE = _("%(actor)s changed %(object)s: %(changes)s")
_REASON = {"reason": _("reason")}


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("Volunteers and teams")
    site_figures = "volunteers.selectors.site_volunteer_figures"
    person_names = "volunteers.privacy.volunteer_person_names"
    audience_rows = "volunteers.selectors.audience_rows"
    home_panels = [
        "volunteers.selectors.home_volunteer_panel",
        "volunteers.selectors.home_approvals_panel",
        "volunteers.selectors.home_join_panel",
    ]
    nav_items = [
        ("volunteers:me", _("My volunteer profile"), "volunteer"),
        ("volunteers:list", _("Volunteers"), "staff"),
        ("volunteers:teams", _("Teams"), ("staff", "leader")),
        ("volunteers:queue", _("Approvals"), "manager"),
        ("volunteers:import", _("Roster import"), "manager"),
    ]
    periodic_tasks: dict[str, PeriodicTask] = {
        "roster-imports-requeue-stale": {
            "task": "volunteers.tasks.roster_import_requeue_stale",
            "schedule": crontab(minute="*/10"),
            "options": {"expires": 300},
        },
    }
    audit_labels = {
        "volunteer.register": AuditLabel(_("volunteer registered"), _("%(actor)s registered %(object)s")),
        "volunteer.update": AuditLabel(
            _("volunteer profile changed"), _("%(actor)s changed the profile of %(object)s: %(changes)s")
        ),
        "volunteer.pending": AuditLabel(_("volunteer back to pending"), _STATUS_CHANGE, _REASON),
        "volunteer.active": AuditLabel(_("volunteer approved"), _STATUS_CHANGE, _REASON),
        "volunteer.rejected": AuditLabel(_("volunteer rejected"), _STATUS_CHANGE, _REASON),
        "volunteer.suspended": AuditLabel(_("volunteer suspended"), _STATUS_CHANGE, _REASON),
        "volunteer.withdrawn": AuditLabel(_("volunteer withdrawn"), _STATUS_CHANGE, _REASON),
        "volunteer.anonymise": AuditLabel(
            _("personal data erased"), _("%(actor)s erased the personal data of a volunteer")
        ),
        "volunteer.claim": AuditLabel(_("login claimed"), _("%(object)s asked for their login")),
        "volunteer.claim_confirmed": AuditLabel(_("login confirmed"), _("%(actor)s confirmed the login of %(object)s")),
        "volunteer.claim_refused": AuditLabel(_("login refused"), _("%(actor)s refused the login claim of %(object)s")),
        "volunteer.password_reset": AuditLabel(_("password reset"), _("%(actor)s reset the password of %(object)s")),
        "volunteer.password_changed": AuditLabel(_("password changed"), _("%(actor)s changed their own password")),
        "volunteer.import": AuditLabel(
            _("roster imported"),
            _("%(actor)s imported the roster %(object)s: %(rows)s rows, %(created)s registered, %(rejected)s refused"),
        ),
        "team.create": AuditLabel(_("team added"), _("%(actor)s added the team %(object)s")),
        "team.update": AuditLabel(_("team changed"), _("%(actor)s changed the team %(object)s: %(changes)s")),
        "team.leader": AuditLabel(
            _("team leader changed"), _("%(actor)s changed the leader of %(object)s from %(old)s to %(new)s")
        ),
        "membership.request": AuditLabel(_("asked to join a team"), _("%(actor)s asked to join: %(object)s")),
        "membership.active": AuditLabel(_("join request accepted"), _("%(actor)s accepted the request %(object)s")),
        "membership.rejected": AuditLabel(_("join request declined"), _("%(actor)s declined the request %(object)s")),
        "membership.left": AuditLabel(_("left a team"), _("%(actor)s ended the membership %(object)s")),
    }
