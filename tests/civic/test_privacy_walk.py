"""The walking privacy test: every page and API endpoint (from the URL resolver), GET, as a
viewer, a township head, a volunteer, an outsider and an anonymous visitor; no response may
show an ID number or phone that persona may not see whole.

The rule (DESIGN.md, Decisions): ID number and phones are shown whole only to managers of the
volunteer's home-site subtree and to the volunteer. The world is seeded so that every page
has something to show: volunteers with and without logins in and out of each persona's
scope, an anonymous registration and a phone change in the audit trail, teams, a roster
import, points with a reversal, goods with stock movements and a redemption, certificates.
Parameters (``<pk>``, ``<site_pk>``, ``<code>``...) are filled with the ids of these objects:
each URL is walked once per object of its model. An xlsx answer is read inside its zip.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch
from django.utils import timezone

from centers import services as center_services
from centers.models import ServicePlatform, Site, SiteGrant, StandardCheck, StandardSet
from points import services as points_services
from points.models import Certificate, Entry, Goods, Redemption, Rule
from tests import factories
from volunteers import services as volunteer_services
from volunteers.models import Membership, RosterImport, Team, Volunteer

pytestmark = pytest.mark.django_db
PASSWORD = "long-enough-pass-42"
PERSONAS = ("county_viewer", "township_head", "volunteer", "outsider", "anonymous")
SECONDS = 120  # about 25 s on the 2-core development machine; the bound only catches a runaway walk

# The model whose ids fill a page's parameters, by URL name (DRF views name theirs).
PAGE_MODELS = {
    "centers:evidence": StandardCheck,
    "volunteers:import-status": RosterImport,
    "volunteers:membership-decide": Membership,
    "points:redemption-cancel": Redemption,
    "points:reverse": Entry,
    "points:certificate-pdf": Certificate,
}
PREFIX_MODELS = [  # (name prefix, model), first match wins
    ("centers:", Site),
    ("volunteers:team", Team),
    ("volunteers:", Volunteer),
    ("points:goods", Goods),
    ("points:redeem", Goods),
    ("points:", Site),  # points/sites/<site_pk>/...
]
VOLUNTEER_PAGES = ("points:ledger", "points:adjust", "points:volunteer-certificates")
PARAMETER_VALUES = {
    "to": ["suspended", "active", "withdrawn"],
    "uidb64": ["MQ"],
    "token": ["set-password"],
    "app_label": ["volunteers"],
    "content_type_id": ["1"],
    "url": ["x"],
}


@dataclass
class Person:
    volunteer: Volunteer
    numbers: list[str]


@dataclass
class Walk:
    people: list[Person]
    personas: dict
    objects: dict = field(default_factory=dict)  # model → ids


def _approved(world, site, name, **extra):
    v = factories.self_register(site, real_name=name, **extra)
    return volunteer_services.volunteer_decide(actor=world.admin, volunteer=v, approve=True)


@pytest.fixture
def walk(world, settings, tmp_path, django_capture_on_commit_callbacks) -> Walk:
    settings.MEDIA_ROOT = tmp_path
    admin = world.admin
    # Volunteers: self-registered with logins (anonymous registrations in the trail), staff-registered
    # ones, a login claim, someone elsewhere; emergency phones too.
    home = _approved(world, world.village, "陈小红", emergency_name="陈父", emergency_phone=factories.phone())
    west = factories.self_register(world.village2, real_name="李秀英")  # pending, in the queue
    station = factories.volunteer(world.township_head, world.township, real_name="王建华")
    volunteer_services.login_claim_request(id_number=station.id_number, phone=station.phone, password=PASSWORD)
    far = factories.volunteer(world.outsider, world.elsewhere_township, real_name="赵远方")
    volunteer_services.login_claim_request(id_number=far.id_number, phone=far.phone, password=PASSWORD)
    volunteer_services.login_claim_confirm(actor=world.outsider, volunteer=far)
    volunteer_services.volunteer_update(actor=world.village_head, volunteer=home, phone=factories.phone())
    # Teams and memberships.
    squad = volunteer_services.team_create(actor=admin, site=world.village, name="东坪小分队", kind="squad")
    volunteer_services.team_set_leader(actor=admin, team=squad, volunteer=home)
    volunteer_services.membership_request(actor=admin, volunteer=station, team=squad)
    volunteer_services.team_create(actor=admin, site=world.township2, name="乙镇支队", kind="detachment")
    volunteer_services.team_create(
        actor=world.outsider, site=world.elsewhere_township, name="丁镇支队", kind="detachment"
    )
    center_services.role_grant(actor=admin, user=home.user, site=world.village2, role="viewer")
    # A roster import with a good row and one that repeats a known ID number.
    header = ",".join(["姓名", "身份证号", "手机号", "所属站点"])
    rows = [f"周九,{factories.id_number()},{factories.phone()},{world.village.code}"]
    rows.append(f"重复,{home.id_number},{factories.phone()},{world.village.code}")
    job = volunteer_services.roster_import_create(
        actor=world.township_head,
        site=world.township,
        upload=ContentFile(("\n".join([header, *rows]) + "\n").encode(), name="roster.csv"),
        mode="good",
    )
    volunteer_services.roster_import_run(import_id=job.pk)
    for v in (home, far, station, west):
        v.refresh_from_db()
    # Points: a rule, service, an adjustment and a reversal, goods, stock, a redemption, certificates.
    today = timezone.localdate()
    points_services.rule_save(actor=admin, site=world.county, valid_from=date(2025, 1, 1), points_per_hour=10)
    for v in (home, far, station):
        points_services.points_credit(
            actor=admin, volunteer=v, source_key=f"walk:{v.pk}", hours=5, site=v.home_site, service_date=today
        )
    entry = points_services.points_adjust(actor=world.township_head, volunteer=station, points=5, note="补录")
    points_services.points_reverse(actor=world.township_head, entry=entry, reason="录错")
    towel = points_services.goods_create(actor=admin, site=world.township, name="毛巾", price=10)
    points_services.goods_stock_in(actor=admin, goods=towel, quantity=5)
    far_goods = points_services.goods_create(actor=world.outsider, site=world.elsewhere_township, name="茶杯", price=5)
    points_services.goods_stock_in(actor=world.outsider, goods=far_goods, quantity=3)
    points_services.redeem(actor=home.user, goods=towel)
    points_services.redeem(actor=far.user, goods=far_goods)
    for v in (home, far):
        month_ago = today - timedelta(days=30)
        points_services.certificate_issue(actor=admin, volunteer=v, period_start=month_ago, period_end=today)
    # Standards: the county's checklist and an unmet item checked by a volunteer who is a viewer.
    standard_set = StandardSet.objects.order_by("pk").first()
    center_services.standard_set_choose(actor=admin, site=world.county, standard_set=standard_set)
    center_services.standard_check_record(
        actor=world.village_head, site=world.village, item=standard_set.items.first(), passed=False, note="待补"
    )
    people = [
        Person(v, [n for n in (v.id_number, v.phone, v.emergency_phone, v.guardian_phone) if n])
        for v in (home, west, station, far)
    ]
    personas = {
        "county_viewer": world.county_viewer,
        "township_head": world.township_head,
        "volunteer": home.user,
        "outsider": world.outsider,
        "anonymous": None,
    }
    result = Walk(people=people, personas=personas)
    sites = [world.county, world.township, world.village, world.village2, world.elsewhere_township]
    result.objects = {
        Site: [s.pk for s in sites],
        Volunteer: [p.volunteer.pk for p in people],
        Team: list(Team.objects.values_list("pk", flat=True)),
        Membership: list(Membership.objects.values_list("pk", flat=True)),
        RosterImport: list(RosterImport.objects.values_list("pk", flat=True)),
        Goods: list(Goods.objects.values_list("pk", flat=True)),
        Redemption: list(Redemption.objects.values_list("pk", flat=True)),
        Entry: list(Entry.objects.order_by("-pk").values_list("pk", flat=True)[:4]),
        Certificate: list(Certificate.objects.values_list("pk", flat=True)),
        StandardCheck: list(StandardCheck.objects.values_list("pk", flat=True)),
        ServicePlatform: list(ServicePlatform.objects.order_by("pk").values_list("pk", flat=True)[:2]),
        SiteGrant: list(SiteGrant.objects.values_list("pk", flat=True)),
        Rule: list(Rule.objects.values_list("pk", flat=True)),
    }
    result.objects["code"] = list(Certificate.objects.values_list("code", flat=True))
    return result


def may_see_whole(user, volunteer: Volunteer) -> bool:
    """The rule, stated independently of the code under test."""
    if user is None:
        return False
    if volunteer.user_id == user.pk:
        return True
    site = volunteer.home_site
    return SiteGrant.objects.filter(
        user=user,
        permission__codename="manage_subtree",
        content_object__tree_id=site.tree_id,
        content_object__lft__lte=site.lft,
        content_object__rght__gte=site.rght,
    ).exists()


def patterns(resolvers=None, prefix="", namespace=()):
    """Every URL pattern: (route text, namespaced name, parameter names, callback)."""
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = (*namespace, entry.namespace) if entry.namespace else namespace
            yield from patterns(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            names = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)
            name = ":".join((*namespace, entry.name)) if entry.name else None
            yield route, name, [a or b for a, b in names], entry.callback


def model_for(name: str, callback):
    view = getattr(callback, "cls", None)
    queryset = getattr(view, "queryset", None)
    if queryset is not None:
        return queryset.model
    if name in PAGE_MODELS:
        return PAGE_MODELS[name]
    if name in VOLUNTEER_PAGES:
        return Volunteer
    return next((model for prefix, model in PREFIX_MODELS if name.startswith(prefix)), Volunteer)


def urls(walk: Walk) -> list[str]:
    """Every concrete URL to walk: each parameter filled with each id of its model."""
    found = []
    for route, name, params, callback in patterns():
        if not params:
            found.append("/" + route.replace("^", "").replace("$", "").replace("\\", ""))
            continue
        if name is None or name.startswith("admin:"):
            values = {p: PARAMETER_VALUES.get(p, ["1"]) for p in params}  # the admin refuses these personas
            ids = [dict(zip(params, combo)) for combo in _combinations(values, params)]
        else:
            model = model_for(name, callback)
            ids = []
            for pk in walk.objects.get(model, []):
                kwargs = {}
                for p in params:
                    if p in ("pk", "site_pk", "id", "object_id"):
                        kwargs[p] = pk
                    elif p == "code":
                        kwargs[p] = None
                    else:
                        kwargs[p] = PARAMETER_VALUES.get(p, ["1"])[0]
                ids.append(kwargs)
            if "code" in params:
                ids = [{"code": code} for code in walk.objects["code"]]
            if "to" in params:
                ids = [{**kwargs, "to": to} for kwargs in ids for to in PARAMETER_VALUES["to"]]
        for kwargs in ids:
            try:
                found.append(reverse(name, kwargs=kwargs) if name else _fill(route, kwargs))
            except NoReverseMatch:
                found.append(_fill(route, kwargs))
    return sorted(set(found))


def _combinations(values, params):
    combos = [[]]
    for p in params:
        combos = [[*c, v] for c in combos for v in values[p]]
    return combos


def _fill(route: str, kwargs: dict) -> str:
    text = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), route)
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m.group(1)]), text)
    return "/" + text.replace("^", "").replace("$", "").replace("\\", "")


def body_text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":  # xlsx: the cells live in the zip's XML
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            return " ".join(book.read(name).decode("utf-8", "replace") for name in book.namelist())
    return content.decode("utf-8", "replace")


def test_no_page_shows_a_number_its_reader_may_not_see_whole(walk):
    client = Client(raise_request_exception=False)  # a server error is recorded, not raised: the walk goes on
    started = time.monotonic()
    addresses = urls(walk)
    leaks: list[str] = []
    statuses: dict[int, int] = {}
    errors: list[str] = []
    requests = 0
    for persona in PERSONAS:
        user = walk.personas[persona]
        client.logout()
        if user is not None:
            client.force_login(user)
        hidden = [
            (number, person.volunteer.real_name)
            for person in walk.people
            if not may_see_whole(user, person.volunteer)
            for number in person.numbers
        ]
        for address in addresses:
            response = client.get(address)
            requests += 1
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if response.status_code >= 500:
                errors.append(f"{persona} GET {address}")
            text = body_text(response)
            leaks += [f"{persona} GET {address} shows {number} of {name}" for number, name in hidden if number in text]
    elapsed = time.monotonic() - started
    print(
        f"privacy walk: {len(addresses)} URLs x {len(PERSONAS)} personas = {requests} requests "
        f"in {elapsed:.1f} s; answers {dict(sorted(statuses.items()))}; server errors: {errors or 'none'}"
    )
    assert not leaks, "\n".join(leaks)
    assert statuses.get(200, 0) >= 300  # the walk reaches pages, not only refusals
    assert elapsed < SECONDS


def test_the_walk_reaches_the_pages_that_print_people(client, walk):
    """The walk fills each kind of parameter with real objects, so the trail and the stock
    movements it reads are really there for the viewer."""
    addresses = urls(walk)
    home = walk.people[0].volunteer
    towel = Goods.objects.get(name="毛巾")
    for address in (
        reverse("centers:site-detail", args=[home.home_site_id]),
        reverse("points:goods-detail", args=[towel.pk]),
        reverse("volunteers:detail", args=[home.pk]),
        reverse("volunteers:import-status", args=[RosterImport.objects.get().pk]),
        f"/api/volunteers/{home.pk}/",
    ):
        assert address in addresses
    client.force_login(walk.personas["county_viewer"])
    trail = client.get(reverse("centers:site-detail", args=[home.home_site_id])).content.decode()
    assert "陈小红" in trail
    movements = client.get(reverse("points:goods-detail", args=[towel.pk])).content.decode()
    assert "陈小红" in movements
