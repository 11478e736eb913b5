"""Scoped permissions: restrict() in one query, grants covering subtrees, writes that
would leave the user's reach rolled back, and the scope-matrix helper itself."""

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.test import RequestFactory
from rest_framework.test import APIClient

from centers import services
from centers.models import ServicePlatform, Site
from centers.tree import check_tree
from civic.models import AuditEntry
from civic.scope import Also, ScopeRule, can, rule_of
from civic.testing import ApiUrls, Persona, ScopeMatrix
from civic.views import run_write
from tests import factories
from tests.factories import make_user
from volunteers.models import Volunteer

pytestmark = pytest.mark.django_db


def visible(user, action="view") -> set[str]:
    return set(Site.objects.restrict(user, action).values_list("name", flat=True))


def test_restrict_is_one_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        sites = list(Site.objects.restrict(world.township_head, "view"))
    assert {s.name for s in sites} == {"甲镇", "东坪村民委员会"}


def test_a_superuser_sees_every_site(world):
    assert visible(world.admin) == set(Site.objects.values_list("name", flat=True))
    assert len(visible(world.admin, "delete")) == 7


def test_anonymous_and_inactive_users_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert visible(AnonymousUser()) == set()
    assert visible(None) == set()
    world.county_manager.is_active = False
    world.county_manager.save()
    assert visible(world.county_manager) == set()


def test_a_viewer_sees_the_subtree_but_cannot_change_it(world):
    assert visible(world.county_viewer) == {"测试县", "甲镇", "乙镇", "东坪村民委员会", "西坪村民委员会"}
    for action in ("change", "delete", "add", "manage"):
        assert visible(world.county_viewer, action) == set()
    assert not can(world.county_viewer, "change", world.village)


def test_a_grant_covers_the_subtree_but_not_the_ancestors(world):
    assert visible(world.village_head) == {"东坪村民委员会"}
    assert not can(world.township_head, "view", world.county)
    assert can(world.township_head, "delete", world.village)


def test_grants_on_two_subtrees_add_up(world):
    user = make_user("two_hats")
    services.role_grant(actor=world.admin, user=user, site=world.township2, role="manager")
    services.role_grant(actor=world.admin, user=user, site=world.elsewhere, role="viewer")
    assert visible(user) == {"乙镇", "西坪村民委员会", "另县", "丁镇"}
    assert visible(user, "change") == {"乙镇", "西坪村民委员会"}


def test_a_grant_follows_a_moved_subtree(world):
    services.site_move(actor=world.admin, site=world.village2, new_parent=world.township)
    assert "西坪村民委员会" in visible(world.township_head, "change")


def test_the_api_refuses_moving_a_site_under_one_out_of_sight(world):
    """A parent the user cannot see reads as "no such site" (400): its name is not revealed."""
    client = APIClient()
    client.force_login(world.township_head)
    before = AuditEntry.objects.count()
    response = client.patch(f"/api/sites/{world.village.pk}/", {"parent": world.township2.pk, "address": "新址"})
    assert response.status_code == 400
    assert "parent" in response.json()
    assert "乙镇" not in response.content.decode()
    world.village.refresh_from_db()
    assert world.village.parent_id == world.township.pk
    assert world.village.address == ""
    assert AuditEntry.objects.count() == before
    assert check_tree() == []


def test_the_api_forbids_moving_under_a_visible_site_one_cannot_manage(world):
    """The village head may look at township2 but not manage it: moving there is a 403."""
    services.role_grant(actor=world.admin, user=world.village_head, site=world.township2, role="viewer")
    client = APIClient()
    client.force_login(world.village_head)
    before = AuditEntry.objects.count()
    payload = {"parent": world.township2.pk, "address": "新址"}
    response = client.patch(f"/api/sites/{world.village.pk}/", payload, format="json")
    assert response.status_code == 403
    world.village.refresh_from_db()
    # The address was saved before the move was refused; the whole write is rolled back.
    assert (world.village.parent_id, world.village.address) == (world.township.pk, "")
    assert AuditEntry.objects.count() == before
    assert check_tree() == []


def test_run_write_rolls_back_a_write_that_leaves_the_users_reach(world):
    """Even if a service let it through, a move out of the user's subtree is undone."""
    request = RequestFactory().post("/")
    request.user = world.township_head
    before = AuditEntry.objects.count()

    def lax_write():
        services.site_update(actor=world.admin, site=world.village, address="临时")
        return services.site_move(actor=world.admin, site=world.village, new_parent=world.township2)

    with pytest.raises(PermissionDenied):
        run_write(request, Site, lax_write)
    world.village.refresh_from_db()
    assert (world.village.parent_id, world.village.address) == (world.township.pk, "")
    assert AuditEntry.objects.count() == before
    assert check_tree() == []


def test_run_write_keeps_a_write_that_stays_in_reach(world):
    request = RequestFactory().post("/")
    request.user = world.township_head
    site = run_write(
        request, Site, lambda: services.site_update(actor=world.township_head, site=world.village, address="东坪路")
    )
    assert Site.objects.get(pk=site.pk).address == "东坪路"


# The matrix helper -------------------------------------------------------------------


def small_matrix(world, **overrides) -> ScopeMatrix:
    options = {
        "model": Site,
        "objects": {
            "township": world.township,
            "village": world.village,
            "elsewhere_township": world.elsewhere_township,
        },
        "personas": [
            Persona("anonymous", None),
            Persona("township_head", world.township_head, [(world.township, "manager")]),
            Persona("county_viewer", world.county_viewer, [(world.county, "viewer")]),
        ],
        "api": ApiUrls(detail="site-detail", list="site-list"),
        "change_field": "address",
        "change_value": "矩阵",
        "refused": lambda site, action: action == "delete" and not site.is_leaf_node(),
    }
    options.update(overrides)
    return ScopeMatrix(**options)


def test_the_matrix_passes_and_leaves_nothing_behind(world):
    before = (AuditEntry.objects.count(), list(Site.objects.order_by("pk").values_list("pk", "lft", "rght", "address")))
    matrix = small_matrix(world)
    matrix.check()
    # 3 personas × 3 objects × (get, patch, delete) + 3 lists
    assert len(matrix.rows) == 30
    assert matrix.mismatches == []
    after = (AuditEntry.objects.count(), list(Site.objects.order_by("pk").values_list("pk", "lft", "rght", "address")))
    assert after == before


def test_the_matrix_reports_every_mismatch_in_one_table(world):
    # Claim the township head cannot delete anything (wrong): every allowed delete mismatches.
    matrix = small_matrix(world, refused=lambda site, action: action == "delete")
    with pytest.raises(AssertionError) as failure:
        matrix.check()
    message = str(failure.value)
    assert message.startswith("1 of 30 scope checks failed")
    assert "persona" in message and "expected" in message
    assert "township_head  village" in message
    assert "refused" in message and "done (204)" in message


def test_the_matrix_refuses_a_persona_declared_with_the_wrong_grants(world):
    personas = [Persona("township_head", world.township_head, [(world.county, "manager")])]
    with pytest.raises(AssertionError, match="declared grants"):
        small_matrix(world, personas=personas).check()


# Declared scope: every scoped model's rule, applied by restrict() in one query -----------


def scoped_models() -> list:
    return [model for model in apps.get_models() if isinstance(getattr(model, "scope", None), ScopeRule)]


def test_every_scoped_model_declares_a_rule_that_restrict_applies(world):
    labels = {model._meta.label for model in scoped_models()}
    assert labels >= {
        "centers.Site",
        "centers.SiteGrant",
        "centers.ServicePlatform",
        "centers.StandardCheck",
        "volunteers.Volunteer",
        "volunteers.Team",
        "volunteers.Membership",
        "volunteers.RosterImport",
        "points.Account",
        "points.Entry",
        "points.Rule",
        "points.Goods",
        "points.StockMovement",
        "points.Redemption",
        "points.Certificate",
        "points.Seal",
    }
    for model in scoped_models():
        assert hasattr(model._default_manager.all(), "restrict"), model


def test_restrict_runs_no_query_of_its_own_and_reads_in_one(world, django_assert_num_queries):
    """Every model, persona and action: building the restricted queryset asks the database
    nothing (no ids fetched first) — except that an ``Also`` reach may read the user's own
    rows first (one query: a family's volunteers on a shared phone) — and reading it is one
    query."""
    volunteer = factories.volunteer_with_login(world.admin, world.village)
    users = [*world.personas.values(), volunteer.user]
    for model in scoped_models():
        also = [reach for reach in rule_of(model).reach if isinstance(reach, Also)]
        for user in users:
            for action in ("view", "change", "manage"):
                first = 1 if not user.is_superuser and any(action in reach.actions for reach in also) else 0
                with django_assert_num_queries(first):
                    queryset = model._default_manager.restrict(user, action)
                with django_assert_num_queries(1):
                    list(queryset)


def test_a_superuser_reaches_every_row_and_anonymous_visitors_only_public_ones(world):
    from django.contrib.auth.models import AnonymousUser

    services.platform_save(actor=world.admin, owner=world.county, name="本县平台")
    for model in scoped_models():
        every = model._default_manager.count()
        assert model._default_manager.restrict(world.admin, "delete").count() == every
        for nobody in (None, AnonymousUser()):
            public = model._default_manager.restrict(nobody, "view")
            if model is ServicePlatform:
                assert set(public) == set(ServicePlatform.objects.filter(owner__isnull=True)) != set()
            else:
                assert list(public) == []
            assert list(model._default_manager.restrict(nobody, "change")) == []


def test_a_rule_names_only_known_actions():
    with pytest.raises(ImproperlyConfigured):
        ScopeRule(site="site", owner="user", owner_actions=frozenset({"edit"}))
    with pytest.raises(ImproperlyConfigured):
        ScopeRule(site="site", unmask="peek")
    with pytest.raises(ValueError):
        Site.objects.restrict(None, "peek")


def test_a_bare_site_path_reads_as_a_rule():
    class Legacy:
        scope_site_path = "site"

    assert rule_of(Legacy) == ScopeRule(site="site")


def test_with_access_marks_each_row_in_the_same_query(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = dict(Site.objects.with_access(world.township_head, "change", "mine").values_list("name", "mine"))
    assert {name for name, mine in rows.items() if mine} == {"甲镇", "东坪村民委员会"}
    assert len(rows) == 7


def test_masking_follows_the_declared_rule(world):
    """Whole numbers for the managers of the home site's subtree (the rule's ``unmask``) and
    for the volunteer themself; for nobody else."""
    own = factories.volunteer_with_login(world.admin, world.village)
    unmasked = {
        name: Volunteer.objects.with_unmask(user).get(pk=own.pk).can_unmask
        for name, user in {**world.personas, "themself": own.user}.items()
    }
    assert {name for name, whole in unmasked.items() if whole} == {
        "admin",
        "county_manager",
        "township_head",
        "village_head",
        "themself",
    }
