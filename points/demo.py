"""Demo points for ``manage.py seed_demo`` (after the volunteers' steps): the county's rule,
a year of service credits for the demo volunteers, two township shops with goods and stock,
a few redemptions (waiting and picked up) and the county's seal.

The year of credits is written in bulk (a few thousand volunteers, tens of thousands of
entries) and the accounts are set from the ledger's sums, so ``reconcile()`` finds nothing;
the shop and the redemptions go through the services. Idempotent.
"""

from __future__ import annotations

import io
import math
import random
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from centers.demo import DemoContext
from centers.models import Site
from civic import nested
from volunteers.models import Status, Volunteer

from . import selectors, services
from .certificates import FONT_CANDIDATES
from .models import DEFAULT_STAR_HOURS, Account, Entry, EntryKind, Goods, Redemption, Rule, Seal
from .ranking import refresh_rank_sites

DEMO_PREFIX = "demo:"
GOODS = [("毛巾", 20, 40), ("洗衣液", 50, 25), ("保温杯", 80, 15), ("雨伞", 60, 20), ("食用油(5L)", 120, 10)]
HOURS = [Decimal(h) for h in ("1", "1.5", "2", "2", "2.5", "3", "4")]
DEDUCTIONS = {"无故缺席": 5, "迟到早退": 2}  # the county rule's named deductions (no-show, late)


def seed_rule(ctx: DemoContext) -> None:
    """The county's rule: 10 points an hour, theme bonus 5, rating bonus, two named deductions."""
    if Rule.objects.filter(site=ctx.county).exists():
        return
    today = timezone.localdate()
    services.rule_save(
        actor=ctx.admin,
        site=ctx.county,
        valid_from=date(today.year - 2, 1, 1),
        points_per_hour=10,
        theme_bonus=5,
        rating_bonus={"5": 5, "4": 2},
        deductions=DEDUCTIONS,
    )
    ctx.say("points: county rule set")


def _county_volunteers(ctx: DemoContext) -> list[Volunteer]:
    county = Site.objects.get(pk=ctx.county.pk)
    return list(
        Volunteer.objects.filter(
            nested.under(county, "home_site"),
            status=Status.ACTIVE,
        )
        .only("pk", "home_site_id", "user_id")
        .order_by("pk")
    )


def seed_ledger(ctx: DemoContext) -> None:
    """A year of service credits (and theme bonuses) for the county's active volunteers,
    written in bulk; each account then set from the ledger's sums."""
    if Entry.objects.filter(source_key__startswith=DEMO_PREFIX).exists():
        ctx.say("points: ledger unchanged")
        return
    people = _county_volunteers(ctx)
    if not people:
        ctx.say("points: no volunteers yet, no ledger")
        return
    rng = random.Random(7303)
    today = timezone.localdate()
    Account.objects.bulk_create([Account(volunteer_id=v.pk) for v in people], ignore_conflicts=True, batch_size=2000)
    refresh_rank_sites(volunteer_ids=[v.pk for v in people])
    accounts = dict(Account.objects.filter(volunteer__in=[v.pk for v in people]).values_list("volunteer_id", "pk"))
    demo = ctx.data.get("demo_volunteer")
    entries = []
    for volunteer in people:
        busy = volunteer.pk == getattr(demo, "pk", None)
        count = 24 if busy else min(int(rng.expovariate(1 / 6)), 40)
        for n in range(count):
            day = today - timedelta(days=rng.randrange(0, 365))
            hours = rng.choice(HOURS)
            points = int(hours * 10)
            key = f"{DEMO_PREFIX}{volunteer.pk}:{n}"
            common = {"account_id": accounts[volunteer.pk], "site_id": volunteer.home_site_id, "service_date": day}
            entries.append(
                Entry(
                    kind=EntryKind.SERVICE,
                    points=points,
                    lifetime_delta=points,
                    hours=hours,
                    source_key=key,
                    note="志愿服务",
                    created_by=ctx.admin,
                    **common,
                )
            )
            if rng.random() < 0.25:
                entries.append(
                    Entry(
                        kind=EntryKind.BONUS,
                        points=5,
                        lifetime_delta=5,
                        source_key=f"{key}:theme",
                        note="主题活动加分",
                        created_by=ctx.admin,
                        **common,
                    )
                )
    entries.sort(key=lambda e: e.service_date)  # ids follow the days, as if written over the year
    Entry.objects.bulk_create(entries, batch_size=2000)
    _set_accounts(list(accounts.values()))
    ctx.say(f"points: {len(entries)} ledger entries for {len(people)} volunteers")


def _set_accounts(account_ids: list[int]) -> None:
    """Set the stored sums of these accounts from the ledger (one aggregate, one bulk update)."""
    sums = {
        row["account"]: row
        for row in Entry.objects.filter(account__in=account_ids)
        .order_by()
        .values("account")
        .annotate(
            lifetime=Coalesce(Sum("lifetime_delta"), 0),
            balance=Coalesce(Sum("points"), 0),
            hours=Coalesce(Sum("hours"), Decimal("0")),
        )
    }
    accounts = list(Account.objects.filter(pk__in=account_ids))
    for account in accounts:
        row = sums.get(account.pk, {"lifetime": 0, "balance": 0, "hours": Decimal("0")})
        account.lifetime_points, account.balance, account.lifetime_hours = row["lifetime"], row["balance"], row["hours"]
        account.star_level = selectors.star_level_for(account.lifetime_hours, DEFAULT_STAR_HOURS)
    Account.objects.bulk_update(
        accounts, ["lifetime_points", "balance", "lifetime_hours", "star_level", "updated_at"], batch_size=2000
    )


def seed_shops(ctx: DemoContext) -> None:
    """Shops at two townships (the demo volunteer's first), with goods and stock."""
    for township in ctx.townships[2:4]:
        if Goods.objects.filter(site=township).exists():
            continue
        for name, price, stock in GOODS:
            goods = services.goods_create(actor=ctx.admin, site=township, name=name, price=price)
            services.goods_stock_in(actor=ctx.admin, goods=goods, quantity=stock, note="首批入库")
        ctx.say(f"points: shop of {township.label} stocked")


def seed_redemptions(ctx: DemoContext) -> None:
    """A few redemptions by volunteers with logins: some picked up, some waiting."""
    if Redemption.objects.filter(goods__site__in=ctx.townships[2:4]).exists() or len(ctx.townships) < 3:
        return
    shop = ctx.townships[2]
    keeper = ctx.data.get("township_head") or ctx.admin
    goods = list(Goods.objects.filter(site=shop).order_by("price")[:3])
    people = [v for v in _county_volunteers(ctx) if v.user_id][:3]
    made = 0
    for i, volunteer in enumerate(people):
        user = Volunteer.objects.select_related("user").get(pk=volunteer.pk).user
        for j, item in enumerate(goods[:2]):
            try:
                redemption = services.redeem(actor=user, goods=item)
            except ValidationError:  # not enough points: the demo simply has fewer redemptions
                continue
            made += 1
            if (i + j) % 2 == 0:
                services.redemption_fulfil(actor=keeper, goods_site=shop, pickup_code=redemption.pickup_code)
    ctx.say(f"points: {made} redemptions")


def _seal_png() -> ContentFile:
    from PIL import Image, ImageDraw, ImageFont

    size = 360
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    red = (200, 16, 46, 230)
    draw.ellipse((8, 8, size - 8, size - 8), outline=red, width=14)
    cx = cy = size / 2
    points = []
    for k in range(10):
        radius = 70 if k % 2 == 0 else 28
        angle = -math.pi / 2 + k * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    draw.polygon(points, fill=red)
    font_path = next((p for p in FONT_CANDIDATES if Path(p).exists()), None)
    if font_path is not None:
        font = ImageFont.truetype(font_path, 34)
        text = "青禾县新时代文明实践中心"
        for k, char in enumerate(text):
            angle = math.radians(-200 + 220 * k / (len(text) - 1))  # along the upper arc, left to right
            draw.text((cx + 130 * math.cos(angle), cy + 130 * math.sin(angle)), char, fill=red, font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name="county-seal.png")


def seed_seal(ctx: DemoContext) -> None:
    if not Seal.objects.filter(site=ctx.county).exists():
        services.seal_save(actor=ctx.admin, site=ctx.county, image=_seal_png())
        ctx.say("points: county seal made")


def check_ledger(ctx: DemoContext) -> None:
    drifts = selectors.reconcile()
    ctx.say(f"points: reconcile found {len(drifts)} differences")


DEMO_STEPS = [seed_rule, seed_ledger, seed_shops, seed_redemptions, seed_seal, check_ledger]
