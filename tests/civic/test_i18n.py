"""Simplified Chinese is the default language, compiled by the build; English is one click away."""

import re

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


def test_form_labels_end_in_the_colon_of_the_language():
    from django import forms

    class Form(forms.Form):
        name = forms.CharField(label="名称")

    with translation.override("zh-hans"):
        assert Form()["name"].label_tag() == '<label for="id_name">名称：</label>'
    with translation.override("en"):
        assert Form()["name"].label_tag() == '<label for="id_name">名称:</label>'


def test_every_password_rule_speaks_chinese():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        validate_password("12")
    assert refused.value.messages == ["密码太短，至少需要 8 个字符。", "这个密码太常见了。", "密码只包含数字。"]


HAN = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.django_db
def test_the_admin_index_names_every_section_and_table_in_chinese(client, world, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(world.admin)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    names = [str(app["name"]) for app in response.context["app_list"]]
    names += [str(model["name"]) for app in response.context["app_list"] for model in app["models"]]
    assert "登录锁定" in names and "登录失败记录" in names
    assert [name for name in names if not HAN.search(name)] == [], names
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(
        user_agent="test", ip_address="192.0.2.1", username="x", http_accept="*/*", path_info="/accounts/login/",
        get_data="", post_data="", failures_since_start=5,
    )  # fmt: skip
    page = client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "IP 地址" in page and "尝试时间" in page and "Attempt Time" not in page
