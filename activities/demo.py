"""Demo activities for ``manage.py seed_demo`` (after the points steps): a year of the demo
county's activities at realistic quotas — most sites meet them every month, some fall short
— with sign-ups, attendance, hours credited in the ledger, photos (small generated images),
plans, brand projects, a recurring lecture, the county's settings, and this month's work in
progress for the demo logins (to approve, to finish, to confirm, open for sign-up).

The year is written in bulk (thousands of activities, tens of thousands of attendance
records and ledger entries in a few dozen queries) and the points accounts are set from the
ledger's sums, so ``reconcile_points`` finds nothing. Nothing here is PostgreSQL-only: the
demo runs on SQLite. Idempotent: a second run finds the demo's activities and changes nothing.
"""

from __future__ import annotations

import io
import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Case, CharField, DecimalField, IntegerField, OuterRef, Subquery, Sum, Value, When
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from centers.models import Kind as SiteKind
from centers.models import Level, Site
from centers.selectors import platforms_for
from civic import nested
from civic.demo import DemoContext
from points.models import DEFAULT_STAR_HOURS, Account, Entry, EntryKind
from points.ranking import refresh_rank_sites
from points.selectors import reconcile
from volunteers.models import Status, Team, Volunteer

from . import qr, services
from .models import (
    HELD_STATES,
    Activity,
    ActivityEvent,
    ActivitySettings,
    AnnualPlan,
    Attendance,
    BrandProject,
    Kind,
    Method,
    Photo,
    QuotaShortfall,
    SignUp,
    SignUpStatus,
    Stage,
    State,
)
from .rules import DEFAULTS, round_hours
from .selectors.figures import with_quota_progress
from .services.attendance import SOURCE_PREFIX, source_key

RATE = Decimal("10")  # the demo county's points rule (points.demo): 10 an hour, theme bonus 5
THEME_BONUS = 5
SHORT_SHARE = 0.12  # about one site in eight falls short in a month
THEMES = {
    1: ("迎新春送春联", Kind.FESTIVAL, "我们的节日·春节"),
    2: ("元宵节猜灯谜", Kind.FESTIVAL, "我们的节日·元宵"),
    3: ("学雷锋志愿服务", Kind.THEME, "学雷锋月"),
    4: ("清明文明祭扫宣传", Kind.FESTIVAL, "我们的节日·清明"),
    5: ("劳动最光荣主题宣讲", Kind.LECTURE, "劳动节"),
    6: ("端午包粽子敬老", Kind.FESTIVAL, "我们的节日·端午"),
    7: ("防溺水安全教育", Kind.TRAINING, "暑期安全"),
    8: ("乡村文化大舞台", Kind.THEME, "文化惠民"),
    9: ("中秋邻里团圆会", Kind.FESTIVAL, "我们的节日·中秋"),
    10: ("重阳敬老孝老", Kind.FESTIVAL, "我们的节日·重阳"),
    11: ("移风易俗进万家", Kind.THEME, "文明新风"),
    12: ("宪法宣传进村组", Kind.LECTURE, "宪法日"),
}
EVERYDAY = [
    ("理论政策宣讲", Kind.LECTURE),
    ("义诊送健康", Kind.REGULAR),
    ("环境卫生大扫除", Kind.REGULAR),
    ("农技培训", Kind.TRAINING),
    ("关爱留守儿童", Kind.REGULAR),
    ("广场舞展演", Kind.REGULAR),
    ("法律知识讲座", Kind.LECTURE),
    ("垃圾分类宣传", Kind.THEME),
]
BRANDS = ["银龄讲堂", "小板凳宣讲团", "邻里守望", "书香润乡村", "老兵宣讲", "田间课堂"]
PLACES = ["村委会广场", "文化活动室", "新时代文明实践站", "村史馆", "老年活动中心", "小学操场"]
SUMMARIES = [
    "活动按计划开展，群众参与热情高。",
    "志愿者分组入户，现场解答群众问题。",
    "活动形式新颖，群众反响良好，下一步将常态化开展。",
]


def _county_sites(county: Site) -> list[Site]:
    county = Site.objects.get(pk=county.pk)
    return list(
        Site.objects.filter(nested.under(county), is_active=True, kind__in=[SiteKind.PRACTICE, SiteKind.BASE]).order_by(
            *nested.tree_order()
        )
    )


def _quota(site: Site) -> int:
    if site.kind == SiteKind.BASE:
        return DEFAULTS.quota_base
    if site.level == Level.VILLAGE:
        return DEFAULTS.quota_point
    return DEFAULTS.quota_station if site.level == Level.TOWNSHIP else DEFAULTS.quota_center


def _photo_files(rng: random.Random) -> list[tuple[str, str]]:
    """A dozen small generated photos (and thumbnails), stored once and shared by the demo's
    photo records."""
    from PIL import Image, ImageDraw

    files = []
    for n in range(12):
        colour = (rng.randrange(60, 220), rng.randrange(60, 220), rng.randrange(60, 220))
        image = Image.new("RGB", (480, 320), colour)
        draw = ImageDraw.Draw(image)
        for k in range(5):
            x = rng.randrange(20, 400)
            draw.ellipse((x, 150 - k * 8, x + 50, 260), fill=(250, 240, 230))  # people, roughly
        draw.rectangle((0, 270, 480, 320), fill=(90, 120, 60))
        names = []
        for size, folder in ((None, "activities/demo"), ((160, 107), "activities/thumbs/demo")):
            shown = image.resize(size) if size else image
            buffer = io.BytesIO()
            shown.save(buffer, format="JPEG", quality=80)
            names.append(default_storage.save(f"{folder}/demo-{n:02d}.jpg", ContentFile(buffer.getvalue())))
        files.append((names[0], names[1]))
    return files


def seed_activity_settings(ctx: DemoContext) -> None:
    """The county's activity rules: location check within 500 m, the documents' quotas."""
    if not ActivitySettings.objects.filter(site=ctx.county).exists():
        services.activity_settings_save(
            actor=ctx.admin, site=ctx.county, valid_from=date(timezone.localdate().year - 2, 1, 1), geo_check=True
        )


class _Year:
    """Builds the year in memory, then writes it in bulk."""

    def __init__(self, ctx: DemoContext, rng: random.Random):
        self.ctx, self.rng = ctx, rng
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.zone = timezone.get_current_timezone()
        self.sites = _county_sites(ctx.county)
        self.platforms = list(platforms_for(ctx.county).order_by("sort_order", "pk"))
        self.teams: dict[int, list[int]] = defaultdict(list)
        for team_id, site_id in Team.objects.filter(site__in=self.sites).values_list("pk", "site_id"):
            self.teams[site_id].append(team_id)
        self.people: dict[int, list[int]] = defaultdict(list)
        for pk, site_id in Volunteer.objects.filter(home_site__in=self.sites, status=Status.ACTIVE).values_list(
            "pk", "home_site_id"
        ):
            self.people[site_id].append(pk)
        self.busy: set[tuple[int, date]] = set()
        self.activities: list[Activity] = []
        self.crowds: list[list[int]] = []
        demo = ctx.data.get("demo_volunteer")
        self.demo_volunteer = getattr(demo, "pk", None)
        self.demo_township = ctx.townships[2] if len(ctx.townships) > 2 else None

    def crowd_for(self, site: Site) -> list[int]:
        if site.level == Level.VILLAGE:
            return self.people[site.pk]
        if site.kind == SiteKind.BASE or site.level == Level.COUNTY:
            pool = []
            for village in self.rng.sample(self.sites, min(6, len(self.sites))):
                pool += self.people[village.pk]
            return pool
        return [pk for s in self.sites if s.parent_id == site.pk or s.pk == site.pk for pk in self.people[s.pk]]

    def add(self, site: Site, day: date, state: str, *, title=None, kind=None, theme="", brand=None, plan=None):
        rng = self.rng
        if title is None:
            title, kind = rng.choice(EVERYDAY)
        kind = kind or Kind.REGULAR
        hour = rng.choice([9, 9, 14, 15])
        starts = datetime.combine(day, time(hour, rng.choice([0, 30])), tzinfo=self.zone)
        length = rng.choice([90, 120, 120, 150, 180])
        platform = rng.choice(self.platforms) if self.platforms and rng.random() < 0.85 else None
        teams = self.teams.get(site.pk) or []
        activity = Activity(
            site=site,
            team_id=rng.choice(teams) if teams and rng.random() < 0.7 else None,
            platform=platform,
            brand_project=brand,
            plan=plan,
            title=title,
            kind=kind,
            theme=theme,
            place=rng.choice(PLACES) if site.level == Level.VILLAGE else site.display_name,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=length),
            description=f"{title}，欢迎志愿者报名参加。",
            organizer=self.ctx.admin,
            state=state,
            state_changed_at=min(starts + timedelta(minutes=length), self.now),
            qr_secret=qr.new_secret(),
            created_by=self.ctx.admin,
        )
        if rng.random() < 0.3:
            activity.latitude = Decimal("32.98") + Decimal(rng.randrange(0, 9000)) / 100000
            activity.longitude = Decimal("107.76") + Decimal(rng.randrange(0, 9000)) / 100000
        crowd = self.crowd_for(site)
        wanted = max(3, min(len(crowd), int(rng.gauss(8, 3))))
        chosen = [pk for pk in rng.sample(crowd, min(len(crowd), wanted + 4)) if (pk, day) not in self.busy][:wanted]
        if self.demo_volunteer in crowd and self.demo_volunteer not in chosen and rng.random() < 0.5:
            if (self.demo_volunteer, day) not in self.busy:
                chosen.append(self.demo_volunteer)
        self.busy.update((pk, day) for pk in chosen)
        activity.capacity = len(chosen) + rng.choice([0, 2, 5])
        activity.signed_up = len(chosen) if state in (State.PUBLISHED, *HELD_STATES) else 0
        if state in HELD_STATES:
            activity.summary = rng.choice(SUMMARIES)
            activity.people_served = rng.randrange(20, 160)
        self.activities.append(activity)
        self.crowds.append(chosen)
        return activity

    def plan_months(self) -> list[date]:
        first = date(self.today.year - (self.today.month < 12), self.today.month % 12 + 1, 1)
        months = []
        for n in range(12):
            month = first.month + n
            months.append(date(first.year + (month - 1) // 12, (month - 1) % 12 + 1, 1))
        return months


def seed_activities(ctx: DemoContext) -> None:
    """A year of activities across the county, their sign-ups, attendance and credits."""
    if ctx.county is None or Activity.objects.filter(site__tree_id=ctx.county.tree_id).exists():
        ctx.say("activities: unchanged")
        return
    rng = random.Random(7304)
    year = _Year(ctx, rng)
    if not year.sites:
        return
    townships = [s for s in year.sites if s.level == Level.TOWNSHIP and s.kind == SiteKind.PRACTICE]
    brands = []
    for index, township in enumerate(townships):
        for n in range(rng.choice([0, 1, 1, 2]) if index else 2):
            brands.append(
                BrandProject(
                    site=township,
                    name=BRANDS[(index + n) % len(BRANDS)],
                    established_on=date(year.today.year - 1, rng.randrange(1, 13), 1),
                    stage=rng.choice([Stage.IMPLEMENT, Stage.IMPLEMENT, Stage.EVALUATE, Stage.OPTIMISE]),
                    stage_changed_at=year.now,
                    created_by=ctx.admin,
                )
            )
    BrandProject.objects.bulk_create(brands)
    brand_of = defaultdict(list)
    for brand in BrandProject.objects.filter(site__in=townships):
        brand_of[brand.site_id].append(brand)
    plans = {
        site.pk: AnnualPlan(
            site=site,
            year=year.today.year,
            submitted_at=datetime(year.today.year, 1, rng.randrange(10, 31), 10, tzinfo=year.zone),
            submitted_by=ctx.admin,
        )
        for site in year.sites
        if site.level in (Level.COUNTY, Level.TOWNSHIP)
    }
    AnnualPlan.objects.bulk_create(plans.values())
    plans = {p.site_id: p for p in AnnualPlan.objects.filter(site__in=year.sites, year=year.today.year)}

    for month in year.plan_months():
        current = (month.year, month.month) == (year.today.year, year.today.month)
        for site in year.sites:
            quota = _quota(site)
            held = quota if rng.random() > SHORT_SHARE else rng.randrange(0, quota)
            if site.level != Level.VILLAGE and rng.random() < 0.25:
                held += 1
            theme_title, theme_kind, theme = THEMES[month.month]
            for n in range(held):
                day = month.replace(day=rng.randrange(1, 29))
                ended = datetime.combine(day, time(18), tzinfo=year.zone) < year.now
                if current and not ended:
                    state = State.PUBLISHED
                elif month.year < year.today.year:
                    state = State.ARCHIVED
                else:
                    state = State.FINISHED
                brand = rng.choice(brand_of[site.pk]) if brand_of.get(site.pk) and n == 1 else None
                plan = plans.get(site.pk) if month.year == year.today.year else None
                if n == 0:
                    year.add(site, day, state, title=theme_title, kind=theme_kind, theme=theme, brand=brand, plan=plan)
                else:
                    kind = Kind.BRAND if brand else None
                    title = f"{brand.name}·{rng.choice(EVERYDAY)[0]}" if brand else None
                    year.add(site, day, state, title=title, kind=kind, brand=brand, plan=plan)
    _work_in_progress(year)
    _write(year, rng)
    ctx.say(f"activities: {len(year.activities)} over a year, {sum(len(c) for c in year.crowds)} attendance records")


def _work_in_progress(year: _Year) -> None:
    """What the demo station head finds on their phone: village activities to approve, one to
    finish, and the coming week's activities open for sign-up near the demo volunteer."""
    township = year.demo_township
    if township is None:
        return
    villages = [s for s in year.sites if s.parent_id == township.pk and s.kind == SiteKind.PRACTICE][:3]
    soon = year.today + timedelta(days=3)
    for village in villages[:2]:
        year.add(village, soon + timedelta(days=5), State.SUBMITTED)
    if villages:
        year.add(villages[0], year.today - timedelta(days=1), State.PUBLISHED, title="冬季防火安全宣传")
        year.add(villages[-1], year.today - timedelta(days=2), State.FINISHED, title="关爱空巢老人走访")
        for offset in (1, 2, 4):
            year.add(villages[0], year.today + timedelta(days=offset), State.PUBLISHED)
    year.add(township, year.today + timedelta(days=6), State.PUBLISHED, title="新时代文明实践志愿服务培训")
    year.add(township, year.today + timedelta(days=9), State.DRAFT, title="迎新春书法进万家")


def _write(year: _Year, rng: random.Random) -> None:
    ctx, now = year.ctx, year.now
    photos = _photo_files(rng)
    signups, attendance, events, pictures = [], [], [], []
    recent = now - timedelta(days=5)
    moves = [("create", "", State.DRAFT), ("submit", State.DRAFT, State.SUBMITTED),
             ("approve", State.SUBMITTED, State.APPROVED), ("publish", State.APPROVED, State.PUBLISHED)]  # fmt: skip
    for activity, crowd in zip(year.activities, year.crowds):
        chain = moves[: {State.DRAFT: 1, State.SUBMITTED: 2}.get(activity.state, 4)]
        if activity.state in HELD_STATES:
            chain += [("finish", State.PUBLISHED, State.FINISHED)]
        if activity.state == State.ARCHIVED:
            chain += [("archive", State.FINISHED, State.ARCHIVED)]
        for step, (move, old, new) in enumerate(chain):
            at = min(activity.starts_at - timedelta(days=14 - 3 * step), now)
            if move in ("finish", "archive"):
                at = min(activity.ends_at + timedelta(hours=2 + step), now)
            events.append(ActivityEvent(activity=activity, move=move, from_state=old, to_state=new, actor=ctx.admin,
                                        at=at))  # fmt: skip
        if activity.state in (State.DRAFT, State.SUBMITTED):
            continue
        for pk in crowd:
            signed = activity.starts_at - timedelta(days=rng.randrange(1, 6))
            signups.append(
                SignUp(activity=activity, volunteer_id=pk, status=SignUpStatus.SIGNED_UP, signed_up_at=signed)
            )
        if activity.state not in HELD_STATES:
            continue
        for name, thumb in rng.sample(photos, rng.choice([1, 2, 2, 3])):
            pictures.append(Photo(activity=activity, image=name, thumbnail=thumb, width=480, height=320, size=20_000,
                                  uploaded_by=ctx.admin))  # fmt: skip
        for pk in crowd:
            signed_in = activity.starts_at - timedelta(minutes=rng.randrange(0, 25))
            signed_out = activity.ends_at + timedelta(minutes=rng.randrange(-15, 15))
            minutes = int((signed_out - signed_in).total_seconds() // 60)
            confirmed = activity.ends_at < recent
            method = Method.QR_ROTATING if rng.random() < 0.8 else Method.STAFF
            attendance.append(
                Attendance(
                    activity=activity,
                    volunteer_id=pk,
                    signed_in_at=signed_in,
                    sign_in_method=method,
                    signed_out_at=signed_out,
                    sign_out_method=method,
                    hours=round_hours(minutes, DEFAULTS.hours_steps),
                    confirmed_at=activity.ends_at + timedelta(days=1) if confirmed else None,
                    confirmed_by=ctx.admin if confirmed else None,
                    credit_round=1 if confirmed else 0,
                )
            )
    totals: dict[int, list] = defaultdict(lambda: [0, Decimal("0")])
    for row in attendance:
        if row.confirmed_at is not None:
            totals[id(row.activity)][0] += 1
            totals[id(row.activity)][1] += row.hours
    for activity in year.activities:
        activity.attended_count, activity.hours_total = totals[id(activity)]
    Activity.objects.bulk_create(year.activities, batch_size=1000)
    ActivityEvent.objects.bulk_create(events, batch_size=2000)
    SignUp.objects.bulk_create(signups, batch_size=2000)
    Photo.objects.bulk_create(pictures, batch_size=2000)
    Attendance.objects.bulk_create(attendance, batch_size=2000)
    _credit(year, [a for a in attendance if a.confirmed_at is not None])
    _shortfalls(year)


def _credit(year: _Year, confirmed: list[Attendance]) -> None:
    """The ledger entries confirmation would have written, the attendance linked to them, and
    the accounts set from the ledger's sums (a handful of statements, no row-by-row update)."""
    ctx = year.ctx
    by_pk = {a.pk: a for a in year.activities}
    volunteers = sorted({a.volunteer_id for a in confirmed})
    Account.objects.bulk_create([Account(volunteer_id=v) for v in volunteers], ignore_conflicts=True, batch_size=2000)
    refresh_rank_sites(volunteer_ids=volunteers)
    accounts = dict(Account.objects.filter(volunteer__in=volunteers).values_list("volunteer_id", "pk"))
    entries = []
    for attendance in confirmed:
        if attendance.hours <= 0:
            continue
        activity = by_pk[attendance.activity_id]
        key = source_key(attendance, 1)
        points = int((attendance.hours * RATE).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
        common = {
            "account_id": accounts[attendance.volunteer_id],
            "site_id": activity.site_id,
            "service_date": timezone.localtime(activity.starts_at).date(),
            "created_by": ctx.admin,
        }
        entries.append(Entry(kind=EntryKind.SERVICE, points=points, lifetime_delta=points, hours=attendance.hours,
                             source_key=key, note=activity.title[:200], **common))  # fmt: skip
        if activity.kind == Kind.THEME:
            entries.append(Entry(kind=EntryKind.BONUS, points=THEME_BONUS, lifetime_delta=THEME_BONUS,
                                 source_key=f"{key}:theme", note="主题活动加分", **common))  # fmt: skip
    Entry.objects.bulk_create(entries, batch_size=2000)
    credited = Attendance.objects.filter(
        activity__site__tree_id=ctx.county.tree_id, confirmed_at__isnull=False, hours__gt=0, source_key=""
    )
    credited.update(source_key=Concat(Value(f"{SOURCE_PREFIX}:"), Cast("pk", CharField())))
    Attendance.objects.filter(activity__site__tree_id=ctx.county.tree_id, entry__isnull=True).exclude(
        source_key=""
    ).update(entry=Subquery(Entry.objects.filter(source_key=OuterRef("source_key")).values("pk")[:1]))
    ledger = Entry.objects.filter(account=OuterRef("pk")).order_by().values("account")

    def total(field: str, output):
        rows = ledger.annotate(total=Sum(field)).values("total")
        return Coalesce(Subquery(rows, output_field=output), Value(0), output_field=output)

    mine = Account.objects.filter(pk__in=list(accounts.values()))
    mine.update(
        lifetime_points=total("lifetime_delta", IntegerField()),
        balance=total("points", IntegerField()),
        lifetime_hours=total("hours", DecimalField(max_digits=10, decimal_places=2)),
    )
    stars = [
        When(lifetime_hours__gte=hours, then=Value(n)) for n, hours in reversed(list(enumerate(DEFAULT_STAR_HOURS, 1)))
    ]
    mine.update(star_level=Case(*stars, default=Value(0)))


def _shortfalls(year: _Year) -> None:
    """The short sites as the warning on the 20th listed them (already texted): this month's
    once the 20th has passed, else last month's."""
    month = year.today.replace(day=1)
    if year.today.day < 20:
        month = (month - timedelta(days=1)).replace(day=1)
    sites = with_quota_progress(Site.objects.filter(pk__in=[s.pk for s in year.sites]), month)
    QuotaShortfall.objects.bulk_create(
        [
            QuotaShortfall(site=s, month=month, quota=s.quota, held=s.held, scheduled=s.scheduled, notified_at=year.now)
            for s in sites
            if s.quota and s.held + s.scheduled < s.quota
        ],
        ignore_conflicts=True,
    )


def seed_recurring(ctx: DemoContext) -> None:
    """The county's monthly lecture, as a recurring template filling the rest of the year."""
    from .models import RecurringTemplate

    if ctx.county is None or RecurringTemplate.objects.filter(site=ctx.county).exists():
        return
    template = services.template_save(
        actor=ctx.admin,
        site=ctx.county,
        title="每月理论宣讲",
        kind=Kind.LECTURE,
        day_of_month=15,
        start_time=time(9, 30),
        duration_minutes=120,
        place="县新时代文明实践中心报告厅",
        capacity=40,
    )
    services.recurring_fill(actor=ctx.admin, template=template, year=timezone.localdate().year + 1)


def check_activity_ledger(ctx: DemoContext) -> None:
    ctx.say(f"activities: reconcile found {len(reconcile())} differences")


DEMO_STEPS = [seed_activity_settings, seed_activities, seed_recurring, check_activity_ledger]
