"""Public and the volunteer's own pages: self-registration, login claim, my profile."""

from __future__ import annotations

from django.contrib.auth import login, update_session_auth_hash
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from centers.models import Site
from centers.selectors import platforms_for
from civic import figures as civic_figures
from civic import otp
from civic.ids import parse_id, post_id
from civic.net import client_address
from civic.people import mask_phone
from civic.throttle import throttled
from civic.views import ScopedObjectView, ServiceFormView

from .. import services
from ..forms import (
    PRIVACY_NOTICE,
    ClaimForm,
    MyPasswordForm,
    ReasonForm,
    SelfRegistrationForm,
    practice_sites,
)
from ..models import (
    MEMBERSHIP_OPEN,
    Membership,
    MembershipStatus,
    Status,
    Volunteer,
)
from ..selectors import joinable_teams, may_withdraw
from ..throttles import ClaimThrottle, RegistrationCodeThrottle, RegistrationThrottle
from .common import (
    PublicFormView,
    ServiceActionView,
    _not_found,
    shown,
)

# Public pages ------------------------------------------------------------------------


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


@method_decorator(throttled(RegistrationThrottle), name="dispatch")
class RegisterView(PublicFormView):
    """Self-registration on a phone: the phone proven by a texted code; creates a login at
    once (and logs in); the station approves."""

    template_name = "volunteers/register.html"
    success_message = gettext_lazy("Registered. Your station will review your application.")

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("volunteers:me")
        return super().dispatch(request, *args, **kwargs)

    def get_form(self):
        return _registration_form(self.request.POST if self.request.method == "POST" else None)

    def get_context_data(self, **context):
        return super().get_context_data(privacy_notice=PRIVACY_NOTICE, code_status=None, **context)

    def write(self, form):
        volunteer = services.volunteer_register(actor=None, **form.service_arguments())
        login(self.request, volunteer.user, backend="django.contrib.auth.backends.ModelBackend")
        return volunteer

    def get_success_url(self, result) -> str:
        return reverse("volunteers:me")


_NOT_KEPT = {"password", "password2", "csrfmiddlewaretoken", "phone_code"}


@require_POST
@throttled(RegistrationCodeThrottle)
def register_code(request):
    """Text the one-time code that proves the registering phone. With htmx: the status line
    under the phone; without script: the form again, as it was filled in, with that line.
    (A fragment, not a page: the code is no record of anyone's, and a refusal is the line.)"""
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


@method_decorator(throttled(ClaimThrottle), name="dispatch")
class ClaimView(PublicFormView):
    """Someone registered by their station asks for a login with ID number and phone; the
    page then says the station will confirm it (``?sent=1``)."""

    template_name = "volunteers/claim.html"
    form_class = ClaimForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            return redirect("volunteers:me")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if request.GET.get("sent"):
            return self.render(done=True)
        return super().get(request, *args, **kwargs)

    def write(self, form):
        data = form.cleaned_data
        return services.login_claim_request(id_number=data["id_number"], phone=data["phone"], password=data["password"])

    def get_success_url(self, result) -> str:
        return reverse("volunteers:claim") + "?sent=1"


# The volunteer's own pages -------------------------------------------------------------


def _my_volunteer(request) -> Volunteer | None:
    return (
        Volunteer.objects.filter(user=request.user, anonymised_at__isnull=True)
        .with_unmask(request.user)
        .select_related("home_site", "source_group")
        .first()
    )


class MyProfileView(ScopedObjectView):
    """My volunteer profile: whole numbers, where my application stands, my teams, links to my
    points and certificates."""

    template_name = "volunteers/me.html"

    def get(self, request, *args, **kwargs):
        volunteer = _my_volunteer(request)
        if volunteer is None:
            return self.render(v=None)
        shown([volunteer])
        memberships = list(
            volunteer.memberships.filter(status__in=MEMBERSHIP_OPEN)
            .select_related("team__site")
            .order_by("-requested_at")
        )
        active = volunteer.status == Status.ACTIVE
        return self.render(
            v=volunteer,
            teams=[m for m in memberships if m.status == MembershipStatus.ACTIVE],
            requests=[m for m in memberships if m.status == MembershipStatus.PENDING],
            joinable=list(joinable_teams(volunteer)[:100]) if active else [],
            skills=list(volunteer.skills.all()),
            figures=civic_figures.volunteer_figures([volunteer]).get(volunteer.pk, []),
            may_withdraw=may_withdraw(volunteer),
        )


class MyTeamJoinView(ServiceActionView):
    """Ask to join one of the teams I may join."""

    own_records = True

    def get_object(self):
        self.volunteer = _my_volunteer(self.request)
        pk = post_id(self.request, "team")
        team = joinable_teams(self.volunteer).filter(pk=pk).first() if self.volunteer and pk else None
        if team is None:
            raise _not_found()
        return team

    def write(self, form):
        return services.membership_request(actor=self.request.user, volunteer=self.volunteer, team=self.object)

    def get_success_message(self, result) -> str:
        return _("Asked to join %(team)s; its leader will decide.") % {"team": self.object}

    def get_return_url(self) -> str:
        return reverse("volunteers:me")


class MyTeamLeaveView(ServiceActionView):
    """Leave one of my teams."""

    own_records = True

    def get_object(self):
        pk = post_id(self.request, "membership")
        membership = (
            Membership.objects.filter(pk=pk, volunteer__user=self.request.user).select_related("team").first()
            if pk
            else None
        )
        if membership is None:
            raise _not_found()
        return membership

    def write(self, form):
        return services.membership_leave(actor=self.request.user, membership=self.object)

    def get_success_message(self, result) -> str:
        return _("You left %(team)s.") % {"team": self.object.team}

    def get_return_url(self) -> str:
        return reverse("volunteers:me")


class MyWithdrawalView(ServiceFormView):
    """A volunteer leaves: a confirmation page; their hours and points stay."""

    own_records = True
    template_name = "volunteers/withdraw.html"
    context_object_name = "v"
    form_class = ReasonForm
    success_message = gettext_lazy("You have withdrawn. Thank you for your service.")

    def get_object(self) -> Volunteer:
        volunteer = _my_volunteer(self.request)
        if volunteer is None:
            raise _not_found()
        return volunteer

    def write(self, form):
        return services.volunteer_set_status(
            actor=self.request.user,
            volunteer=self.object,
            status=Status.WITHDRAWN,
            reason=form.cleaned_data["reason"],
        )

    def get_success_url(self, result) -> str:
        return reverse("volunteers:me")


class MyPasswordView(ServiceFormView):
    """A person changes their own password (the current one first); they stay logged in."""

    own_records = True
    template_name = "volunteers/my_password.html"
    form_class = MyPasswordForm
    success_message = gettext_lazy("Your password is changed.")

    def write(self, form):
        data = form.cleaned_data
        user = services.login_password_change(
            actor=self.request.user, old_password=data["old_password"], password=data["password"]
        )
        update_session_auth_hash(self.request, user)
        return user

    def get_success_url(self, result) -> str:
        return reverse("volunteers:me")
