"""A code is found however a person types it — spaces or dashes between its groups, lower
case, full-width characters — at every door: the certificate check's form, its page and its
API, and the shop keeper's pickup page and API."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from points import services
from points.models import RedemptionStatus
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def spaced(code: str) -> str:
    """``ABCDEFGHJKLM`` as a person copies it off paper: ``abcd efgh-jklm``."""
    return f"{code[:4].lower()} {code[4:8].lower()}-{code[8:].lower()}"


@pytest.fixture
def cert(world):
    vol = factories.volunteer_with_login(world.admin, world.village)
    factories.credit(world.admin, vol, "c:1", 2)
    return services.certificate_issue(actor=world.admin, volunteer=vol, period_start=TODAY, period_end=TODAY)


def test_the_certificate_check_finds_a_code_typed_with_spaces_and_in_lower_case(client, cert):
    typed = client.get(reverse("verify:form"), {"code": spaced(cert.code)})
    assert typed.status_code == 302 and typed["Location"] == reverse("verify:code", args=[cert.code])
    page = client.get(reverse("verify:code", args=[spaced(cert.code)]))
    assert page.status_code == 200 and page.context["certificate"] == cert
    body = factories.api_client().get(f"/api/points/certificates/verify/{spaced(cert.code)}/")
    assert body.status_code == 200 and body.json()["code"] == cert.code
    wide = cert.code.translate({ord(c): ord(c) + 0xFEE0 for c in cert.code})  # full-width letters and digits
    assert client.get(reverse("verify:code", args=[wide])).status_code == 200


def test_the_keeper_finds_a_pickup_code_typed_with_spaces(as_user, world):
    vol = factories.volunteer_with_login(world.admin, world.village)
    factories.credit(world.admin, vol, "p:1", 5)
    goods = factories.stocked_goods(world.admin, world.township, price=10, stock=3)
    first, second = (services.redeem(actor=vol.user, goods=goods) for _ in range(2))
    code = first.pickup_code
    done = as_user(world.township_head).post(
        reverse("points:pickup", args=[world.township.pk]), {"pickup_code": f" {code[:4]} {code[4:]} "}
    )
    assert done.status_code == 302
    first.refresh_from_db()
    assert first.status == RedemptionStatus.FULFILLED
    code = second.pickup_code
    api = factories.api_client(world.township_head, token=True).post(
        "/api/points/redemptions/fulfil/", {"site": world.township.pk, "pickup_code": f"{code[:4]}-{code[4:]}"}
    )
    assert api.status_code == 200 and api.json()["status"] == "fulfilled"
