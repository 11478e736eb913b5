"""The people running an activity: its sign-ups, its attendance list with marking by hand,
one attendance's page and correction, confirming the whole list (and taking it back), and
the xlsx export."""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civic.people import mask_name
from civic.scope import can
from civic.views import ScopedObjectView, ServiceFormView, paginate
from volunteers.models import Status, Volunteer
from volunteers.selectors import volunteer_search

from .. import selectors, services
from ..forms import AttendanceForm, MarkForm, ReasonForm
from ..models import Attendance, Flag, State
from ..services.attendance import MARK_STATES
from .common import XLSX, ActivityPage, StaffOnly

LIST_PER_PAGE = 100
SEARCH_LIMIT = 20
FLAG_LABELS = dict(Flag.choices)


def attendance_url(activity) -> str:
    return reverse("activities:attendance", args=[activity.pk])


def _with_names(rows) -> list:
    rows = list(rows)
    for row in rows:
        row.shown_name = row.volunteer.real_name if row.name_visible else mask_name(row.volunteer.real_name)
        if hasattr(row, "flags"):
            row.flag_labels = [FLAG_LABELS.get(flag, flag) for flag in row.flags]
    return rows


class SignUpsView(StaffOnly, ActivityPage):
    """Who signed up (and who cancelled), 100 a page."""

    scope_action = "view"
    template_name = "activities/signups.html"

    def get(self, request, pk):
        page = paginate(request, selectors.activity_signups(self.activity, request.user), LIST_PER_PAGE)
        return self.render(page=page, rows=_with_names(page.object_list))


class AttendanceListView(StaffOnly, ActivityPage):
    """Who came: times, method, hours, flags and confirmation, 100 a page; marking by hand,
    confirming the whole list and the export are one tap away."""

    scope_action = "view"
    template_name = "activities/attendance.html"

    def get(self, request, pk):
        activity = self.activity
        page = paginate(request, selectors.activity_attendance(activity, request.user), LIST_PER_PAGE)
        manager = can(request.user, "manage", activity.site)
        return self.render(
            page=page,
            rows=_with_names(page.object_list),
            manager=manager,
            can_mark=manager and activity.state in MARK_STATES,
            can_confirm=manager and activity.state == State.FINISHED,
        )


class MarkView(StaffOnly, ActivityPage, ServiceFormView):
    """Mark a volunteer present by hand: those signed up and not yet marked are listed; others
    are found by the one people search (name, pinyin, the phone's last 4 digits...)."""

    scope_action = "manage"
    staff_action = "manage"
    template_name = "activities/mark.html"
    form_class = MarkForm
    success_message = gettext_lazy("Marked present.")

    def candidates(self):
        """The volunteers the user may mark: those they can see, and those signed up here."""
        signed = self.activity.signups.values("volunteer_id")
        visible = Volunteer.objects.restrict(self.request.user, "view").values("pk")
        return Volunteer.objects.filter(Q(pk__in=visible) | Q(pk__in=signed), status=Status.ACTIVE)

    def get_initial(self):
        return {
            "signed_in_at": timezone.localtime(self.activity.starts_at),
            "signed_out_at": timezone.localtime(self.activity.ends_at),
        }

    def row_form(self, volunteer_id: int, bound=None):
        if bound is not None and bound.data.get("volunteer") == str(volunteer_id):
            return bound
        return MarkForm(initial={"volunteer": volunteer_id, **self.get_initial()}, auto_id=f"id_v{volunteer_id}_%s")

    def get_context_data(self, form=None, **context):
        q = self.request.GET.get("q", "").strip()[:50]
        signed = selectors.unmarked_signups(self.activity, self.request.user)
        found = []
        if q:
            people = volunteer_search(
                Volunteer.objects.restrict(self.request.user, "view").filter(status=Status.ACTIVE),
                self.request.user,
                q,
            ).select_related("home_site")
            found = list(people.order_by("real_name", "pk")[:SEARCH_LIMIT])
        bound = form if form is not None and form.is_bound else None
        rows = [
            (s.volunteer, s.volunteer.real_name if s.name_visible else mask_name(s.volunteer.real_name)) for s in signed
        ]
        return super().get_context_data(
            q=q,
            signed=[(v, name, self.row_form(v.pk, bound)) for v, name in rows],
            found=[(v, v.real_name, self.row_form(v.pk, bound)) for v in found],
            form=bound,
            open=self.activity.state in MARK_STATES,
            **context,
        )

    def write(self, form):
        data = form.cleaned_data
        volunteer = self.candidates().filter(pk=data["volunteer"]).select_related("home_site").first()
        if volunteer is None:
            raise forms.ValidationError(_("Choose a volunteer from the list."))
        return services.attendance_mark(
            actor=self.request.user,
            activity=self.activity,
            volunteer=volunteer,
            signed_in_at=data["signed_in_at"],
            signed_out_at=data.get("signed_out_at"),
            hours=data.get("hours"),
            note=data.get("note") or "",
        )

    def get_success_url(self, result) -> str:
        return attendance_url(self.activity)


class AttendancePage(ScopedObjectView):
    model = Attendance
    context_object_name = "attendance"

    def get_base_queryset(self):
        return Attendance.objects.select_related("activity__site", "volunteer__home_site")

    def get_context_data(self, **context):
        attendance = self.object
        visible = Volunteer.objects.restrict(self.request.user, "view").filter(pk=attendance.volunteer_id).exists()
        name = attendance.volunteer.real_name
        return super().get_context_data(
            activity=attendance.activity,
            shown_name=name if visible else mask_name(name),
            flag_labels=[FLAG_LABELS.get(flag, flag) for flag in attendance.flags],
            **context,
        )


class AttendanceDetailView(AttendancePage):
    """One attendance: times, how, where (distance), flags, hours, confirmation."""

    scope_action = "view"
    template_name = "activities/attendance_detail.html"

    def get(self, request, pk):
        attendance = self.object
        return self.render(
            staff=can(request.user, "view", attendance.activity.site),
            can_edit=can(request.user, "manage", attendance.activity.site)
            and attendance.confirmed_at is None
            and attendance.activity.state in MARK_STATES,
        )


class AttendanceEditView(AttendancePage, ServiceFormView):
    """Correct one attendance's times, hours or note (before it is confirmed)."""

    scope_action = "change"
    template_name = "activities/attendance_edit.html"
    form_class = AttendanceForm
    success_message = gettext_lazy("Saved.")

    def get_initial(self):
        a = self.object
        return {
            "signed_in_at": timezone.localtime(a.signed_in_at) if a.signed_in_at else None,
            "signed_out_at": timezone.localtime(a.signed_out_at) if a.signed_out_at else None,
            "hours": a.hours if a.hours_by_hand else None,
            "note": a.note,
        }

    def write(self, form):
        data = form.cleaned_data
        a = self.object
        return services.attendance_mark(
            actor=self.request.user,
            activity=a.activity,
            volunteer=a.volunteer,
            signed_in_at=data["signed_in_at"],
            signed_out_at=data.get("signed_out_at"),
            hours=data.get("hours"),
            note=data.get("note") or "",
        )

    def get_success_url(self, result) -> str:
        return attendance_url(self.object.activity)


class ConfirmView(ActivityPage, ServiceFormView):
    """Confirm the whole list in one action: hours and points are credited once each."""

    scope_action = "manage"
    template_name = "activities/confirm.html"

    def get_context_data(self, **context):
        waiting = Attendance.objects.filter(
            activity=self.activity, confirmed_at__isnull=True, signed_in_at__isnull=False
        ).count()
        return super().get_context_data(waiting=waiting, **context)

    def write(self, form):
        self.result = services.attendance_confirm(actor=self.request.user, activity=self.activity)
        return None

    def get_success_message(self, result) -> str:
        r = self.result
        if not r.confirmed:
            return _("Nothing was waiting for confirmation.")
        return _("Confirmed %(n)s attendances; %(hours)s hours credited to %(credited)s volunteers.") % {
            "n": r.confirmed,
            "hours": r.hours,
            "credited": r.credited,
        }

    def get_success_url(self, result) -> str:
        return attendance_url(self.activity)


class UnconfirmView(ActivityPage, ServiceFormView):
    """Take the confirmation back, with a reason: each credit is reversed by a new entry."""

    scope_action = "manage"
    template_name = "activities/unconfirm.html"
    form_class = ReasonForm

    def write(self, form):
        self.count = services.attendance_unconfirm(
            actor=self.request.user, activity=self.activity, reason=form.cleaned_data.get("reason", "")
        )
        return None

    def get_success_message(self, result) -> str:
        return _("The confirmation of %(n)s attendances was taken back; their credits are reversed.") % {
            "n": self.count
        }

    def get_success_url(self, result) -> str:
        return attendance_url(self.activity)


class ExportView(StaffOnly, ActivityPage):
    """The activity's attendance as an xlsx sheet (names outside the user's reach masked)."""

    scope_action = "view"

    def get(self, request, pk):
        rows = Attendance.objects.restrict(request.user, "view").filter(activity=self.activity)
        response = HttpResponse(selectors.attendance_export(rows, request.user), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="attendance-{self.activity.pk}.xlsx"'
        return response
