"""Volunteer rosters in Excel and CSV: the template, reading, the import service and export.

The file format is fixed and Chinese (the column headers below are the format, not UI text):
Excel and WPS users fill the downloadable template, or save their own sheet as xlsx or CSV
(UTF-8 with or without BOM, or GBK). An import checks every row first, then writes in bulk
in one transaction; it runs as a Celery task (``volunteers.tasks.roster_import``).
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from centers.models import Site
from centers.pinyin import pinyin_for
from centers.selectors import platforms_for
from civic import audit, nested
from civic.ids import is_digits
from civic.scope import can
from civic.xlsx import XlsxSheet

from .identity import mask_id, mask_phone, normalize_id, normalize_phone
from .models import (
    ImportMode,
    ImportStatus,
    PoliticalStatus,
    RosterImport,
    SourceGroup,
    Status,
    Volunteer,
)
from .services import MAX_PER_PHONE, validate_registration

log = logging.getLogger(__name__)

ROSTER_SHEET = "志愿者名册"
VALUES_SHEET = "可选值"
MAX_ROWS = 50_000
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
PROGRESS_EVERY = 500
HEADER_SEARCH_ROWS = 10
ERROR_LANGUAGE = "zh-hans"


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Chinese header of the template
    aliases: tuple[str, ...] = ()
    required: bool = False


COLUMNS = (
    Column("real_name", "姓名", ("真实姓名", "name", "real name"), required=True),
    Column("id_number", "身份证号", ("身份证号码", "公民身份号码", "id number", "id no", "id"), required=True),
    Column("phone", "手机号", ("手机号码", "手机", "联系电话", "phone", "mobile", "mobile phone"), required=True),
    Column("site", "所属站点(编码或名称)", ("所属站点", "站点", "site", "home site"), required=True),
    Column("political_status", "政治面貌", ("political status",)),
    Column("source_group", "人员类别", ("source group", "category")),
    Column("skills", "技能(服务平台)", ("技能", "服务平台", "skills", "platforms")),
    Column("skill_tags", "其他技能", ("other skills", "tags")),
    Column("national_number", "全国志愿者编号", ("national volunteer number", "national number")),
    Column("emergency_name", "紧急联系人", ("emergency contact",)),
    Column("emergency_phone", "紧急联系电话", ("emergency phone",)),
    Column("guardian_name", "监护人", ("guardian",)),
    Column("guardian_phone", "监护人电话", ("guardian phone",)),
)
EXPORT_EXTRA = ("状态", "登记日期")
HEADERS = {c.key: c.header for c in COLUMNS}
LABELS = {c.key: re.sub(r"\(.*?\)", "", c.header) for c in COLUMNS}  # 所属站点(编码或名称) → 所属站点

# Political status as rosters write it (the format's words), by code.
POLITICAL_NAMES = {
    PoliticalStatus.PARTY_MEMBER: ("中共党员", "党员"),
    PoliticalStatus.PROBATIONARY: ("中共预备党员", "预备党员"),
    PoliticalStatus.LEAGUE_MEMBER: ("共青团员", "团员"),
    PoliticalStatus.DEMOCRATIC_PARTY: ("民主党派成员", "民主党派"),
    PoliticalStatus.MASSES: ("群众",),
}
_SPLIT = re.compile(r"[,，、;；/\s]+")


def _norm_header(text: str) -> str:
    text = str(text or "").strip().lower().replace("（", "(").replace("）", ")").replace("*", "")
    return re.sub(r"\s+", " ", text)


def _header_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for column in COLUMNS:
        for name in (column.header, *column.aliases):
            index[_norm_header(name)] = column.key
            index[re.sub(r"\(.*?\)", "", _norm_header(name)).strip()] = column.key
    return index


_HEADER_INDEX = _header_index()


def _column_key(header: str) -> str | None:
    name = _norm_header(header)
    return _HEADER_INDEX.get(name) or _HEADER_INDEX.get(re.sub(r"\(.*?\)", "", name).strip())


# Template ----------------------------------------------------------------------------


def _political_choices() -> list[str]:
    return [names[0] for names in POLITICAL_NAMES.values()]


def template_workbook(*, site: Site | None = None) -> bytes:
    """The blank roster template: the header row, and a sheet of allowed values (the
    platforms offered at ``site``, or those offered everywhere)."""
    wb = Workbook()
    ws = wb.active
    ws.title = ROSTER_SHEET
    ws.append([c.header for c in COLUMNS])
    ws.freeze_panes = "A2"
    for i, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = max(12, len(column.header) * 2 + 4)
        if column.key in ("id_number", "phone", "emergency_phone", "guardian_phone", "national_number", "site"):
            ws.column_dimensions[letter].number_format = "@"  # keep 18-digit IDs as text in Excel
    groups = list(SourceGroup.objects.filter(is_active=True).values_list("name", flat=True))
    platforms = list(platforms_for(site).order_by("sort_order", "id").values_list("name", flat=True))
    values = wb.create_sheet(VALUES_SHEET)
    lists = [(HEADERS["political_status"], _political_choices()), (HEADERS["source_group"], groups)]
    lists.append((HEADERS["skills"], platforms))
    for col, (title, items) in enumerate(lists, start=1):
        values.cell(row=1, column=col, value=title)
        values.column_dimensions[get_column_letter(col)].width = 20
        for row, item in enumerate(items, start=2):
            values.cell(row=row, column=col, value=item)
    notes = [
        _("One volunteer per row; do not change the header row."),
        _("Site: the official code or the name of the village or township."),
        _("Skills: service platforms from this sheet, separated by commas."),
        _("A volunteer under 18 needs a guardian."),
    ]
    values.cell(row=1, column=len(lists) + 2, value=_("Notes"))
    for row, note in enumerate(notes, start=2):
        values.cell(row=row, column=len(lists) + 2, value=note)
    values.column_dimensions[get_column_letter(len(lists) + 2)].width = 60
    for key, col, items in (("political_status", 1, lists[0][1]), ("source_group", 2, groups)):
        if items:
            letter = get_column_letter([c.key for c in COLUMNS].index(key) + 1)
            ref = f"'{VALUES_SHEET}'!${get_column_letter(col)}$2:${get_column_letter(col)}${len(items) + 1}"
            check = DataValidation(type="list", formula1=ref, allow_blank=True, showErrorMessage=False)
            check.add(f"{letter}2:{letter}{MAX_ROWS}")
            ws.add_data_validation(check)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# Reading -----------------------------------------------------------------------------


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    # NUL bytes are dropped: PostgreSQL can neither store nor look up text that holds one.
    text = str(value).replace("\x00", "").replace("\u200b", "").replace("\ufeff", "").replace("\xa0", " ").strip()
    return text[1:].strip() if text.startswith("'") else text


def _read_bytes(file) -> bytes:
    if isinstance(file, (bytes, bytearray)):
        return bytes(file)
    if isinstance(file, (str, Path)):
        return Path(file).read_bytes()
    if hasattr(file, "seek"):
        file.seek(0)
    data = file.read()
    return data.encode() if isinstance(data, str) else data


def _decode(data: bytes) -> str:
    """Text of a CSV as Excel and WPS save it: UTF-8 (BOM or not), UTF-16 or GBK."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # a superset of GBK
    except UnicodeDecodeError:
        raise ValidationError(_("The file is neither UTF-8 nor GBK text; save it again as CSV or xlsx.")) from None


def _csv_records(data: bytes):
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    yield from enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1)


def _xlsx_records(data: bytes):
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken or foreign file
        raise ValidationError(_("This is not a readable xlsx workbook; save it again as xlsx or CSV.")) from exc
    try:
        ws = wb[ROSTER_SHEET] if ROSTER_SHEET in wb.sheetnames else wb.worksheets[0]
        yield from enumerate(ws.iter_rows(values_only=True), start=1)
    finally:
        wb.close()


def read_records(file, filename: str):
    """The non-empty rows of an uploaded sheet — xlsx, or CSV in UTF-8 (with or without BOM)
    or GBK, as Excel and WPS save them — as (row number in the file, cell texts)."""
    data = _read_bytes(file)
    suffix = Path(filename or "").suffix.lower()
    if data.startswith(b"PK\x03\x04") or suffix in (".xlsx", ".xlsm"):
        records = _xlsx_records(data)
    elif data.startswith(b"\xd0\xcf\x11\xe0") or suffix == ".xls":
        raise ValidationError(_("Old .xls workbooks are not read; save the sheet as xlsx or CSV."))
    else:
        records = _csv_records(data)
    for number, record in records:
        values = [_cell(v) for v in record]
        if any(values):
            yield number, values


def read_rows(file, filename: str) -> list[dict]:
    """Read a roster (xlsx or CSV) into dicts keyed by column, each with ``row``: its row
    number in the file. Raises ValidationError for a file that cannot be a roster."""
    keys: list[str | None] | None = None
    first_missing: list[str] | None = None
    rows: list[dict] = []
    for seen, (number, values) in enumerate(read_records(file, filename), start=1):
        if keys is None:
            # The header is the first row naming every required column; a title row above it is skipped.
            candidate = [_column_key(v) for v in values]
            missing = [c.header for c in COLUMNS if c.required and c.key not in candidate]
            if not missing:
                keys = candidate
            elif first_missing is None:
                first_missing = missing
            if keys is None and seen >= HEADER_SEARCH_ROWS:
                break
            continue
        row = {c.key: "" for c in COLUMNS}
        for key, value in zip(keys, values):
            if key and value and not row[key]:
                row[key] = value
        row["row"] = number
        rows.append(row)
        if len(rows) > MAX_ROWS:
            raise ValidationError(_("A roster holds at most %(n)s rows; split the file.") % {"n": MAX_ROWS})
    if keys is None and first_missing is None:
        raise ValidationError(_("The file is empty."))
    if keys is None:
        raise ValidationError(
            _("The header row lacks the columns %(columns)s; use the template.") % {"columns": "、".join(first_missing)}
        )
    return rows


# Checking ----------------------------------------------------------------------------


@dataclass
class CheckedRow:
    row: int
    name: str
    errors: list[str] = field(default_factory=list)
    volunteer: Volunteer | None = None
    skill_ids: list[int] = field(default_factory=list)


def _inside(site: Site, root: Site) -> bool:
    return nested.contains(root, site)


class _Lookups:
    """Everything the rows refer to, loaded in a fixed number of queries before the rows are checked."""

    def __init__(self, *, actor, scope: Site, rows: list[dict]):
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
                political[_norm_header(name)] = code
        with translation.override("en"):
            political.update({_norm_header(str(PoliticalStatus(c).label)): c for c in PoliticalStatus.values})
        self.political = political
        self.groups = {}
        for group in SourceGroup.objects.filter(is_active=True):
            self.groups[_norm_header(group.name)] = group.pk
            if group.name_en:
                self.groups.setdefault(_norm_header(group.name_en), group.pk)
        self.platforms = {}
        for platform in platforms_for(scope).order_by("owner_id"):  # a county's own name wins over a global one
            self.platforms[_norm_header(platform.name)] = platform.pk
            if platform.name_en:
                self.platforms.setdefault(_norm_header(platform.name_en), platform.pk)
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
        inside = [s for s in matches if _inside(s, self.scope)]
        if not inside:
            return None, _("The site “%(site)s” is outside the area of this import.") % {"site": value}
        if len(inside) > 1:
            return None, _("Several sites are called “%(site)s”; use the official code.") % {"site": value}
        site = inside[0]
        if not site.allowed:
            return None, _("You cannot register volunteers at “%(site)s”.") % {"site": value}
        return site, None

    def duplicate(self, existing: Volunteer) -> str:
        # The same words as volunteers.services.duplicate_message, decided for all rows at once.
        if existing.home_site_id in self.visible_sites:
            return _("This ID number is already registered at %(site)s.") % {"site": existing.home_site}
        return _("This ID number is already registered — please ask your station.")


_FIELD_COLUMN = {
    "real_name": "real_name",
    "id_number": "id_number",
    "phone": "phone",
    "home_site": "site",
    "guardian_name": "guardian_name",
    "guardian_phone": "guardian_phone",
    "consent": "real_name",
}


def _err(key: str, message: str) -> str:
    return f"{LABELS[key]}：{message}"


def _tags(text: str) -> list[str]:
    return list(dict.fromkeys(t.strip()[:20] for t in _SPLIT.split(text or "") if t.strip()))[:20]


def check_rows(*, actor, scope: Site, rows: list[dict], progress=None) -> list[CheckedRow]:
    """Check every row (in Chinese) and build, unsaved, the volunteer of each good row.

    ``progress(n)`` is called every few hundred rows with the number checked so far."""
    with translation.override(ERROR_LANGUAGE):
        return _check_rows(actor=actor, scope=scope, rows=rows, progress=progress)


def _check_rows(*, actor, scope: Site, rows: list[dict], progress) -> list[CheckedRow]:
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
        cleaned: dict = {}
        try:
            cleaned = validate_registration(
                actor=actor,
                home_site=site,
                real_name=r["real_name"],
                id_number=r["id_number"],
                phone=r["phone"],
                consent=True,  # the station collected consent when it took the person's details
                guardian_name=r["guardian_name"],
                guardian_phone=r["guardian_phone"],
                guardian_consent=bool(r["guardian_name"].strip()),
                today=today,
                check_duplicate=False,
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
        political = lookups.political.get(_norm_header(r["political_status"])) if r["political_status"] else None
        if r["political_status"] and political is None:
            errors.append(
                _err("political_status", _("Unknown political status “%(v)s”.") % {"v": r["political_status"]})
            )
        group = lookups.groups.get(_norm_header(r["source_group"])) if r["source_group"] else None
        if r["source_group"] and group is None:
            errors.append(_err("source_group", _("Unknown source group “%(v)s”.") % {"v": r["source_group"]}))
        for name in _SPLIT.split(r["skills"]) if r["skills"] else ():
            if not name:
                continue
            platform = lookups.platforms.get(_norm_header(name))
            if platform is None:
                errors.append(_err("skills", _("Unknown service platform “%(v)s”.") % {"v": name}))
            elif platform not in result.skill_ids:
                result.skill_ids.append(platform)
        phone = cleaned.get("phone") or normalize_phone(r["phone"])
        if phone and lookups.phone_counts[phone] + phone_used[phone] >= MAX_PER_PHONE:
            errors.append(
                _err("phone", _("This phone number is already used by %(n)s volunteers.") % {"n": MAX_PER_PHONE})
            )
        if not errors:
            phone_used[phone] += 1
            result.volunteer = _build(actor, site, r, cleaned, political, group, now)
        checked.append(result)
        if progress is not None and i % PROGRESS_EVERY == 0:
            progress(i)
    if progress is not None:
        progress(len(rows))
    return checked


def _build(actor, site: Site, r: dict, cleaned: dict, political: str | None, group: int | None, now) -> Volunteer:
    guardian = r["guardian_name"].strip()[:50]
    return Volunteer(
        real_name=cleaned["real_name"],
        pinyin=pinyin_for(cleaned["real_name"]),
        id_number=cleaned["id_number"],
        birth_date=cleaned["birth_date"],
        gender=cleaned["gender"],
        phone=cleaned["phone"],
        home_site=site,
        political_status=political or PoliticalStatus.MASSES,
        source_group_id=group,
        skill_tags=_tags(r["skill_tags"]),
        national_number=r["national_number"][:40],
        emergency_name=r["emergency_name"][:50],
        emergency_phone=r["emergency_phone"][:20],
        guardian_name=guardian,
        guardian_phone=cleaned.get("guardian_phone", r["guardian_phone"][:20]),
        guardian_consent_at=now if guardian else None,
        consent_at=now,
        registered_by=actor,
        status=Status.ACTIVE,
        status_changed_at=now,
        decided_by=actor,
    )


def error_report(checked: list[CheckedRow]) -> list[dict]:
    return [{"row": c.row, "name": c.name, "errors": c.errors} for c in checked if c.errors]


# Writing -----------------------------------------------------------------------------


def write_volunteers(*, actor, roster: RosterImport, checked: list[CheckedRow]) -> int:
    """Write the good rows in bulk (volunteers, then their skills) inside the caller's
    transaction, with one audit entry. Returns how many volunteers were created."""
    good = [c for c in checked if c.volunteer is not None]
    try:
        with transaction.atomic():
            Volunteer.objects.bulk_create([c.volunteer for c in good], batch_size=2000)
    except IntegrityError:
        raise ValidationError(
            _("Some of these ID numbers were registered while the import ran; upload the file again.")
        ) from None
    Through = Volunteer.skills.through
    Through.objects.bulk_create(
        [Through(volunteer_id=c.volunteer.pk, serviceplatform_id=p) for c in good for p in c.skill_ids],
        batch_size=5000,
    )
    bad = len(checked) - len(good)
    audit.record(
        actor=actor,
        action="volunteer.import",
        obj=roster,
        site_id=roster.site_id,
        changes={"rows": (None, len(checked)), "created": (None, len(good)), "rejected": (None, bad)},
    )
    return len(good)


# The import service ------------------------------------------------------------------


def roster_import_create(*, actor, site: Site, upload, mode: str) -> RosterImport:
    """Check who imports where, store the upload under ``rosters/`` and record a queued import."""
    if actor is None or not actor.is_authenticated or not can(actor, "add", site):
        raise PermissionDenied(_("Only a manager of %(site)s can import volunteers there.") % {"site": site})
    if mode not in ImportMode.values:
        raise ValidationError({"mode": _("Choose how to treat rows with errors.")})
    name = Path(getattr(upload, "name", "") or "roster").name
    if Path(name).suffix.lower() not in (".xlsx", ".xlsm", ".csv", ".txt"):
        raise ValidationError({"file": _("Upload the roster as an xlsx workbook or a CSV file.")})
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ValidationError({"file": _("The file is larger than 20 MB.")})
    if isinstance(upload, (bytes, bytearray)):
        upload = ContentFile(bytes(upload), name=name)
    roster = RosterImport(created_by=actor, site=site, mode=mode, original_name=name[:200])
    roster.file.save(name, upload, save=False)
    roster.save()
    return roster


def roster_import_start(*, actor, site: Site, upload, mode: str) -> RosterImport:
    """Store the upload and queue the import task once the transaction commits.

    If the task cannot be published (Redis down), the import record and its file are
    removed again and a ValidationError says so."""
    from .tasks import roster_import  # tasks import this module

    with transaction.atomic():
        roster = roster_import_create(actor=actor, site=site, upload=upload, mode=mode)

        def publish() -> None:
            try:
                roster_import.apply_async((roster.pk,), retry=False)
            except Exception as exc:  # kombu raises OperationalError and friends, depending on the transport
                log.warning("could not queue roster import %s: %s", roster.pk, exc)
                roster.file.delete(save=False)
                RosterImport.objects.filter(pk=roster.pk, status=ImportStatus.QUEUED).delete()
                raise ValidationError(
                    _("The task queue is not reachable, so the import was not started. Try again in a few minutes.")
                ) from exc

        transaction.on_commit(publish)
    return roster


def _set(roster: RosterImport, **fields) -> None:
    RosterImport.objects.filter(pk=roster.pk).update(**fields)
    for key, value in fields.items():
        setattr(roster, key, value)


def roster_import_run(*, import_id: int) -> RosterImport | None:
    """Run one queued import: read, check every row, write (or not), report.

    Claims the import with an optimistic update, so a second run of the same import does nothing."""
    claimed = RosterImport.objects.filter(pk=import_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.VALIDATING, claimed_at=timezone.now()
    )
    roster = RosterImport.objects.select_related("site", "created_by").filter(pk=import_id).first()
    if not claimed or roster is None:
        return roster
    actor = roster.created_by
    try:
        with translation.override(ERROR_LANGUAGE):
            with roster.file.open("rb") as handle:
                rows = read_rows(handle, roster.original_name or roster.file.name)
            _set(roster, total_rows=len(rows))
            checked = check_rows(
                actor=actor, scope=roster.site, rows=rows, progress=lambda n: _set(roster, processed_rows=n)
            )
            errors = error_report(checked)
            if errors and roster.mode == ImportMode.ALL_OR_NOTHING:
                _set(
                    roster,
                    status=ImportStatus.FAILED,
                    error_rows=errors,
                    finished_at=timezone.now(),
                    message=_("%(n)s rows have errors, so nothing was written. Correct them and upload again.")
                    % {"n": len(errors)},
                )
                return roster
            _set(roster, status=ImportStatus.WRITING)
            with transaction.atomic():
                created = write_volunteers(actor=actor, roster=roster, checked=checked)
                message = _("%(created)s volunteers imported.") % {"created": created}
                if errors:
                    message += " " + _("%(n)s rows with errors were skipped.") % {"n": len(errors)}
                _set(
                    roster,
                    status=ImportStatus.DONE,
                    created_count=created,
                    error_rows=errors,
                    message=message,
                    finished_at=timezone.now(),
                )
    except ValidationError as exc:
        with translation.override(ERROR_LANGUAGE):
            _set(roster, status=ImportStatus.FAILED, message=" ".join(exc.messages), finished_at=timezone.now())
    except Exception:
        log.exception("roster import %s failed", import_id)
        with translation.override(ERROR_LANGUAGE):
            _set(
                roster,
                status=ImportStatus.FAILED,
                message=_("The import stopped on an unexpected error; nothing was written."),
                finished_at=timezone.now(),
            )
        raise
    return roster


# Export ------------------------------------------------------------------------------

_EXPORT_FIELDS = (
    "pk real_name id_number phone home_site__name home_site__short_name political_status source_group__name "
    "skill_tags national_number emergency_name emergency_phone guardian_name guardian_phone status registered_at "
    "can_unmask"
).split()
_EXPORT_WIDTHS = (10, 21, 14, 16, 12, 12, 20, 16, 18, 10, 14, 10, 14, 10, 12)


def export_workbook(queryset, user) -> bytes:
    """An xlsx of the volunteers in ``queryset`` that ``user`` can see, personal numbers
    masked unless the user may see them whole. Two queries whatever the size."""
    visible = queryset.restrict(user, "view")
    rows = visible.with_unmask(user).values(*_EXPORT_FIELDS)
    skills: dict[int, list[str]] = defaultdict(list)
    Through = Volunteer.skills.through
    for volunteer_id, name in (
        Through.objects.filter(volunteer_id__in=visible.order_by().values("pk"))
        .order_by("serviceplatform__sort_order", "serviceplatform_id")
        .values_list("volunteer_id", "serviceplatform__name")
    ):
        skills[volunteer_id].append(name)
    political = {code: names[0] for code, names in POLITICAL_NAMES.items()}
    statuses = {code: str(label) for code, label in Status.choices}
    zone = timezone.get_current_timezone()
    sheet = XlsxSheet(ROSTER_SHEET, widths=_EXPORT_WIDTHS)
    sheet.append([c.header for c in COLUMNS] + list(EXPORT_EXTRA), style=XlsxSheet.BOLD)
    for r in rows:
        id_number, phone, em_phone, g_phone = (
            r["id_number"] or "",
            r["phone"],
            r["emergency_phone"],
            r["guardian_phone"],
        )
        if not r["can_unmask"]:
            id_number, phone = mask_id(id_number), mask_phone(phone)
            em_phone, g_phone = mask_phone(em_phone), mask_phone(g_phone)
        registered = r["registered_at"]
        sheet.append(
            [
                r["real_name"],
                id_number,
                phone,
                r["home_site__short_name"] or r["home_site__name"],
                political.get(r["political_status"], r["political_status"]),
                r["source_group__name"] or "",
                "、".join(skills.get(r["pk"], ())),
                "、".join(r["skill_tags"] or ()),
                r["national_number"],
                r["emergency_name"],
                em_phone,
                r["guardian_name"],
                g_phone,
                statuses.get(r["status"], r["status"]),
                registered.astimezone(zone).date() if registered else None,
            ]
        )
    return sheet.getvalue()


STALE_AFTER = timedelta(minutes=30)


def roster_import_requeue_stale(*, now=None) -> list[int]:
    """Put back in the queue the imports whose worker died while checking or writing them.

    Writing happens in one transaction together with the final status, so an import still
    marked as checking or writing long after it started has written nothing: running it
    again from the start loses nothing and duplicates nothing."""
    from .tasks import roster_import  # tasks import this module

    limit = (now or timezone.now()) - STALE_AFTER
    stale = list(
        RosterImport.objects.filter(
            status__in=[ImportStatus.VALIDATING, ImportStatus.WRITING], claimed_at__lt=limit
        ).values_list("pk", flat=True)
    )
    requeued = []
    for pk in stale:
        if RosterImport.objects.filter(
            pk=pk, status__in=[ImportStatus.VALIDATING, ImportStatus.WRITING], claimed_at__lt=limit
        ).update(status=ImportStatus.QUEUED, processed_rows=0, claimed_at=None):
            requeued.append(pk)
            transaction.on_commit(lambda pk=pk: roster_import.apply_async((pk,), retry=False))
    return requeued
