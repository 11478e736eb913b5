"""The county's name and emblem: a setting and an uploaded picture, in every page's header and
as the favicon, served publicly with caching headers and never from a media URL."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from civic import branding
from civic.models import AuditEntry, Branding

pytestmark = pytest.mark.django_db


def png(name: str = "emblem.png", size: int = 64) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGBA", (size, size), (200, 16, 46, 255)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_every_page_shows_the_countys_name_and_points_at_the_emblem(client, world, settings):
    settings.CIVIC_COUNTY_NAME = "测试县新时代文明实践中心"
    html = client.get(reverse("login")).content.decode()
    assert '<span class="brand-name">测试县新时代文明实践中心</span>' in html
    assert f'<link rel="icon" href="{reverse("emblem")}">' in html
    assert f'src="{reverse("emblem")}"' in html
    assert "/media/" not in html


def test_the_name_defaults_to_the_brand(client, world, settings):
    settings.CIVIC_COUNTY_NAME = ""
    html = client.get(reverse("login")).content.decode()
    assert '<span class="brand-name">New-Era Civilization Practice</span>' in html


def test_without_an_upload_the_default_icon_is_served_and_cached(client, world):
    response = client.get(reverse("emblem"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content
    assert "public" in response["Cache-Control"] and "max-age=3600" in response["Cache-Control"]
    again = client.get(reverse("emblem"), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert client.get("/favicon.ico").content == response.content


def test_an_administrator_uploads_an_emblem_in_the_admin(client, world, media):
    client.force_login(world.admin)
    response = client.post(reverse("admin:civic_branding_add"), {"emblem": png()})
    assert response.status_code == 302, response.content.decode()[:2000]
    row = Branding.objects.get()
    assert row.emblem.name.startswith("branding/")
    served = client.get(reverse("emblem"))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content).startswith(b"\x89PNG")
    assert "public" in served["Cache-Control"] and served["Last-Modified"]
    assert client.get(reverse("emblem"), HTTP_IF_NONE_MATCH=served["ETag"]).status_code == 304
    assert client.get("/favicon.ico")["Content-Type"] == "image/png"
    entry = AuditEntry.objects.get(action="branding.emblem")
    assert entry.actor == world.admin and entry.changes["emblem"][0] == ""
    # The admin's list is the one row's form.
    assert client.get(reverse("admin:civic_branding_changelist"))["Location"] == reverse(
        "admin:civic_branding_change", args=[row.pk]
    )


def test_clearing_the_emblem_brings_back_the_default_icon(client, world, media):
    branding.emblem_set(actor=world.admin, image=png())
    client.force_login(world.admin)
    row = Branding.objects.get()
    response = client.post(reverse("admin:civic_branding_change", args=[row.pk]), {"emblem-clear": "on"})
    assert response.status_code == 302
    assert client.get(reverse("emblem"))["Content-Type"] == "image/svg+xml"


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("emblem.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg"), "valid image"),
        (SimpleUploadedFile("emblem.png", b"not a picture", "image/png"), "valid image"),
        (png("emblem.gif"), "PNG, JPEG or WebP"),
        (png(size=1500), "1024 pixels"),
    ],
)
def test_a_file_that_is_no_small_picture_is_refused_with_a_message(client, world, media, upload, message):
    client.force_login(world.admin)
    response = client.post(reverse("admin:civic_branding_add"), {"emblem": upload})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Branding.objects.exists()


def test_only_an_administrator_changes_the_emblem(world, media):
    with pytest.raises(PermissionDenied):
        branding.emblem_set(actor=world.county_manager, image=png())
    with pytest.raises(ValidationError):
        branding.emblem_set(actor=world.admin, image=SimpleUploadedFile("x.png", b"x" * 600_000, "image/png"))
    assert not Branding.objects.filter(emblem__gt="").exists()


def test_staff_without_the_superuser_flag_do_not_see_the_emblem_admin(client, world):
    world.county_manager.is_staff = True
    world.county_manager.save()
    client.force_login(world.county_manager)
    assert client.get(reverse("admin:civic_branding_changelist")).status_code == 403
