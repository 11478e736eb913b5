"""Rankings: one rule decides who reads the rankings of which site, for the page and the API
alike (a role at, above or below the site, or a home site below it), and tied volunteers
share a rank (1, 2, 2, 4)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from centers import services as site_services
from centers.models import Level
from tests import factories

pytestmark = pytest.mark.django_db

SITES = ["county", "township", "township2", "village", "village2", "elsewhere", "elsewhere_township"]


def page(site) -> str:
    return reverse("points:rankings") + f"?site={site.pk}&period=all"


def api(site) -> str:
    return f"/api/points/rankings/?site={site.pk}&period=all"


def _chain(site) -> list[int]:
    """The site and the sites above it, by parent links (not the nested sets)."""
    found = []
    while site is not None:
        found.append(site.pk)
        site = site.parent
    return found


def readable(world, user, home, site) -> bool:
    """The oracle, from parent links: a role at or above the site, a role below it, or a home
    below it."""
    if user.is_superuser:
        return True
    held = [granted for holder, granted, _role in world.grants() if holder == user]
    if any(g.pk in _chain(site) or site.pk in _chain(g) for g in held):
        return True
    return home is not None and site.pk in _chain(home)


def test_a_township_head_reads_the_rankings_of_their_county_as_their_volunteers_do(as_user, world):
    vol = factories.volunteer_with_login(world.admin, world.village)
    factories.credit(world.admin, vol, "t:1", 2)
    for user in (world.township_head, world.village_head, vol.user):
        client = as_user(user)
        response = client.get(page(world.county))
        assert response.status_code == 200, user
        assert [r.name for r in response.context["rows"]] == ["钱七"]
        assert client.get(api(world.county)).status_code == 200, user
        assert client.get(page(world.township)).status_code == 200, user
    # The township head is offered the county above; the village head the township and county.
    head = as_user(world.village_head).get(reverse("points:rankings"))
    assert head.context["site"] == world.village
    assert [s.pk for s in head.context["choices"]] == [world.county.pk, world.township.pk, world.village.pk]


def test_one_rule_decides_who_reads_which_rankings_on_the_page_and_the_api(client, world):
    homes = {}
    personas = dict(world.personas)
    for name in ("village", "township2"):
        v = factories.volunteer_with_login(world.admin, getattr(world, name), name=f"{name}志愿者")
        personas[f"volunteer of {name}"] = v.user
        homes[v.user.pk] = v.home_site
    wrong = []
    for who, user in personas.items():
        client.force_login(user)
        for name in SITES:
            site = getattr(world, name)
            expected = 200 if readable(world, user, homes.get(user.pk), site) else 404
            got = (client.get(page(site)).status_code, client.get(api(site)).status_code)
            if got != (expected, expected):
                wrong.append((who, name, expected, got))
    assert wrong == []


def test_tied_volunteers_share_a_rank_on_the_page_and_the_api(as_user, world):
    for name, hours in [("甲", 3), ("乙", 2), ("丙", 2), ("丁", 1)]:
        v = factories.volunteer_with_login(world.admin, world.village, name=name)
        factories.credit(world.admin, v, f"tie:{name}", hours)
    client = as_user(world.township_head)
    shown = client.get(page(world.township) + "&by=hours")
    assert [(r.rank, r.name) for r in shown.context["rows"]] == [(1, "甲"), (2, "乙"), (2, "丙"), (4, "丁")]
    assert [int(n) for n in re.findall(r'data-rank="(\d+)"', shown.content.decode())] == [1, 2, 2, 4]
    body = client.get(api(world.township) + "&by=points").json()
    assert [(r["rank"], r["points"]) for r in body] == [(1, 30), (2, 20), (2, 20), (4, 10)]
    sites = client.get(api(world.county) + "&kind=sites").json()
    assert [(r["rank"], r["name"]) for r in sites] == [(1, "甲镇"), (2, "乙镇")]


def test_the_sites_below_link_only_to_rankings_the_user_may_read(as_user, world):
    """A volunteer of a township's village reads the township's ranking of its villages, but
    only their own village's ranking is a link."""
    village3 = site_services.site_create(
        actor=world.admin, parent=world.township, name="北坪村民委员会", level=Level.VILLAGE, code="990101101002"
    )
    vol = factories.volunteer_with_login(world.admin, world.village)
    factories.credit(world.admin, vol, "s:1", 2)
    response = as_user(vol.user).get(page(world.township) + "&tab=sites")
    html = response.content.decode()
    assert f"?site={world.village.pk}&amp;" in html
    assert f"?site={village3.pk}&amp;" not in html
    assert as_user(vol.user).get(page(village3)).status_code == 404
