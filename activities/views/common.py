"""What the activity pages share: the page of one activity, the staff-only check for the lists
that name volunteers, the sites and choices a form offers, and small helpers."""

from __future__ import annotations

from typing import Any

from django.db.models import Subquery
from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from centers.models import Kind as SiteKind
from centers.models import Level, ServicePlatform, Site
from civic import nested
from civic.people import mask_name
from civic.scope import can
from civic.views import ScopedObjectView, forbidden
from volunteers.models import Team

from ..models import Activity, BrandProject

SITE_CHOICES_LIMIT = 300
TEAM_CHOICES_LIMIT = 300
PER_PAGE = 30
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def next_or(request, fallback: str) -> str:
    """The ``next`` address of the request if it stays on this site, else ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def detail_url(activity: Activity) -> str:
    return reverse("activities:detail", args=[activity.pk])


def capped(queryset, limit: int, *ordering: str):
    """The first ``limit`` rows of ``queryset`` as a queryset a form field can still filter
    (a choice field looks its value up with ``get``, which a sliced queryset refuses)."""
    model = queryset.model
    return model._default_manager.filter(pk__in=Subquery(queryset.values("pk")[:limit])).order_by(*ordering)


def sites_for(user, action: str, *, limit: int = SITE_CHOICES_LIMIT):
    """Active practice sites and bases ``user`` may ``action`` at, in tree order, for a select:
    the lower levels are left out while there are too many (one to four small queries)."""
    sites = (
        Site.objects.restrict(user, action)
        .filter(kind__in=[SiteKind.PRACTICE, SiteKind.BASE], is_active=True)
        .order_by(*nested.tree_order())
    )
    narrowed = sites
    for lower in ([], [Level.GROUP], [Level.GROUP, Level.VILLAGE], [Level.GROUP, Level.VILLAGE, Level.TOWNSHIP]):
        narrowed = sites.exclude(level__in=lower) if lower else sites
        if narrowed[: limit + 1].count() <= limit:
            return narrowed
    return capped(narrowed, limit, *nested.tree_order())


def platforms_for_user(user):
    return ServicePlatform.objects.restrict(user, "view").filter(is_active=True).order_by("sort_order", "id")


def teams_for_user(user):
    teams = Team.objects.restrict(user, "manage").filter(is_active=True).order_by(*nested.tree_order())
    return capped(teams, TEAM_CHOICES_LIMIT, *nested.tree_order())


def projects_for_user(user):
    projects = BrandProject.objects.restrict(user, "change").filter(is_active=True).order_by("name", "pk")
    return capped(projects, TEAM_CHOICES_LIMIT, "name", "pk")


def shown_name(row) -> str:
    """The volunteer's name of a row from ``activity_signups``/``activity_attendance``: whole
    if the viewer may see the volunteer, else masked."""
    name = row.volunteer.real_name
    return name if getattr(row, "name_visible", False) else mask_name(name)


def file_response(field_file, *, filename: str | None = None, content_type: str | None = None, attachment=False):
    """A stored file, served by a view that checked the user's scope (never a public media URL)."""
    if not field_file:
        raise Http404(_("The file is missing."))
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(_("The file is missing.")) from None
    response = FileResponse(handle, as_attachment=attachment, filename=filename or "", content_type=content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


class ActivityPage(ScopedObjectView):
    """A page about one activity the user may ``scope_action``."""

    model = Activity
    context_object_name = "activity"

    def get_base_queryset(self):
        return Activity.objects.select_related("site", "platform", "team", "brand_project", "organizer")

    @property
    def activity(self) -> Activity:
        return self.object


class StaffOnly:
    """For pages that name an activity's volunteers (sign-ups, attendance, the export): the user
    must hold a role that allows ``staff_action`` on the activity's site — a volunteer who
    reads the activity does not read who else came. Refused with 403 (they see the activity)."""

    staff_action = "view"

    def get_object(self) -> Any:
        obj = super().get_object()  # type: ignore[misc]
        site = obj.site if isinstance(obj, Activity) else obj.activity.site
        if not can(self.request.user, self.staff_action, site):  # type: ignore[attr-defined]
            raise forbidden()
        return obj
