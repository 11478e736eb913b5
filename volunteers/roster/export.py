"""The volunteer list as a roster xlsx, in the import's own format (and two more columns)."""

from __future__ import annotations

from collections import defaultdict

from django.utils import timezone

from civic.xlsx import XlsxSheet

from ..identity import mask_id, mask_phone
from ..models import Status, Volunteer
from .columns import COLUMNS, EXPORT_EXTRA, POLITICAL_NAMES, ROSTER_SHEET

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
