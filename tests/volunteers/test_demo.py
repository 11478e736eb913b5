"""seed_demo's volunteers and teams: a few thousand people in a team tree, on PostgreSQL,
changing nothing the second time; the demo volunteer logs in with their phone."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.db.models import Count

from centers.demo import DEMO_PASSWORD
from civic.models import AuditEntry
from volunteers.demo import BRIGADES, DEMO_VOLUNTEERS
from volunteers.identity import parse_id_number
from volunteers.models import Membership, Status, Team, TeamGrant, Volunteer
from volunteers.privacy import looks_personal

pytestmark = pytest.mark.django_db


def snapshot() -> tuple:
    return (
        Volunteer.objects.count(),
        Team.objects.count(),
        Membership.objects.count(),
        Volunteer.skills.through.objects.count(),
        TeamGrant.objects.count(),
        get_user_model().objects.count(),
        AuditEntry.objects.count(),
        list(Team.objects.order_by("pk").values_list("pk", "tree_id", "lft", "rght", "level", "leader_id")),
    )


def test_seed_demo_adds_volunteers_and_teams_once(settings, tmp_path, capsys):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo")
    out = capsys.readouterr().out
    statuses = dict(Volunteer.objects.order_by().values_list("status").annotate(n=Count("pk")))
    assert sum(statuses.values()) >= DEMO_VOLUNTEERS
    assert statuses[Status.PENDING] >= 3 and statuses[Status.ACTIVE] > 2500
    assert Volunteer.objects.filter(claim_requested_at__isnull=False, user__is_active=False).count() == 1
    kinds = dict(Team.objects.order_by().values_list("kind").annotate(n=Count("pk")))
    assert kinds["corps"] == 1 and kinds["brigade"] == len(BRIGADES) and kinds["detachment"] == 17
    assert kinds["squad"] == 3 * 215
    assert set(Team.objects.filter(kind="brigade").values_list("lead_department", flat=True)) >= {
        "县委党校",
        "司法局",
        "文旅局",
        "科技局",
        "人社局",
        "文明办",
    }
    # the team tree's nested sets agree with the parent links
    teams = {t.pk: t for t in Team.objects.all()}
    for team in teams.values():
        parent = teams.get(team.parent_id)
        if parent is not None:
            assert parent.tree_id == team.tree_id and parent.lft < team.lft < team.rght < parent.rght
            assert team.level == parent.level + 1
        under = sum(1 for t in teams.values() if t.tree_id == team.tree_id and team.lft < t.lft < team.rght)
        assert team.rght - team.lft - 1 == 2 * under
    for number in Volunteer.objects.values_list("id_number", flat=True)[:200]:
        parse_id_number(number)  # valid check digits and birth dates
    assert Membership.objects.filter(status="active").count() > 2000
    assert Membership.objects.filter(status="pending").count() >= 3
    demo = Volunteer.objects.get(phone="13973010000")
    assert authenticate(username=demo.phone, password=DEMO_PASSWORD) == demo.user
    assert authenticate(username=demo.id_number, password=DEMO_PASSWORD) == demo.user
    usernames = get_user_model().objects.filter(volunteer__isnull=False).values_list("username", flat=True)
    assert usernames and not [name for name in usernames if looks_personal(name)]  # opaque handles only
    assert Team.objects.filter(leader=demo).exists() and TeamGrant.objects.filter(user=demo.user).exists()
    assert "13973010000" in out

    before = snapshot()
    call_command("seed_demo")
    assert snapshot() == before
