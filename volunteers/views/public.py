"""Public and the volunteer's own pages: self-registration, login claim, my profile."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from centers.models import Site
from centers.selectors import platforms_for
from civic import figures as civic_figures
from civic import nested, otp
from civic.ids import parse_id, post_id
from civic.net import client_address
from civic.people import mask_phone
from civic.throttle import throttled
from civic.views import flash_error, form_errors_from

from .. import selectors, services
from ..forms import (
    MEMBERSHIP_OPEN,
    PRIVACY_NOTICE,
    ClaimForm,
    ReasonForm,
    SelfRegistrationForm,
    practice_sites,
)
from ..models import (
    Membership,
    MembershipStatus,
    Status,
    Team,
    Volunteer,
)
from ..throttles import ClaimThrottle, RegistrationCodeThrottle, RegistrationThrottle
from .common import (
    _not_found,
    shown,
)

# Public and the volunteer's own pages --------------------------------------------------


def _registration_form(data=None, *, initial=None) -> SelfRegistrationForm:
    form = SelfRegistrationForm(data, initial=initial)
    county = form.single_county or form._chosen("county")
    form.fields["skills"].queryset = platforms_for(county)
    places_url = reverse("volunteers:places")
    for name, target in (("county", "#id_township"), ("township", "#id_village")):
        if name in form.fields:
            form.fields[name].widget.attrs.update({"hx-get": places_url, "hx-target": target, "hx-trigger": "change"})
    return form


def _registration_page(request, form, code_status: dict | None = None):
    context = {"form": form, "privacy_notice": PRIVACY_NOTICE, "code_status": code_status}
    return render(request, "volunteers/register.html", context)


@throttled(RegistrationThrottle)
def register(request):
    """Self-registration on a phone: the phone proven by a texted code; creates a login at
    once; the station approves."""
    if request.user.is_authenticated:
        return redirect("volunteers:me")
    form = _registration_form(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            volunteer = services.volunteer_register(actor=None, **form.service_arguments())
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            login(request, volunteer.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Registered. Your station will review your application."))
            return redirect("volunteers:me")
    return _registration_page(request, form)


_NOT_KEPT = {"password", "password2", "csrfmiddlewaretoken", "phone_code"}


@require_POST
@throttled(RegistrationCodeThrottle)
def register_code(request):
    """Text the one-time code that proves the registering phone. With htmx: the status line
    under the phone; without script: the form again, as it was filled in, with that line."""
    try:
        phone = services.registration_code_send(
            phone=request.POST.get("phone", ""), request_address=client_address(request)
        )
    except ValidationError as exc:
        status = {"ok": False, "message": " ".join(exc.messages)}
    else:
        status = {
            "ok": True,
            "message": _("A code was sent to %(phone)s. It is valid for %(minutes)s minutes.")
            % {"phone": mask_phone(phone), "minutes": int(otp.LIFETIME.total_seconds() // 60)},
        }
    if request.headers.get("HX-Request"):
        return render(request, "volunteers/_phone_code.html", {"code_status": status})
    initial = {
        key: request.POST.getlist(key) if key == "skills" else request.POST.get(key)
        for key in request.POST
        if key not in _NOT_KEPT
    }
    return _registration_page(request, _registration_form(initial=initial), status)


def places(request):
    """htmx: the options of the practice sites under the chosen county or township."""
    pk = parse_id(request.GET.get("township") or request.GET.get("county"))
    parent = practice_sites().filter(pk=pk).first() if pk else None
    children = practice_sites().filter(parent=parent).order_by("code", "name") if parent else Site.objects.none()
    return render(request, "volunteers/_places.html", {"places": children, "parent": parent})


@throttled(ClaimThrottle)
def claim(request):
    """Someone registered by their station asks for a login with ID number and phone."""
    if request.user.is_authenticated:
        return redirect("volunteers:me")
    form = ClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.login_claim_request(id_number=data["id_number"], phone=data["phone"], password=data["password"])
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            return render(request, "volunteers/claim.html", {"done": True})
    return render(request, "volunteers/claim.html", {"form": form})


def _my_volunteer(request) -> Volunteer | None:
    return (
        Volunteer.objects.filter(user=request.user, anonymised_at__isnull=True)
        .with_unmask(request.user)
        .select_related("home_site", "source_group")
        .first()
    )


def joinable_teams(volunteer: Volunteer):
    """Active teams at the volunteer's home site and the sites above it, without an open
    request or membership of theirs (1 query)."""
    site = volunteer.home_site
    open_teams = Membership.objects.filter(volunteer=volunteer, status__in=MEMBERSHIP_OPEN).values("team_id")
    return (
        Team.objects.filter(nested.over(site, "site"), is_active=True)
        .exclude(pk__in=open_teams)
        .select_related("site", "platform")
        .annotate(member_count=selectors.team_member_count())
        .order_by(*nested.tree_order("site", reverse=True), *nested.tree_order())
    )


@login_required
def me(request):
    """My volunteer profile: whole numbers, where my application stands, my teams."""
    volunteer = _my_volunteer(request)
    if volunteer is None:
        return render(request, "volunteers/me.html", {"v": None})
    shown([volunteer])
    memberships = list(
        volunteer.memberships.filter(status__in=MEMBERSHIP_OPEN).select_related("team__site").order_by("-requested_at")
    )
    active = volunteer.status == Status.ACTIVE
    return render(
        request,
        "volunteers/me.html",
        {
            "v": volunteer,
            "teams": [m for m in memberships if m.status == MembershipStatus.ACTIVE],
            "requests": [m for m in memberships if m.status == MembershipStatus.PENDING],
            "joinable": list(joinable_teams(volunteer)[:100]) if active else [],
            "skills": list(volunteer.skills.all()),
            "figures": civic_figures.volunteer_figures([volunteer]).get(volunteer.pk, []),
        },
    )


@login_required
@require_POST
def me_join(request):
    volunteer = _my_volunteer(request)
    pk = post_id(request, "team")
    team = joinable_teams(volunteer).filter(pk=pk).first() if volunteer and pk else None
    if team is None:
        raise _not_found()
    try:
        services.membership_request(actor=request.user, volunteer=volunteer, team=team)
    except ValidationError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("Asked to join %(team)s; its leader will decide.") % {"team": team})
    return redirect("volunteers:me")


@login_required
@require_POST
def me_leave(request):
    pk = post_id(request, "membership")
    membership = (
        Membership.objects.filter(pk=pk, volunteer__user=request.user).select_related("team").first() if pk else None
    )
    if membership is None:
        raise _not_found()
    try:
        services.membership_leave(actor=request.user, membership=membership)
    except ValidationError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, _("You left %(team)s.") % {"team": membership.team})
    return redirect("volunteers:me")


@login_required
def me_withdraw(request):
    """A volunteer leaves: a confirmation page; their hours and points stay."""
    volunteer = _my_volunteer(request)
    if volunteer is None:
        raise _not_found()
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.volunteer_set_status(
                actor=request.user, volunteer=volunteer, status=Status.WITHDRAWN, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, _("You have withdrawn. Thank you for your service."))
            return redirect("volunteers:me")
    return render(request, "volunteers/withdraw.html", {"v": volunteer, "form": form})
