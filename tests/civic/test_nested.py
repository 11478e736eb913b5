"""Nested-set containment (``civic.nested``) agrees with django-mptt's own tree walks, for
sites and teams and through any lookup path; and the advisory locks (``civic.locks``)."""

import pytest
from django.db import connection, connections, transaction
from django.db.models import Exists

from centers import tree
from centers.models import Site
from civic import nested
from civic.locks import advisory_lock, namespace_id
from tests import factories
from volunteers import services as volunteer_services
from volunteers.models import Team, Volunteer

pytestmark = pytest.mark.django_db


def names(queryset) -> set[str]:
    return set(queryset.values_list("name", flat=True))


def test_under_and_over_are_mptt_descendants_and_ancestors(world):
    for site in Site.objects.all():
        assert names(Site.objects.filter(nested.under(site))) == names(site.get_descendants(include_self=True))
        assert names(Site.objects.filter(nested.under(site, strict=True))) == names(site.get_descendants())
        assert names(Site.objects.filter(nested.over(site))) == names(site.get_ancestors(include_self=True))
        assert names(Site.objects.filter(nested.over(site, strict=True))) == names(site.get_ancestors())
        for other in Site.objects.all():
            inside = other.pk in set(site.get_descendants(include_self=True).values_list("pk", flat=True))
            assert nested.contains(site, other) == inside
            assert nested.contains(site, other, strict=True) == (inside and other.pk != site.pk)


def test_a_path_reaches_the_node_of_a_related_row(world):
    here = factories.volunteer(world.admin, world.village, real_name="东坪人")
    there = factories.volunteer(world.admin, world.township2, real_name="乙镇人")
    assert list(Volunteer.objects.filter(nested.under(world.township, "home_site"))) == [here]
    assert list(Volunteer.objects.filter(nested.under(world.township, "home_site__"))) == [here]
    assert list(Volunteer.objects.filter(nested.over(world.township2, "home_site"))) == [there]
    assert list(Volunteer.objects.filter(nested.under(world.elsewhere, "home_site"))) == []


def test_exists_under_and_over_are_one_query(world, django_assert_num_queries):
    townships = Site.objects.filter(level="township")
    with django_assert_num_queries(1):
        below = names(Site.objects.filter(nested.exists_under(townships)))
    assert below == {"甲镇", "乙镇", "丁镇", "东坪村民委员会", "西坪村民委员会"}
    with django_assert_num_queries(1):
        above = names(Site.objects.filter(nested.exists_over(townships, strict=True)))
    assert above == {"测试县", "另县"}
    grants = world.township_head.sitegrant_set.all()
    via = names(Site.objects.filter(nested.exists_under(grants, node_path="content_object")))
    assert via == {"甲镇", "东坪村民委员会"}


def test_an_outer_node_inside_a_sub_select(world):
    villages_under = Site.objects.filter(nested.under(nested.outer(), strict=True), level="village")
    with_villages = names(Site.objects.filter(Exists(villages_under)))
    assert with_villages == {"测试县", "甲镇", "乙镇"}


def test_tree_order_is_mptts_order(world):
    assert list(Site.objects.order_by(*nested.tree_order())) == list(Site.objects.order_by("tree_id", "lft"))
    nearest_first = Site.objects.filter(nested.over(world.village)).order_by(*nested.tree_order(reverse=True))
    assert list(nearest_first) == [world.village, world.township, world.county]


def test_raw_sql_containment_matches(world):
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.name FROM centers_site t JOIN centers_site h ON {nested.sql_contains('t', 'h')} "
            f"WHERE h.id = %s ORDER BY {nested.sql_tree_order('t')}",
            [world.village.pk],
        )
        assert [row[0] for row in cursor.fetchall()] == ["测试县", "甲镇", "东坪村民委员会"]


def test_number_gives_a_bulk_written_tree_sound_nested_sets(world):
    root = Team(site=world.county, name="根", kind="corps")
    kids = {id(root): [Team(site=world.township, name=f"子{i}", kind="detachment") for i in range(3)]}
    for child in kids[id(root)]:
        kids[id(child)] = [Team(site=world.village, name=f"{child.name}孙{i}", kind="squad") for i in range(2)]
    nested.number(root, lambda team: kids.get(id(team), []), tree_id=99)
    root.save()
    for child in kids[id(root)]:
        child.parent = root
    Team.objects.bulk_create(kids[id(root)])
    grandchildren = [g for child in kids[id(root)] for g in kids[id(child)]]
    for child in kids[id(root)]:
        for g in kids[id(child)]:
            g.parent = child
    Team.objects.bulk_create(grandchildren)
    root = Team.objects.get(pk=root.pk)
    assert (root.lft, root.rght, root.level) == (1, 20, 0)
    assert root.get_descendant_count() == 9
    assert [t.name for t in root.get_children()] == ["子0", "子1", "子2"]
    assert {t.level for t in Team.objects.filter(name__contains="孙")} == {2}
    assert names(Team.objects.filter(nested.under(Team.objects.get(name="子1")))) == {"子1", "子1孙0", "子1孙1"}


# Advisory locks ------------------------------------------------------------------------


def held_locks() -> set[tuple[int, int, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT classid::int, objid::int, mode FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
        )
        return {(namespace if namespace < 2**31 else namespace - 2**32, key, mode) for namespace, key, mode in cursor}


def other_session_gets(namespace: str, key: int, *, shared: bool = False) -> bool:
    """Whether another database session could take the lock now (and lets it go at once)."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            kind = "_shared" if shared else ""
            cursor.execute(f"SELECT pg_try_advisory_lock{kind}(%s, %s)", [namespace_id(namespace), key])
            got = cursor.fetchone()[0]
            if got:
                cursor.execute(f"SELECT pg_advisory_unlock{kind}(%s, %s)", [namespace_id(namespace), key])
            return got
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
def test_an_advisory_lock_needs_a_transaction():
    with pytest.raises(transaction.TransactionManagementError):
        advisory_lock("civic.test", 1)


def test_an_exclusive_lock_keeps_everyone_else_out_until_the_transaction_ends():
    with transaction.atomic():
        advisory_lock("civic.test", 7)
        assert (namespace_id("civic.test"), 7, "ExclusiveLock") in held_locks()
        assert not other_session_gets("civic.test", 7, shared=True)
        assert other_session_gets("civic.test", 8)


def test_a_shared_lock_lets_other_shared_holders_in():
    with transaction.atomic():
        advisory_lock("civic.test", 3, shared=True)
        assert (namespace_id("civic.test"), 3, "ShareLock") in held_locks()
        assert other_session_gets("civic.test", 3, shared=True)
        assert not other_session_gets("civic.test", 3)


def test_namespaces_are_stable_signed_32_bit_numbers():
    assert namespace_id("centers.tree") == namespace_id("centers.tree")
    assert namespace_id("centers.tree") != namespace_id("centers.trees")
    assert all(-(2**31) <= namespace_id(name) < 2**31 for name in ("a", "centers.tree", "volunteers.teams", "x" * 99))


def test_tree_writes_take_the_tree_locks_and_team_writes_the_team_lock(world):
    with transaction.atomic():
        tree.lock_trees(world.county.tree_id)
        assert {
            (namespace_id(tree.TREES), 0, "ShareLock"),
            (namespace_id(tree.TREE), world.county.tree_id, "ExclusiveLock"),
        } <= held_locks()
    with transaction.atomic():
        volunteer_services.team_create(actor=world.admin, site=world.county, name="锁测试队", kind="corps")
        assert (namespace_id(volunteer_services.TEAM_TREES), 0, "ExclusiveLock") in held_locks()
