"""One 404/403 decision for pages and the API (``civic.views.refusal``), with its two
messages, and ids parsed once (``civic.ids.parse_id``): an API operation on an id that is
not a number is a 404 like any other, never a server error."""

from urllib.parse import quote

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from centers.models import Site
from civic.ids import parse_id
from civic.views import NOT_FOUND, READ_ONLY, get_scoped, refusal

pytestmark = pytest.mark.django_db

BAD_IDS = ["AAA", "²", "-1", "99999999999999999999", "0x1f", " 1"]


def test_parse_id_takes_ascii_digits_within_the_bigint_range():
    assert parse_id("12") == 12
    assert parse_id("007") == 7
    assert parse_id(12) == 12
    assert parse_id(str(2**63 - 1)) == 2**63 - 1
    for value in [
        "",
        "AAA",
        "²",
        "١٢",
        "-1",
        "+1",
        "1.0",
        "1e3",
        " 1",
        "1 ",
        str(2**63),
        "9" * 5000,
        None,
        True,
        2**63,
    ]:
        assert parse_id(value) is None, value


def _api_operations() -> list[tuple[str, str, str]]:
    """(method, url name, view name) of every API operation on one object, from the URL resolver."""

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern), pattern

    found = []
    for route, pattern in walk(get_resolver().url_patterns):
        actions = getattr(pattern.callback, "actions", None) or {}
        if not route.startswith("api/") or "<pk>" not in route:
            continue
        allowed = pattern.callback.cls.http_method_names
        # (DRF adds "head" beside "get" once a view has answered: a HEAD has no body to read.)
        found.extend(
            (method, pattern.name, action)
            for method, action in actions.items()
            if method in allowed and method != "head"
        )
    return found


def _url(name: str, pk: str) -> str:
    """The operation's address with ``pk`` in it, also where the route's own pattern refuses
    it (``[0-9]{1,18}``): then the resolver answers, and must answer the same."""
    placeholder = "987654321987"
    return reverse(name, kwargs={"pk": placeholder}).replace(placeholder, quote(pk, safe=""))


def test_every_api_operation_on_a_non_numeric_id_is_a_404_with_the_message(world):
    operations = _api_operations()
    writes = [op for op in operations if op[0] != "get"]
    assert len(writes) >= 20, writes
    wrong = []
    for user in (world.admin, world.county_manager, world.volunteer):
        client = APIClient()
        client.force_login(user)
        for method, name, _action in operations:
            for bad in BAD_IDS:
                url = _url(name, bad)
                response = getattr(client, method)(url, {}, format="json")
                body = response.json() if response.get("Content-Type", "").startswith("application/json") else {}
                if response.status_code != 404 or body.get("detail") != str(NOT_FOUND):
                    wrong.append((user.username, method, name, bad, response.status_code, body))
    assert wrong == []


def test_a_write_to_an_id_one_may_only_see_is_a_403_with_the_message(world):
    client = APIClient()
    client.force_login(world.county_viewer)
    response = client.delete(f"/api/sites/{world.village.pk}/")
    assert response.status_code == 403
    assert response.json()["detail"] == str(READ_ONLY)
    assert Site.objects.filter(pk=world.village.pk).exists()


def test_pages_and_the_api_read_the_same_decision(world):
    sites = Site.objects.all()
    assert isinstance(refusal(sites, world.county_viewer, world.village.pk, "change"), PermissionDenied)
    assert isinstance(refusal(sites, world.county_viewer, world.village.pk, "view"), Http404)
    assert isinstance(refusal(sites, world.township_head, world.township2.pk, "change"), Http404)
    assert isinstance(refusal(sites, world.county_viewer, "AAA", "change"), Http404)
    assert str(refusal(sites, world.outsider, world.village.pk, "change")) == str(NOT_FOUND)
    with pytest.raises(Http404):
        get_scoped(sites, world.admin, "²")
    assert get_scoped(sites, world.township_head, str(world.village.pk), "delete") == world.village
