"""seed_demo: the invented county, one user per role, idempotent, on PostgreSQL."""

from __future__ import annotations

import csv

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count

from centers.demo import COUNTY_CODE, demo_division_rows
from centers.importer import shared_dir
from centers.models import Kind, Site, StandardCheck
from centers.tree import check_tree
from civic.demo import display_width
from civic.models import AuditEntry
from civic.scope import can

pytestmark = pytest.mark.django_db


def snapshot() -> tuple:
    sites = list(Site.objects.order_by("id").values_list("id", "lft", "rght", "tree_id", "name", "updated_at"))
    return sites, AuditEntry.objects.count(), StandardCheck.objects.count(), get_user_model().objects.count()


def test_seed_demo_builds_the_county_and_changes_nothing_the_second_time(settings, tmp_path, capsys):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo")
    out = capsys.readouterr().out
    county = Site.objects.get(code=COUNTY_CODE)
    subtree = county.get_descendants(include_self=True).order_by()
    practice = dict(subtree.filter(kind=Kind.PRACTICE).values_list("level").annotate(n=Count("id")))
    assert practice == {"county": 1, "township": 17, "village": 215}
    assert subtree.filter(kind=Kind.BASE).count() == 2 and subtree.filter(kind=Kind.POST).count() == 3
    assert not subtree.filter(kind=Kind.PRACTICE, level="village", population__isnull=True).exists()
    assert county.standard_set.name == "五有"
    assert StandardCheck.objects.filter(site=county, passed=True).exclude(evidence="").count() == 5
    users = {u.username: u for u in get_user_model().objects.all()}
    assert users["admin"].is_superuser
    village = Site.objects.filter(code__startswith=COUNTY_CODE, level="village").order_by("code")[0]
    assert can(users["county_staff"], "change", village)
    assert can(users["county_viewer"], "view", village) and not can(users["county_viewer"], "change", village)
    assert not can(users["village_head"], "change", county)
    for username in ("admin", "county_staff", "county_viewer", "township_head", "village_head"):
        assert username in out and users[username].check_password("civic-demo-2026")
    assert check_tree() == []
    assert f"sites: created {subtree.count()}, unchanged 0" in out  # 233 from the file and 5 bases and posts
    logins = [line for line in out.splitlines() if line.endswith("civic-demo-2026")]
    assert len(logins) >= 6 and len({display_width(line) for line in logins}) == 1

    before = snapshot()
    call_command("seed_demo")
    assert snapshot() == before
    assert f"sites: created 0, unchanged {subtree.count()}" in capsys.readouterr().out


def test_the_demo_names_are_invented():
    path = shared_dir() / "data" / "divisions" / "610724.csv"
    if not path.exists():
        pytest.fail(f"{path} is missing: the shared division files are needed.")
    real = {row["name"] for row in csv.DictReader(path.open(encoding="utf-8"))}
    invented = {row[1] for row in demo_division_rows()}
    assert len(invented) == 233
    assert not real & invented
