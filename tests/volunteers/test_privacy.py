"""Personal data stays out of usernames, trails and searches: logins get opaque handles (and
old ones migrate), every trail names people (masked for those outside their scope), and one
search for people refuses whole numbers to those who may not see them."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.apps import apps
from django.contrib.auth import authenticate, get_user_model
from django.urls import reverse
from rest_framework.test import APIClient

from civic import audit
from civic.models import AuditEntry
from civic.people import mask_name, name_people, person_name, person_names
from points import services as points_services
from tests import factories
from volunteers import services
from volunteers.identity import mask_phone
from volunteers.models import Volunteer
from volunteers.privacy import looks_personal
from volunteers.selectors import volunteer_search

pytestmark = pytest.mark.django_db
PASSWORD = "long-enough-pass-42"
HANDLE = re.compile(r"^v[a-z2-7]{16}$")


def approved(world, site, name="陈小红"):
    v = factories.self_register(site, real_name=name)
    return services.volunteer_decide(actor=world.admin, volunteer=v, approve=True)


# Usernames ----------------------------------------------------------------------------


def test_a_self_registered_login_is_an_opaque_handle_and_logs_in_by_phone_or_id(world):
    v = factories.self_register(world.village)
    username = v.user.get_username()
    assert HANDLE.match(username), username
    assert v.id_number not in username and v.phone not in username and not looks_personal(username)
    assert authenticate(username=v.phone, password=PASSWORD) == v.user
    assert authenticate(username=v.id_number, password=PASSWORD) == v.user
    assert authenticate(username=v.id_number.lower(), password=PASSWORD) == v.user


def test_a_claimed_login_is_an_opaque_handle_too(world):
    v = factories.volunteer(world.village_head, world.village)
    services.login_claim_request(id_number=v.id_number, phone=v.phone, password=PASSWORD)
    services.login_claim_confirm(actor=world.village_head, volunteer=v)
    v.refresh_from_db()
    assert HANDLE.match(v.user.username) and authenticate(username=v.id_number, password=PASSWORD) == v.user


def test_the_migration_gives_old_logins_handles_and_cleans_the_trail(world):
    """Accounts made before: username = ID number (or phone); the trail held usernames and phones."""
    from importlib import import_module

    migration = import_module("volunteers.migrations.0007_opaque_login_handles")
    User = get_user_model()
    by_id = factories.volunteer(world.admin, world.village, real_name="旧甲")
    by_phone = factories.volunteer(world.admin, world.village, real_name="旧乙")
    by_id.user = User.objects.create_user(username=by_id.id_number, password=PASSWORD)
    by_phone.user = User.objects.create_user(username=by_phone.phone, password=PASSWORD)
    by_id.save(update_fields=["user"])
    by_phone.save(update_fields=["user"])
    staff = factories.volunteer(world.admin, world.village2, real_name="站长")
    staff.user = world.township_head  # a staff login that is also a volunteer keeps its name
    staff.save(update_fields=["user"])
    old_phone = by_phone.phone
    audit.record(
        actor=world.admin, action="role.grant", obj=world.village, site_id=world.village.pk,
        changes={"viewer": (None, by_id.id_number)},
    )  # fmt: skip
    audit.record(
        actor=by_phone.user, action="volunteer.update", obj=by_phone, site_id=world.village.pk,
        changes={"phone": (old_phone, "13912345678"), "real_name": ("旧丙", "旧乙")},
    )  # fmt: skip

    migration.rename_logins(apps, None)

    for v in (by_id, by_phone):
        v.user.refresh_from_db()
        assert HANDLE.match(v.user.username)
        assert authenticate(username=v.id_number, password=PASSWORD) == v.user
    assert authenticate(username=old_phone, password=PASSWORD) == by_phone.user
    world.township_head.refresh_from_db()
    assert world.township_head.username == "township_head"
    grant = AuditEntry.objects.get(action="role.grant", site_id=world.village.pk, changes__has_key="viewer")
    assert grant.changes == {"viewer": [None, "旧*"]}
    update = AuditEntry.objects.get(action="volunteer.update", object_id=str(by_phone.pk))
    assert update.changes == {"phone": [mask_phone(old_phone), "139****5678"], "real_name": ["旧丙", "旧乙"]}


# Trails and names ---------------------------------------------------------------------


def test_the_site_trail_names_an_anonymous_registration_without_its_id_number(as_user, world):
    v = factories.self_register(world.village, real_name="陈小红")
    html = as_user(world.county_viewer).get(reverse("centers:site-detail", args=[world.village.pk])).content.decode()
    assert "陈小红" in html
    assert v.id_number not in html and v.phone not in html and v.user.username not in html


def test_stock_movements_name_who_redeemed_them(as_user, world):
    v = approved(world, world.village, "钱七")
    points_services.points_credit(
        actor=world.admin, volunteer=v, source_key="s:1", hours=3, site=world.village, service_date=date.today()
    )
    goods = points_services.goods_create(actor=world.admin, site=world.township, name="毛巾", price=10)
    points_services.goods_stock_in(actor=world.admin, goods=goods, quantity=5)
    points_services.redeem(actor=v.user, goods=goods)
    html = as_user(world.county_viewer).get(reverse("points:goods-detail", args=[goods.pk])).content.decode()
    assert "钱七" in html and v.id_number not in html and v.user.username not in html


def test_a_name_is_masked_for_those_outside_the_volunteers_scope(world):
    v = approved(world, world.village, "欧阳娜娜")
    assert person_name(v.user, world.county_viewer) == "欧阳娜娜"
    assert person_name(v.user, v.user) == "欧阳娜娜"
    assert person_name(v.user, world.outsider) == "欧***" == mask_name("欧阳娜娜")
    assert person_name(v.user) == "欧***"  # for anyone at all (stored trails)


def test_staff_are_named_by_full_name_or_username(world, django_assert_num_queries):
    world.county_manager.first_name = "县"
    world.county_manager.last_name = "管理员"
    world.county_manager.save()
    v = approved(world, world.village, "钱七")
    user = v.user
    with django_assert_num_queries(1):  # one provider, one query, whatever the number of users
        names = person_names([world.county_manager, world.township_head, user, None], world.county_viewer)
    assert names == {world.county_manager.pk: "县 管理员", world.township_head.pk: "township_head", user.pk: "钱七"}
    entries = name_people(AuditEntry.objects.filter(object_id=str(v.pk)).select_related("actor"), None, "actor")
    assert {e.actor_name for e in entries} == {"钱*", "admin"}


def test_a_phone_change_reaches_the_trail_masked(as_user, world):
    v = approved(world, world.village)
    old = v.phone
    services.volunteer_update(actor=world.village_head, volunteer=v, phone="13912345678")
    entry = AuditEntry.objects.get(action="volunteer.update", object_id=str(v.pk))
    assert entry.changes["phone"] == [mask_phone(old), "139****5678"]
    html = as_user(world.county_viewer).get(reverse("centers:site-detail", args=[world.village.pk])).content.decode()
    assert old not in html and "13912345678" not in html


def test_a_role_given_to_a_volunteer_is_recorded_by_name(world):
    from centers import services as center_services

    v = approved(world, world.village, "钱七")
    center_services.role_grant(actor=world.admin, user=v.user, site=world.village, role="viewer")
    entry = AuditEntry.objects.get(action="role.grant", site_id=world.village.pk, changes__has_key="viewer")
    assert entry.changes == {"viewer": [None, "钱*"]}


def test_the_admin_trail_names_people_not_logins(client, world):
    v = factories.self_register(world.village, real_name="陈小红")
    client.force_login(world.admin)
    html = client.get(reverse("admin:civic_auditentry_changelist")).content.decode()
    assert "陈小红" in html and v.user.username not in html and v.id_number not in html
    entry = AuditEntry.objects.get(action="volunteer.register", object_id=str(v.pk))
    html = client.get(reverse("admin:civic_auditentry_change", args=[entry.pk])).content.decode()
    assert "陈小红" in html and v.user.username not in html


# One search for people ----------------------------------------------------------------


@pytest.fixture
def east(world):
    return factories.volunteer(world.admin, world.village, real_name="王建华")


def manage_search(client, world, q):
    response = client.get(reverse("points:manage"), {"site": world.county.pk, "q": q})
    assert response.status_code == 200
    return [v.pk for v in response.context["found"]]


def test_points_management_finds_people_by_whole_numbers_only_for_their_managers(as_user, world, east):
    viewer = as_user(world.county_viewer)
    assert manage_search(viewer, world, east.phone) == []
    assert manage_search(viewer, world, east.id_number) == []
    assert manage_search(viewer, world, east.id_number[-6:]) == []
    assert manage_search(viewer, world, east.phone[-4:]) == [east.pk]
    assert manage_search(viewer, world, "王建") == [east.pk]
    assert manage_search(viewer, world, "wjh") == [east.pk]
    manager = as_user(world.county_manager)
    assert manage_search(manager, world, east.phone) == [east.pk]
    assert manage_search(manager, world, east.id_number) == [east.pk]
    assert manage_search(manager, world, f"+86 {east.phone[:3]}-{east.phone[3:]}") == [east.pk]


def test_the_volunteer_list_api_and_admin_search_the_same_way(as_user, world, east):
    api = APIClient()
    api.force_login(world.county_viewer)
    assert api.get("/api/volunteers/", {"q": east.phone}).json()["results"] == []
    assert [r["id"] for r in api.get("/api/volunteers/", {"q": east.phone[-4:]}).json()["results"]] == [east.pk]
    page = as_user(world.county_viewer).get(reverse("volunteers:list"), {"q": east.id_number})
    assert "王建华" not in page.content.decode()
    world.county_viewer.is_staff = True
    world.county_viewer.save()
    html = as_user(world.county_viewer).get(reverse("admin:volunteers_volunteer_changelist"), {"q": east.phone})
    assert "王建华" not in html.content.decode()
    html = as_user(world.admin).get(reverse("admin:volunteers_volunteer_changelist"), {"q": east.phone})
    assert "王建华" in html.content.decode()


def test_the_search_selector_adds_no_query(world, east, django_assert_num_queries):
    queryset = Volunteer.objects.restrict(world.county_viewer, "view")
    with django_assert_num_queries(1):
        assert list(volunteer_search(queryset, world.county_viewer, east.phone[-4:])) == [east]
    with django_assert_num_queries(1):
        assert list(volunteer_search(queryset, world.county_viewer, east.phone)) == []
    assert list(volunteer_search(queryset.with_unmask(world.county_viewer), world.county_viewer, "")) == [east]


def test_a_password_like_the_id_number_is_still_refused(world):
    from django.core.exceptions import ValidationError

    number = factories.id_number()
    with pytest.raises(ValidationError) as err:
        factories.self_register(world.village, id_number=number, password=number)
    assert "password" in err.value.message_dict
