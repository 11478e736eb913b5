"""The API answers as its schema says: schemathesis generates requests for every operation of
``/api/schema/`` (valid and invalid ones) as a county manager, a township head and an
anonymous visitor, and every answer must be documented and fit its schema; no server error.

It runs against the WSGI application in the test database. Each generated request runs in a
savepoint that is rolled back, so every request meets the same seeded rows (ids 1 … N exist)
and nothing it writes outlives it; generation is derandomized, so every run sends the same
requests.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from datetime import date

import pytest
import schemathesis
from django.apps import apps
from django.core.management.color import no_style
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection, transaction
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from civic.wsgi import application
from points import services as points_services
from tests import factories
from volunteers import services as volunteer_services

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 6  # per operation, persona and mode (valid / invalid data)
MIN_REQUESTS = 1000
# Valid requests name rows that exist: these ids (path, query, body) are folded into 1 … SPREAD.
REFERENCES = {"id", "goods", "home_site", "owner", "parent", "platform", "site", "skill", "skills", "source_group"}
REFERENCES |= {"standard_set", "subtree", "team", "volunteer"}
SPREAD = 8


def _aimed(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return 1 + abs(value) % SPREAD
    if isinstance(value, list):
        return [_aimed(item) for item in value]
    return value


def aim(case):
    """A valid case whose references point at seeded rows, so that writes get past the lookup."""
    for part in (case.path_parameters, case.query, case.body):
        if isinstance(part, dict):
            for key in REFERENCES & set(part):
                part[key] = _aimed(part[key])
    return case


@contextmanager
def in_test_transaction():
    """Serve requests through the WSGI handler inside the test's transaction: as Django's
    test client does, keep ``close_old_connections`` from closing the connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(request, settings, tmp_path):
    """The test world and a few rows of everything, numbered from 1 where the tables are empty."""
    settings.MEDIA_ROOT = tmp_path
    request.getfixturevalue("db")
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True)):
            cursor.execute(sql)
    world = request.getfixturevalue("world")
    people = [
        factories.volunteer_with_login(world.admin, site, name=name)
        for site, name in [(world.village, "钱七"), (world.township, "赵六"), (world.village2, "孙八")]
    ]
    for i, person in enumerate(people):
        factories.credit(world.admin, person, f"seed:{i}", 3 + i, day=date(2025, 3, 1))
    team = volunteer_services.team_create(actor=world.admin, site=world.township, name="甲镇支队", kind="detachment")
    volunteer_services.membership_request(actor=world.admin, volunteer=people[0], team=team)
    goods = factories.stocked_goods(world.admin, world.township)
    points_services.goods_create(actor=world.admin, site=world.village, name="雨伞", price=5, photo=factories.png())
    points_services.redeem(actor=people[0].user, goods=goods, quantity=1)
    points_services.certificate_issue(
        actor=world.county_manager, volunteer=people[0], period_start=date(2025, 1, 1), period_end=date(2025, 12, 31)
    )
    return world


def test_every_answer_of_the_api_fits_its_schema(seeded, request, capsys):
    world = seeded
    personas = {
        "county_manager": {"Authorization": f"Token {Token.objects.create(user=world.county_manager).key}"},
        "township_head": {"Authorization": f"Token {Token.objects.create(user=world.township_head).key}"},
        "anonymous": {},
    }
    sent = 0
    failures: list[str] = []
    started = time.monotonic()
    with in_test_transaction():
        schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
        operations = [result.ok() for result in schema.get_all_operations()]

        def fuzz(operation, mode: GenerationMode, persona: str) -> None:
            strategy = operation.as_strategy(generation_mode=mode)
            if mode is GenerationMode.POSITIVE:
                strategy = strategy.map(aim)

            @given(case=strategy)
            @hypothesis_settings(
                max_examples=EXAMPLES,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            def one(case):
                nonlocal sent
                sent += 1
                with transaction.atomic():
                    try:
                        case.call_and_validate(headers=personas[persona], checks=CHECKS)
                    except FailureGroup as exc:
                        failures.append(f"{persona}, {mode.value} data, {operation.label}:\n{exc}")
                    finally:
                        transaction.set_rollback(True)

            try:
                one()
            except Unsatisfiable:
                pass  # nothing to make invalid (an operation without parameters or body)

        for persona in personas:
            for operation in operations:
                for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                    fuzz(operation, mode, persona)
    seconds = time.monotonic() - started
    summary = (
        f"schemathesis: {len(operations)} operations, {sent} requests as {len(personas)} personas, "
        f"{len(failures)} failures, {seconds:.0f} s"
    )
    request.node.user_properties.append(("schemathesis", summary))
    with capsys.disabled():
        print(f"\n{summary}")
    assert not failures, summary + "\n\n" + "\n\n".join(failures[:20])
    assert sent >= MIN_REQUESTS, summary
