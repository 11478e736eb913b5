"""A volunteer's side: activities open near them, signing up (for themself or one of the
family on their phone) and cancelling before the start, their sign-ups and their history
with hours."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civic.views import ScopedObjectView, ServiceFormView, forbidden, paginate

from .. import selectors, services
from ..forms import SignUpForm
from ..models import SignUp, SignUpStatus
from ..services.common import volunteer_of
from ..services.signups import may_act_for
from .common import ActivityPage, detail_url, next_or

HISTORY_PER_PAGE = 20


def _not_registered(request):
    return render(request, "activities/not_volunteer.html", status=200)


@login_required
def open_near(request):
    """Activities open for sign-up near the volunteer: their village, township, county, teams."""
    volunteer = volunteer_of(request.user)
    if volunteer is None:
        return _not_registered(request)
    return render(request, "activities/open.html", {"volunteer": volunteer, "rows": selectors.open_near(volunteer)})


@login_required
def my_signups(request):
    volunteer = volunteer_of(request.user)
    if volunteer is None:
        return _not_registered(request)
    rows = list(selectors.my_signups(volunteer)[:100])
    return render(request, "activities/mine.html", {"rows": rows, "now": timezone.now()})


@login_required
def my_history(request):
    volunteer = volunteer_of(request.user)
    if volunteer is None:
        return _not_registered(request)
    page = paginate(request, selectors.my_history(volunteer), HISTORY_PER_PAGE)
    return render(request, "activities/history.html", {"page": page, "volunteer": volunteer})


class SignUpView(ActivityPage, ServiceFormView):
    """Sign up for an activity the volunteer reads: themself, or one of the family on their phone."""

    scope_action = "view"
    form_class = SignUpForm
    template_name = "activities/signup.html"
    own_records = True

    def get(self, request, *args, **kwargs):
        return self.render(form=self.get_form(), family=selectors.family_volunteers(request.user))

    def write(self, form):
        family = {v.pk: v for v in selectors.family_volunteers(self.request.user)}
        chosen = form.cleaned_data.get("volunteer")
        volunteer = family.get(chosen) if chosen else next(iter(family.values()), None)
        if volunteer is None:
            if not family:
                raise ValidationError(_("You have not registered as a volunteer."))
            raise ValidationError(_("You can sign up only yourself or your family."))
        self.volunteer = volunteer
        return services.signup_create(actor=self.request.user, activity=self.activity, volunteer=volunteer)

    def form_invalid(self, form):
        return self.render(form=form, family=selectors.family_volunteers(self.request.user))

    def get_success_message(self, result) -> str:
        return _("%(name)s is signed up for “%(title)s”.") % {
            "name": self.volunteer.real_name,
            "title": self.activity.title,
        }

    def get_success_url(self, result) -> str:
        return next_or(self.request, detail_url(self.activity))


class SignUpPage(ScopedObjectView):
    model = SignUp
    context_object_name = "signup"

    def get_base_queryset(self):
        return SignUp.objects.select_related("activity__site", "volunteer__home_site")


class SignUpDetailView(SignUpPage):
    """One sign-up: who, for what, since when; cancel it before the start."""

    scope_action = "view"
    template_name = "activities/signup_detail.html"

    def get(self, request, pk):
        signup = self.object
        return self.render(
            activity=signup.activity,
            can_cancel=signup.status == SignUpStatus.SIGNED_UP and timezone.now() < signup.activity.starts_at,
        )


class SignUpCancelView(SignUpPage, ServiceFormView):
    """Give the place back (asked first), before the activity begins: the volunteer, their
    family on the phone, or staff."""

    scope_action = "view"  # the service decides who may act for the volunteer
    template_name = "activities/signup_cancel.html"
    own_records = True
    success_message = gettext_lazy("The sign-up is cancelled.")

    def get_object(self):
        signup = super().get_object()
        if not may_act_for(self.request.user, signup.volunteer, signup.activity):
            raise forbidden()
        return signup

    def get_context_data(self, **context):
        return super().get_context_data(activity=self.object.activity, **context)

    def write(self, form):
        return services.signup_cancel(actor=self.request.user, signup=self.object)

    def get_success_url(self, result) -> str:
        return next_or(self.request, reverse("activities:mine"))
