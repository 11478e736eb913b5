"""Past hours from paper ledgers: xlsx and CSV (UTF-8, BOM, GBK), every row checked first,
every problem reported with its row number, nothing written unless every row is right."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from points import selectors, services
from points.models import Account, Entry, EntryKind
from points.opening import read_opening_rows
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 1)


def xlsx(rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["往年志愿服务时长"])  # a title row above the header is skipped
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.fixture
def people(world):
    return {
        "a": factories.volunteer(world.admin, world.village, real_name="甲"),
        "b": factories.volunteer(world.admin, world.township, real_name="乙"),
        "far": factories.volunteer(world.admin, world.village2, real_name="远"),
    }


def test_a_good_xlsx_writes_one_opening_entry_per_row(world, people):
    data = xlsx(
        [
            ["身份证号", "时长(小时)", "积分", "截至日期", "备注"],
            [people["a"].id_number, 120.5, None, "2025-12-31", "纸质台账"],
            [people["b"].id_number, "30", "500", date(2025, 6, 30), ""],
        ]
    )
    result = services.opening_import(
        actor=world.township_head, site=world.township, file=data, filename="h.xlsx", today=TODAY
    )
    assert result.errors == [] and result.written == 2
    a = Account.objects.get(volunteer=people["a"])
    assert (a.lifetime_hours, a.lifetime_points, a.star_level) == (Decimal("120.50"), 1205, 1)
    b = Entry.objects.get(account__volunteer=people["b"])
    assert (b.kind, b.points, b.service_date) == (EntryKind.OPENING, 500, date(2025, 6, 30))
    assert selectors.reconcile() == []


def test_every_bad_row_is_reported_with_its_row_number_and_nothing_is_written(world, people):
    services.points_opening(actor=world.admin, volunteer=people["b"], hours=1, points=None, as_of=date(2025, 1, 1))
    data = xlsx(
        [
            ["身份证号", "时长", "积分", "截至日期"],
            [people["a"].id_number, "12", "", "2025-12-31"],  # row 3: fine
            [people["far"].id_number, "5", "", "2025-12-31"],  # row 4: outside the township
            [people["a"].id_number, "3", "", "2025-12-31"],  # row 5: the same ID again
            ["", "abc", "-3", "2099-01-01"],  # row 6: no ID, bad hours, negative points, future date
            [people["b"].id_number, "1", "", "2025/12/31"],  # row 7: already has an opening entry
        ]
    )
    result = services.opening_import(
        actor=world.township_head, site=world.township, file=data, filename="h.xlsx", today=TODAY
    )
    assert result.written == 0
    by_row = {r.row: r.errors for r in result.errors}
    assert set(by_row) == {4, 5, 6, 7}
    assert "No volunteer" in by_row[4][0] or "没有" in by_row[4][0] or by_row[4]
    assert len(by_row[6]) == 4
    assert not Entry.objects.filter(account__volunteer=people["a"]).exists()


def test_a_gbk_csv_is_read(world, people):
    text = f"身份证号,时长(小时),截至日期,备注\r\n{people['a'].id_number},8,2025年12月31日,老台账\r\n"
    rows = read_opening_rows(text.encode("gbk"), "hours.csv")
    expected = {"id_number": people["a"].id_number, "hours": "8", "points": "", "as_of": "2025年12月31日"}
    assert rows == [{**expected, "note": "老台账", "row": 2}]
    result = services.opening_import(
        actor=world.village_head, site=world.village, file=text.encode("gbk"), filename="hours.csv", today=TODAY
    )
    assert result.written == 1
    assert Entry.objects.get(account__volunteer=people["a"]).note == "老台账"


def test_a_utf8_bom_csv_is_read(world, people):
    text = f"\ufeff身份证号,时长(小时),截至日期\r\n{people['a'].id_number},2,2025-01-31\r\n"
    assert read_opening_rows(text.encode("utf-8"), "h.csv")[0]["hours"] == "2"


def test_a_file_without_the_columns_is_refused(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        read_opening_rows("姓名,电话\r\n张三,1\r\n".encode(), "h.csv")


def test_only_a_manager_imports(world, people):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.opening_import(actor=world.county_viewer, site=world.county, file=b"", filename="h.csv", today=TODAY)


def test_the_import_page_reports_rows_and_offers_a_template(client, world, people):
    client.force_login(world.township_head)
    address = reverse("points:opening", args=[world.township.pk])
    template = client.get(address + "?template=1")
    assert template["Content-Type"].startswith("text/csv") and "身份证号" in template.content.decode("utf-8-sig")
    bad = f"身份证号,时长(小时),截至日期\r\n{people['far'].id_number},5,2025-12-31\r\n".encode()
    response = client.post(address, {"file": SimpleUploadedFile("h.csv", bad, content_type="text/csv")})
    assert response.status_code == 200
    assert [r.row for r in response.context["result"].errors] == [2]
    good = f"身份证号,时长(小时),截至日期\r\n{people['a'].id_number},5,2025-12-31\r\n".encode()
    response = client.post(address, {"file": SimpleUploadedFile("h.csv", good, content_type="text/csv")})
    assert response.context["result"].written == 1
    client.force_login(world.county_viewer)
    assert client.get(address).status_code == 403
