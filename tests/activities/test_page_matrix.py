"""Every role on activities, sign-ups, attendance and photos inside and outside its subtree,
through the pages (the API's matrices are in test_scope_matrix.py)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from activities import services
from activities.models import Activity, Attendance, Photo, SignUp, State
from civic.testing import PageUrls, ScopeMatrix

from .conftest import image_bytes, upload
from .test_scope_matrix import SITES, _activity, _volunteer

pytestmark = pytest.mark.django_db
FMT = "%Y-%m-%dT%H:%M"


def _local(value) -> str:
    return timezone.localtime(value).strftime(FMT) if value else ""


def activity_form(activity: Activity) -> dict:
    return {
        "title": activity.title,
        "kind": activity.kind,
        "starts_at": _local(activity.starts_at),
        "ends_at": _local(activity.ends_at),
        "place": activity.place,
        "description": activity.description,
    }


def test_every_role_on_activities_through_the_pages(world):
    activities = {name: _activity(world, name) for name in SITES}
    ScopeMatrix(
        model=Activity,
        objects=activities,
        personas=world.matrix_personas(),
        pages=PageUrls(
            view="activities:detail",
            change="activities:edit",
            list="activities:list",
            more={
                "submit page": (lambda a: reverse("activities:move", args=[a.pk, "submit"]), "manage"),
                "cancel page": (lambda a: reverse("activities:move", args=[a.pk, "cancel"]), "manage"),
                "finish page": ("activities:finish", "manage"),
                "code page": ("activities:code", "manage"),
                "photo form": ("activities:photo-add", "change"),
                "sign-ups": ("activities:signups", "view"),
                "attendance": ("activities:attendance", "view"),
                "confirm page": ("activities:confirm", "manage"),
                "poster": ("activities:poster", "view"),
            },
        ),
        form_data=activity_form,
        change_field="title",
        change_value="矩阵活动",
    ).check()


def test_every_role_on_sign_ups_through_the_pages(world):
    signups = {
        name: services.signup_create(
            actor=world.admin, activity=_activity(world, name, State.PUBLISHED), volunteer=_volunteer(world, name)
        )
        for name in SITES
    }
    ScopeMatrix(
        model=SignUp,
        objects=signups,
        personas=world.matrix_personas(),
        pages=PageUrls(view="activities:signup-detail", change="activities:signup-cancel"),
        change_field="status",
        change_value="cancelled",
    ).check()


def test_every_role_on_attendance_through_the_pages(world):
    attendance = {}
    for name in SITES:
        activity = _activity(world, name, State.PUBLISHED)
        attendance[name] = services.attendance_mark(
            actor=world.admin, activity=activity, volunteer=_volunteer(world, name), signed_in_at=activity.starts_at
        )
    ScopeMatrix(
        model=Attendance,
        objects=attendance,
        personas=world.matrix_personas(),
        pages=PageUrls(view="activities:attendance-detail", change="activities:attendance-edit"),
        form_data=lambda a: {"signed_in_at": _local(a.signed_in_at), "signed_out_at": _local(a.signed_out_at)},
        change_field="note",
        change_value="矩阵备注",
    ).check()


def test_every_role_on_photos_through_the_pages(world, media):
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
        pages=PageUrls(
            view="activities:photo",
            change="activities:photo-edit",
            delete="activities:photo-remove",
            more={"thumbnail": ("activities:photo-thumbnail", "view")},
        ),
        form_data=lambda p: {"caption": p.caption},
        change_field="caption",
        change_value="矩阵照片",
    ).check()


def test_a_volunteer_reads_their_own_attendance_and_sign_up_and_nobody_elses(world, person, as_user):
    """The wider reach the matrix holds no persona for (a volunteer's own rows, declared with
    ``Also`` on the models): their own attendance and sign-up pages, and nobody else's."""
    activity = _activity(world, "village", State.PUBLISHED)
    mine, other = person(name="钱七"), person(name="孙八")
    signed = {v: services.signup_create(actor=v.user, activity=activity, volunteer=v) for v in (mine, other)}
    marked = {
        v: services.attendance_mark(actor=world.admin, activity=activity, volunteer=v, signed_in_at=activity.starts_at)
        for v in (mine, other)
    }
    client = as_user(mine.user)

    def status(name, obj) -> int:
        return client.get(reverse(f"activities:{name}", args=[obj.pk])).status_code

    assert status("attendance-detail", marked[mine]) == 200
    assert status("attendance-detail", marked[other]) == 404
    assert status("attendance-edit", marked[mine]) == 403
    assert status("signup-detail", signed[mine]) == 200
    assert status("signup-detail", signed[other]) == 404
    assert status("signup-cancel", signed[mine]) == 200
