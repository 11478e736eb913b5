"""The site pages: each renders for the right persona, search, forms and their errors,
writes through each page (audited), scope (404/403), and pinned query counts."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from centers import services
from centers.models import Level, ServicePlatform, Site, StandardCheck, StandardSet
from centers.tree import check_tree
from civic import figures
from civic.models import AuditEntry

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name: str, *args) -> str:
    return reverse(f"centers:{name}", args=args)


def photo(name: str = "evidence.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def audited(action: str, **filters) -> int:
    return AuditEntry.objects.filter(action=action, **filters).count()


# Who sees what -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["tree", "platforms"])
def test_it_sends_anonymous_visitors_to_login(client, world, name):
    response = client.get(url(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_sends_anonymous_visitors_to_login_from_a_site(client, world):
    for name in ("site-detail", "children", "site-edit", "site-roles", "site-standards"):
        response = client.get(url(name, world.township.pk))
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("login")), name


def test_home_shows_a_county_manager_their_county(as_user, world):
    response = as_user(world.county_manager).get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert world.county.display_name in html
    assert url("site-detail", world.county.pk) in html


def test_the_tree_opens_a_county_managers_county(as_user, world):
    response = as_user(world.county_manager).get(url("tree"))
    assert response.status_code == 200
    html = response.content.decode()
    assert world.county.display_name in html
    assert world.township.display_name in html  # the only top site is opened
    assert world.township2.display_name in html
    assert world.village.display_name not in html  # one level at a time
    assert world.elsewhere.display_name not in html
    assert url("children", world.township.pk) in html


def test_the_tree_of_a_village_head_holds_only_their_village(as_user, world):
    response = as_user(world.village_head).get(url("tree"))
    html = response.content.decode()
    assert world.village.display_name in html
    assert world.township.display_name not in html
    assert world.village2.display_name not in html


def test_the_tree_shows_an_empty_state_to_someone_without_a_role(as_user, world):
    response = as_user(world.volunteer).get(url("tree"))
    assert response.status_code == 200
    assert "You have no role on any site" in response.content.decode()


def test_the_tree_shows_every_root_to_an_administrator(as_user, world):
    html = as_user(world.admin).get(url("tree")).content.decode()
    assert world.county.display_name in html
    assert world.elsewhere.display_name in html


def test_the_page_carries_the_language_switch_and_the_icp_number(as_user, world, settings):
    settings.CIVIC_ICP_NUMBER = "陕ICP备12345678号-1"
    html = as_user(world.county_manager).get(url("tree")).content.decode()
    assert 'action="/i18n/setlang/"' in html
    assert 'name="language" value="en"' in html
    assert "陕ICP备12345678号-1" in html
    assert 'src="/static/vendor/htmx.min.js"' in html
    assert "data-large-font" in html


def test_the_language_switch_turns_the_page_to_english(as_user, world):
    client = as_user(world.county_manager)
    response = client.post(reverse("set_language"), {"language": "en", "next": url("tree")})
    assert response.status_code == 302
    assert '<html lang="en">' in client.get(url("tree")).content.decode()


# Search ------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["东坪", "dongping", "dpc", "990101101001", "9901011010"])
def test_search_finds_a_village_by_name_pinyin_initials_or_code(as_user, world, q):
    response = as_user(world.county_manager).get(url("tree"), {"q": q})
    html = response.content.decode()
    assert world.village.display_name in html
    assert world.village2.display_name not in html


def test_search_stays_inside_the_users_area(as_user, world):
    html = as_user(world.county_manager).get(url("tree"), {"q": "丁镇"}).content.decode()
    assert world.elsewhere_township.display_name not in html
    assert "No site you can see matches this" in html
    html = as_user(world.outsider).get(url("tree"), {"q": "990101"}).content.decode()
    assert world.township.display_name not in html


def test_search_results_are_paginated(as_user, world):
    for n in range(55):
        services.site_create(actor=world.admin, parent=world.township2, name=f"新村{n:02d}", level=Level.VILLAGE)
    client = as_user(world.county_manager)
    first = client.get(url("tree"), {"q": "新村"}).content.decode()
    assert "55 sites match" in first
    assert "新村00" in first and "新村54" not in first
    second = client.get(url("tree"), {"q": "新村", "page": 2}).content.decode()
    assert "新村54" in second and "新村00" not in second


# The children fragment ---------------------------------------------------------------


def test_expanding_a_township_lists_its_villages(as_user, world):
    response = as_user(world.county_manager).get(url("children", world.township.pk), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert world.village.display_name in html
    assert "<html" not in html  # a fragment
    assert world.village2.display_name not in html


def test_the_children_fragment_pages_with_a_more_row(as_user, world):
    for n in range(105):
        services.site_create(actor=world.admin, parent=world.township2, name=f"北{n:03d}村", level=Level.VILLAGE)
    client = as_user(world.county_manager)
    html = client.get(url("children", world.township2.pk), **HTMX).content.decode()
    assert html.count('class="node"') == 100
    assert f"{url('children', world.township2.pk)}?page=2" in html
    html = client.get(url("children", world.township2.pk), {"page": 2}, **HTMX).content.decode()
    assert html.count('class="node"') == 6
    assert "?page=3" not in html


def test_the_children_fragment_is_a_404_outside_the_users_area(as_user, world):
    assert as_user(world.outsider).get(url("children", world.township.pk), **HTMX).status_code == 404
    assert as_user(world.village_head).get(url("children", world.township.pk), **HTMX).status_code == 404


def test_the_children_address_without_htmx_leads_to_the_site_page(as_user, world):
    response = as_user(world.county_manager).get(url("children", world.township.pk))
    assert response.status_code == 302
    assert response["Location"] == url("site-detail", world.township.pk)


# The site page -----------------------------------------------------------------------


def test_the_site_page_shows_a_manager_everything(as_user, world):
    services.site_update(actor=world.admin, site=world.township, head_name="王所长", liaison_phone="0916-1234567")
    response = as_user(world.county_manager).get(url("site-detail", world.township.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "王所长" in html and "tel:0916-1234567" in html
    assert world.village.display_name in html
    assert url("site-detail", world.county.pk) in html  # breadcrumb
    for name in ("site-edit", "site-move", "site-roles", "site-standards"):
        assert url(name, world.township.pk) in html, name
    assert f"{url('site-create')}?parent={world.township.pk}" in html
    # Sites are under it: no delete button, but why not.
    assert url("site-delete", world.township.pk) not in html
    assert "It cannot be deleted while 1 site is under it" in html
    # The audit entry of the update above, as a sentence.
    said = re.sub(r"<[^>]+>", "", html)  # the names in a sentence are marked as data
    assert "changed 甲镇" in said and "head set to 王所长" in said


def test_the_site_page_hides_the_buttons_from_a_viewer(as_user, world):
    html = as_user(world.county_viewer).get(url("site-detail", world.township.pk)).content.decode()
    assert world.village.display_name in html
    assert url("site-edit", world.township.pk) not in html
    assert url("site-roles", world.township.pk) not in html


def test_the_site_page_names_ancestors_outside_the_area_without_links(as_user, world):
    html = as_user(world.village_head).get(url("site-detail", world.village.pk)).content.decode()
    assert world.township.label in html
    assert url("site-detail", world.township.pk) not in html
    assert url("site-edit", world.village.pk) in html


def test_the_site_page_counts_tiers_and_rolls_up_standards(as_user, world):
    five = StandardSet.objects.get(name="五有")
    services.standard_set_choose(actor=world.admin, site=world.county, standard_set=five)
    for item in five.items.all():
        services.standard_check_record(actor=world.admin, site=world.village, item=item, passed=True, evidence=photo())
    html = as_user(world.county_manager).get(url("site-detail", world.county.pk)).content.decode()
    assert "1 of 5 practice sites meet every item." in html
    assert "5 of 25 items met." in html
    assert "Sites under it, by level" in html


@pytest.mark.parametrize("persona", ["outsider", "volunteer"])
def test_the_site_page_is_a_404_outside_the_users_area(as_user, world, persona):
    response = as_user(world.personas[persona]).get(url("site-detail", world.township.pk))
    assert response.status_code == 404
    assert "outside your area" in response.content.decode()


# Edit --------------------------------------------------------------------------------


def test_a_manager_edits_a_site_and_it_is_audited(as_user, world):
    client = as_user(world.township_head)
    form = client.get(url("site-edit", world.village.pk))
    assert form.status_code == 200
    data = {
        "name": "东坪村民委员会",
        "short_name": "",
        "code": "990101101001",
        "level": Level.VILLAGE,
        "kind": "practice",
        "population": "950",
        "liaison_name": "李四",
        "liaison_phone": "13800000000",
        "is_active": "on",
    }
    response = client.post(url("site-edit", world.village.pk), data)
    assert response.status_code == 302
    assert response["Location"] == url("site-detail", world.village.pk)
    world.village.refresh_from_db()
    assert (world.village.population, world.village.liaison_name, world.village.short_name) == (950, "李四", "东坪村")
    entry = AuditEntry.objects.get(action="site.update", site_id=world.village.pk)
    assert entry.actor == world.township_head
    assert entry.changes["population"] == [900, 950]


def test_the_edit_form_shows_service_errors_clearly(as_user, world):
    data = {"name": "东坪村民委员会", "code": "12", "level": Level.VILLAGE, "kind": "practice", "liaison_phone": "电话"}
    response = as_user(world.township_head).post(url("site-edit", world.village.pk), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "has 12 digits" in html
    assert "Enter a phone number" in html
    assert audited("site.update") == 0


def test_the_edit_form_requires_a_name(as_user, world):
    response = as_user(world.township_head).post(
        url("site-edit", world.village.pk), {"name": "", "level": Level.VILLAGE, "kind": "practice"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"]


@pytest.mark.parametrize(
    ("persona", "status"), [("county_viewer", 403), ("village_head", 404), ("outsider", 404), ("volunteer", 404)]
)
@pytest.mark.parametrize("name", ["site-edit", "site-move", "site-delete", "site-roles", "site-standards"])
def test_the_site_forms_refuse_anyone_who_may_not_change_the_site(as_user, world, persona, status, name):
    client = as_user(world.personas[persona])
    assert client.get(url(name, world.township.pk)).status_code == status
    assert client.post(url(name, world.township.pk), {}).status_code == status


# Create ------------------------------------------------------------------------------


def test_a_manager_adds_a_village_under_a_township(as_user, world):
    client = as_user(world.township_head)
    form = client.get(url("site-create"), {"parent": world.township.pk})
    assert form.status_code == 200
    assert form.context["form"].initial["level"] == Level.VILLAGE
    response = client.post(
        f"{url('site-create')}?parent={world.township.pk}",
        {"name": "南坪村民委员会", "level": Level.VILLAGE, "kind": "practice", "code": "990101101002"},
    )
    created = Site.objects.get(code="990101101002")
    assert response.status_code == 302
    assert response["Location"] == url("site-detail", created.pk)
    assert created.parent == world.township and created.short_name == "南坪村"
    assert audited("site.create", site_id=created.pk) == 1
    assert check_tree() == []


def test_adding_a_duplicate_name_is_refused_on_the_form(as_user, world):
    response = as_user(world.township_head).post(
        f"{url('site-create')}?parent={world.township.pk}",
        {"name": "东坪村民委员会", "level": Level.VILLAGE, "kind": "practice"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Site.objects.filter(name="东坪村民委员会").count() == 1


def test_adding_is_refused_where_the_user_may_not_add(as_user, world):
    assert as_user(world.county_viewer).get(url("site-create"), {"parent": world.township.pk}).status_code == 403
    assert as_user(world.outsider).get(url("site-create"), {"parent": world.township.pk}).status_code == 404
    assert as_user(world.county_manager).get(url("site-create")).status_code == 403  # top level: admins only
    assert as_user(world.admin).get(url("site-create")).status_code == 200


# Move --------------------------------------------------------------------------------


def test_a_county_manager_moves_a_village_to_another_township(as_user, world):
    client = as_user(world.county_manager)
    form = client.get(url("site-move", world.village.pk))
    choices = [str(c) for c in form.context["form"].fields["new_parent"].queryset]
    assert world.township2.display_name in choices and world.elsewhere_township.display_name not in choices
    response = client.post(url("site-move", world.village.pk), {"new_parent": world.township2.pk})
    assert response.status_code == 302
    world.village.refresh_from_db()
    assert world.village.parent == world.township2
    assert audited("site.move", site_id=world.village.pk) == 1
    assert check_tree() == []


def test_a_township_head_cannot_move_a_village_out_of_their_township(as_user, world):
    response = as_user(world.township_head).post(url("site-move", world.village.pk), {"new_parent": world.township2.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["new_parent"]
    world.village.refresh_from_db()
    assert world.village.parent == world.township


def test_the_move_form_searches_the_candidates(as_user, world):
    form = as_user(world.county_manager).get(url("site-move", world.village.pk), {"q": "乙"})
    assert list(form.context["form"].fields["new_parent"].queryset) == [world.township2]


# Delete ------------------------------------------------------------------------------


def test_a_manager_deletes_an_empty_site(as_user, world):
    client = as_user(world.county_manager)
    assert client.get(url("site-delete", world.village2.pk)).status_code == 200
    response = client.post(url("site-delete", world.village2.pk))
    assert response.status_code == 302
    assert response["Location"] == url("site-detail", world.township2.pk)
    assert not Site.objects.filter(pk=world.village2.pk).exists()
    assert audited("site.delete", site_id=world.township2.pk) == 1
    assert check_tree() == []


def test_deleting_a_site_with_sites_under_it_shows_why_not(as_user, world):
    response = as_user(world.county_manager).post(url("site-delete", world.township.pk))
    assert response.status_code == 200
    assert "move or delete them first" in response.content.decode()
    assert Site.objects.filter(pk=world.township.pk).exists()


# Roles -------------------------------------------------------------------------------


def test_a_manager_gives_and_takes_a_role(as_user, world):
    client = as_user(world.township_head)
    page = client.get(url("site-roles", world.township.pk)).content.decode()
    assert "township_head" in page and "village_head" in page and "county_manager" not in page
    response = client.post(url("site-roles", world.township.pk), {"username": "volunteer", "role": "viewer"})
    assert response.status_code == 302
    assert world.volunteer.has_perm("centers.view_subtree", world.township)
    assert audited("role.grant", site_id=world.township.pk, actor=world.township_head) == 1
    grant = world.township.grants.get(user=world.volunteer)
    response = client.post(url("site-role-revoke", world.township.pk), {"grant": grant.pk})
    assert response.status_code == 302
    assert not world.township.grants.filter(user=world.volunteer).exists()
    assert audited("role.revoke", site_id=world.township.pk) == 1


def test_a_role_for_an_unknown_username_is_refused_on_the_form(as_user, world):
    response = as_user(world.township_head).post(
        url("site-roles", world.township.pk), {"username": "nobody", "role": "manager"}
    )
    assert response.status_code == 200
    assert "There is no account with this username." in response.content.decode()


def test_a_manager_cannot_take_away_their_own_role(as_user, world):
    client = as_user(world.township_head)
    grant = world.township.grants.get(user=world.township_head)
    response = client.post(url("site-role-revoke", world.township.pk), {"grant": grant.pk}, follow=True)
    assert "You cannot take away your own role" in response.content.decode()
    assert world.township.grants.filter(user=world.township_head).exists()


def test_revoking_a_grant_outside_the_page_subtree_is_a_404(as_user, world):
    grant = world.county.grants.get(user=world.county_viewer)
    response = as_user(world.county_manager).post(url("site-role-revoke", world.township.pk), {"grant": grant.pk})
    assert response.status_code == 404


# Standards ---------------------------------------------------------------------------


def test_a_county_manager_chooses_the_checklist_and_a_head_records_a_check(as_user, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    five = StandardSet.objects.get(name="五有")
    response = as_user(world.county_manager).post(url("site-checklist", world.county.pk), {"standard_set": five.pk})
    assert response.status_code == 302
    world.county.refresh_from_db()
    assert world.county.standard_set == five

    client = as_user(world.village_head)
    page = client.get(url("site-standards", world.village.pk))
    assert page.status_code == 200
    assert page.context["chooser"] is None  # a village does not choose
    item = five.items.first()
    refused = client.post(url("site-standards", world.village.pk), {"item": item.pk, "passed": "on"})
    assert refused.status_code == 200
    assert "A met standard needs an evidence photo." in refused.content.decode()
    response = client.post(
        url("site-standards", world.village.pk),
        {"item": item.pk, "passed": "on", "note": "新建活动室", "evidence": photo()},
    )
    assert response.status_code == 302
    check = StandardCheck.objects.get(site=world.village, item=item)
    assert check.passed and check.checked_by == world.village_head and check.note == "新建活动室"
    assert audited("standard.check", site_id=world.village.pk) == 1
    assert url("evidence", check.pk) in client.get(url("site-standards", world.village.pk)).content.decode()


def test_an_oversized_or_broken_photo_is_refused_with_a_clear_message(as_user, world, monkeypatch):
    five = StandardSet.objects.get(name="五有")
    services.standard_set_choose(actor=world.admin, site=world.county, standard_set=five)
    item = five.items.first()
    client, page = as_user(world.village_head), url("site-standards", world.village.pk)
    broken = SimpleUploadedFile("photo.png", b"not an image", content_type="image/png")
    response = client.post(page, {"item": item.pk, "passed": "on", "evidence": broken})
    assert response.status_code == 200
    assert response.context["rows"][0][2].errors["evidence"]
    monkeypatch.setattr("centers.forms.EVIDENCE_MAX_BYTES", 10)
    response = client.post(page, {"item": item.pk, "passed": "on", "evidence": photo()})
    assert "The photo is too large" in response.content.decode()
    assert not StandardCheck.objects.exists()


def test_a_check_for_an_item_of_another_checklist_is_refused(as_user, world):
    five = StandardSet.objects.get(name="五有")
    services.standard_set_choose(actor=world.admin, site=world.county, standard_set=five)
    other = StandardSet.objects.get(name="八有").items.first()
    response = as_user(world.village_head).post(
        url("site-standards", world.village.pk), {"item": other.pk, "note": "x"}
    )
    assert response.status_code == 200
    assert not StandardCheck.objects.exists()


def test_evidence_photos_are_served_only_inside_the_area(as_user, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    five = StandardSet.objects.get(name="五有")
    services.standard_set_choose(actor=world.admin, site=world.county, standard_set=five)
    check = services.standard_check_record(
        actor=world.admin, site=world.village, item=five.items.first(), passed=True, evidence=photo()
    )
    response = as_user(world.county_viewer).get(url("evidence", check.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert as_user(world.outsider).get(url("evidence", check.pk)).status_code == 404
    assert as_user(world.volunteer).get(url("evidence", check.pk)).status_code == 404


# Platforms ---------------------------------------------------------------------------


def test_a_county_manager_adds_a_platform_for_their_county(as_user, world):
    client = as_user(world.county_manager)
    page = client.get(url("platforms"))
    assert "理论宣讲" in page.content.decode()
    response = client.post(
        url("platforms"),
        {"owner": world.county.pk, "name": "平安法治", "name_en": "Safety", "sort_order": 9, "is_active": "on"},
    )
    assert response.status_code == 302
    platform = ServicePlatform.objects.get(name="平安法治")
    assert platform.owner == world.county
    assert audited("platform.create", site_id=world.county.pk) == 1
    # the township head sees it, read-only; the other county does not
    township_page = as_user(world.township_head).get(url("platforms"))
    assert "平安法治" in township_page.content.decode() and township_page.context["form"] is None
    assert "平安法治" not in as_user(world.outsider).get(url("platforms")).content.decode()


def test_a_county_manager_edits_their_platform_but_not_a_global_one(as_user, world):
    platform = services.platform_save(actor=world.admin, owner=world.county, name="平安法治")
    client = as_user(world.county_manager)
    response = client.post(
        url("platforms"), {"platform": platform.pk, "name": "平安建设", "sort_order": 3, "is_active": "on"}
    )
    assert response.status_code == 302
    platform.refresh_from_db()
    assert platform.name == "平安建设" and platform.sort_order == 3
    assert audited("platform.update") == 1
    everywhere = ServicePlatform.objects.get(name="理论宣讲")
    assert client.get(url("platforms"), {"edit": everywhere.pk}).status_code == 403
    assert as_user(world.outsider).get(url("platforms"), {"edit": platform.pk}).status_code == 404


def test_a_duplicate_platform_name_is_refused_on_the_form(as_user, world):
    services.platform_save(actor=world.admin, owner=world.county, name="平安法治")
    response = as_user(world.county_manager).post(
        url("platforms"), {"owner": world.county.pk, "name": "平安法治", "sort_order": 0}
    )
    assert response.status_code == 200
    assert "There is already a platform with this name." in response.content.decode()


# Query counts ------------------------------------------------------------------------


@pytest.fixture
def warm_client(as_user, wide_county):
    """The county manager's client after a first request (which stamps the session for
    the idle timeout, a write the later requests of the minute skip)."""
    client = as_user(wide_county.county_manager)
    client.get(reverse("home"))
    return client


def pinned(base: int) -> int:
    """A page's query budget: ``base`` plus one query per app offering site figures."""
    return base + len(figures._providers["site_figures"])


@pytest.fixture
def wide_county(world):
    """The county with 30 more townships, each with a village (enough rows to expose N+1)."""
    for n in range(30):
        township = services.site_create(
            actor=world.admin, parent=world.county, name=f"宽{n:02d}镇", level=Level.TOWNSHIP, code=f"990101{200 + n}"
        )
        services.site_create(actor=world.admin, parent=township, name=f"宽{n:02d}村", level=Level.VILLAGE)
    for n in range(30):
        services.site_create(actor=world.admin, parent=world.township, name=f"窄{n:02d}村", level=Level.VILLAGE)
    return world


def test_the_tree_page_runs_a_fixed_number_of_queries(warm_client, wide_county, django_assert_max_num_queries):
    client = warm_client
    with django_assert_max_num_queries(pinned(7)):
        response = client.get(url("tree"))
    assert response.content.decode().count('class="node"') == 33


def test_the_children_fragment_runs_a_fixed_number_of_queries(warm_client, wide_county, django_assert_max_num_queries):
    client = warm_client
    with django_assert_max_num_queries(pinned(5)):
        response = client.get(url("children", wide_county.township.pk), **HTMX)
    assert response.content.decode().count('class="node"') == 31


def test_the_search_runs_a_fixed_number_of_queries(warm_client, wide_county, django_assert_max_num_queries):
    client = warm_client
    with django_assert_max_num_queries(pinned(4)):
        response = client.get(url("tree"), {"q": "宽"})
    assert response.content.decode().count('class="node"') == 50


def test_the_site_page_runs_a_fixed_number_of_queries(warm_client, wide_county, django_assert_max_num_queries):
    client = warm_client
    # session, user, the site, its children (count, page), ancestors, tiers, standards
    # roll-up, recent changes and the names of who made them, may change, may move: 12
    with django_assert_max_num_queries(pinned(12)):
        response = client.get(url("site-detail", wide_county.township.pk))
    assert response.content.decode().count('class="node"') == 31


# Login, lockout and error pages ------------------------------------------------------


def test_the_login_page_renders_and_logs_in(client, world):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert 'name="username"' in page.content.decode()
    response = client.post(reverse("login"), {"username": "county_manager", "password": "pw-county_manager"})
    assert response.status_code == 302
    assert client.get(url("tree")).status_code == 200


def test_repeated_failed_logins_show_the_lockout_page(client, world, settings):
    settings.AXES_ENABLED = True
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "county_manager", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "county_manager", "password": "pw-county_manager"})
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()


# Admin -------------------------------------------------------------------------------


def site_admin_data(site=None, **overrides) -> dict:
    data = {"parent": "", "name": "", "short_name": "", "code": "", "level": "", "kind": "practice", "is_active": "on"}
    if site is not None:
        data.update(
            parent=site.parent_id or "", name=site.name, short_name=site.short_name, code=site.code, level=site.level
        )
        data.update({k: v for k, v in (("population", site.population),) if v is not None})
    data.update(overrides)
    return data


def test_the_admin_lists_the_tree(as_user, world):
    response = as_user(world.admin).get(reverse("admin:centers_site_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert world.village.display_name in html
    assert "delete_selected" not in html  # no bulk delete that would bypass the services


def test_adding_a_site_in_the_admin_goes_through_the_services(as_user, world):
    client = as_user(world.admin)
    response = client.post(
        reverse("admin:centers_site_add"),
        site_admin_data(parent=world.township.pk, name="北坪村民委员会", level=Level.VILLAGE),
    )
    assert response.status_code == 302
    created = Site.objects.get(name="北坪村民委员会")
    assert created.short_name == "北坪村" and created.parent == world.township
    assert audited("site.create", site_id=created.pk, actor=world.admin) == 1
    assert check_tree() == []


def test_moving_a_site_in_the_admin_goes_through_site_move(as_user, world):
    client = as_user(world.admin)
    data = site_admin_data(world.village, parent=world.township2.pk, population=1000)
    response = client.post(reverse("admin:centers_site_change", args=[world.village.pk]), data)
    assert response.status_code == 302
    world.village.refresh_from_db()
    assert world.village.parent == world.township2 and world.village.population == 1000
    assert audited("site.move", site_id=world.village.pk) == 1
    assert audited("site.update", site_id=world.village.pk) == 1
    assert check_tree() == []


def test_the_admin_shows_a_service_refusal_on_the_form(as_user, world):
    client = as_user(world.admin)
    data = site_admin_data(world.township, parent=world.village.pk)  # under its own village
    response = client.post(reverse("admin:centers_site_change", args=[world.township.pk]), data)
    assert response.status_code == 200
    assert "cannot be moved under itself" in response.content.decode()
    world.township.refresh_from_db()
    assert world.township.parent == world.county
    assert check_tree() == []


def test_the_admin_deletes_only_empty_sites(as_user, world):
    client = as_user(world.admin)
    assert client.get(reverse("admin:centers_site_delete", args=[world.township.pk])).status_code == 403
    response = client.post(reverse("admin:centers_site_delete", args=[world.village2.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Site.objects.filter(pk=world.village2.pk).exists()
    assert audited("site.delete", site_id=world.township2.pk) == 1


def test_the_admin_saves_platforms_through_the_service(as_user, world):
    response = as_user(world.admin).post(
        reverse("admin:centers_serviceplatform_add"),
        {"owner": world.county.pk, "name": "平安法治", "name_en": "", "sort_order": 9, "is_active": "on"},
    )
    assert response.status_code == 302
    assert audited("platform.create", site_id=world.county.pk) == 1


def test_the_audit_trail_is_read_only_in_the_admin(as_user, world):
    client = as_user(world.admin)
    assert client.get(reverse("admin:civic_auditentry_changelist")).status_code == 200
    assert client.get(reverse("admin:civic_auditentry_add")).status_code == 403
    entry = AuditEntry.objects.first()
    change = client.post(reverse("admin:civic_auditentry_change", args=[entry.pk]), {"action": "forged"})
    assert change.status_code == 403
    entry.refresh_from_db()
    assert entry.action != "forged"
    assert client.get(reverse("admin:centers_sitegrant_add")).status_code == 403
