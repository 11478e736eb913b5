"""A volunteer's record from the fields of one registration: one pure function checks them
and returns the validated values, for the staff form, self-registration, the API and a roster
row alike. It reads no database and no clock (the caller passes ``today``); what needs the
database — a duplicate ID number, a phone shared by too many — is checked by the caller, one
person at a time (``volunteers.services``) or for a whole roster at once (``volunteers.roster``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from centers.models import Kind, Site
from centers.pinyin import pinyin_for

from .identity import age_on, parse_id_number, validate_mobile
from .models import PoliticalStatus, Volunteer

MAX_PER_PHONE = 3  # a phone may be shared by up to three volunteers of one family
MAX_TAGS = 20
TAG_LENGTH = 20


def clean_tags(tags: Iterable[str] | str | None) -> list[str]:
    """Other skills as a list: a text is split at commas (，、 too); blanks and repeats go."""
    if isinstance(tags, str):
        tags = tags.replace("，", ",").replace("、", ",").split(",")
    return list(dict.fromkeys(t.strip()[:TAG_LENGTH] for t in (tags or []) if t and t.strip()))[:MAX_TAGS]


def home_site_error(site: Site | None) -> str | None:
    """Why ``site`` cannot be a volunteer's home site (None if it can)."""
    if site is None:
        return _("Choose the village or township you belong to.")
    if site.kind != Kind.PRACTICE or not site.is_active:
        return _("A volunteer belongs to an active practice site.")
    return None


@dataclass(frozen=True)
class VolunteerRecord:
    """The validated fields of one registration."""

    home_site: Site
    real_name: str
    id_number: str
    birth_date: date
    gender: str
    phone: str
    political_status: str
    source_group_id: int | None
    skill_tags: tuple[str, ...]
    national_number: str
    emergency_name: str
    emergency_phone: str
    guardian_name: str
    guardian_phone: str
    guardian_consent: bool

    def volunteer(self, *, now: datetime, status: str, registered_by=None, decided_by=None, user=None) -> Volunteer:
        """The unsaved volunteer of this record, registered ``now`` with ``status``."""
        return Volunteer(
            user=user,
            home_site=self.home_site,
            real_name=self.real_name,
            pinyin=pinyin_for(self.real_name),
            id_number=self.id_number,
            birth_date=self.birth_date,
            gender=self.gender,
            phone=self.phone,
            political_status=self.political_status,
            source_group_id=self.source_group_id,
            skill_tags=list(self.skill_tags),
            national_number=self.national_number,
            emergency_name=self.emergency_name,
            emergency_phone=self.emergency_phone,
            guardian_name=self.guardian_name,
            guardian_phone=self.guardian_phone,
            guardian_consent_at=now if self.guardian_consent else None,
            consent_at=now,
            registered_by=registered_by,
            status=status,
            status_changed_at=now,
            decided_by=decided_by,
        )


def volunteer_record(
    *,
    home_site: Site | None,
    real_name: str,
    id_number: str,
    phone: str,
    consent: bool,
    today: date,
    political_status: str = PoliticalStatus.MASSES,
    source_group_id: int | None = None,
    skill_tags: Iterable[str] | str = (),
    national_number: str = "",
    emergency_name: str = "",
    emergency_phone: str = "",
    guardian_name: str = "",
    guardian_phone: str = "",
    guardian_consent: bool = False,
) -> VolunteerRecord:
    """Check one registration; return its record, or raise ValidationError naming every
    problem found (field → message): the real name, the ID number (GB 11643), the mobile
    phone, the home site (an active practice site), consent to the privacy notice, and for
    someone under 18 on ``today`` a guardian's name and consent."""
    errors: dict[str, str] = {}
    name = (real_name or "").strip()
    if not name or len(name) > 50:
        errors["real_name"] = _("Enter the real name (up to 50 characters).")
    info = None
    try:
        info = parse_id_number(id_number, today=today)
    except ValidationError as exc:
        errors["id_number"] = exc.messages[0]
    try:
        phone = validate_mobile(phone)
    except ValidationError as exc:
        errors["phone"] = exc.messages[0]
    site_error = home_site_error(home_site)
    if site_error:
        errors["home_site"] = site_error
    if not consent:
        errors["consent"] = _("Registration needs consent to the privacy notice.")
    if political_status not in PoliticalStatus.values:
        errors["political_status"] = _("Unknown political status.")
    guardian = (guardian_name or "").strip()[:50]
    guardian_phone = (guardian_phone or "").strip()[:20]
    if info is not None and age_on(info.birth_date, today) < 18:
        if not guardian or not guardian_consent:
            errors["guardian_name"] = _("A volunteer under 18 registers with a guardian's name and consent.")
        elif guardian_phone:
            try:
                guardian_phone = validate_mobile(guardian_phone)
            except ValidationError as exc:
                errors["guardian_phone"] = exc.messages[0]
    if errors:
        raise ValidationError(errors)
    assert info is not None and home_site is not None
    return VolunteerRecord(
        home_site=home_site,
        real_name=name,
        id_number=info.number,
        birth_date=info.birth_date,
        gender=info.gender,
        phone=phone,
        political_status=political_status,
        source_group_id=source_group_id,
        skill_tags=tuple(clean_tags(skill_tags)),
        national_number=(national_number or "").strip()[:40],
        emergency_name=(emergency_name or "").strip()[:50],
        emergency_phone=(emergency_phone or "").strip()[:20],
        guardian_name=guardian,
        guardian_phone=guardian_phone,
        guardian_consent=bool(guardian_consent and guardian),
    )
