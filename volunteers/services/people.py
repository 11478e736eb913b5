"""Writes to a volunteer's record: registration, approval, status, profile, deletion on request."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypedDict, Unpack

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from centers.models import ServicePlatform, Site
from centers.pinyin import pinyin_for
from civic import audit, otp, sms
from civic.scope import can

from ..identity import normalize_id, validate_mobile
from ..models import PoliticalStatus, SourceGroup, Status, Volunteer
from ..privacy import mask_audit_changes, new_login_handle
from ..records import VolunteerRecord, clean_tags, home_site_error, volunteer_record
from ..selectors import allowed_statuses, duplicate_message
from .common import Actor, check_phone, is_self, person, require

User = get_user_model()

REGISTER_CODE = "register"  # the purpose of the one-time codes that prove a registering phone


def registration_code_send(*, phone: str, request_address: str | None) -> str:
    """Text a one-time code that proves ``phone`` for self-registration (``civic.otp``);
    returns the phone as normalised. Rate-limited per phone and per address."""
    try:
        phone = validate_mobile(phone)
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from exc
    check_phone(phone)
    otp.otp_send(REGISTER_CODE, phone, request_address)
    return phone


def _checked_record(*, actor: Actor, id_number: str, **fields: Any) -> VolunteerRecord:
    """``volunteer_record`` and, for a well-formed ID number, the duplicate check: every
    problem at once (1 query)."""
    record: VolunteerRecord | None = None
    errors: dict[str, list[str]] = {}
    try:
        record = volunteer_record(id_number=id_number, today=timezone.localdate(), **fields)
    except ValidationError as exc:
        errors = exc.message_dict
    if "id_number" not in errors:
        existing = Volunteer.objects.select_related("home_site").filter(id_number=normalize_id(id_number)).first()
        if existing is not None:
            errors["id_number"] = [duplicate_message(actor, existing)]
    if errors or record is None:
        raise ValidationError(errors)
    return record


def volunteer_register(
    *,
    actor: Actor,
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
    record = _checked_record(
        actor=actor,
        home_site=home_site,
        real_name=real_name,
        id_number=id_number,
        phone=phone,
        consent=consent,
        political_status=political_status,
        source_group_id=source_group.pk if source_group is not None else None,
        skill_tags=skill_tags,
        national_number=national_number,
        emergency_name=emergency_name,
        emergency_phone=emergency_phone,
        guardian_name=guardian_name,
        guardian_phone=guardian_phone,
        guardian_consent=guardian_consent,
    )
    check_phone(record.phone)
    login_password = None if staff else password
    if login_password is not None:
        _check_password(login_password, record.id_number, record.real_name, record.phone)
        try:
            otp.otp_check(REGISTER_CODE, record.phone, phone_code)
        except ValidationError as exc:
            raise ValidationError({"phone_code": exc.messages}) from exc
    return _register(actor=actor, staff=staff, record=record, skills=skills, password=login_password)


@transaction.atomic
def _register(
    *, actor: Actor, staff: bool, record: VolunteerRecord, skills: Iterable[ServicePlatform], password: str | None
) -> Volunteer:
    registrar = person(actor) if staff else None
    volunteer = record.volunteer(
        now=timezone.now(),
        status=Status.ACTIVE if staff else Status.PENDING,
        registered_by=registrar,
        decided_by=registrar,
    )
    if password is not None:
        volunteer.user = create_login(volunteer, password, active=True)
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
        site_id=record.home_site.pk,
    )
    return volunteer


def _check_password(password: str, id_number: str, real_name: str, phone: str) -> None:
    """The password validators, with the person's name, ID number and phone to compare against
    (a password like one's ID number is refused; the unsaved user exists only for this)."""
    from django.contrib.auth.password_validation import validate_password

    person = User(username=id_number or "", first_name=(real_name or "")[:150], last_name=phone or "")
    try:
        validate_password(password, person)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc


def create_login(volunteer: Volunteer, password: str, *, active: bool) -> Any:
    """A login for ``volunteer``: an opaque username (``new_login_handle``); they log in with
    their phone or ID number."""
    _check_password(password, volunteer.id_number or "", volunteer.real_name, volunteer.phone)
    user = User(username=new_login_handle(), first_name=volunteer.real_name[:150], is_active=active)
    user.set_password(password)
    user.save()
    return user


@transaction.atomic
def volunteer_decide(*, actor: Actor, volunteer: Volunteer, approve: bool, reason: str = "") -> Volunteer:
    """A station manager approves or rejects a pending registration."""
    volunteer = Volunteer.objects.select_for_update(of=("self",)).select_related("home_site").get(pk=volunteer.pk)
    require(actor, "manage", volunteer.home_site, _("Only a manager of the volunteer's site can decide."))
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


def _set_status(actor: Actor, volunteer: Volunteer, status: str, reason: str) -> Volunteer:
    old = volunteer.status
    volunteer.status = status
    volunteer.status_reason = reason[:200]
    volunteer.status_changed_at = timezone.now()
    volunteer.decided_by = person(actor)
    volunteer.save(update_fields=["status", "status_reason", "status_changed_at", "decided_by"])
    audit.record(
        actor=actor,
        action=f"volunteer.{status}",
        obj=volunteer,
        site_id=volunteer.home_site_id,
        changes={"status": (old, status), **({"reason": ("", reason)} if reason else {})},
    )
    return volunteer


@transaction.atomic
def volunteer_set_status(*, actor: Actor, volunteer: Volunteer, status: str, reason: str = "") -> Volunteer:
    """Suspend, reinstate or withdraw a volunteer (a manager; a volunteer may withdraw themself)."""
    volunteer = Volunteer.objects.select_for_update(of=("self",)).select_related("home_site").get(pk=volunteer.pk)
    if not (is_self(actor, volunteer) and status == Status.WITHDRAWN):
        require(actor, "manage", volunteer.home_site, _("Only a manager of the volunteer's site can do this."))
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


class VolunteerChanges(TypedDict, total=False):
    """The profile fields ``volunteer_update`` changes (those given; the ID number is fixed)."""

    real_name: str
    phone: str
    home_site: Site
    political_status: str
    source_group: SourceGroup | None
    skill_tags: Iterable[str] | str
    national_number: str
    emergency_name: str
    emergency_phone: str
    guardian_name: str
    guardian_phone: str


@transaction.atomic
def volunteer_update(
    *,
    actor: Actor,
    volunteer: Volunteer,
    skills: Iterable[ServicePlatform] | None = None,
    **changes: Unpack[VolunteerChanges],
) -> Volunteer:
    """Change a volunteer's profile (a manager of their site, or the volunteer themself): the
    fields given, and the skills unless None. The ID number is fixed once registered; moving
    the home site needs the new site's manager."""
    volunteer = Volunteer.objects.select_for_update(of=("self",)).select_related("home_site").get(pk=volunteer.pk)
    if not is_self(actor, volunteer):
        require(actor, "change", volunteer.home_site, _("You cannot change this volunteer."))
    if volunteer.anonymised_at:
        raise ValidationError(_("This record was anonymised."))
    data: dict[str, Any] = {}
    if "real_name" in changes:
        data["real_name"] = (changes["real_name"] or "").strip()
        if not data["real_name"] or len(data["real_name"]) > 50:
            raise ValidationError({"real_name": _("Enter the real name (up to 50 characters).")})
    if "phone" in changes:
        try:
            data["phone"] = validate_mobile(changes["phone"]) if changes["phone"] else ""
        except ValidationError as exc:
            raise ValidationError({"phone": exc.messages}) from exc
        if data["phone"] and data["phone"] != volunteer.phone:
            check_phone(data["phone"], exclude_pk=volunteer.pk)
    if "home_site" in changes and changes["home_site"].pk != volunteer.home_site_id:
        site = changes["home_site"]
        require(actor, "add", site, _("You cannot move the volunteer to %(site)s.") % {"site": site})
        error = home_site_error(site)
        if error:
            raise ValidationError({"home_site": error})
        data["home_site_id"] = site.pk
    if "political_status" in changes:
        if changes["political_status"] not in PoliticalStatus.values:
            raise ValidationError({"political_status": _("Unknown political status.")})
        data["political_status"] = changes["political_status"]
    if "source_group" in changes:
        group = changes["source_group"]
        data["source_group_id"] = group.pk if group is not None else None
    if "skill_tags" in changes:
        data["skill_tags"] = clean_tags(changes["skill_tags"])
    for key, limit in (
        ("national_number", 40),
        ("emergency_name", 50),
        ("emergency_phone", 20),
        ("guardian_name", 50),
        ("guardian_phone", 20),
    ):
        if key in changes:
            data[key] = (changes[key] or "").strip()[:limit]  # type: ignore[literal-required]
    changed = audit.model_update(volunteer, data=data)
    if changed:
        fields = list(changed)
        if "real_name" in changed:
            volunteer.pinyin = pinyin_for(volunteer.real_name)
            fields.append("pinyin")
        volunteer.save(update_fields=fields)
        audit.record(
            actor=actor,
            action="volunteer.update",
            obj=volunteer,
            site_id=volunteer.home_site_id,
            changes=mask_audit_changes(changed),
        )
    if skills is not None:
        volunteer.skills.set(skills)
    return volunteer


@transaction.atomic
def volunteer_anonymise(*, actor: Actor, volunteer: Volunteer) -> Volunteer:
    """Delete on request: personal fields are erased; hours, points and history stay."""
    volunteer = (
        Volunteer.objects.select_for_update(of=("self",)).select_related("home_site", "user").get(pk=volunteer.pk)
    )
    require(actor, "manage", volunteer.home_site, _("Only a manager of the volunteer's site can do this."))
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
    volunteer.decided_by = person(actor)
    volunteer.save()
    audit.record(actor=actor, action="volunteer.anonymise", obj=volunteer, site_id=volunteer.home_site_id)
    return volunteer
