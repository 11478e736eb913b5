"""Every role on activities, sign-ups, attendance and photos inside and outside its subtree,
through the API (the pages come with the page base classes)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from activities import services
from activities.models import Activity, Attendance, Photo, SignUp, State
from civic.testing import DONE, FORBIDDEN, HIDDEN, LOGIN, ApiUrls, ScopeMatrix
from tests import factories

from .conftest import image_bytes, upload

pytestmark = pytest.mark.django_db

SITES = ["county", "township", "township2", "village", "village2", "elsewhere", "elsewhere_township"]


def _activity(world, name, state=State.DRAFT, hours_ago=None):
    starts = timezone.now() + (timedelta(hours=-hours_ago) if hours_ago else timedelta(days=2))
    activity = services.activity_create(
        actor=world.admin, site=getattr(world, name), title=f"{name}的活动", starts_at=starts,
        ends_at=starts + timedelta(hours=2),
    )  # fmt: skip
    for move in {"draft": [], "approved": ["submit", "approve"], "published": ["submit", "approve", "publish"]}[state]:
        activity = services.activity_move(actor=world.admin, activity=activity, move=move)
    return activity


@pytest.fixture
def activities(world):
    return {name: _activity(world, name) for name in SITES}


@pytest.fixture
def published(world):
    return {name: _activity(world, name, State.PUBLISHED) for name in SITES}


def _volunteer(world, name):
    return factories.volunteer(world.admin, getattr(world, name), real_name=f"{name}志愿者")


def test_every_role_on_activities_through_the_api(world, activities):
    ScopeMatrix(
        model=Activity,
        objects=activities,
        personas=world.matrix_personas(),
        api=ApiUrls(detail="activity-detail", list="activity-list", delete=False),
        change_field="title",
        change_value="矩阵活动",
    ).check()


def test_every_role_on_sign_ups_through_the_api(world, published):
    signups = {
        name: services.signup_create(actor=world.admin, activity=activity, volunteer=_volunteer(world, name))
        for name, activity in published.items()
    }
    ScopeMatrix(
        model=SignUp,
        objects=signups,
        personas=world.matrix_personas(),
        api=ApiUrls(detail="activity-signup-detail", list="activity-signup-list", patch=False, delete=False),
        change_field="status",
        change_value="cancelled",
    ).check()


def test_every_role_on_attendance_through_the_api(world, published):
    attendance = {
        name: services.attendance_mark(
            actor=world.admin, activity=activity, volunteer=_volunteer(world, name), signed_in_at=activity.starts_at
        )
        for name, activity in published.items()
    }
    ScopeMatrix(
        model=Attendance,
        objects=attendance,
        personas=world.matrix_personas(),
        api=ApiUrls(detail="activity-attendance-detail", list="activity-attendance-list", delete=False),
        change_field="note",
        change_value="矩阵备注",
    ).check()


def test_every_role_on_photos_through_the_api(world, media):
    photos = {
        name: services.photo_add(
            actor=world.admin, activity=_activity(world, name, State.APPROVED), image=upload(image_bytes())
        )
        for name in SITES
    }
    ScopeMatrix(
        model=Photo,
        objects=photos,
        personas=world.matrix_personas(),
        api=ApiUrls(detail="activity-photo-detail", list="activity-photo-list"),
        change_field="caption",
        change_value="矩阵照片",
    ).check()


@pytest.mark.parametrize(
    "action, method, state",
    [("submit", "post", State.DRAFT), ("code", "get", State.PUBLISHED), ("confirm", "post", State.DRAFT)],
)
def test_every_role_on_the_activity_actions(world, action, method, state):
    """A move, the sign-in code and confirmation need a manager of the activity's site: a viewer
    is refused (403), anyone outside gets a 404, a visitor must log in."""
    objects = {name: _activity(world, name, state) for name in SITES}
    matrix = ScopeMatrix(
        model=Activity, objects=objects, personas=world.matrix_personas(), change_field="title", change_value=""
    )
    matrix.check()  # nothing is sent: the oracle only learns where everything is
    wrong = []
    for persona in matrix.personas:
        client = APIClient()
        if persona.user is not None:
            client.force_login(persona.user)
        for label, activity in objects.items():
            expected = matrix.expected(persona, activity, "manage")
            with transaction.atomic():
                response = getattr(client, method)(f"/api/activities/{activity.pk}/{action}/")
                transaction.set_rollback(True)
            got = {403: FORBIDDEN, 404: HIDDEN}.get(response.status_code, str(response.status_code))
            if persona.user is None and response.status_code in (401, 403):
                got = LOGIN
            if expected == DONE:
                # allowed: the answer is the move's own (a draft cannot be confirmed: 400)
                expected = {"submit": "200", "code": "200", "confirm": "400"}[action]
            if got != expected:
                wrong.append((persona.name, label, expected, got))
    assert wrong == []
