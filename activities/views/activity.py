"""One activity: its page, the draft's form (new and edit), the moves of the transition table
(a confirmation page, with a reason where the move needs one) and finishing with a summary,
the people served and photos."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from centers.models import Site
from civic.ids import query_id
from civic.people import name_people, person_name
from civic.scope import can
from civic.views import ServiceFormView

from .. import selectors, services
from ..forms import ActivityForm, FinishForm, ReasonForm
from ..lifecycle import MOVES, timing_problem
from ..models import ActivityEvent, Attendance, Kind, Photo, SignUp, SignUpStatus, State
from ..rules import settings_for
from ..services.attendance import SIGN_IN_STATES
from ..services.common import approver_site
from ..services.photos import PHOTO_STATES
from .common import ActivityPage, detail_url, platforms_for_user, projects_for_user, sites_for, teams_for_user

GALLERY_LIMIT = 30
EVENTS_LIMIT = 20

MOVE_DONE = {
    "submit": gettext_lazy("Submitted for approval."),
    "approve": gettext_lazy("Approved."),
    "return": gettext_lazy("Sent back for changes."),
    "publish": gettext_lazy("Published: volunteers can sign up now."),
    "start": gettext_lazy("The activity is under way."),
    "finish": gettext_lazy("Finished. Now confirm the attendance to credit hours and points."),
    "archive": gettext_lazy("Archived."),
    "cancel": gettext_lazy("Cancelled."),
}
EVENT_LABELS = {
    "create": pgettext_lazy("activity event", "created"),
    "submit": pgettext_lazy("activity event", "submitted for approval"),
    "approve": pgettext_lazy("activity event", "approved"),
    "return": pgettext_lazy("activity event", "sent back for changes"),
    "publish": pgettext_lazy("activity event", "published"),
    "start": pgettext_lazy("activity event", "started"),
    "finish": pgettext_lazy("activity event", "finished"),
    "archive": pgettext_lazy("activity event", "archived"),
    "cancel": pgettext_lazy("activity event", "cancelled"),
}
# Moves that undo work or cannot be taken back: the page asks before making them.
DESTRUCTIVE = {"cancel", "return", "archive"}


class ActivityDetailView(ActivityPage):
    """The activity's details; for the people running it, the moves the table allows them, the
    photos, the sign-up and attendance counts and the log of moves; for a volunteer, signing
    up (for themself or the family on their phone) and their sign-up."""

    scope_action = "view"
    template_name = "activities/detail.html"

    def get(self, request, pk):
        activity, user = self.activity, request.user
        staff = can(user, "view", activity.site)
        context: dict[str, Any] = {"staff": staff, "now": timezone.now()}
        context["organizer_name"] = person_name(activity.organizer, user) if activity.organizer_id else ""
        if staff:
            moves = [
                # the finish page takes the photos itself: only its timing blocks it
                replace(m, blocked=timing_problem(MOVES[m.name], activity, context["now"])) if m.needs_summary else m
                for m in selectors.allowed_moves(user, activity)
            ]
            context.update(
                moves=moves,
                simple_moves=[m for m in moves if not (m.needs_reason or m.needs_summary) and not m.blocked],
                manager=can(user, "manage", activity.site),
                photos=list(Photo.objects.restrict(user, "view").filter(activity=activity)[:GALLERY_LIMIT]),
                attendance_count=Attendance.objects.filter(activity=activity).count(),
                events=name_people(
                    ActivityEvent.objects.filter(activity=activity)
                    .select_related("actor")
                    .order_by("-at", "-pk")[:EVENTS_LIMIT],
                    user,
                    "actor",
                ),
                destructive=DESTRUCTIVE,
            )
            for event in context["events"]:
                event.label = EVENT_LABELS.get(event.move, event.move)
            context["can_photo"] = context["manager"] and activity.state in PHOTO_STATES
            context["can_code"] = context["manager"] and activity.state in SIGN_IN_STATES
            if activity.state == State.SUBMITTED and not any(m.name == "approve" for m in moves):
                rules = settings_for(activity.site, timezone.localtime(activity.starts_at).date())
                context["approver"] = approver_site(activity, rules)
        family = selectors.family_volunteers(user)
        if family:
            mine = SignUp.objects.filter(activity=activity, volunteer__in=[v.pk for v in family]).select_related(
                "volunteer"
            )
            signed = {s.volunteer_id: s for s in mine}
            context["family"] = [(v, signed.get(v.pk)) for v in family]
            context["signup_open"] = activity.state == State.PUBLISHED and context["now"] < activity.starts_at
            context["any_signed"] = any(s.status == SignUpStatus.SIGNED_UP for s in signed.values())
        return self.render(**context)


class ActivityFormMixin:
    template_name = "activities/form.html"
    form_class = ActivityForm

    def form_choices(self) -> dict:
        user = self.request.user  # type: ignore[attr-defined]
        return {
            "platforms": platforms_for_user(user),
            "teams": teams_for_user(user),
            "projects": projects_for_user(user),
        }

    @staticmethod
    def fields_of(data: dict) -> dict:
        fields = {key: value for key, value in data.items() if key not in ("site", "in_plan")}
        fields["description"] = fields.get("description") or ""
        return fields

    def plan_for(self, site: Site, data: dict):
        if not data.get("in_plan"):
            return None
        year = timezone.localtime(data["starts_at"]).year
        return services.plan_open(actor=self.request.user, site=site, year=year)  # type: ignore[attr-defined]


class ActivityCreateView(ActivityFormMixin, ServiceFormView):
    """A new draft at one of the sites the user plans for (``?site=`` chooses it)."""

    success_message = gettext_lazy("Saved as a draft. Submit it for approval when it is ready.")

    def sites(self):
        return sites_for(self.request.user, "add")

    def get_form_kwargs(self):
        sites = self.sites()
        if not sites.exists():
            raise PermissionDenied(_("You cannot plan activities at any site."))
        return {**super().get_form_kwargs(), "sites": sites, **self.form_choices()}

    def get_initial(self):
        start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=7)
        return {
            "site": query_id(self.request, "site"),
            "starts_at": start,
            "ends_at": start + timedelta(hours=2),
            "kind": Kind.REGULAR,
        }

    def write(self, form):
        data = form.cleaned_data
        site = data["site"]
        return services.activity_create(
            actor=self.request.user, site=site, plan=self.plan_for(site, data), **self.fields_of(data)
        )

    def get_success_url(self, result) -> str:
        return detail_url(result)

    def get_context_data(self, **context):
        return super().get_context_data(creating=True, **context)


class ActivityEditView(ActivityFormMixin, ActivityPage, ServiceFormView):
    """A draft's details (once submitted, an activity changes only after it is sent back)."""

    scope_action = "change"
    success_message = gettext_lazy("Saved.")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), **self.form_choices()}

    def get_initial(self):
        a = self.activity
        return {
            "title": a.title,
            "kind": a.kind,
            "platform": a.platform_id,
            "theme": a.theme,
            "starts_at": timezone.localtime(a.starts_at),
            "ends_at": timezone.localtime(a.ends_at),
            "place": a.place,
            "latitude": a.latitude,
            "longitude": a.longitude,
            "capacity": a.capacity,
            "hours_cap": a.hours_cap,
            "team": a.team_id,
            "brand_project": a.brand_project_id,
            "in_plan": a.plan_id is not None,
            "description": a.description,
        }

    def write(self, form):
        data = form.cleaned_data
        return services.activity_update(
            actor=self.request.user,
            activity=self.activity,
            plan=self.plan_for(self.activity.site, data),
            **self.fields_of(data),
        )

    def get_success_url(self, result) -> str:
        return detail_url(result)


class MoveView(ActivityPage, ServiceFormView):
    """One move of the transition table: GET asks (with a reason where the move needs one),
    POST makes it through ``activity_move``; a move the table refuses comes back with its
    message and changes nothing."""

    scope_action = "manage"
    template_name = "activities/move.html"
    form_class = ReasonForm

    def dispatch(self, request, *args, **kwargs):
        self.move = MOVES.get(kwargs.get("move", ""))
        if self.move is None or self.move.name == "finish":
            raise Http404(_("There is no such move."))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **context):
        options = {m.name: m for m in selectors.allowed_moves(self.request.user, self.activity)}
        option = options.get(self.move.name)
        return super().get_context_data(
            move=self.move, option=option, destructive=self.move.name in DESTRUCTIVE, **context
        )

    def write(self, form):
        return services.activity_move(
            actor=self.request.user,
            activity=self.activity,
            move=self.move.name,
            reason=form.cleaned_data.get("reason", ""),
        )

    def get_success_message(self, result) -> str:
        return str(MOVE_DONE[self.move.name])

    def get_success_url(self, result) -> str:
        return detail_url(result)


class FinishView(ActivityPage, ServiceFormView):
    """Finish with a summary, the people served and photos (at least one in all): the photos
    and the move are one write, so a refusal keeps neither."""

    scope_action = "manage"
    template_name = "activities/finish.html"
    form_class = FinishForm
    success_message = MOVE_DONE["finish"]

    def get_initial(self):
        return {"summary": self.activity.summary, "people_served": self.activity.people_served}

    def get_context_data(self, **context):
        options = {m.name: m for m in selectors.allowed_moves(self.request.user, self.activity)}
        photos = Photo.objects.filter(activity=self.activity).count()
        return super().get_context_data(
            option=options.get("finish"),
            too_early=timing_problem(MOVES["finish"], self.activity, timezone.now()),
            photo_count=photos,
            **context,
        )

    def write(self, form):
        data = form.cleaned_data
        written: list[str] = []
        try:
            for upload in data["photos"]:
                try:
                    photo = services.photo_add(actor=self.request.user, activity=self.activity, image=upload)
                except ValidationError as exc:
                    raise ValidationError({"photos": [f"{upload.name}: {m}" for m in exc.messages]}) from None
                written.append(photo.image.name)
            return services.activity_move(
                actor=self.request.user,
                activity=self.activity,
                move="finish",
                summary=data.get("summary") or "",
                people_served=data.get("people_served"),
            )
        except Exception:
            for name in written:  # the rows roll back; their files go too
                default_storage.delete(name)
            raise

    def get_success_url(self, result) -> str:
        return detail_url(result)
