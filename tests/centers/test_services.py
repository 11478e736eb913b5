"""The site services: tree rules, permissions, and the nested sets staying sound."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from centers import services
from centers.models import Level, Site
from centers.tree import check_tree
from civic.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_it_keeps_siblings_in_code_order(world):
    services.site_create(actor=world.admin, parent=world.county, name="丙镇", level=Level.TOWNSHIP, code="990101100")
    names = list(world.county.get_children().values_list("name", flat=True))
    assert names == ["丙镇", "甲镇", "乙镇"]
    assert check_tree() == []


def test_it_refuses_a_duplicate_name_under_one_parent(world):
    with pytest.raises(ValidationError) as err:
        services.site_create(actor=world.admin, parent=world.county, name="甲镇", level=Level.TOWNSHIP)
    assert "name" in err.value.message_dict


def test_it_refuses_a_level_above_the_parent(world):
    with pytest.raises(ValidationError) as err:
        services.site_create(actor=world.admin, parent=world.township, name="某县", level=Level.COUNTY)
    assert "level" in err.value.message_dict


def test_it_refuses_a_code_of_the_wrong_length(world):
    with pytest.raises(ValidationError) as err:
        services.site_create(actor=world.admin, parent=world.county, name="丙镇", level=Level.TOWNSHIP, code="12")
    assert "code" in err.value.message_dict


def test_it_refuses_moving_a_site_under_its_own_descendant(world):
    with pytest.raises(ValidationError):
        services.site_move(actor=world.admin, site=world.county, new_parent=world.village)
    assert check_tree() == []


def test_it_moves_a_subtree_between_trees(world):
    services.site_move(actor=world.admin, site=world.township, new_parent=world.elsewhere)
    world.village.refresh_from_db()
    assert world.village.tree_id == world.elsewhere.tree_id
    assert check_tree() == []
    assert AuditEntry.objects.filter(action="site.move").count() == 1


def test_a_township_head_cannot_add_under_the_county(world):
    with pytest.raises(PermissionDenied):
        services.site_create(actor=world.township_head, parent=world.county, name="丙镇", level=Level.TOWNSHIP)


def test_a_township_head_adds_under_their_station(world):
    site = services.site_create(actor=world.township_head, parent=world.township, name="北村", level=Level.VILLAGE)
    assert site.get_ancestors().filter(pk=world.township.pk).exists()


def test_it_refuses_to_delete_a_site_with_children(world):
    with pytest.raises(ValidationError):
        services.site_delete(actor=world.admin, site=world.township)
    services.site_delete(actor=world.admin, site=world.village)
    assert not Site.objects.filter(pk=world.village.pk).exists()
    assert check_tree() == []


def test_short_names_drop_official_suffixes(world):
    assert world.village.short_name == "东坪村"
    assert "dongpingcun" in world.village.pinyin
