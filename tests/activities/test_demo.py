"""seed_demo's activities: a year at realistic quotas (most sites meet them, some fall short),
attendance, photos and credits, with the ledger consistent; nothing changes the second time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from activities import selectors
from activities.models import Activity, Attendance, Photo, SignUp, State
from centers.demo import COUNTY_CODE
from centers.models import Kind, Site
from points.models import Entry
from points.selectors import reconcile

pytestmark = pytest.mark.django_db


def snapshot() -> tuple:
    return (
        Activity.objects.count(),
        Attendance.objects.count(),
        SignUp.objects.count(),
        Photo.objects.count(),
        Entry.objects.count(),
    )


def test_seed_demo_holds_a_year_of_activities_at_the_quotas(settings, tmp_path, capsys):
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_demo")
    assert "activities:" in capsys.readouterr().out
    county = Site.objects.get(code=COUNTY_CODE)
    sites = list(county.get_descendants(include_self=True).filter(kind__in=[Kind.PRACTICE, Kind.BASE]))
    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    progress = selectors.quota_progress(sites, month=last_month)
    met = sum(p.met for p in progress.values())
    assert 0.75 * len(sites) < met < len(sites)  # most sites meet their quota, some fall short
    assert Activity.objects.filter(state=State.FINISHED).count() > 2000
    assert Attendance.objects.filter(confirmed_at__isnull=False).count() > 15000
    assert not Activity.objects.filter(state=State.FINISHED).exclude(photos__isnull=False).exists()
    finished = Activity.objects.filter(state=State.FINISHED, attended_count__gt=0).first()
    assert finished.summary and finished.people_served is not None
    assert reconcile() == []
    head = selectors.needs_action(get_user_model().objects.get(username="township_head"))
    assert head.to_approve and head.to_finish and head.to_confirm
    before = snapshot()
    call_command("seed_demo")
    assert snapshot() == before
