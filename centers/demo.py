"""The site tree's demo steps for ``manage.py seed_demo`` (``civic.demo``): an invented
county (青禾县) with invented names, one user per role, and its standards checklist. Each
step is idempotent: running the command twice changes nothing.
"""

from __future__ import annotations

import io
import random

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.utils.translation import gettext

from civic.demo import DEMO_PASSWORD, DemoContext  # (the other apps' demos import them from here too)
from civic.scope import Role

from . import services
from .importer import import_divisions, rows_from_records
from .models import Kind, Level, Site, StandardCheck, StandardSet

COUNTY_CODE = "997301"
COUNTY_NAME = "青禾县"
# 17 invented townships: two subdistricts (街道, with communities) and fifteen towns and townships.
TOWNSHIPS = [
    ("001", "禾城街道"),
    ("002", "青湾街道"),
    ("101", "石泉镇"),
    ("102", "柳塘镇"),
    ("103", "云岭镇"),
    ("104", "鹤鸣镇"),
    ("105", "桂溪镇"),
    ("106", "松坪镇"),
    ("107", "梨花镇"),
    ("108", "栗岗镇"),
    ("109", "麦川镇"),
    ("110", "雁归镇"),
    ("201", "竹影乡"),
    ("202", "杏林乡"),
    ("203", "蓝田坝乡"),
    ("204", "苇荡乡"),
    ("205", "枫香乡"),
]
_FIRST = "禾青石柳云鹤桂松梨栗麦雁竹杏苇枫茶槐榆桑荷菱藕芦"
_SECOND = "溪坪湾岭坡沟坝岗塬台川洼垭渠滩堡"
_SURNAMES = "王李张刘陈杨黄赵周吴徐孙马胡朱郭何罗高林"
_GIVEN = ["建华", "秀英", "志强", "丽娟", "海燕", "国庆", "春梅", "立新", "红霞", "文博", "晓东", "玉兰"]


def demo_division_rows() -> list[tuple]:
    """The invented county as division rows, with populations and liaisons (deterministic)."""
    rng = random.Random(7301)
    rows: list[tuple] = [(COUNTY_CODE, COUNTY_NAME, Level.COUNTY, "", {"population": 286_000})]
    combos = [a + b for a in _FIRST for b in _SECOND]
    rng.shuffle(combos)
    names = iter(combos)
    for number, (suffix, township) in enumerate(TOWNSHIPS):
        code = COUNTY_CODE + suffix
        rows.append((code, township, Level.TOWNSHIP, COUNTY_CODE, {"population": rng.randrange(9_000, 32_000)}))
        urban = township.endswith("街道")
        for village in range(1, (13 if number < 11 else 12) + 1):
            stem = next(names)
            name = stem + ("社区居民委员会" if urban else "村民委员会")
            liaison = rng.choice(_SURNAMES) + rng.choice(_GIVEN)
            extras = {
                "population": rng.randrange(600, 4_500),
                "liaison_name": liaison,
                "liaison_phone": f"1390917{rng.randrange(0, 10_000):04d}",
                "head_name": rng.choice(_SURNAMES) + rng.choice(_GIVEN),
            }
            rows.append((f"{code}{village:03d}", name, Level.VILLAGE, code, extras))
    return rows


def seed_sites(ctx: DemoContext) -> None:
    """The county tree, through the bulk importer; then a few bases and service posts."""
    User = get_user_model()
    ctx.admin = User.objects.filter(username="admin").first()
    if ctx.admin is None:
        ctx.admin = User.objects.create_superuser("admin", "admin@example.org", DEMO_PASSWORD)
    ctx.logins.append((gettext("administrator"), "admin", DEMO_PASSWORD))
    result = import_divisions(rows_from_records(demo_division_rows(), source="demo"), actor=ctx.admin)
    created, unchanged = result.created, result.unchanged
    ctx.county = Site.objects.get(code=COUNTY_CODE)
    ctx.townships = list(ctx.county.get_children().filter(kind=Kind.PRACTICE).order_by("code"))
    extras = [
        (ctx.county, Kind.BASE, "青禾红色文化", "县城北郊，红军纪念馆"),
        (ctx.county, Kind.BASE, "青禾农业科技示范园", "石泉镇东侧"),
        (ctx.townships[0], Kind.POST, "禾城便民服务", "禾城街道便民服务中心一楼"),
        (ctx.townships[2], Kind.POST, "石泉镇应急救援", "石泉镇政府院内"),
        (ctx.townships[3], Kind.POST, "柳塘镇助老", "柳塘镇敬老院"),
    ]
    for parent, kind, name, address in extras:
        if Site.objects.filter(parent=parent, name=name).exists():
            unchanged += 1
            continue
        services.site_create(actor=ctx.admin, parent=parent, name=name, level=parent.level, kind=kind, address=address)
        created += 1
    # Adding sites moved the nested-set bounds of the county and townships: read them again.
    ctx.county.refresh_from_db()
    ctx.townships = list(ctx.county.get_children().filter(kind=Kind.PRACTICE).order_by("code"))
    ctx.say(f"sites: created {created}, unchanged {unchanged}")


def seed_users(ctx: DemoContext) -> None:
    """One user per role, each granted on the right site."""
    User = get_user_model()
    village = ctx.townships[2].get_children().filter(kind=Kind.PRACTICE).order_by("code").first()
    people = [
        (gettext("county staff"), "county_staff", ctx.county, Role.MANAGER),
        (gettext("county viewer"), "county_viewer", ctx.county, Role.VIEWER),
        (gettext("township head"), "township_head", ctx.townships[2], Role.MANAGER),
        (gettext("village head"), "village_head", village, Role.MANAGER),
    ]
    for label, username, site, role in people:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(username=username, password=DEMO_PASSWORD)
        ctx.logins.append((label, username, DEMO_PASSWORD))
        services.role_grant(actor=ctx.admin, user=user, site=site, role=role)
        ctx.data[username] = user


def _evidence_png() -> ContentFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (160, 100), (200, 40, 40))
    ImageDraw.Draw(image).rectangle((10, 10, 150, 90), outline=(255, 220, 0), width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name="evidence.png")


def seed_standards(ctx: DemoContext) -> None:
    """The county holds its sites to 五有; the county meets them all, two stations not yet."""
    five = StandardSet.objects.filter(name="五有").first()
    if five is None:
        return
    if ctx.county.standard_set_id != five.pk:
        services.standard_set_choose(actor=ctx.admin, site=ctx.county, standard_set=five)
    items = list(five.items.all())
    plan = [(ctx.county, item, True) for item in items]
    plan += [(township, item, index % 2 == 0) for township in ctx.townships[:2] for index, item in enumerate(items)]
    for site, item, passed in plan:
        if StandardCheck.objects.filter(site=site, item=item).exists():
            continue
        services.standard_check_record(
            actor=ctx.admin,
            site=site,
            item=item,
            passed=passed,
            note="" if passed else "整改中",
            evidence=_evidence_png() if passed else None,
        )


DEMO_STEPS = [seed_sites, seed_users, seed_standards]
