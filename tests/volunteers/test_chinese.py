"""No English in Chinese mode: every volunteers page, read in zh-hans by the people who use it,
shows no English words — labels, help texts, choices, messages, buttons, empty states, the
labels of stacked cards, and the errors a refused form shows."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from tests import factories
from volunteers import services
from volunteers.models import Status

pytestmark = pytest.mark.django_db
PASSWORD = "long-enough-pass-42"
ATTRIBUTES = ("placeholder", "title", "aria-label", "data-label", "data-confirm", "alt")
# Words that are the same in Chinese text: file formats, the encodings the import names, and
# the letter of an ID number's check digit.
ALLOWED = {"xlsx", "csv", "xls", "excel", "wps", "utf", "gbk", "bom", "x", "id"}
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Text(HTMLParser):
    """The visible text and the read-out attributes of the page's ``<main>``, without what the
    page marks as data (``translate="no"``: names, login handles), scripts and styles."""

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, bool]] = []  # open elements, and whether their text is read
        self.parts: list[str] = []

    def reading(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        inside = self.reading() or tag == "main"
        read = inside and tag not in ("script", "style") and values.get("translate") != "no"
        if read:
            self.parts.extend(values[a] or "" for a in ATTRIBUTES if a in values)
            if tag == "input" and values.get("type") in ("submit", "button"):
                self.parts.append(values.get("value") or "")
        if tag not in VOID:
            self.stack.append((tag, read))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if self.reading():
            self.parts.append(data)


def english_words(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    words = WORD.findall(" ".join(parser.parts))
    return sorted({w for w in words if w.lower().strip("'’-") not in ALLOWED})


@pytest.fixture
def chinese(settings, client):
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        yield


def self_registered(site, name):
    phone = factories.phone()
    return services.volunteer_register(
        actor=None,
        home_site=site,
        real_name=name,
        id_number=factories.id_number(),
        phone=phone,
        consent=True,
        password=PASSWORD,
        phone_code=factories.phone_code(phone),
    )


@pytest.fixture
def scene(world, settings, tmp_path):
    """Volunteers in every state, a team tree with a request and a leader, a finished import
    with bad rows."""
    settings.MEDIA_ROOT = tmp_path
    admin = world.admin
    active = factories.volunteer(admin, world.village, real_name="王建华")
    suspended = factories.volunteer(admin, world.village, real_name="李秀英")
    services.volunteer_set_status(actor=admin, volunteer=suspended, status=Status.SUSPENDED, reason="外出务工")
    pending = self_registered(world.village, "陈小红")
    member = services.volunteer_decide(actor=admin, volunteer=self_registered(world.village, "刘海燕"), approve=True)
    rejected = self_registered(world.village, "孙晓东")
    services.volunteer_decide(actor=admin, volunteer=rejected, approve=False, reason="不在本村居住")
    services.login_claim_request(id_number=active.id_number, phone=active.phone, password=PASSWORD)
    corps = services.team_create(actor=admin, site=world.county, name="测试县总队", kind="corps")
    squad = services.team_create(actor=admin, site=world.village, parent=corps, name="东坪小分队", kind="squad")
    services.team_set_leader(actor=admin, team=squad, volunteer=member)
    services.membership_request(actor=admin, volunteer=active, team=squad)
    header = "姓名,身份证号,手机号,所属站点\n"
    rows = f"导入甲,{factories.id_number()},{factories.phone()},东坪村\n导入乙,123,1380,无此村\n"
    job = services.roster_import_create(
        actor=world.township_head,
        site=world.township,
        upload=SimpleUploadedFile("名册.csv", (header + rows).encode()),
        mode="good",
    )
    services.roster_import_run(import_id=job.pk)
    return {
        "active": active,
        "suspended": suspended,
        "pending": pending,
        "member": member,
        "rejected": rejected,
        "corps": corps,
        "squad": squad,
        "job": job,
    }


def url(name, *args, query=""):
    return reverse(f"volunteers:{name}", args=args) + query


def staff_pages(scene):
    v, squad = scene["active"], scene["squad"]
    pages = [
        url("list"),
        url("list", query="?status=all"),
        url("list", query="?q=nobody-at-all"),
        url("list", query="?status=withdrawn"),
        url("create"),
        url("queue"),
        url("teams"),
        url("teams", query="?q=nothing-like-it"),
        url("team-create"),
        url("team-detail", squad.pk),
        url("team-edit", squad.pk),
        url("team-leader", squad.pk),
        url("import"),
        url("import-status", scene["job"].pk),
        url("edit", v.pk),
        url("anonymise", v.pk),
        url("password", scene["member"].pk),
    ]
    for person in ("active", "suspended", "pending", "rejected", "member"):
        pages.append(url("detail", scene[person].pk))
    for to in ("suspended", "active", "withdrawn"):
        pages.append(url("status", v.pk, to))
        pages.append(url("status", scene["suspended"].pk, to))
    return pages


def test_the_staff_pages_speak_chinese(client, world, scene, chinese):
    client.force_login(world.township_head)
    found = {}
    for page in staff_pages(scene):
        response = client.get(page)
        assert response.status_code == 200, page
        words = english_words(response.content.decode())
        if words:
            found[page] = words
    assert not found, found


def test_refused_forms_speak_chinese(client, world, scene, chinese):
    client.force_login(world.township_head)
    v = scene["active"]
    posts = [
        (url("create"), {"home_site": world.village.pk, "real_name": "", "id_number": "123", "phone": "12"}),
        (url("create"), {"home_site": world.village.pk, "real_name": "周", "id_number": v.id_number, "phone": v.phone}),
        (url("edit", v.pk), {"real_name": "", "phone": "12", "home_site": world.village.pk}),
        (url("status", v.pk, "suspended"), {"reason": ""}),
        (url("password", scene["member"].pk), {"password": "123", "password2": "123"}),
        (url("password", scene["member"].pk), {"password": "abc", "password2": "abd"}),
        (url("team-create"), {"site": world.village.pk, "name": "东坪小分队", "kind": "squad"}),
        (url("team-create"), {}),
        (url("import"), {"site": world.township.pk, "mode": "all", "file": SimpleUploadedFile("r.csv", b"")}),
        (
            url("import"),
            {"site": world.township.pk, "mode": "all", "file": SimpleUploadedFile("r.xlsx", b"PK\x03\x04")},
        ),
        (url("import"), {}),
    ]
    found = {}
    for page, data in posts:
        response = client.post(page, data)
        assert response.status_code == 200, page
        words = english_words(response.content.decode())
        if words:
            found[(page, tuple(data))] = words
    assert not found, found


def test_the_volunteer_and_public_pages_speak_chinese(client, world, scene, chinese):
    found = {}

    def read(key, response):
        words = english_words(response.content.decode())
        if words:
            found[key] = words

    for page in (url("register"), url("claim"), url("claim", query="?sent=1")):
        read(page, client.get(page))
    read("register refused", client.post(url("register"), {"real_name": "", "id_number": "1", "phone": "1"}))
    read("claim refused", client.post(url("claim"), {"id_number": "1", "phone": "1", "password": "abc"}))
    for person in ("member", "pending", "rejected"):
        client.force_login(scene[person].user)
        for page in (url("me"), url("me-withdraw"), url("me-password")):
            read((person, page), client.get(page))
    read("password refused", client.post(url("me-password"), {"old_password": "x", "password": "1", "password2": "2"}))
    client.force_login(world.county_manager)
    read("staff without a record", client.get(url("me")))
    assert not found, found
