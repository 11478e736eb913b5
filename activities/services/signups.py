"""Signing up for activities and cancelling, the team's text on publishing, and the reminder
the day before."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from civic import audit, nested, sms
from civic.scope import can
from volunteers.models import Membership, MembershipStatus, Status, Volunteer

from ..models import Activity, SignUp, SignUpStatus, State
from .common import is_family, now_or
from .lifecycle import county_language, when_text


def may_act_for(actor, volunteer: Volunteer, activity: Activity) -> bool:
    """The volunteer themself (or the family on their phone), or staff of the activity's site
    or of the volunteer's home site."""
    return (
        is_family(actor, volunteer) or can(actor, "manage", activity.site) or can(actor, "manage", volunteer.home_site)
    )


def open_to(activity: Activity, volunteer: Volunteer) -> bool:
    """Whether the activity is open to the volunteer: at their home site or a site above it
    (own village, township, county), or run by a team they belong to (at most 1 query)."""
    home, site = volunteer.home_site, activity.site
    if nested.contains(site, home):
        return True
    if activity.team_id is None:
        return False
    return Membership.objects.filter(
        volunteer=volunteer, team_id=activity.team_id, status=MembershipStatus.ACTIVE
    ).exists()


@transaction.atomic
def signup_create(*, actor, activity: Activity, volunteer: Volunteer, at: datetime | None = None) -> SignUp:
    """Sign ``volunteer`` up for ``activity`` (the volunteer, their family on the same phone,
    or staff). The activity's row is locked while its places are counted, so however many
    sign up at once, no more than its capacity get in. Signing up again changes nothing."""
    at = now_or(at)
    activity = Activity.objects.select_for_update(of=("self",)).select_related("site").get(pk=activity.pk)
    volunteer = Volunteer.objects.select_related("home_site").get(pk=volunteer.pk)
    if not may_act_for(actor, volunteer, activity):
        raise PermissionDenied(_("You can sign up only yourself or your family."))
    if activity.state != State.PUBLISHED:
        raise ValidationError(_("Sign-up is open only while the activity is published."))
    if at >= activity.starts_at:
        raise ValidationError(_("Sign-up closed when the activity began."))
    if volunteer.status != Status.ACTIVE:
        raise ValidationError(_("Only an active volunteer can sign up."))
    staff = can(actor, "manage", activity.site)
    if not staff and not open_to(activity, volunteer):
        raise ValidationError(_("This activity is open to volunteers of its own area and team."))
    signup = SignUp.objects.filter(activity=activity, volunteer=volunteer).first()
    if signup is not None and signup.status == SignUpStatus.SIGNED_UP:
        return signup
    if activity.capacity is not None and activity.signed_up >= activity.capacity:
        raise ValidationError(
            _("All %(n)s places are taken.") % {"n": activity.capacity},
            code="full",
        )
    if signup is None:
        signup = SignUp(activity=activity, volunteer=volunteer)
    signup.status = SignUpStatus.SIGNED_UP
    signup.signed_up_at = at
    signup.cancelled_at = None
    signup.reminded_at = None
    signup.by = actor
    signup.save()
    Activity.objects.filter(pk=activity.pk).update(signed_up=F("signed_up") + 1)
    audit.record(actor=actor, action="activity.sign_up", obj=signup, site_id=activity.site_id)
    return signup


@transaction.atomic
def signup_cancel(*, actor, signup: SignUp, at: datetime | None = None) -> SignUp:
    """Give the place back, before the activity begins."""
    at = now_or(at)
    signup = SignUp.objects.select_related("volunteer__home_site").get(pk=signup.pk)
    activity = Activity.objects.select_for_update(of=("self",)).select_related("site").get(pk=signup.activity_id)
    if not may_act_for(actor, signup.volunteer, activity):
        raise PermissionDenied(_("You can cancel only your own or your family's sign-ups."))
    signup = SignUp.objects.select_for_update().get(pk=signup.pk)
    if signup.status != SignUpStatus.SIGNED_UP:
        raise ValidationError(_("This sign-up was already cancelled."))
    if at >= activity.starts_at:
        raise ValidationError(_("The activity has begun; a sign-up can no longer be cancelled."))
    signup.status = SignUpStatus.CANCELLED
    signup.cancelled_at = at
    signup.save(update_fields=["status", "cancelled_at"])
    Activity.objects.filter(pk=activity.pk, signed_up__gt=0).update(signed_up=F("signed_up") - 1)
    audit.record(actor=actor, action="activity.sign_up_cancel", obj=signup, site_id=activity.site_id)
    return signup


def publish_notice_send(*, activity_id: int) -> int:
    """Tell the members of the activity's team that it is open for sign-up (one text per
    phone). Claimed by a conditional update, so it goes out once however often it runs.
    Returns the number of texts."""
    with transaction.atomic():
        claimed = Activity.objects.filter(pk=activity_id, state=State.PUBLISHED, notified_at__isnull=True).update(
            notified_at=timezone.now()
        )
        activity = Activity.objects.select_related("site").filter(pk=activity_id).first()
        if not claimed or activity is None or activity.team_id is None:
            return 0
        phones = sorted(
            set(
                Volunteer.objects.filter(
                    memberships__team_id=activity.team_id,
                    memberships__status=MembershipStatus.ACTIVE,
                    status=Status.ACTIVE,
                )
                .exclude(phone="")
                .values_list("phone", flat=True)
            )
        )
        with county_language():
            text = _("%(site)s: “%(title)s” on %(when)s at %(place)s is open for sign-up.") % {
                "site": activity.site.label,
                "title": activity.title,
                "when": when_text(activity),
                "place": activity.place or activity.site.label,
            }
        for phone in phones:
            sms.send_later(phone, text)
        return len(phones)


def reminders_send(*, today: date | None = None) -> int:
    """The day before: remind every volunteer signed up for an activity that starts
    tomorrow (one text per sign-up, marked so that a second run sends nothing)."""
    today = today or timezone.localdate()
    zone = timezone.get_current_timezone()
    start = datetime.combine(today + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    sent = 0
    with transaction.atomic():
        due = list(
            SignUp.objects.select_for_update(of=("self",), skip_locked=True)
            .filter(
                status=SignUpStatus.SIGNED_UP,
                reminded_at__isnull=True,
                activity__state__in=[State.PUBLISHED, State.UNDER_WAY],
                activity__starts_at__gte=start,
                activity__starts_at__lt=start + timedelta(days=1),
            )
            .select_related("activity__site", "volunteer")
            .order_by("pk")
        )
        if not due:
            return 0
        SignUp.objects.filter(pk__in=[s.pk for s in due], reminded_at__isnull=True).update(reminded_at=timezone.now())
        with county_language():
            for signup in due:
                if not signup.volunteer.phone:
                    continue
                activity = signup.activity
                text = _("Reminder: “%(title)s” tomorrow at %(time)s, %(place)s.") % {
                    "title": activity.title,
                    "time": timezone.localtime(activity.starts_at).strftime("%H:%M"),
                    "place": activity.place or activity.site.label,
                }
                sms.send_later(signup.volunteer.phone, text)
                sent += 1
    return sent
