"""Writes to volunteers, teams and memberships. Every page, API call, admin action, task
and command goes through these."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from centers.models import Kind, ServicePlatform, Site
from centers.pinyin import pinyin_for
from civic import audit, nested, otp, sms
from civic.locks import advisory_lock
from civic.scope import can

from .identity import age_on, parse_id_number, validate_mobile
from .models import (
    LEAD_TEAM,
    Membership,
    MembershipRole,
    MembershipStatus,
    PoliticalStatus,
    SourceGroup,
    Status,
    Team,
    TeamKind,
    Volunteer,
)
from .privacy import mask_audit_changes, new_login_handle

User = get_user_model()

TEAM_TREES = "volunteers.teams"  # the advisory-lock namespace of every team-tree write
MAX_PER_PHONE = 3  # a phone may be shared by up to three volunteers of one family
PROFILE_FIELDS = [
    "real_name",
    "phone",
    "home_site_id",
    "political_status",
    "source_group_id",
    "skill_tags",
    "national_number",
    "emergency_name",
    "emergency_phone",
    "guardian_name",
    "guardian_phone",
]


def _require(user, action: str, site: Site, message: str) -> None:
    if not can(user, action, site):
        raise PermissionDenied(message)


def is_team_leader(user, team: Team) -> bool:
    """Whether ``user`` leads ``team`` or a team above it (one query)."""
    if user is None or not user.is_authenticated:
        return False
    return Team.objects.filter(nested.over(team), grants__user=user, grants__permission__codename=LEAD_TEAM).exists()


def duplicate_message(actor, existing: Volunteer) -> str:
    """Name the site that holds a person only to someone who can see that site."""
    if actor is not None and can(actor, "view", existing.home_site):
        return _("This ID number is already registered at %(site)s.") % {"site": existing.home_site}
    return _("This ID number is already registered — please ask your station.")


def _check_phone(phone: str, *, exclude_pk: int | None = None) -> None:
    sharing = Volunteer.objects.filter(phone=phone, anonymised_at__isnull=True)
    if exclude_pk:
        sharing = sharing.exclude(pk=exclude_pk)
    if sharing.count() >= MAX_PER_PHONE:
        raise ValidationError(
            {"phone": _("This phone number is already used by %(n)s volunteers.") % {"n": MAX_PER_PHONE}}
        )


def _clean_tags(tags: Iterable[str] | str | None) -> list[str]:
    if isinstance(tags, str):
        tags = tags.replace("，", ",").replace("、", ",").split(",")
    return list(dict.fromkeys(t.strip()[:20] for t in (tags or []) if t and t.strip()))[:20]


def validate_registration(
    *,
    actor,
    home_site: Site | None,
    real_name: str,
    id_number: str,
    phone: str,
    consent: bool,
    guardian_name: str = "",
    guardian_phone: str = "",
    guardian_consent: bool = False,
    today: date | None = None,
    check_duplicate: bool = True,
) -> dict:
    """Check one registration; return the cleaned values or raise ValidationError with every
    problem found (field → message). Used by the form, the API and the roster import."""
    errors: dict[str, str] = {}
    cleaned: dict = {"real_name": (real_name or "").strip()}
    if not cleaned["real_name"] or len(cleaned["real_name"]) > 50:
        errors["real_name"] = _("Enter the real name (up to 50 characters).")
    try:
        info = parse_id_number(id_number, today=today)
        cleaned.update(id_number=info.number, birth_date=info.birth_date, gender=info.gender)
    except ValidationError as exc:
        errors["id_number"] = exc.messages[0]
        info = None
    try:
        cleaned["phone"] = validate_mobile(phone)
    except ValidationError as exc:
        errors["phone"] = exc.messages[0]
    if home_site is None:
        errors["home_site"] = _("Choose the village or township you belong to.")
    elif home_site.kind != Kind.PRACTICE or not home_site.is_active:
        errors["home_site"] = _("A volunteer belongs to an active practice site.")
    if not consent:
        errors["consent"] = _("Registration needs consent to the privacy notice.")
    if info is not None and age_on(info.birth_date, today or timezone.localdate()) < 18:
        if not (guardian_name or "").strip() or not guardian_consent:
            errors["guardian_name"] = _("A volunteer under 18 registers with a guardian's name and consent.")
        elif guardian_phone:
            try:
                cleaned["guardian_phone"] = validate_mobile(guardian_phone)
            except ValidationError as exc:
                errors["guardian_phone"] = exc.messages[0]
    if check_duplicate and "id_number" not in errors:
        existing = Volunteer.objects.select_related("home_site").filter(id_number=cleaned["id_number"]).first()
        if existing is not None:
            errors["id_number"] = duplicate_message(actor, existing)
    if errors:
        raise ValidationError(errors)
    return cleaned


REGISTER_CODE = "register"  # the purpose of the one-time codes that prove a registering phone


def registration_code_send(*, phone: str, request_address: str | None) -> str:
    """Text a one-time code that proves ``phone`` for self-registration (``civic.otp``);
    returns the phone as normalised. Rate-limited per phone and per address."""
    try:
        phone = validate_mobile(phone)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from exc
    _check_phone(phone)
    otp.otp_send(REGISTER_CODE, phone, request_address)
    return phone


def volunteer_register(
    *,
    actor,
    home_site: Site,
    real_name: str,
    id_number: str,
    phone: str,
    consent: bool,
    political_status: str = PoliticalStatus.MASSES,
    source_group: SourceGroup | None = None,
    skills: Iterable[ServicePlatform] = (),
    skill_tags: Iterable[str] | str = (),
    national_number: str = "",
    emergency_name: str = "",
    emergency_phone: str = "",
    guardian_name: str = "",
    guardian_phone: str = "",
    guardian_consent: bool = False,
    password: str | None = None,
    phone_code: str = "",
) -> Volunteer:
    """Register a volunteer.

    Self-registration (``actor`` anonymous, ``password`` given) proves the phone with the
    one-time code texted to it (``registration_code_send``), creates a login and waits for
    the station's approval. Registration by station staff (a manager of ``home_site``) trusts
    the phone they enter, is active at once and creates no login; the person can claim one
    later.

    Everything is checked first; then the code is used up (in its own transaction, so that a
    wrong code counts as a try even though nothing is written); then one transaction writes.
    """
    staff = actor is not None and actor.is_authenticated and can(actor, "add", home_site)
    if not staff and password is None:
        raise PermissionDenied(_("Only station staff can register someone else."))
    cleaned = validate_registration(
        actor=actor,
        home_site=home_site,
        real_name=real_name,
        id_number=id_number,
        phone=phone,
        consent=consent,
        guardian_name=guardian_name,
        guardian_phone=guardian_phone,
        guardian_consent=guardian_consent,
    )
    _check_phone(cleaned["phone"])
    if political_status not in PoliticalStatus.values:
        raise ValidationError({"political_status": _("Unknown political status.")})
    if not staff:
        _check_password(password, cleaned)
        try:
            otp.otp_check(REGISTER_CODE, cleaned["phone"], phone_code)
        except ValidationError as exc:
            raise ValidationError({"phone_code": exc.messages}) from exc
    return _register(
        actor=actor,
        staff=staff,
        home_site=home_site,
        cleaned=cleaned,
        political_status=political_status,
        source_group=source_group,
        skills=skills,
        skill_tags=skill_tags,
        national_number=national_number,
        emergency_name=emergency_name,
        emergency_phone=emergency_phone,
        guardian_name=guardian_name,
        guardian_phone=guardian_phone,
        guardian_consent=guardian_consent,
        password=None if staff else password,
    )


@transaction.atomic
def _register(
    *,
    actor,
    staff: bool,
    home_site: Site,
    cleaned: dict,
    political_status: str,
    source_group: SourceGroup | None,
    skills: Iterable[ServicePlatform],
    skill_tags: Iterable[str] | str,
    national_number: str,
    emergency_name: str,
    emergency_phone: str,
    guardian_name: str,
    guardian_phone: str,
    guardian_consent: bool,
    password: str | None,
) -> Volunteer:
    now = timezone.now()
    volunteer = Volunteer(
        home_site=home_site,
        political_status=political_status,
        source_group=source_group,
        skill_tags=_clean_tags(skill_tags),
        national_number=(national_number or "").strip()[:40],
        emergency_name=(emergency_name or "").strip()[:50],
        emergency_phone=(emergency_phone or "").strip()[:20],
        guardian_name=(guardian_name or "").strip()[:50],
        guardian_phone=cleaned.pop("guardian_phone", guardian_phone or ""),
        guardian_consent_at=now if guardian_consent and guardian_name else None,
        consent_at=now,
        registered_by=actor if staff else None,
        status=Status.ACTIVE if staff else Status.PENDING,
        status_changed_at=now,
        decided_by=actor if staff else None,
        **cleaned,
    )
    volunteer.pinyin = pinyin_for(volunteer.real_name)
    if password is not None:
        volunteer.user = _create_login(volunteer, password, active=True)
    try:
        with transaction.atomic():
            volunteer.save()
    except IntegrityError as exc:
        raise ValidationError({"id_number": duplicate_message(actor, volunteer)}) from exc
    if skills:
        volunteer.skills.set(skills)
    audit.record(
        actor=actor if staff else volunteer.user,
        action="volunteer.register",
        obj=volunteer,
        site_id=home_site.pk,
    )
    return volunteer


def _check_password(password: str, cleaned: dict) -> None:
    """The password validators, with the person's name, ID number and phone to compare against
    (a password like one's ID number is refused; the unsaved user exists only for this)."""
    from django.contrib.auth.password_validation import validate_password

    person = User(
        username=cleaned.get("id_number") or "",
        first_name=(cleaned.get("real_name") or "")[:150],
        last_name=cleaned.get("phone") or "",
    )
    try:
        validate_password(password, person)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc


def _create_login(volunteer: Volunteer, password: str, *, active: bool):
    """A login for ``volunteer``: an opaque username (``new_login_handle``); they log in with
    their phone or ID number."""
    _check_password(
        password, {"id_number": volunteer.id_number, "real_name": volunteer.real_name, "phone": volunteer.phone}
    )
    user = User(username=new_login_handle(), first_name=volunteer.real_name[:150], is_active=active)
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def volunteer_decide(*, actor, volunteer: Volunteer, approve: bool, reason: str = "") -> Volunteer:
    """A station manager approves or rejects a pending registration."""
    volunteer = Volunteer.objects.select_for_update(of=("self",)).select_related("home_site").get(pk=volunteer.pk)
    _require(actor, "manage", volunteer.home_site, _("Only a manager of the volunteer's site can decide."))
    if volunteer.status != Status.PENDING:
        raise ValidationError(_("Only a pending registration can be approved or rejected."))
    reason = (reason or "").strip()
    if not approve and not reason:
        raise ValidationError({"reason": _("Say why the registration is rejected.")})
    volunteer = _set_status(actor, volunteer, Status.ACTIVE if approve else Status.REJECTED, reason)
    with translation.override(settings.LANGUAGE_CODE):  # texts go out in the county's language
        if approve:
            text = _("Your volunteer registration at %(site)s is approved.") % {"site": volunteer.home_site}
        else:
            text = _("Your volunteer registration at %(site)s was not approved: %(reason)s") % {
                "site": volunteer.home_site,
                "reason": reason,
            }
    sms.send_later(volunteer.phone, text)
    return volunteer


def _set_status(actor, volunteer: Volunteer, status: str, reason: str) -> Volunteer:
    old = volunteer.status
    volunteer.status = status
    volunteer.status_reason = reason[:200]
    volunteer.status_changed_at = timezone.now()
    volunteer.decided_by = actor
    volunteer.save(update_fields=["status", "status_reason", "status_changed_at", "decided_by"])
    audit.record(
        actor=actor,
        action=f"volunteer.{status}",
        obj=volunteer,
        site_id=volunteer.home_site_id,
        changes={"status": (old, status), **({"reason": ("", reason)} if reason else {})},
    )
    return volunteer


_TRANSITIONS = {
    Status.SUSPENDED: {Status.ACTIVE},
    Status.ACTIVE: {Status.SUSPENDED, Status.REJECTED, Status.WITHDRAWN},
    Status.WITHDRAWN: {Status.ACTIVE, Status.SUSPENDED, Status.PENDING},
}


def allowed_statuses(status: str) -> set[str]:
    """The statuses a volunteer may be moved to from ``status``."""
    return {to for to, sources in _TRANSITIONS.items() if status in sources}


@transaction.atomic
def volunteer_set_status(*, actor, volunteer: Volunteer, status: str, reason: str = "") -> Volunteer:
    """Suspend, reinstate or withdraw a volunteer (a manager; a volunteer may withdraw themself)."""
    volunteer = Volunteer.objects.select_for_update(of=("self",)).select_related("home_site").get(pk=volunteer.pk)
    own = actor is not None and actor.is_authenticated and volunteer.user_id == actor.pk
    if not (own and status == Status.WITHDRAWN):
        _require(actor, "manage", volunteer.home_site, _("Only a manager of the volunteer's site can do this."))
    if volunteer.anonymised_at:
        raise ValidationError(_("This record was anonymised."))
    if status not in allowed_statuses(volunteer.status):
        raise ValidationError(
            _("A volunteer cannot go from “%(old)s” to “%(new)s”.")
            % {"old": Status(volunteer.status).label, "new": Status(status).label}
        )
    if status == Status.SUSPENDED and not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the volunteer is suspended.")})
    return _set_status(actor, volunteer, status, (reason or "").strip())


@transaction.atomic
def volunteer_update(*, actor, volunteer: Volunteer, skills: Iterable[ServicePlatform] | None = None, **fields):
    """Change a volunteer's profile (a manager of their site, or the volunteer themself).
    The ID number is fixed once registered; moving home site needs the new site's manager."""
    volunteer = Volunteer.objects.select_for_update(of=("self",)).select_related("home_site").get(pk=volunteer.pk)
    own = actor is not None and actor.is_authenticated and volunteer.user_id == actor.pk
    if not own:
        _require(actor, "change", volunteer.home_site, _("You cannot change this volunteer."))
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"unknown volunteer fields: {sorted(unknown)}")
    before = audit.snapshot(volunteer, PROFILE_FIELDS)
    if "phone" in fields:
        try:
            fields["phone"] = validate_mobile(fields["phone"]) if fields["phone"] else ""
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages}) from exc
        if fields["phone"] != volunteer.phone:
            _check_phone(fields["phone"], exclude_pk=volunteer.pk)
    if "skill_tags" in fields:
        fields["skill_tags"] = _clean_tags(fields["skill_tags"])
    if "home_site_id" in fields and fields["home_site_id"] != volunteer.home_site_id:
        site = Site.objects.get(pk=fields["home_site_id"])
        _require(actor, "add", site, _("You cannot move the volunteer to %(site)s.") % {"site": site})
        if site.kind != Kind.PRACTICE or not site.is_active:
            raise ValidationError({"home_site": _("A volunteer belongs to an active practice site.")})
    for key, value in fields.items():
        setattr(volunteer, key, value)
    volunteer.real_name = (volunteer.real_name or "").strip()
    if not volunteer.real_name:
        raise ValidationError({"real_name": _("Enter the real name (up to 50 characters).")})
    volunteer.pinyin = pinyin_for(volunteer.real_name)
    volunteer.save()
    if skills is not None:
        volunteer.skills.set(skills)
    changes = mask_audit_changes(audit.diff(volunteer, PROFILE_FIELDS, before))
    if changes:
        audit.record(
            actor=actor, action="volunteer.update", obj=volunteer, site_id=volunteer.home_site_id, changes=changes
        )
    return volunteer


@transaction.atomic
def volunteer_anonymise(*, actor, volunteer: Volunteer) -> Volunteer:
    """Delete on request: personal fields are erased; hours, points and history stay."""
    volunteer = (
        Volunteer.objects.select_for_update(of=("self",)).select_related("home_site", "user").get(pk=volunteer.pk)
    )
    _require(actor, "manage", volunteer.home_site, _("Only a manager of the volunteer's site can do this."))
    if volunteer.anonymised_at:
        return volunteer
    if volunteer.user is not None:
        user = volunteer.user
        user.is_active = False
        user.username = f"deleted-{volunteer.pk}"
        user.first_name = user.last_name = user.email = ""
        user.set_unusable_password()
        user.save()
    volunteer.user = None
    volunteer.real_name = _("(deleted)")
    volunteer.pinyin = ""
    volunteer.id_number = None
    volunteer.phone = ""
    volunteer.birth_date = None
    volunteer.national_number = volunteer.emergency_name = volunteer.emergency_phone = ""
    volunteer.guardian_name = volunteer.guardian_phone = ""
    volunteer.skill_tags = []
    volunteer.status = Status.WITHDRAWN
    volunteer.status_changed_at = volunteer.anonymised_at = timezone.now()
    volunteer.decided_by = actor
    volunteer.save()
    audit.record(actor=actor, action="volunteer.anonymise", obj=volunteer, site_id=volunteer.home_site_id)
    return volunteer


# Logins ------------------------------------------------------------------------------


@transaction.atomic
def login_claim_request(*, id_number: str, phone: str, password: str) -> Volunteer:
    """A person registered by their station asks for a login with ID number and phone.
    The login stays inactive until the station confirms it."""
    message = _("No volunteer without a login matches this ID number and phone.")
    try:
        number = parse_id_number(id_number).number
        phone = validate_mobile(phone)
    except ValidationError:
        raise ValidationError(message) from None
    volunteer = (
        Volunteer.objects.select_for_update()
        .filter(id_number=number, phone=phone, user__isnull=True, anonymised_at__isnull=True)
        .first()
    )
    if volunteer is None:
        raise ValidationError(message)
    volunteer.user = _create_login(volunteer, password, active=False)
    volunteer.claim_requested_at = timezone.now()
    volunteer.save(update_fields=["user", "claim_requested_at"])
    audit.record(actor=None, action="volunteer.claim", obj=volunteer, site_id=volunteer.home_site_id)
    return volunteer


@transaction.atomic
def login_claim_confirm(*, actor, volunteer: Volunteer, approve: bool = True) -> Volunteer:
    """The station confirms (or refuses) a login claim."""
    volunteer = (
        Volunteer.objects.select_for_update(of=("self",)).select_related("home_site", "user").get(pk=volunteer.pk)
    )
    _require(actor, "manage", volunteer.home_site, _("Only a manager of the volunteer's site can confirm."))
    if volunteer.user is None or volunteer.claim_requested_at is None:
        raise ValidationError(_("There is no login claim to confirm."))
    user = volunteer.user
    if approve:
        user.is_active = True
        user.save(update_fields=["is_active"])
    else:
        volunteer.user = None
        user.delete()
    volunteer.claim_requested_at = None
    volunteer.save(update_fields=["user", "claim_requested_at"])
    audit.record(
        actor=actor,
        action="volunteer.claim_confirmed" if approve else "volunteer.claim_refused",
        obj=volunteer,
        site_id=volunteer.home_site_id,
    )
    return volunteer


@transaction.atomic
def login_reset_password(*, actor, volunteer: Volunteer, password: str) -> None:
    """A manager sets a new password for a volunteer's login."""
    from django.contrib.auth.password_validation import validate_password

    volunteer = Volunteer.objects.select_related("home_site", "user").get(pk=volunteer.pk)
    _require(actor, "manage", volunteer.home_site, _("Only a manager of the volunteer's site can do this."))
    if volunteer.user is None:
        raise ValidationError(_("This volunteer has no login yet."))
    try:
        validate_password(password, volunteer.user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    volunteer.user.set_password(password)
    volunteer.user.save(update_fields=["password"])
    audit.record(actor=actor, action="volunteer.password_reset", obj=volunteer, site_id=volunteer.home_site_id)


# Teams -------------------------------------------------------------------------------

TEAM_FIELDS = ["name", "kind", "lead_department", "platform_id", "description", "is_active"]


@transaction.atomic
def team_create(*, actor, site: Site, name: str, kind: str, parent: Team | None = None, **fields) -> Team:
    """Create a team at ``site`` (optionally under a parent team)."""
    _require(actor, "add", site, _("You cannot create teams at %(site)s.") % {"site": site})
    if kind not in TeamKind.values:
        raise ValidationError({"kind": _("Unknown team kind.")})
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("A team needs a name.")})
    if Team.objects.filter(site=site, name=name).exists():
        raise ValidationError({"name": _("This site already has a team with this name.")})
    advisory_lock(TEAM_TREES)  # team trees are small: one lock serialises every team-tree write
    if parent is not None:
        parent = Team.objects.select_related("site").get(pk=parent.pk)
        if not nested.contains(parent.site, site):
            raise ValidationError({"parent": _("A team sits under a team of its own site or a site above it.")})
    team = Team(site=site, parent=parent, name=name, kind=kind, **fields)
    team.save()
    audit.record(actor=actor, action="team.create", obj=team, site_id=site.pk)
    return team


@transaction.atomic
def team_update(*, actor, team: Team, **fields) -> Team:
    _require(actor, "change", team.site, _("You cannot change this team."))
    unknown = set(fields) - set(TEAM_FIELDS)
    if unknown:
        raise TypeError(f"unknown team fields: {sorted(unknown)}")
    before = audit.snapshot(team, TEAM_FIELDS)
    for key, value in fields.items():
        setattr(team, key, value)
    team.name = (team.name or "").strip()
    if not team.name:
        raise ValidationError({"name": _("A team needs a name.")})
    if Team.objects.filter(site_id=team.site_id, name=team.name).exclude(pk=team.pk).exists():
        raise ValidationError({"name": _("This site already has a team with this name.")})
    advisory_lock(TEAM_TREES)  # a new name may reorder the team among its siblings
    team.save()
    changes = audit.diff(team, TEAM_FIELDS, before)
    if changes:
        audit.record(actor=actor, action="team.update", obj=team, site_id=team.site_id, changes=changes)
    return team


@transaction.atomic
def team_set_leader(*, actor, team: Team, volunteer: Volunteer | None) -> Team:
    """Make ``volunteer`` the team's leader: a membership as leader and a grant on the team."""
    _require(actor, "manage", team.site, _("Only a manager of the team's site can choose its leader."))
    previous = team.leader
    if previous is not None and previous.user_id:
        remove_perm("volunteers.lead_team", previous.user, team)
    if volunteer is not None:
        if volunteer.status != Status.ACTIVE:
            raise ValidationError({"leader": _("A team leader must be an active volunteer.")})
        membership = Membership.objects.filter(
            volunteer=volunteer, team=team, status__in=[MembershipStatus.PENDING, MembershipStatus.ACTIVE]
        ).first() or Membership(volunteer=volunteer, team=team)
        membership.role = MembershipRole.LEADER
        membership.status = MembershipStatus.ACTIVE
        membership.decided_at = timezone.now()
        membership.decided_by = actor
        membership.save()
        if volunteer.user_id:
            assign_perm("volunteers.lead_team", volunteer.user, team)
    team.leader = volunteer
    team.save(update_fields=["leader"])
    audit.record(
        actor=actor,
        action="team.leader",
        obj=team,
        site_id=team.site_id,
        changes={"leader": (str(previous) if previous else None, str(volunteer) if volunteer else None)},
    )
    return team


@transaction.atomic
def membership_request(*, actor, volunteer: Volunteer, team: Team) -> Membership:
    """Ask to join a team (the volunteer themself, or staff on their behalf)."""
    own = actor is not None and actor.is_authenticated and volunteer.user_id == actor.pk
    if not own:
        _require(actor, "change", volunteer.home_site, _("You cannot sign this volunteer up for teams."))
    if volunteer.status != Status.ACTIVE:
        raise ValidationError(_("Only an active volunteer can join a team."))
    if not team.is_active:
        raise ValidationError(_("This team is not active."))
    if Membership.objects.filter(
        volunteer=volunteer, team=team, status__in=[MembershipStatus.PENDING, MembershipStatus.ACTIVE]
    ).exists():
        raise ValidationError(_("Already a member of this team, or the request is waiting."))
    membership = Membership.objects.create(volunteer=volunteer, team=team)
    audit.record(actor=actor, action="membership.request", obj=membership, site_id=team.site_id)
    return membership


def can_decide_membership(user, team: Team) -> bool:
    return is_team_leader(user, team) or can(user, "manage", team.site)


@transaction.atomic
def membership_decide(*, actor, membership: Membership, approve: bool) -> Membership:
    """The team leader (or a manager of the team's site) accepts or declines a join request."""
    membership = Membership.objects.select_for_update(of=("self",)).select_related("team__site").get(pk=membership.pk)
    if not can_decide_membership(actor, membership.team):
        raise PermissionDenied(_("Only the team leader or a site manager can decide."))
    if membership.status != MembershipStatus.PENDING:
        raise ValidationError(_("This request was already decided."))
    membership.status = MembershipStatus.ACTIVE if approve else MembershipStatus.REJECTED
    membership.decided_at = timezone.now()
    membership.decided_by = actor
    membership.save(update_fields=["status", "decided_at", "decided_by"])
    audit.record(actor=actor, action=f"membership.{membership.status}", obj=membership, site_id=membership.team.site_id)
    return membership


@transaction.atomic
def membership_leave(*, actor, membership: Membership) -> Membership:
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("team__site", "volunteer")
        .get(pk=membership.pk)
    )
    own = actor is not None and actor.is_authenticated and membership.volunteer.user_id == actor.pk
    if not (own or can_decide_membership(actor, membership.team)):
        raise PermissionDenied(_("You cannot change this membership."))
    if membership.status != MembershipStatus.ACTIVE:
        raise ValidationError(_("Only a current member can leave."))
    membership.status = MembershipStatus.LEFT
    membership.decided_at = timezone.now()
    membership.decided_by = actor
    membership.save(update_fields=["status", "decided_at", "decided_by"])
    audit.record(actor=actor, action="membership.left", obj=membership, site_id=membership.team.site_id)
    return membership
