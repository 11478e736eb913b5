"""Logins: the claim of a person registered by their station, its confirmation, a new password
set by a manager, and a person's change of their own password."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civic import audit

from ..identity import parse_id_number, validate_mobile
from ..models import Volunteer
from .common import Actor, require
from .people import create_login


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
    volunteer.user = create_login(volunteer, password, active=False)
    volunteer.claim_requested_at = timezone.now()
    volunteer.save(update_fields=["user", "claim_requested_at"])
    audit.record(actor=None, action="volunteer.claim", obj=volunteer, site_id=volunteer.home_site_id)
    return volunteer


@transaction.atomic
def login_claim_confirm(*, actor: Actor, volunteer: Volunteer, approve: bool = True) -> Volunteer:
    """The station confirms (or refuses) a login claim."""
    volunteer = (
        Volunteer.objects.select_for_update(of=("self",)).select_related("home_site", "user").get(pk=volunteer.pk)
    )
    require(actor, "manage", volunteer.home_site, _("Only a manager of the volunteer's site can confirm."))
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
def login_reset_password(*, actor: Actor, volunteer: Volunteer, password: str) -> Volunteer:
    """A manager sets a new password for a volunteer's login."""
    from django.contrib.auth.password_validation import validate_password

    volunteer = Volunteer.objects.select_related("home_site", "user").get(pk=volunteer.pk)
    require(actor, "manage", volunteer.home_site, _("Only a manager of the volunteer's site can do this."))
    if volunteer.user is None:
        raise ValidationError(_("This volunteer has no login yet."))
    try:
        validate_password(password, volunteer.user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    volunteer.user.set_password(password)
    volunteer.user.save(update_fields=["password"])
    audit.record(actor=actor, action="volunteer.password_reset", obj=volunteer, site_id=volunteer.home_site_id)
    return volunteer


@transaction.atomic
def login_password_change(*, actor: Actor, old_password: str, password: str) -> Any:
    """A person changes their own password: the old one first, then the validators (which
    compare the new one with the person's name, ID number and phone)."""
    from django.contrib.auth.password_validation import validate_password

    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("Log in to change your password."))
    user = get_user_model().objects.select_for_update().get(pk=actor.pk)
    if not user.check_password(old_password):
        raise ValidationError({"old_password": _("This is not your current password.")})
    volunteer = Volunteer.objects.filter(user=user).first()
    person = user
    if volunteer is not None:
        person = get_user_model()(
            username=volunteer.id_number or "", first_name=volunteer.real_name[:150], last_name=volunteer.phone
        )
    try:
        validate_password(password, person)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc
    user.set_password(password)
    user.save(update_fields=["password"])
    if volunteer is not None:
        audit.record(actor=user, action="volunteer.password_changed", obj=volunteer, site_id=volunteer.home_site_id)
    return user
