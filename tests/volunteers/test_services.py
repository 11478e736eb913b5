"""Volunteer registration, approval, privacy rules, teams and memberships."""

from datetime import date

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError

from civic.models import AuditEntry
from tests import factories
from volunteers import services
from volunteers.models import Membership, MembershipStatus, Status, Team, Volunteer

pytestmark = pytest.mark.django_db


def test_staff_registration_is_active_at_once(world):
    v = factories.volunteer(world.village_head, world.village)
    assert v.status == Status.ACTIVE
    assert v.user is None
    assert v.gender == "male" and v.birth_date == date(1990, 5, 17)
    assert AuditEntry.objects.filter(action="volunteer.register", object_id=str(v.pk)).exists()


def test_self_registration_waits_for_the_station(world):
    v = services.volunteer_register(
        actor=None,
        home_site=world.village,
        real_name="李四",
        id_number=factories.id_number(),
        **factories.proven_phone(),
        consent=True,
        password="long-enough-pass-42",
    )
    assert v.status == Status.PENDING and v.user.is_active
    with pytest.raises(PermissionDenied):
        services.volunteer_decide(actor=world.county_viewer, volunteer=v, approve=True)
    with pytest.raises(ValidationError):
        services.volunteer_decide(actor=world.village_head, volunteer=v, approve=False)
    services.volunteer_decide(actor=world.village_head, volunteer=v, approve=True)
    v.refresh_from_db()
    assert v.status == Status.ACTIVE and v.decided_by == world.village_head


def test_registration_needs_consent_and_a_guardian_for_minors(world):
    with pytest.raises(ValidationError) as err:
        factories.volunteer(world.village_head, world.village, consent=False)
    assert "consent" in err.value.message_dict
    minor = factories.id_number(date(2015, 3, 1))
    with pytest.raises(ValidationError) as err:
        factories.volunteer(world.village_head, world.village, id_number=minor)
    assert "guardian_name" in err.value.message_dict
    v = factories.volunteer(
        world.village_head, world.village, id_number=minor, guardian_name="王五", guardian_consent=True
    )
    assert v.guardian_consent_at is not None


def test_a_duplicate_id_names_the_site_only_to_those_who_see_it(world):
    number = factories.id_number()
    factories.volunteer(world.village_head, world.village, id_number=number)
    with pytest.raises(ValidationError) as err:
        factories.volunteer(world.county_manager, world.village2, id_number=number)
    assert "东坪村" in err.value.message_dict["id_number"][0]
    with pytest.raises(ValidationError) as err:
        services.volunteer_register(
            actor=None,
            home_site=world.village2,
            real_name="某人",
            id_number=number,
            **factories.proven_phone(),
            consent=True,
            password="long-enough-pass-42",
        )
    message = err.value.message_dict["id_number"][0]
    assert "东坪村" not in message and "station" in message


def test_a_phone_is_shared_by_at_most_three(world):
    shared = factories.phone()
    for _ in range(3):
        factories.volunteer(world.village_head, world.village, phone=shared)
    with pytest.raises(ValidationError) as err:
        factories.volunteer(world.village_head, world.village, phone=shared)
    assert "phone" in err.value.message_dict


def test_login_by_a_shared_phone_opens_the_login_whose_password_matches(world):
    shared = factories.phone()
    a = services.volunteer_register(
        actor=None, home_site=world.village, real_name="甲", id_number=factories.id_number(),
        **factories.proven_phone(shared), consent=True, password="long-enough-pass-42",
    )  # fmt: skip
    assert authenticate(username=shared, password="long-enough-pass-42") == a.user
    factories.time_passes()
    b = services.volunteer_register(
        actor=None, home_site=world.village, real_name="乙", id_number=factories.id_number(),
        **factories.proven_phone(shared), consent=True, password="long-enough-pass-43",
    )  # fmt: skip
    assert authenticate(username=shared, password="long-enough-pass-42") == a.user
    assert authenticate(username=shared, password="long-enough-pass-43") == b.user
    assert authenticate(username=a.id_number, password="long-enough-pass-42") == a.user


def test_a_roster_person_claims_a_login_confirmed_by_the_station(world):
    v = factories.volunteer(world.village_head, world.village)
    with pytest.raises(ValidationError):
        services.login_claim_request(id_number=v.id_number, phone="13999999999", password="long-enough-pass-42")
    services.login_claim_request(id_number=v.id_number, phone=v.phone, password="long-enough-pass-42")
    v.refresh_from_db()
    assert v.user is not None and not v.user.is_active
    assert authenticate(username=v.id_number, password="long-enough-pass-42") is None
    services.login_claim_confirm(actor=world.village_head, volunteer=v)
    assert authenticate(username=v.id_number, password="long-enough-pass-42") == v.user


def test_withdrawal_keeps_the_record_but_not_in_lists(world):
    v = factories.volunteer(world.village_head, world.village)
    services.volunteer_set_status(actor=world.village_head, volunteer=v, status=Status.WITHDRAWN)
    assert Volunteer.objects.filter(pk=v.pk).exists()
    assert not Volunteer.objects.listed().filter(pk=v.pk).exists()


def test_anonymising_erases_personal_fields(world):
    v = services.volunteer_register(
        actor=None, home_site=world.village, real_name="赵六", id_number=factories.id_number(),
        **factories.proven_phone(), consent=True, password="long-enough-pass-42",
    )  # fmt: skip
    user = v.user
    services.volunteer_anonymise(actor=world.township_head, volunteer=v)
    v.refresh_from_db()
    user.refresh_from_db()
    assert v.id_number is None and v.phone == "" and v.real_name != "赵六"
    assert v.anonymised_at is not None and not user.is_active and v.user is None


def test_who_may_see_the_number_whole(world):
    v = factories.volunteer(world.village_head, world.village)
    rows = {
        persona: Volunteer.objects.with_unmask(user).filter(pk=v.pk).values_list("can_unmask", flat=True).first()
        for persona, user in world.personas.items()
    }
    assert rows == {
        "admin": True,
        "county_manager": True,
        "county_viewer": False,
        "township_head": True,
        "village_head": True,
        "volunteer": False,
        "outsider": False,
    }


def test_team_leaders_decide_join_requests(world):
    team = services.team_create(actor=world.county_manager, site=world.village, name="东坪村文艺小分队", kind="squad")
    leader = factories.volunteer(world.village_head, world.village)
    services.login_claim_request(id_number=leader.id_number, phone=leader.phone, password="long-enough-pass-42")
    services.login_claim_confirm(actor=world.village_head, volunteer=leader)
    leader.refresh_from_db()
    services.team_set_leader(actor=world.village_head, team=team, volunteer=leader)
    joiner = factories.volunteer(world.village_head, world.village)
    membership = services.membership_request(actor=world.village_head, volunteer=joiner, team=team)
    with pytest.raises(PermissionDenied):
        services.membership_decide(actor=world.outsider, membership=membership, approve=True)
    services.membership_decide(actor=leader.user, membership=membership, approve=True)
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.ACTIVE
    assert Membership.objects.filter(team=team, status="active").count() == 2
    with pytest.raises(ValidationError):
        services.membership_request(actor=world.village_head, volunteer=joiner, team=team)


def test_team_tree_under_the_county_corps(world):
    corps = services.team_create(actor=world.county_manager, site=world.county, name="县志愿服务总队", kind="corps")
    squad = services.team_create(
        actor=world.county_manager, site=world.village, name="东坪村小分队", kind="squad", parent=corps
    )
    assert squad.get_ancestors().get() == corps
    with pytest.raises(ValidationError):
        services.team_create(actor=world.admin, site=world.elsewhere_township, name="外队", kind="squad", parent=corps)
    assert Team.objects.restrict(world.township_head).filter(pk=squad.pk).exists()
    assert not Team.objects.restrict(world.township_head).filter(pk=corps.pk).exists()


def test_a_village_shows_its_teams_against_the_seven_asked(world):
    from civic.figures import site_figures

    for i in range(7):
        services.team_create(actor=world.village_head, site=world.village, name=f"第{i + 1}小分队", kind="squad")
    figures = {f.key: f for f in site_figures([world.village, world.village2])[world.village.pk]}
    assert (figures["teams"].value, figures["teams"].ok) == (7, True)
    other = {f.key: f for f in site_figures([world.village2])[world.village2.pk]}
    assert (other["teams"].value, other["teams"].ok) == (0, False)
    assert "teams" not in {f.key for f in site_figures([world.township])[world.township.pk]}


def test_the_decision_on_a_registration_is_texted_after_it_commits(world, settings, django_capture_on_commit_callbacks):
    from civic.sms import MemorySender

    settings.CIVIC_SMS_BACKEND = "civic.sms.MemorySender"
    MemorySender.outbox.clear()
    v = services.volunteer_register(
        actor=None, home_site=world.village, real_name="周九", id_number=factories.id_number(),
        **factories.proven_phone(), consent=True, password="long-enough-pass-42",
    )  # fmt: skip
    MemorySender.outbox.clear()  # the code that proved the phone
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.volunteer_decide(actor=world.village_head, volunteer=v, approve=True)
    assert MemorySender.outbox == []  # nothing is sent before the commit
    for callback in callbacks:
        callback()
    assert MemorySender.outbox == [
        (v.phone, "Your volunteer registration at 东坪村 Civilization Practice Point is approved.")
    ]
