"""Manual adjustments: confirmed with the balance before and after, and never taking the
balance (or the hours) below zero — a mistaken credit is undone by reversing its entry."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from points import services
from points.models import Account, Entry, EntryKind
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def vol(world):
    v = factories.volunteer_with_login(world.admin, world.village)
    factories.credit(world.admin, v, "a:1", 3)
    factories.credit(world.admin, v, "a:2", "2.5")
    return v  # 55 points, 5.50 hours


def test_the_confirmation_shows_the_balance_before_and_after(as_user, world, vol):
    client = as_user(world.village_head)
    form = client.get(reverse("points:adjust", args=[vol.pk]))
    assert 'data-key="before">55<' in form.content.decode()
    step = client.post(reverse("points:adjust", args=[vol.pk]), {"points": -20, "hours": "", "note": "扣回多记的积分"})
    assert step.status_code == 200 and step.context["confirming"]
    html = step.content.decode()
    assert 'data-key="before">55<' in html and 'data-key="after">35<' in html
    assert not Entry.objects.filter(kind=EntryKind.ADJUSTMENT).exists()


def test_an_adjustment_that_would_leave_the_balance_negative_is_refused_on_the_page(as_user, world, vol):
    client = as_user(world.village_head)
    data = {"points": -100_000, "hours": "", "note": "误操作"}
    step = client.post(reverse("points:adjust", args=[vol.pk]), data)
    assert step.status_code == 200 and not step.context.get("confirming")
    assert "reverse its entry instead" in str(step.context["form"].errors["points"])
    forced = client.post(reverse("points:adjust", args=[vol.pk]), {**data, "confirm": "yes"})
    assert forced.status_code == 200 and forced.context["form"].errors["points"]
    assert Account.objects.get(volunteer=vol).balance == 55
    assert not Entry.objects.filter(kind=EntryKind.ADJUSTMENT).exists()


def test_the_service_refuses_an_adjustment_below_zero_but_not_one_that_adds(world, vol):
    with pytest.raises(ValidationError) as refused:
        services.points_adjust(actor=world.village_head, volunteer=vol, points=-56, note="太多")
    assert "points" in refused.value.message_dict
    with pytest.raises(ValidationError) as hours:
        services.points_adjust(actor=world.village_head, volunteer=vol, points=1, hours="-6", note="时长")
    assert "hours" in hours.value.message_dict
    services.points_adjust(actor=world.village_head, volunteer=vol, points=-55, note="全部扣回")
    assert Account.objects.get(volunteer=vol).balance == 0
    # A reversal may still leave it below zero (the points were spent); adding is then allowed.
    services.points_reverse(actor=world.village_head, entry=Entry.objects.get(source_key="a:1"), reason="重复")
    assert Account.objects.get(volunteer=vol).balance == -30
    services.points_adjust(actor=world.village_head, volunteer=vol, points=10, note="补录")
    account = Account.objects.get(volunteer=vol)
    assert (account.balance, account.lifetime_hours) == (-20, Decimal("2.50"))
