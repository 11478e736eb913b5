"""QR sign-in. The organizer's phone shows a code that changes every 30 seconds (the page's
script asks ``code.json`` for the next one), or prints a static code where the county allows
it; the QR opens the scan page on the volunteer's phone, which holds the scanned code while
they log in, lets a shared phone pick which of the family signs in, sends the phone's
position where the place is checked, and shows what was recorded."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civic.middleware import permissions_policy
from civic.views import ServiceFormView, form_errors_from

from .. import qr, selectors, services
from ..forms import ScanForm
from ..images import qr_data_uri, when_text
from ..links import scan_link
from ..models import Activity, Flag
from ..rules import settings_for, sign_in_window
from ..services.attendance import SIGN_IN_STATES
from .common import ActivityPage

SCAN_KEY = "activities_scan"
SCAN_HOLD = timedelta(minutes=10)  # a scanned code is held this long while its holder logs in
FLAG_LABELS = dict(Flag.choices)


def _rules(activity: Activity):
    return settings_for(activity.site, timezone.localtime(activity.starts_at).date())


def current_code(request, activity: Activity, now: datetime) -> dict:
    """The rotating code of this moment: its window, the link its QR opens, the QR as an
    image address and the seconds until the next code."""
    window = qr.window_of(now)
    link = scan_link(request, qr.rotating_token(activity, now))
    refresh_in = (window + 1) * qr.WINDOW_SECONDS - now.timestamp()
    return {"window": window, "link": link, "image": qr_data_uri(link), "refresh_in": max(1, round(refresh_in))}


class CodeView(ActivityPage):
    """The organizer's phone: the sign-in code, new every 30 seconds."""

    scope_action = "manage"
    template_name = "activities/code.html"

    def get(self, request, pk):
        activity, now = self.activity, timezone.now()
        opens, closes = sign_in_window(activity.starts_at, activity.ends_at)
        context = {
            "open": activity.state in SIGN_IN_STATES,
            "opens": opens,
            "closes": closes,
            "in_window": opens <= now <= closes,
            "static_allowed": _rules(activity).static_qr_allowed,
            "window_seconds": qr.WINDOW_SECONDS,
        }
        if context["open"]:
            context["code"] = current_code(request, activity, now)
        return self.render(**context)


class CodeJsonView(ActivityPage):
    """The code of this moment for the organizer's page script (never cached)."""

    scope_action = "manage"

    def get(self, request, pk):
        activity = self.activity
        if activity.state not in SIGN_IN_STATES:
            response = JsonResponse({"open": False, "message": _("Sign-in is closed for this activity.")})
        else:
            response = JsonResponse({"open": True, **current_code(request, activity, timezone.now())})
        response["Cache-Control"] = "no-store"
        return response


class PrintedCodeView(ActivityPage):
    """The static code to print, where the county allows it (valid only in the sign-in window)."""

    scope_action = "manage"
    template_name = "activities/code_print.html"

    def get(self, request, pk):
        activity = self.activity
        allowed = _rules(activity).static_qr_allowed
        context = {"allowed": allowed, "when": when_text(activity)}
        if allowed:
            link = scan_link(request, qr.static_token(activity))
            opens, closes = sign_in_window(activity.starts_at, activity.ends_at)
            context.update(link=link, image=qr_data_uri(link), opens=opens, closes=closes)
        return self.render(**context)


class RenewCodeView(ActivityPage, ServiceFormView):
    """Void every code shown or printed so far (a photo of it went round, say)."""

    scope_action = "manage"
    template_name = "activities/code_renew.html"
    success_message = gettext_lazy("Every code shown or printed before no longer works.")

    def write(self, form):
        return services.activity_renew_code(actor=self.request.user, activity=self.activity)

    def get_success_url(self, result) -> str:
        return reverse("activities:code", args=[self.activity.pk])


# The volunteer's phone -----------------------------------------------------------------


def _held(request) -> tuple[str, datetime] | None:
    """The code scanned on this phone within the last ten minutes, with the time of the scan."""
    held = request.session.get(SCAN_KEY)
    if not isinstance(held, dict):
        return None
    try:
        at = datetime.fromisoformat(held["at"])
        token = str(held["token"])
    except (KeyError, TypeError, ValueError):
        return None
    if not timezone.now() - SCAN_HOLD <= at <= timezone.now():
        return None
    return token, at


def _activity_of(token: str, at: datetime) -> Activity:
    """The activity whose genuine, current code ``token`` is; ValidationError otherwise."""
    parsed = qr.parse(token)
    activity = Activity.objects.select_related("site").filter(pk=parsed.activity_id).first()
    if activity is None:
        raise ValidationError({"token": _("This is not a sign-in code of an activity.")})
    qr.check(activity, token, at, static_allowed=_rules(activity).static_qr_allowed)
    return activity


@method_decorator(permissions_policy(camera=True, geolocation=True), name="dispatch")
class ScanView(ServiceFormView):
    """What a scanned QR opens. A visitor's scan is held in the session while they log in
    (``?next=`` brings them back); then the page shows the activity, the family on this phone
    to pick from, asks the browser for its position where the place is checked, and signs in
    (or out) through the services, showing what they recorded or why they refused."""

    template_name = "activities/scan.html"
    form_class = ScanForm
    own_records = True

    def dispatch(self, request, *args, **kwargs):
        token = request.GET.get("t")
        if request.method == "GET" and token is not None:
            return self.scanned(request, token)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.held = _held(request)
        return super().dispatch(request, *args, **kwargs)

    def scanned(self, request, token: str):
        """A code just scanned: checked at once (it may expire while its holder logs in), held
        in the session, and the page opened again without it."""
        now = timezone.now()
        try:
            _activity_of(token, now)
        except ValidationError as exc:
            request.session.pop(SCAN_KEY, None)
            return render(request, self.template_name, {"refused": exc.messages}, status=400)
        request.session[SCAN_KEY] = {"token": token.strip(), "at": now.isoformat()}
        path = reverse("activities:scan")
        if not request.user.is_authenticated:
            return redirect_to_login(path)
        return redirect(path)

    def get_context_data(self, **context):
        if self.held is None:
            return super().get_context_data(expired=True, **context)
        token, at = self.held
        try:
            activity = _activity_of(token, at)
        except ValidationError as exc:
            return super().get_context_data(refused=exc.messages, **context)
        family = selectors.family_volunteers(self.request.user)
        records = selectors.family_attendance(activity, family)
        rules = _rules(activity)
        people = []
        for volunteer in family:
            record = records.get(volunteer.pk)
            if record is not None:
                record.flag_labels = [FLAG_LABELS.get(f, f) for f in record.flags]
            people.append((volunteer, record))
        can_sign_out = any(
            r is not None and r.signed_in_at is not None and r.signed_out_at is None and r.signed_in_at < at
            for _v, r in people
        )
        return super().get_context_data(
            activity=activity,
            when=when_text(activity),
            people=people,
            can_sign_out=can_sign_out,
            geo=rules.geo_check and activity.latitude is not None,
            scanned_at=at,
            **context,
        )

    def write(self, form):
        if self.held is None:
            raise ValidationError(_("Scan the code on the organizer's phone again."))
        token, at = self.held
        activity = _activity_of(token, at)
        family = {v.pk: v for v in selectors.family_volunteers(self.request.user)}
        chosen = form.cleaned_data.get("volunteer")
        volunteer = family.get(chosen) if chosen else next(iter(family.values()), None)
        if volunteer is None:
            if not family:
                raise ValidationError(_("You have not registered as a volunteer."))
            raise ValidationError(_("You can sign in only yourself or your family on this phone."))
        if form.cleaned_data.get("action") == "out":
            signed_in = selectors.family_attendance(activity, [volunteer]).get(volunteer.pk)
            if signed_in is not None and signed_in.signed_in_at is not None and signed_in.signed_in_at >= at:
                # the scan that signed them in does not also sign them out
                raise ValidationError(_("Scan the code again when you leave, to sign out."))
            record = services.attendance_sign_out(
                actor=self.request.user, activity=activity, volunteer=volunteer, token=token, at=at
            )
            self.done = _("%(name)s signed out at %(time)s: %(hours)s hours.") % {
                "name": volunteer.real_name,
                "time": timezone.localtime(record.signed_out_at).strftime("%H:%M"),
                "hours": record.hours,
            }
        else:
            position = form.position()
            location = services.Location(*position) if position else None
            record = services.attendance_sign_in(
                actor=self.request.user, activity=activity, volunteer=volunteer, token=token, at=at, location=location
            )
            self.done = _("%(name)s signed in at %(time)s.") % {
                "name": volunteer.real_name,
                "time": timezone.localtime(record.signed_in_at).strftime("%H:%M"),
            }
        self.flags = [str(FLAG_LABELS.get(f, f)) for f in record.flags]
        return record

    def form_valid(self, form):
        try:
            self.run(form)
        except ValidationError as exc:
            form_errors_from(form, exc)
            return self.form_invalid(form)
        if self.flags:
            messages.warning(
                self.request,
                _("%(done)s Recorded, and flagged for review: %(flags)s.")
                % {"done": self.done, "flags": "、".join(self.flags)},
            )
        else:
            messages.success(self.request, self.done)
        return redirect(reverse("activities:scan"))
