"""The admin writes activities through the services and shows the rest read-only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, ActivityEvent, State

pytestmark = pytest.mark.django_db

MODELS = [
    "activity",
    "activityevent",
    "signup",
    "attendance",
    "photo",
    "quotashortfall",
    "activityarchive",
    "annualplan",
    "activitysettings",
    "recurringtemplate",
    "brandproject",
]


@pytest.mark.parametrize("model", MODELS)
def test_every_activities_admin_page_opens(as_user, world, make_activity, model):
    make_activity(world.village)
    client = as_user(world.admin)
    assert client.get(reverse(f"admin:activities_{model}_changelist")).status_code == 200


def test_a_draft_added_in_the_admin_goes_through_the_service(as_user, world):
    client = as_user(world.admin)
    starts = timezone.localtime(timezone.now() + timedelta(days=4)).replace(second=0, microsecond=0)
    ends = starts + timedelta(hours=2)
    form = {
        "site": world.village.pk,
        "title": "后台新建",
        "kind": "regular",
        "starts_at_0": starts.strftime("%Y-%m-%d"),
        "starts_at_1": starts.strftime("%H:%M:%S"),
        "ends_at_0": ends.strftime("%Y-%m-%d"),
        "ends_at_1": ends.strftime("%H:%M:%S"),
    }
    response = client.post(reverse("admin:activities_activity_add"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    activity = Activity.objects.get(title="后台新建")
    assert activity.qr_secret and ActivityEvent.objects.filter(activity=activity, move="create").exists()
    bad = dict(form, title="坏的", ends_at_0=(starts - timedelta(days=1)).strftime("%Y-%m-%d"))
    assert client.post(reverse("admin:activities_activity_add"), bad).status_code == 200
    assert not Activity.objects.filter(title="坏的").exists()


def test_admin_actions_make_moves_through_the_table(as_user, world, make_activity):
    draft = make_activity(world.village)
    client = as_user(world.admin)
    url = reverse("admin:activities_activity_changelist")
    client.post(url, {"action": "move_submit", "_selected_action": [draft.pk]})
    assert Activity.objects.get(pk=draft.pk).state == State.SUBMITTED
    client.post(url, {"action": "move_publish", "_selected_action": [draft.pk]})  # not allowed from submitted
    assert Activity.objects.get(pk=draft.pk).state == State.SUBMITTED
