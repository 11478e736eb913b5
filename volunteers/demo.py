"""Demo volunteers and teams for ``manage.py seed_demo`` (invented names, valid ID numbers).

Written in bulk (a few thousand rows in a handful of queries), with the team tree's nested
sets computed here, as the site importer does. Idempotent: a second run finds the corps and
the demo people and changes nothing.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext
from guardian.shortcuts import assign_perm

from centers.demo import COUNTY_CODE, DEMO_PASSWORD, DemoContext
from centers.models import Kind, Level, Site
from centers.pinyin import pinyin_for
from centers.selectors import platforms_for
from civic import nested

from .identity import check_digit
from .models import (
    Membership,
    MembershipRole,
    MembershipStatus,
    PoliticalStatus,
    SourceGroup,
    Status,
    Team,
    TeamKind,
    Volunteer,
)
from .privacy import new_login_handle

DEMO_VOLUNTEERS = 3000
CORPS_NAME = "青禾县新时代文明实践志愿服务总队"
BRIGADES = [
    ("理论宣讲志愿服务大队", "县委党校", "理论宣讲"),
    ("法律服务志愿服务大队", "司法局", "法律服务"),
    ("文化文艺志愿服务大队", "文旅局", "文化服务"),
    ("科技科普志愿服务大队", "科技局", "科技与科普"),
    ("技能培训志愿服务大队", "人社局", "教育服务"),
    ("文明风尚志愿服务大队", "文明办", ""),
]
SQUADS = [("理论宣讲小分队", "理论宣讲"), ("文艺小分队", "文化服务"), ("健身小分队", "健身体育")]
_SURNAMES = "王李张刘陈杨黄赵周吴徐孙马胡朱郭何罗高林郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
_GIVEN_FIRST = "建秀志丽海国春立红文晓玉明永金德桂凤俊淑"
_GIVEN_SECOND = "华英强娟燕庆梅新霞博东兰军平芳辉敏杰涛勇"
_TAGS = ["唢呐", "剪纸", "摄影", "驾驶", "厨艺", "书法", "急救", "修理家电", "秦腔", "广场舞"]
_REASON_SUSPENDED = "长期外出务工，暂停服务"


def _id_number(index: int, *, female: bool) -> tuple[str, date]:
    """A valid ID number of the invented county, unique per index (distinct birth dates)."""
    born = date(1951, 1, 1) + timedelta(days=(index * 6151) % 20000)
    seq = (index % 499) * 2 + (0 if female else 1)
    first17 = f"{COUNTY_CODE}{born:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17), born


def _phone(index: int) -> str:
    return f"1397301{index:04d}"


def _villages(ctx: DemoContext) -> list[Site]:
    county = Site.objects.get(pk=ctx.county.pk)  # its nested sets moved as bases and posts were added
    return list(
        Site.objects.filter(nested.under(county, strict=True), kind=Kind.PRACTICE, level=Level.VILLAGE).order_by(
            *nested.tree_order()
        )
    )


def seed_teams(ctx: DemoContext) -> None:
    """One county corps, six brigades with lead departments, a detachment per township and
    three squads per village: one tree, nested sets computed here, written level by level."""
    if Team.objects.filter(site=ctx.county, name=CORPS_NAME).exists():
        ctx.say("teams: unchanged")
        return
    platforms = {p.name: p for p in platforms_for(ctx.county)}
    corps = Team(site=ctx.county, name=CORPS_NAME, kind=TeamKind.CORPS, description="县委书记任总队长")
    children: dict[int, list[Team]] = {id(corps): []}
    brigades = [
        Team(
            site=ctx.county,
            name=name,
            kind=TeamKind.BRIGADE,
            lead_department=department,
            platform=platforms.get(platform),
        )
        for name, department, platform in BRIGADES
    ]
    children[id(corps)].extend(brigades)
    squads: list[Team] = []
    by_township = {}
    for township in ctx.townships:
        detachment = Team(site=township, name=f"{township.label}志愿服务支队", kind=TeamKind.DETACHMENT)
        by_township[township.pk] = detachment
        children[id(corps)].append(detachment)
        children[id(detachment)] = []
    for village in _villages(ctx):
        detachment = by_township.get(village.parent_id)
        if detachment is None:
            continue
        for suffix, platform in SQUADS:
            squad = Team(
                site=village,
                name=f"{village.label}{suffix}",
                kind=TeamKind.SQUAD,
                platform=platforms.get(platform),
            )
            squads.append(squad)
            children[id(detachment)].append(squad)
    tree_id = (Team.objects.aggregate(m=Max("tree_id"))["m"] or 0) + 1
    nested.number(corps, lambda team: sorted(children.get(id(team), []), key=lambda t: t.name), tree_id=tree_id)
    corps.save()
    for team in brigades + list(by_township.values()):
        team.parent = corps
    Team.objects.bulk_create(brigades + list(by_township.values()), batch_size=500)
    for detachment in by_township.values():
        for squad in children[id(detachment)]:
            squad.parent = detachment
    Team.objects.bulk_create(squads, batch_size=1000)
    ctx.say(f"teams: created {1 + len(brigades) + len(by_township) + len(squads)}")


def _volunteer(index: int, site: Site, groups: list, rng: random.Random, now) -> tuple[Volunteer, list]:
    female = rng.random() < 0.52
    number, born = _id_number(index, female=female)
    given = rng.choice(_GIVEN_FIRST) + (rng.choice(_GIVEN_SECOND) if rng.random() < 0.8 else "")
    name = rng.choice(_SURNAMES) + given
    suspended = index % 50 == 49
    volunteer = Volunteer(
        real_name=name,
        pinyin=pinyin_for(name),
        gender="female" if female else "male",
        birth_date=born,
        id_number=number,
        phone=_phone(index),
        home_site=site,
        political_status=rng.choice(
            [PoliticalStatus.PARTY_MEMBER] * 3 + [PoliticalStatus.LEAGUE_MEMBER] + [PoliticalStatus.MASSES] * 6
        ),
        source_group=rng.choice(groups) if groups else None,
        skill_tags=[rng.choice(_TAGS)] if rng.random() < 0.15 else [],
        status=Status.SUSPENDED if suspended else Status.ACTIVE,
        status_reason=_REASON_SUSPENDED if suspended else "",
        status_changed_at=now,
        consent_at=now,
        registered_by=None,
    )
    return volunteer, rng.sample(range(8), k=rng.choice([0, 1, 1, 2]))


def seed_volunteers(ctx: DemoContext) -> None:
    """A few thousand volunteers over the villages (and some at the townships), their skills,
    squad and detachment memberships, squad leaders, a few pending registrations, a login claim,
    and one volunteer login (an opaque username; they log in with the phone)."""
    demo_number, _born = _id_number(0, female=False)
    demo_phone = _phone(0)
    ctx.logins.append((gettext("volunteer"), demo_phone, DEMO_PASSWORD))
    if Volunteer.objects.filter(id_number=demo_number).exists():
        ctx.say("volunteers: unchanged")
        return
    rng = random.Random(7302)
    now = timezone.now()
    villages = _villages(ctx)
    home_village = ctx.townships[2].get_children().filter(kind=Kind.PRACTICE).order_by("code").first()
    groups = list(SourceGroup.objects.filter(is_active=True))
    platforms = list(platforms_for(ctx.county).order_by("sort_order", "pk")[:8])
    password = make_password(DEMO_PASSWORD)
    people, skill_rows = [], []
    for index in range(DEMO_VOLUNTEERS):
        if index == 0:
            site = home_village
        elif index % 10 == 0:
            site = ctx.townships[index // 10 % len(ctx.townships)]
        else:
            site = villages[index % len(villages)]
        volunteer, skills = _volunteer(index, site, groups, rng, now)
        if index == 0:
            volunteer.status, volunteer.status_reason = Status.ACTIVE, ""
        people.append(volunteer)
        skill_rows.append(skills)
    # A few waiting for the village head: pending registrations (with logins) and a login claim.
    extra = DEMO_VOLUNTEERS
    User = get_user_model()
    waiting = []
    for offset in range(4):
        volunteer, _skills = _volunteer(extra + offset, home_village if offset < 3 else villages[5], groups, rng, now)
        volunteer.status = Status.PENDING
        waiting.append(volunteer)
    claimant, _skills = _volunteer(extra + 4, home_village, groups, rng, now)
    claimant.status = Status.ACTIVE
    claimant.claim_requested_at = now
    logins = {
        demo_number: User(username=new_login_handle(), first_name=people[0].real_name, password=password),
        claimant.id_number: User(
            username=new_login_handle(),
            first_name=claimant.real_name,
            password=password,
            is_active=False,
        ),
    }
    for volunteer in waiting:
        logins[volunteer.id_number] = User(
            username=new_login_handle(), first_name=volunteer.real_name, password=password
        )
    User.objects.bulk_create(list(logins.values()))
    handles = {user.username: number for number, user in logins.items()}
    created = User.objects.filter(username__in=list(handles)).values_list("username", "pk")
    users = {handles[name]: pk for name, pk in created}
    everyone = people + waiting + [claimant]
    for volunteer in everyone:
        volunteer.user_id = users.get(volunteer.id_number)
    Volunteer.objects.bulk_create(everyone, batch_size=1000)
    Through = Volunteer.skills.through
    Through.objects.bulk_create(
        [
            Through(volunteer_id=volunteer.pk, serviceplatform_id=platforms[i].pk)
            for volunteer, picks in zip(people, skill_rows)
            for i in picks
            if i < len(platforms)
        ],
        batch_size=5000,
    )
    _seed_memberships(ctx, people, rng, now)
    ctx.data["demo_volunteer"] = people[0]
    ctx.say(f"volunteers: created {len(everyone)}")


def _seed_memberships(ctx: DemoContext, people: list[Volunteer], rng: random.Random, now) -> None:
    teams = list(Team.objects.filter(site__tree_id=ctx.county.tree_id).select_related("site"))
    squads_at: dict[int, list[Team]] = {}
    detachment_at: dict[int, Team] = {}
    brigades = [t for t in teams if t.kind == TeamKind.BRIGADE]
    for team in teams:
        if team.kind == TeamKind.SQUAD:
            squads_at.setdefault(team.site_id, []).append(team)
        elif team.kind == TeamKind.DETACHMENT:
            detachment_at[team.site_id] = team
    for squads in squads_at.values():
        squads.sort(key=lambda team: team.name)
    rows: list[Membership] = []
    leaders: dict[int, Volunteer] = {}
    for index, volunteer in enumerate(people):
        if volunteer.status != Status.ACTIVE:
            continue
        site = volunteer.home_site
        if site.level == Level.TOWNSHIP:
            team = detachment_at.get(site.pk)
        else:
            squads = squads_at.get(site.pk, [])
            team = squads[0] if index == 0 and squads else (rng.choice(squads) if squads else None)
        if team is None or rng.random() > 0.85 and index != 0:
            continue
        role = MembershipRole.MEMBER
        if team.pk not in leaders:
            leaders[team.pk] = volunteer
            role = MembershipRole.LEADER
        rows.append(
            Membership(
                volunteer=volunteer,
                team=team,
                role=role,
                status=MembershipStatus.ACTIVE,
                decided_at=now,
            )
        )
        if brigades and rng.random() < 0.05:
            brigade = rng.choice(brigades)
            rows.append(
                Membership(
                    volunteer=volunteer,
                    team=brigade,
                    status=MembershipStatus.ACTIVE,
                    decided_at=now,
                )
            )
    # Join requests for the demo volunteer's squad (they lead it) to decide.
    first = people[0]
    own_squad = next((team for team in teams if leaders.get(team.pk) is first), None)
    if own_squad is not None:
        asking = [v for v in people[1:] if v.home_site_id == first.home_site_id and v.status == Status.ACTIVE]
        taken = {(m.volunteer.pk, m.team.pk) for m in rows}
        for volunteer in [v for v in asking if (v.pk, own_squad.pk) not in taken][:3]:
            rows.append(Membership(volunteer=volunteer, team=own_squad, status=MembershipStatus.PENDING))
    Membership.objects.bulk_create(rows, batch_size=2000)
    for team in teams:
        team.leader = leaders.get(team.pk)
    Team.objects.bulk_update([t for t in teams if t.leader is not None], ["leader"], batch_size=1000)
    if own_squad is not None and first.user_id:
        assign_perm("volunteers.lead_team", get_user_model().objects.get(pk=first.user_id), own_squad)


DEMO_STEPS = [seed_teams, seed_volunteers]
