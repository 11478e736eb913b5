"""Checking a roster: every row, in Chinese, each good one built (unsaved) into a volunteer.

Everything the rows refer to — sites, lists, ID numbers and phones already registered — is
loaded in a fixed number of queries first (``_Lookups``); each row is then checked by the one
pure ``volunteers.records.volunteer_record`` that also checks the staff form."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from centers.models import Site
from centers.selectors import platforms_for
from civic import nested
from civic.ids import is_digits

from ..identity import normalize_id, normalize_phone
from ..models import PoliticalStatus, SourceGroup, Status, Volunteer
from ..records import MAX_PER_PHONE, volunteer_record
from ..selectors import duplicate_message
from .columns import LABELS, POLITICAL_NAMES, SPLIT, norm

PROGRESS_EVERY = 500
ERROR_LANGUAGE = "zh-hans"  # row errors are stored, and read by the county, in Chinese


@dataclass
class CheckedRow:
    row: int
    name: str
    errors: list[str] = field(default_factory=list)
    volunteer: Volunteer | None = None
    skill_ids: list[int] = field(default_factory=list)


class _Lookups:
    """Everything the rows refer to, loaded in a fixed number of queries before the rows are checked."""

    def __init__(self, *, actor, scope: Site, rows: list[dict[str, Any]]):
        self.actor = actor
        self.scope = scope
        values = {r["site"] for r in rows if r["site"]}
        codes = {v for v in values if is_digits(v)}
        names = values - codes
        allowed = Site.objects.restrict(actor, "add").filter(pk=OuterRef("pk"))
        candidates = (
            Site.objects.filter(Q(code__in=codes) | Q(name__in=names) | Q(short_name__in=names))
            .annotate(allowed=Exists(allowed))
            .order_by()
        )
        self.by_code: dict[str, Site] = {}
        self.by_name: dict[str, list[Site]] = defaultdict(list)
        for site in candidates:
            if site.code:
                self.by_code[site.code] = site
            for name in {site.name, site.short_name} & names:
                self.by_name[name].append(site)
        political: dict[str, str] = {}
        for code, names_ in POLITICAL_NAMES.items():
            for name in (*names_, code, str(PoliticalStatus(code).label)):
                political[norm(name)] = code
        with translation.override("en"):
            political.update({norm(str(PoliticalStatus(c).label)): c for c in PoliticalStatus.values})
        self.political = political
        self.groups: dict[str, int] = {}
        for group in SourceGroup.objects.filter(is_active=True):
            self.groups[norm(group.name)] = group.pk
            if group.name_en:
                self.groups.setdefault(norm(group.name_en), group.pk)
        self.platforms: dict[str, int] = {}
        for platform in platforms_for(scope).order_by("owner_id"):  # a county's own name wins over a global one
            self.platforms[norm(platform.name)] = platform.pk
            if platform.name_en:
                self.platforms.setdefault(norm(platform.name_en), platform.pk)
        ids = {normalize_id(r["id_number"]) for r in rows if r["id_number"]}
        self.existing: dict[str, Volunteer] = {
            v.id_number: v for v in Volunteer.objects.filter(id_number__in=ids).select_related("home_site")
        }
        visible = Site.objects.restrict(actor, "view").filter(pk__in={v.home_site_id for v in self.existing.values()})
        self.visible_sites = set(visible.values_list("pk", flat=True)) if self.existing else set()
        phones = {normalize_phone(r["phone"]) for r in rows if r["phone"]}
        self.phone_counts: Counter = Counter(
            dict(
                Volunteer.objects.filter(phone__in=phones, anonymised_at__isnull=True)
                .order_by()
                .values_list("phone")
                .annotate(n=Count("pk"))
            )
        )

    def site(self, value: str) -> tuple[Site | None, str | None]:
        if not value:
            return None, _("Enter the site: its official code or its name.")
        if is_digits(value):
            matches = [self.by_code[value]] if value in self.by_code else []
        else:
            matches = self.by_name.get(value, [])
        if not matches:
            return None, _("There is no site “%(site)s”.") % {"site": value}
        inside = [s for s in matches if nested.contains(self.scope, s)]
        if not inside:
            return None, _("The site “%(site)s” is outside the area of this import.") % {"site": value}
        if len(inside) > 1:
            return None, _("Several sites are called “%(site)s”; use the official code.") % {"site": value}
        site = inside[0]
        if not site.allowed:
            return None, _("You cannot register volunteers at “%(site)s”.") % {"site": value}
        return site, None

    def duplicate(self, existing: Volunteer) -> str:
        return duplicate_message(self.actor, existing, site_visible=existing.home_site_id in self.visible_sites)


# The record's fields, by the roster column a message about them names.
_FIELD_COLUMN = {
    "real_name": "real_name",
    "id_number": "id_number",
    "phone": "phone",
    "home_site": "site",
    "political_status": "political_status",
    "guardian_name": "guardian_name",
    "guardian_phone": "guardian_phone",
    "consent": "real_name",
}


def _err(key: str, message: str) -> str:
    return f"{LABELS[key]}：{message}"


def check_rows(
    *, actor, scope: Site, rows: list[dict[str, Any]], progress: Callable[[int], None] | None = None
) -> list[CheckedRow]:
    """Check every row (in Chinese) and build, unsaved, the volunteer of each good row.

    ``progress(n)`` is called every few hundred rows with the number checked so far."""
    with translation.override(ERROR_LANGUAGE):
        return _check_rows(actor=actor, scope=scope, rows=rows, progress=progress)


def _check_rows(
    *, actor, scope: Site, rows: list[dict[str, Any]], progress: Callable[[int], None] | None
) -> list[CheckedRow]:
    lookups = _Lookups(actor=actor, scope=scope, rows=rows)
    rows_by_id: dict[str, list[int]] = defaultdict(list)
    for r in rows:
        if r["id_number"]:
            rows_by_id[normalize_id(r["id_number"])].append(r["row"])
    phone_used: Counter = Counter()
    now = timezone.now()
    today = timezone.localdate()
    checked: list[CheckedRow] = []
    for i, r in enumerate(rows, start=1):
        result = CheckedRow(row=r["row"], name=r["real_name"])
        errors = result.errors
        site, site_error = lookups.site(r["site"])
        political = lookups.political.get(norm(r["political_status"])) if r["political_status"] else None
        group = lookups.groups.get(norm(r["source_group"])) if r["source_group"] else None
        record = None
        try:
            record = volunteer_record(
                home_site=site,
                real_name=r["real_name"],
                id_number=r["id_number"],
                phone=r["phone"],
                consent=True,  # the station collected consent when it took the person's details
                today=today,
                political_status=political or PoliticalStatus.MASSES,
                source_group_id=group,
                skill_tags=SPLIT.split(r["skill_tags"] or ""),
                national_number=r["national_number"],
                emergency_name=r["emergency_name"],
                emergency_phone=r["emergency_phone"],
                guardian_name=r["guardian_name"],
                guardian_phone=r["guardian_phone"],
                guardian_consent=bool(r["guardian_name"].strip()),
            )
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                if key == "home_site" and site_error:
                    continue
                errors.extend(_err(_FIELD_COLUMN.get(key, "real_name"), m) for m in messages)
        if site_error:
            errors.append(_err("site", site_error))
        number = normalize_id(r["id_number"])
        if len(rows_by_id.get(number, ())) > 1:
            others = "、".join(str(n) for n in rows_by_id[number] if n != r["row"])
            errors.append(_err("id_number", _("The same ID number is also in row %(rows)s.") % {"rows": others}))
        elif number in lookups.existing:
            errors.append(_err("id_number", lookups.duplicate(lookups.existing[number])))
        if r["political_status"] and political is None:
            errors.append(
                _err("political_status", _("Unknown political status “%(v)s”.") % {"v": r["political_status"]})
            )
        if r["source_group"] and group is None:
            errors.append(_err("source_group", _("Unknown source group “%(v)s”.") % {"v": r["source_group"]}))
        for name in SPLIT.split(r["skills"]) if r["skills"] else ():
            if not name:
                continue
            platform = lookups.platforms.get(norm(name))
            if platform is None:
                errors.append(_err("skills", _("Unknown service platform “%(v)s”.") % {"v": name}))
            elif platform not in result.skill_ids:
                result.skill_ids.append(platform)
        phone = record.phone if record is not None else normalize_phone(r["phone"])
        if phone and lookups.phone_counts[phone] + phone_used[phone] >= MAX_PER_PHONE:
            errors.append(
                _err("phone", _("This phone number is already used by %(n)s volunteers.") % {"n": MAX_PER_PHONE})
            )
        if not errors and record is not None:
            phone_used[phone] += 1
            result.volunteer = record.volunteer(now=now, status=Status.ACTIVE, registered_by=actor, decided_by=actor)
        checked.append(result)
        if progress is not None and i % PROGRESS_EVERY == 0:
            progress(i)
    if progress is not None:
        progress(len(rows))
    return checked


def error_report(checked: list[CheckedRow]) -> list[dict[str, Any]]:
    """The rows with errors, as an import stores them (row, name, messages)."""
    return [{"row": c.row, "name": c.name, "errors": c.errors} for c in checked if c.errors]
