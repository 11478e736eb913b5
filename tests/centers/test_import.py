"""The division import: real counts, re-import, refusals with row numbers, placement, merging."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from centers import services
from centers.importer import (
    DivisionFileError,
    PinyinCache,
    import_division_file,
    read_division_file,
    shared_dir,
)
from centers.models import Kind, Level, Site, short_name_for
from centers.pinyin import pinyin_for
from centers.tree import check_tree
from civic.models import AuditEntry

DIVISIONS = shared_dir() / "data" / "divisions"
HEADER = "code,name,level,parent_code\n"


def real_file(name: str) -> Path:
    path = DIVISIONS / name
    if not path.exists():
        pytest.fail(f"{path} is missing: the shared division files are needed (set CIVIC_SHARED_DIR).")
    return path


def write(tmp_path: Path, text: str, name: str = "divisions.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def level_counts(**filters) -> dict[str, int]:
    rows = Site.objects.filter(**filters).order_by().values("level").annotate(n=Count("id"))
    return {row["level"]: row["n"] for row in rows}


SMALL_COUNTY = HEADER + (
    "997301,青禾县,county,\n"
    "997301101,石泉镇,township,997301\n"
    "997301102,柳塘镇,township,997301\n"
    "997301101001,东坪村民委员会,village,997301101\n"
    "997301101002,西坪村委会,village,997301101\n"
    "997301102001,城关社区居民委员会,village,997301102\n"
)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "townships", "villages"), [("610724.csv", 17, 215), ("610924.csv", 17, 207)])
def test_it_imports_the_real_counties_with_their_official_counts(name, townships, villages):
    result = import_division_file(real_file(name))
    assert level_counts() == {"county": 1, "township": townships, "village": villages}
    assert result.created == 1 + townships + villages
    assert check_tree() == []
    assert AuditEntry.objects.filter(action="site.import").count() == 1


@pytest.mark.django_db
def test_it_keeps_the_official_name_and_maps_the_short_name(tmp_path):
    import_division_file(write(tmp_path, SMALL_COUNTY))
    village = Site.objects.get(code="997301101002")
    assert (village.name, village.short_name) == ("西坪村委会", "西坪村")
    assert Site.objects.get(code="997301102001").short_name == "城关社区"
    assert village.pinyin == pinyin_for(village.name, village.short_name)
    assert village.parent.code == "997301101" and village.depth == 2


@pytest.mark.django_db
def test_reimporting_the_same_file_changes_nothing(tmp_path):
    path = write(tmp_path, SMALL_COUNTY)
    import_division_file(path)
    before = list(Site.objects.order_by("id").values_list("id", "lft", "rght", "tree_id", "updated_at"))
    audits = AuditEntry.objects.count()
    result = import_division_file(path)
    assert (result.created, result.updated, result.renumbered, result.unchanged) == (0, 0, 0, 6)
    assert list(Site.objects.order_by("id").values_list("id", "lft", "rght", "tree_id", "updated_at")) == before
    assert AuditEntry.objects.count() == audits


@pytest.mark.django_db
def test_reimport_updates_names_by_code_and_never_deletes(tmp_path):
    import_division_file(write(tmp_path, SMALL_COUNTY))
    renamed = SMALL_COUNTY.replace("西坪村委会", "新西坪村民委员会").replace(
        "997301102001,城关社区居民委员会,village,997301102\n", ""
    )
    result = import_division_file(write(tmp_path, renamed, "renamed.csv"))
    assert (result.created, result.updated) == (0, 1)
    village = Site.objects.get(code="997301101002")
    assert (village.name, village.short_name) == ("新西坪村民委员会", "新西坪村")
    assert village.pinyin == pinyin_for("新西坪村民委员会", "新西坪村")
    assert Site.objects.filter(code="997301102001").exists()
    assert check_tree() == []


BAD_FILES = {
    "bad header": ("code;name;level;parent\n997301;青禾县;county;\n", 1),
    "unknown level": (HEADER + "997301,青禾县,county,\n997301101,石泉镇,town,997301\n", 3),
    "duplicate code": (
        HEADER + "997301,青禾县,county,\n997301101,石泉镇,township,997301\n997301101,柳塘镇,township,997301\n",
        4,
    ),
    "missing parent": (HEADER + "997301,青禾县,county,\n997301101001,东坪村,village,997301101\n", 3),
    "parent later in the file": (
        HEADER + "997301,青禾县,county,\n997301101001,东坪村,village,997301101\n997301101,石泉镇,township,997301\n",
        3,
    ),
    "level not below the parent's": (HEADER + "997301,青禾县,county,\n997302,另县,county,997301\n", 3),
    "code of the wrong length": (HEADER + "997301,青禾县,county,\n99730110,石泉镇,township,997301\n", 3),
    "empty name": (HEADER + "997301,青禾县,county,\n997301101, ,township,997301\n", 3),
    "same name twice under one parent": (
        HEADER + "997301,青禾县,county,\n997301101,石泉镇,township,997301\n997301102,石泉镇,township,997301\n",
        4,
    ),
    "wrong number of fields": (HEADER + "997301,青禾县,county\n", 2),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_it_refuses_a_bad_file_with_the_row_number_and_writes_nothing(tmp_path, case):
    text, line = BAD_FILES[case]
    with pytest.raises(DivisionFileError) as err:
        import_division_file(write(tmp_path, text))
    assert line in err.value.lines
    assert Site.objects.count() == 0


@pytest.mark.django_db
def test_it_reads_a_gbk_file_as_excel_saves_it(tmp_path):
    path = write(tmp_path, SMALL_COUNTY, encoding="gbk")
    assert import_division_file(path).created == 6
    assert check_tree() == []


@pytest.mark.django_db
def test_it_refuses_a_file_in_no_known_encoding_naming_the_first_bad_line(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_bytes(b"code,name,level,parent_code\n\xff\xfe\xff,bad,county,\n")
    with pytest.raises(DivisionFileError) as err:
        import_division_file(path)
    assert err.value.lines == [2]
    with pytest.raises(CommandError, match="UTF-8"):
        call_command("import_divisions", str(path))
    assert Site.objects.count() == 0


@pytest.mark.django_db
def test_it_reads_gzip_and_a_byte_order_mark(tmp_path):
    gz = tmp_path / "county.csv.gz"
    gz.write_bytes(gzip.compress(("\ufeff" + SMALL_COUNTY).encode()))
    assert import_division_file(gz).created == 6
    bad = tmp_path / "bad.csv.gz"
    bad.write_bytes(gzip.compress(BAD_FILES["missing parent"][0].encode()))
    with pytest.raises(DivisionFileError):
        import_division_file(bad)
    assert Site.objects.count() == 6


@pytest.mark.django_db
def test_it_lists_at_most_twenty_problems(tmp_path):
    rows = "".join(f"99730{i:04d},村{i},nowhere,\n" for i in range(50))
    with pytest.raises(DivisionFileError) as err:
        import_division_file(write(tmp_path, HEADER + rows))
    assert len(err.value.problems) == 21  # twenty, then "… and 30 more"
    assert err.value.total == 50


@pytest.mark.django_db
def test_the_command_prints_a_summary(tmp_path, capsys):
    call_command("import_divisions", str(write(tmp_path, SMALL_COUNTY)))
    out = capsys.readouterr().out
    assert "6" in out and "village 3" in out


@pytest.mark.django_db
def test_under_puts_the_root_under_an_existing_site(world, tmp_path):
    city = services.site_create(actor=world.admin, parent=None, name="青禾市", level=Level.CITY, code="9973")
    import_division_file(write(tmp_path, SMALL_COUNTY), under="9973")
    county = Site.objects.get(code="997301")
    assert county.parent_id == city.pk and county.tree_id == city.tree_id and county.depth == 1
    assert level_counts(tree_id=city.tree_id) == {"city": 1, "county": 1, "township": 2, "village": 3}
    assert check_tree() == []


@pytest.mark.django_db
def test_under_refuses_a_root_that_does_not_fit(world, tmp_path):
    before = Site.objects.count()
    with pytest.raises(DivisionFileError) as err:
        import_division_file(write(tmp_path, SMALL_COUNTY), under=world.township.code)
    assert err.value.lines == [2]
    with pytest.raises(DivisionFileError):
        import_division_file(write(tmp_path, SMALL_COUNTY), under="123456")
    assert Site.objects.count() == before


@pytest.mark.django_db
def test_it_adds_to_a_tree_built_by_the_services_and_refuses_a_name_clash(world, tmp_path):
    text = HEADER + "990101,测试县,county,\n990101103,丙镇,township,990101\n990101103001,丙村,village,990101103\n"
    result = import_division_file(write(tmp_path, text))
    assert (result.created, result.unchanged) == (2, 1)
    assert list(world.county.get_children().values_list("name", flat=True)) == ["甲镇", "乙镇", "丙镇"]
    assert Site.objects.get(code="990101101001").parent_id == world.township.pk
    clash = HEADER + "990101,测试县,county,\n990101109,甲镇,township,990101\n"
    with pytest.raises(DivisionFileError) as err:
        import_division_file(write(tmp_path, clash, "clash.csv"))
    assert err.value.lines == [3]
    assert not Site.objects.filter(code="990101109").exists()
    assert check_tree() == []


@pytest.mark.django_db
def test_a_province_absorbs_a_county_imported_alone_with_its_hand_made_sites(world, tmp_path):
    import_division_file(write(tmp_path, SMALL_COUNTY))
    county = Site.objects.get(code="997301")
    base = services.site_create(
        actor=world.admin, parent=county, name="青禾红色文化", level=Level.COUNTY, kind=Kind.BASE
    )
    township = Site.objects.get(code="997301101")
    spot = services.site_create(actor=world.admin, parent=township, name="石泉书屋", level=Level.VILLAGE)
    province = (
        HEADER
        + "99,青禾省,province,\n9973,青禾市,city,99\n"
        + SMALL_COUNTY.removeprefix(HEADER).replace("997301,青禾县,county,", "997301,青禾县,county,9973")
        + "997302,白水县,county,9973\n997302101,白水镇,township,997302\n"
    )
    result = import_division_file(write(tmp_path, province, "province.csv"))
    assert (result.created, result.updated) == (4, 1)
    county.refresh_from_db()
    root = Site.objects.get(code="99")
    assert county.parent.code == "9973" and county.tree_id == root.tree_id and county.depth == 2
    base.refresh_from_db()
    spot.refresh_from_db()
    assert (base.parent_id, base.tree_id) == (county.pk, root.tree_id)
    assert (spot.parent_id, spot.tree_id) == (township.pk, root.tree_id)
    assert Site.objects.filter(tree_id=root.tree_id).count() == 12
    assert Site.objects.filter(parent__isnull=True, name="青禾县").count() == 0
    assert check_tree() == []
    again = import_division_file(write(tmp_path, province, "province.csv"))
    assert (again.created, again.updated, again.renumbered) == (0, 0, 0)


@pytest.mark.django_db
def test_the_shaanxi_province_imports_clean():
    result = import_division_file(real_file("province-61.csv"))
    assert result.created == 21_809
    assert level_counts() == {"province": 1, "city": 10, "county": 107, "township": 1335, "village": 20356}
    assert check_tree() == []
    assert Site.objects.get(code="610724").get_descendant_count() == 17 + 215


def test_the_fast_pinyin_matches_pinyin_for_on_real_names():
    rows = read_division_file(real_file("620523.csv"))
    names = rows.names + ["A区（新）", "重庆市", "长沙村委会", "银行社区居委会", "乐乐村"]
    fast = PinyinCache()
    for name in names:
        short = short_name_for(name)
        assert fast(name, short) == pinyin_for(name, short), name


@pytest.mark.django_db
def test_check_tree_command_says_ok_and_fails_on_a_broken_tree(world, capsys):
    call_command("check_tree")
    assert capsys.readouterr().out.strip() == "ok"
    Site.objects.filter(pk=world.village.pk).update(lft=999)
    with pytest.raises(CommandError):
        call_command("check_tree")


@pytest.mark.django_db
def test_a_new_top_level_site_may_not_take_the_name_of_another(world, tmp_path):
    with pytest.raises(DivisionFileError) as err:
        import_division_file(write(tmp_path, HEADER + "997309,另县,county,\n"))
    assert err.value.lines == [2]
    assert not Site.objects.filter(code="997309").exists()
