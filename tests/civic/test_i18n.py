"""Simplified Chinese is the default language, compiled by the build; English is one click away."""

import pytest
from django.urls import reverse
from django.utils import translation

from centers.models import Level, Site
from civic import settings as project_settings  # the module itself: the tests override the live value


def test_chinese_is_the_default_and_english_the_second():
    assert project_settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _name in project_settings.LANGUAGES] == ["zh-hans", "en"]


def test_the_chinese_catalogue_is_compiled():
    with translation.override("zh-hans"):
        assert translation.gettext("Site tree") != "Site tree"
        assert str(Site(name="乔山村委会", short_name="乔山村", level=Level.VILLAGE)) == "乔山村新时代文明实践站"
        assert str(Site(name="西乡县", short_name="西乡县", level=Level.COUNTY)) == "西乡县新时代文明实践中心"


@pytest.mark.django_db
def test_pages_speak_chinese_unless_english_is_chosen(client, world, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(world.county_manager)
    page = client.get(reverse("centers:tree")).content.decode()
    assert "新时代文明实践中心" in page and 'lang="zh-hans"' in page
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("centers:tree")).content.decode()
    assert 'lang="en"' in page and "Civilization Practice Center" in page
