"""Content-Security-Policy and Permissions-Policy: strict on every page, the camera and
geolocation only where a page asks for them, no inline script or style in the templates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path, reverse
from django.views import View

from civic.middleware import content_security_policy, permissions_policy


@permissions_policy(camera=True, geolocation=True)
def sign_in_page(request):
    return HttpResponse("<p>scan</p>")


@permissions_policy(geolocation=True)
class WhereAmIView(View):
    def get(self, request):
        return HttpResponse("<p>here</p>")


@content_security_policy(img_src="'self' https://tiles.example.org")
def map_page(request):
    return HttpResponse("<p>map</p>")


def plain_page(request):
    return HttpResponse("<p>plain</p>")


urlpatterns = [
    path("sign-in/", sign_in_page),
    path("where/", WhereAmIView.as_view()),
    path("map/", map_page),
    path("plain/", plain_page),
]


def directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return dict((part.strip().split(" ", 1) + [""])[:2] for part in policy.split(";"))


def features(response) -> dict[str, str]:
    return dict(part.strip().split("=", 1) for part in response["Permissions-Policy"].split(","))


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["login", "volunteers:register", "volunteers:claim", "verify:form"])
def test_public_pages_carry_the_strict_policy(client, name):
    response = client.get(reverse(name))
    policy = directives(response)
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["default-src"] == "'self'" and policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'" and policy["base-uri"] == "'self'"
    assert "unsafe" not in response["Content-Security-Policy"]
    assert features(response) == {"camera": "()", "geolocation": "()", "microphone": "()"}


@pytest.mark.django_db
def test_staff_pages_carry_it_too(as_user, world):
    response = as_user(world.county_manager).get(reverse("centers:tree"))
    assert "unsafe" not in response["Content-Security-Policy"]
    assert features(response)["camera"] == "()"


@override_settings(ROOT_URLCONF=__name__)
def test_a_page_that_declares_the_camera_and_geolocation_may_use_them(client):
    response = client.get("/sign-in/")
    assert features(response) == {"camera": "(self)", "geolocation": "(self)", "microphone": "()"}
    assert features(client.get("/where/")) == {"camera": "()", "geolocation": "(self)", "microphone": "()"}
    assert features(client.get("/plain/")) == {"camera": "()", "geolocation": "()", "microphone": "()"}


@override_settings(ROOT_URLCONF=__name__)
def test_a_page_may_change_one_directive(client):
    policy = directives(client.get("/map/"))
    assert policy["img-src"] == "'self' https://tiles.example.org"
    assert policy["script-src"] == "'self'"


def test_unknown_features_are_refused():
    with pytest.raises(TypeError):
        permissions_policy(teleport=True)


@pytest.mark.django_db
def test_pages_we_do_not_write_get_inline_styles_but_never_inline_scripts(as_user, world):
    client = as_user(world.admin)
    for url in (reverse("admin:index"), reverse("admin:centers_site_changelist"), reverse("api-docs"), "/api/sites/"):
        response = client.get(url, HTTP_ACCEPT="text/html")
        policy = directives(response)
        assert policy["style-src"] == "'self' 'unsafe-inline'", url
        assert policy["script-src"] == "'self'", url


@pytest.mark.django_db
def test_the_api_docs_load_their_script_from_a_file(as_user, world):
    html = as_user(world.county_manager).get(reverse("api-docs")).content.decode()
    assert not re.search(r"<script>", html)
    script = re.search(r'<script src="([^"]*\?[^"]*script[^"]*)"', html).group(1).replace("&amp;", "&")
    response = as_user(world.county_manager).get(script)
    assert response.status_code == 200 and "SwaggerUIBundle" in response.content.decode()


@pytest.mark.django_db
def test_json_answers_carry_no_page_policy(as_user, world):
    response = as_user(world.county_manager).get("/api/sites/", HTTP_ACCEPT="application/json")
    assert "Content-Security-Policy" not in response


_INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"<style\b", re.I), "a <style> block"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an inline event handler"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


def test_no_template_carries_inline_script_or_style():
    found = []
    for template in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        for pattern, what in _INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{template.relative_to(settings.BASE_DIR)}:{line}: {what}")
    assert found == []
