"""The audit trail as people read it: sentences in the viewer's language from every app's
declared labels (``civic.selectors.audit_lines``), in a fixed number of queries, with no
personal number in them; and the trail page, scoped to the sites a user may see, filtered by
who, what and when, a page at a time."""

from __future__ import annotations

import ast
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from activities.lifecycle import MOVES
from centers import services
from centers.models import Site, StandardSet
from civic.models import AuditEntry
from civic.registry import audit_labels
from civic.selectors import audit_lines
from civic.testing import PageUrls, ScopeMatrix
from tests import factories
from volunteers import services as volunteer_services
from volunteers.models import MembershipStatus, Status

pytestmark = pytest.mark.django_db

TRAIL = reverse("audit-trail")


def lines_of(viewer, **filters) -> list[str]:
    entries = AuditEntry.objects.filter(**filters).select_related("actor", "object_type").order_by("id")
    return [line.text for line in audit_lines(entries, viewer)]


def named(user, name: str):
    user.first_name = name
    user.save(update_fields=["first_name"])
    return user


# Sentences ---------------------------------------------------------------------------


def test_a_rejection_reads_as_a_chinese_sentence(world):
    named(world.township_head, "张三")
    v = factories.self_register(world.village, real_name="李四")
    volunteer_services.volunteer_decide(actor=world.township_head, volunteer=v, approve=False, reason="重复登记")
    with translation.override("zh-hans"):
        [line] = audit_lines(AuditEntry.objects.filter(action="volunteer.rejected"), world.county_manager)
    assert line.text == "张三 将 李四 的状态由 待审核 改为 已驳回，原因设为 重复登记"
    assert line.actor_name == "张三"


def test_fields_read_by_their_names_and_ids_by_the_rows_they_point_to(world):
    five, six = StandardSet.objects.get(name="五有"), StandardSet.objects.get(name="六有")
    services.standard_set_choose(actor=world.admin, site=world.county, standard_set=five)
    services.standard_set_choose(actor=world.admin, site=world.county, standard_set=six)
    services.site_update(actor=world.admin, site=world.village2, is_active=False, level="group")
    county, village2 = world.county.display_name, Site.objects.get(pk=world.village2.pk).display_name
    assert lines_of(world.county_manager, action="site.update") == [
        f"admin changed {county}: standards checklist set to 五有",
        f"admin changed {county}: standards checklist from 五有 to 六有",
        f"admin changed {village2}: level from Village or community to Group; active from yes to no",
    ]
    with translation.override("zh-hans"):
        assert (
            lines_of(world.county_manager, action="site.update")[1] == f"admin 将 {county} 的建设标准由 五有 改为 六有"
        )


def test_objects_are_named_in_the_countys_language_whoever_wrote(world, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    services.site_update(actor=world.admin, site=world.village, address="东坪路")  # in English, by the tests
    with translation.override("zh-hans"):
        [line] = lines_of(world.county_manager, action="site.update")
    assert line == "admin 将 东坪村新时代文明实践站 的地址设为 东坪路"


def test_people_are_named_as_the_viewer_may_see_them(world):
    v = factories.volunteer_with_login(world.village_head, world.village, name="欧阳娜娜")
    services.role_grant(actor=world.township_head, user=v.user, site=world.village, role="viewer")
    [grant] = lines_of(world.county_manager, action="role.grant", site=world.village, actor=world.township_head)
    assert grant == f"township_head made 欧*** Viewer of {world.village}"  # recorded for anyone: masked
    [approval] = lines_of(world.county_manager, action="volunteer.active")
    assert approval == "village_head changed 欧阳娜娜: status from Pending approval to Active"
    [approval] = lines_of(world.outsider, action="volunteer.active")
    assert approval.startswith("village_head changed 欧阳娜娜")  # the object's name as recorded for its site


def test_no_personal_number_reaches_the_trail(world):
    services.site_update(actor=world.admin, site=world.village, liaison_phone="13912345678")
    v = factories.volunteer(world.village_head, world.village, real_name="王五")
    volunteer_services.volunteer_update(actor=world.village_head, volunteer=v, phone="13700001111")
    texts = " ".join(lines_of(world.county_manager))
    assert "13912345678" not in texts and "139****5678" in texts
    assert "13700001111" not in texts and v.phone not in texts and v.id_number not in texts


def test_a_page_of_entries_reads_in_a_fixed_number_of_queries(world):
    five = StandardSet.objects.get(name="五有")
    for n in range(6):
        services.standard_set_choose(
            actor=world.county_manager, site=world.township, standard_set=five if n % 2 else None
        )
        services.site_update(actor=world.township_head, site=world.village, address=f"东坪路 {n} 号")
        v = factories.self_register(world.village, real_name=f"李{n}")
        volunteer_services.volunteer_decide(actor=world.village_head, volunteer=v, approve=n % 2 == 0, reason="不符")
        services.role_grant(actor=world.county_manager, user=v.user, site=world.township2, role="viewer")
    entries = AuditEntry.objects.select_related("actor", "object_type").order_by("-id")

    def queries(count: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            lines = audit_lines(entries[:count], world.county_manager)
        assert len(lines) == count
        return len(captured)

    queries(1)  # content types are read once per process
    # The entries; the names of the people (one query of the volunteers' provider); the
    # checklists whose ids the changes name.
    assert queries(30) == queries(5) == 3


def recorded_actions() -> tuple[set[str], set[str]]:
    """The actions the apps' code passes to ``audit.record``: the literal ones, and the
    prefixes of those spelled as f-strings (``f"volunteer.{status}"``)."""
    literal: set[str] = set()
    families: set[str] = set()
    for path in Path(settings.BASE_DIR).glob("*/**/*.py"):
        if {".venv", "tests", "migrations", "node_modules"} & set(path.parts):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "record"):
                continue
            if getattr(node.func, "value", None) is None or getattr(node.func.value, "id", "") != "audit":
                continue
            for keyword in node.keywords:
                if keyword.arg != "action":
                    continue
                parts = list(ast.walk(keyword.value))
                spelled = {id(inner) for part in parts if isinstance(part, ast.JoinedStr) for inner in part.values}
                for part in parts:
                    if isinstance(part, ast.JoinedStr):
                        families.add(part.values[0].value.rstrip("."))
                    elif isinstance(part, ast.Constant) and isinstance(part.value, str) and id(part) not in spelled:
                        literal.add(part.value)
    return literal, families


def test_every_action_the_apps_record_is_declared():
    declared = set(audit_labels())
    recorded, families = recorded_actions()
    assert len(recorded) > 20 and recorded <= declared, sorted(recorded - declared)
    assert families == {"volunteer", "membership", "activity"}
    assert {f"activity.{move}" for move in MOVES} <= declared
    assert {f"volunteer.{status}" for status in Status.values} <= declared
    assert {f"membership.{status}" for status in MembershipStatus.values} - {"membership.pending"} <= declared


# The trail page ----------------------------------------------------------------------


def test_the_trail_shows_each_persona_the_entries_of_the_sites_they_see(world):
    marked = {}
    for name in ("county", "township", "village", "township2", "elsewhere", "elsewhere_township"):
        services.site_update(actor=world.admin, site=getattr(world, name), address=f"标记{name}号")
        marked[name] = AuditEntry.objects.get(action="site.update", site=getattr(world, name))
    ScopeMatrix(
        model=AuditEntry,
        objects=marked,
        personas=world.matrix_personas(),
        pages=PageUrls(list=lambda: TRAIL, list_marker=lambda entry: f"标记{entry.changes['address'][1][2:-1]}号"),
        change_field="action",
        change_value="-",
    ).check()


def test_the_trail_filters_by_who_what_and_when(as_user, world):
    services.site_update(actor=world.township_head, site=world.village, address="东坪路")
    services.site_update(actor=world.county_manager, site=world.township, address="甲镇路")
    services.role_grant(actor=world.county_manager, user=world.volunteer, site=world.township, role="viewer")
    client = as_user(world.county_manager)

    def shown(**query) -> str:
        response = client.get(TRAIL, query)
        assert response.status_code == 200
        return "".join(line.text for line in response.context["lines"])

    everything = shown()
    assert "东坪路" in everything and "甲镇路" in everything and "made" in everything
    assert "东坪路" in shown(who=world.township_head.pk) and "甲镇路" not in shown(who=world.township_head.pk)
    assert "made" in shown(what="role.grant") and "东坪路" not in shown(what="role.grant")
    today = timezone.localdate()
    assert "东坪路" in shown(since=today.isoformat(), until=today.isoformat())
    assert shown(since=(today + timedelta(days=1)).isoformat()) == ""
    assert "东坪路" in shown(site=world.village.pk) and "甲镇路" not in shown(site=world.village.pk)
    assert "Anyone" in client.get(TRAIL).content.decode()


def test_bad_filters_are_messages_and_foreign_sites_are_not_found(as_user, world):
    client = as_user(world.township_head)
    response = client.get(TRAIL, {"since": "2026-02-30", "who": "²", "what": "nothing.such"})
    assert response.status_code == 200 and response.context["form"].errors.keys() == {"since", "who", "what"}
    response = client.get(TRAIL, {"since": "2026-03-02", "until": "2026-03-01"})
    assert "The end comes before the start." in response.content.decode()
    assert client.get(TRAIL, {"site": world.elsewhere.pk}).status_code == 404
    assert client.get(TRAIL, {"site": "²"}).status_code == 404
    assert client.get(TRAIL).status_code == 200


def test_the_trail_is_paged_and_reads_a_page_in_a_fixed_number_of_queries(as_user, world, django_assert_num_queries):
    for n in range(30):
        services.site_update(actor=world.township_head, site=world.village, address=f"东坪路 {n} 号")
        v = factories.self_register(world.village, real_name=f"李{n}")
        volunteer_services.volunteer_decide(actor=world.township_head, volunteer=v, approve=True)
    client = as_user(world.county_manager)
    client.get(TRAIL)  # the session's first request stamps it (the idle timeout)
    # session, user; the people who appear (their ids, their rows, their names); the count,
    # the page of entries, the names of its people
    with django_assert_num_queries(8):
        response = client.get(TRAIL)
    assert len(response.context["lines"]) == 50
    second = client.get(TRAIL, {"page": 2})
    assert len(second.context["lines"]) == response.context["page"].paginator.count - 50 > 40


def test_the_site_page_and_the_volunteer_page_tell_their_changes_as_sentences(as_user, world):
    v = factories.self_register(world.village, real_name="陈小红")
    volunteer_services.volunteer_decide(actor=world.village_head, volunteer=v, approve=False, reason="重复登记")
    client = as_user(world.county_manager)
    site_page = client.get(reverse("centers:site-detail", args=[world.village.pk])).content.decode()
    said = re.sub(r"<[^>]+>", "", site_page)  # names are marked as data (translate="no") inside the sentence
    assert "village_head changed 陈小红: status from Pending approval to Rejected; reason set to 重复登记" in said
    assert '<span translate="no">village_head</span>' in site_page
    assert f"{TRAIL}?site={world.village.pk}" in site_page
    person = client.get(reverse("volunteers:detail", args=[v.pk])).content.decode()
    said = re.sub(r"<[^>]+>", "", person)
    assert "陈小红 registered 陈小红" in said and "reason set to 重复登记" in said
    assert "volunteer.rejected" not in site_page + person
