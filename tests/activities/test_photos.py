"""Activity photos: JPEG, PNG and WebP checked by their content, at most 10 MB, stored again
without EXIF and its GPS position; anything else refused with a message and nothing written."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from PIL import Image

from activities import services
from activities.models import Photo, State

from .conftest import image_bytes, upload

pytestmark = pytest.mark.django_db


def with_gps() -> bytes:
    """A JPEG whose EXIF holds a camera, a time and a GPS position."""
    image = Image.new("RGB", (80, 60), (20, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0132] = "2026:03:05 10:00:00"  # DateTime
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (32.0, 59.0, 13.0), "E", (107.0, 45.0, 54.0)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def stored(photo: Photo) -> Image.Image:
    with photo.image.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


@pytest.fixture
def open_activity(world, make_activity, media):
    return make_activity(world.village, state=State.PUBLISHED)


@pytest.mark.parametrize("fmt, name", [("JPEG", "a.jpg"), ("PNG", "a.png"), ("WEBP", "a.webp")])
def test_jpeg_png_and_webp_are_kept(world, open_activity, fmt, name):
    photo = services.photo_add(
        actor=world.village_head, activity=open_activity, image=upload(image_bytes(fmt), name), caption="合影"
    )
    assert (photo.width, photo.height, photo.caption) == (64, 48, "合影")
    assert stored(photo).format == fmt and photo.size > 0


def test_exif_and_its_gps_position_are_removed(world, open_activity):
    original = Image.open(io.BytesIO(with_gps()))
    assert original.getexif().get_ifd(0x8825)  # the test photo does carry a position
    photo = services.photo_add(actor=world.admin, activity=open_activity, image=upload(with_gps()))
    kept = stored(photo)
    assert not kept.getexif() and "exif" not in kept.info
    with photo.image.open("rb") as handle:
        data = handle.read()
    assert b"Exif" not in data and b"PhoneMaker" not in data


def test_a_phone_photo_keeps_its_orientation(world, open_activity):
    image = Image.new("RGB", (80, 40), (200, 0, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to show
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    photo = services.photo_add(actor=world.admin, activity=open_activity, image=upload(buffer.getvalue()))
    assert (photo.width, photo.height) == (40, 80)


@pytest.mark.parametrize(
    "data, name, message",
    [
        (b"just some text, not a picture", "a.jpg", "not a photo"),
        (image_bytes("GIF"), "a.gif", "not a photo"),
        (image_bytes("BMP"), "a.bmp", "not a photo"),
        (image_bytes("JPEG")[:200], "a.jpg", "not a photo"),
        (b"", "a.jpg", "not a photo"),
        (b"%PDF-1.4 fake", "a.png", "not a photo"),
    ],
)
def test_what_is_not_a_photo_is_refused_and_nothing_is_written(world, open_activity, media, data, name, message):
    with pytest.raises(ValidationError, match=message) as refused:
        services.photo_add(actor=world.admin, activity=open_activity, image=upload(data, name))
    assert "image" in refused.value.message_dict
    assert not Photo.objects.exists() and not list(media.rglob("*.*"))


def test_a_photo_over_10_mb_is_refused(world, open_activity, media):
    big = image_bytes("PNG") + b"\0" * (10 * 1024 * 1024)
    with pytest.raises(ValidationError, match="at most 10 MB"):
        services.photo_add(actor=world.admin, activity=open_activity, image=upload(big, "big.png"))
    assert not Photo.objects.exists() and not list(media.rglob("*.*"))


def test_a_decompression_bomb_is_refused(world, open_activity):
    buffer = io.BytesIO()
    Image.new("1", (12000, 12000)).save(buffer, format="PNG")  # 144 megapixels in a few kilobytes
    with pytest.raises(ValidationError, match="not a photo"):
        services.photo_add(actor=world.admin, activity=open_activity, image=upload(buffer.getvalue(), "bomb.png"))


def test_a_large_photo_is_scaled_down(world, open_activity):
    photo = services.photo_add(
        actor=world.admin, activity=open_activity, image=upload(image_bytes("JPEG", size=(4000, 3000)))
    )
    assert (photo.width, photo.height) == (2560, 1920)


def test_who_adds_and_removes_photos_and_when(world, make_activity, open_activity, media):
    with pytest.raises(PermissionDenied):
        services.photo_add(actor=world.county_viewer, activity=open_activity, image=upload(image_bytes()))
    draft = make_activity(world.village)
    with pytest.raises(ValidationError, match="Photos are added while"):
        services.photo_add(actor=world.admin, activity=draft, image=upload(image_bytes()))
    photo = services.photo_add(actor=world.village_head, activity=open_activity, image=upload(image_bytes()))
    name = photo.image.name
    services.photo_remove(actor=world.village_head, photo=photo)
    assert not Photo.objects.exists()
    assert (media / name).exists()  # the file goes once the transaction commits


def test_a_finished_activitys_photos_stay(world, make_activity, media):
    from datetime import timedelta

    activity = make_activity(world.village, state=State.PUBLISHED, starts_in=timedelta(hours=-1))
    photo = services.photo_add(actor=world.admin, activity=activity, image=upload(image_bytes()))
    services.activity_finish(actor=world.admin, activity=activity, summary="好", people_served=1)
    with pytest.raises(ValidationError, match="they stay"):
        services.photo_remove(actor=world.admin, photo=photo)


def test_the_thumbnail_is_made_once(world, open_activity):
    photo = services.photo_add(
        actor=world.admin, activity=open_activity, image=upload(image_bytes("PNG", size=(1200, 900)), "a.png")
    )
    assert not photo.thumbnail
    assert services.photo_make_thumbnail(photo_id=photo.pk) is True
    assert services.photo_make_thumbnail(photo_id=photo.pk) is False
    photo.refresh_from_db()
    with photo.thumbnail.open("rb") as handle:
        thumb = Image.open(io.BytesIO(handle.read()))
        assert thumb.format == "JPEG" and max(thumb.size) == 320
    assert services.photo_make_thumbnail(photo_id=10**9) is False
