"""Builders for the activities suites: volunteers with logins, activities brought to a state
through the services, and small photos."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from activities import services
from activities.models import State
from civic.sms import MemorySender
from tests import factories
from volunteers import services as volunteer_services

STEPS = {
    State.SUBMITTED: ["submit"],
    State.APPROVED: ["submit", "approve"],
    State.PUBLISHED: ["submit", "approve", "publish"],
}


def image_bytes(fmt: str = "JPEG", size=(64, 48), color=(180, 40, 40), **save) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt, **save)
    return buffer.getvalue()


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def person(world):
    """``person(site, name)``: an active volunteer with a login (``.user``)."""

    def make(site=None, name="钱七", phone=None):
        if phone is not None:
            factories.time_passes()  # a family's phone asks for its codes one after the other
        texts = len(MemorySender.outbox)
        v = factories.self_register(site or world.village, real_name=name, phone=phone or factories.phone())
        del MemorySender.outbox[texts:]  # the registration code: the tests read only what activities send
        volunteer_services.volunteer_decide(actor=world.admin, volunteer=v, approve=True)
        v.refresh_from_db()
        return v

    return make


@pytest.fixture
def make_activity(world):
    """``make_activity(site, state=..., starts_in=..., hours=..., **fields)``: an activity
    created by the admin and moved to ``state`` through the services."""

    def make(site=None, *, state=State.DRAFT, starts_in=timedelta(days=2), hours=2, title="理论宣讲进村", **fields):
        starts = (timezone.now() + starts_in).replace(microsecond=0)
        activity = services.activity_create(
            actor=world.admin,
            site=site or world.village,
            title=title,
            starts_at=starts,
            ends_at=starts + timedelta(hours=hours),
            **fields,
        )
        for move in STEPS.get(state, []):
            activity = services.activity_move(actor=world.admin, activity=activity, move=move)
        return activity

    return make


@pytest.fixture
def held(world, make_activity, media):
    """``held(site, volunteers, **fields)``: a published activity that started two hours ago
    for two hours, each volunteer signed in by staff for its whole span, with a photo, then
    finished (not yet confirmed)."""

    def make(volunteers, site=None, *, summary="宣讲党的二十大精神", **fields):
        activity = make_activity(site, state=State.PUBLISHED, starts_in=timedelta(hours=-2), **fields)
        for volunteer in volunteers:
            services.attendance_mark(
                actor=world.admin,
                activity=activity,
                volunteer=volunteer,
                signed_in_at=activity.starts_at,
                signed_out_at=activity.ends_at,
            )
        services.photo_add(actor=world.admin, activity=activity, image=upload(image_bytes()))
        return services.activity_finish(actor=world.admin, activity=activity, summary=summary, people_served=40)

    return make
