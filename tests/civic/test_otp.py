"""One-time codes by text message (civic.otp): texted after the commit, used once, a few tries,
expiring, rate-limited per phone and per address, stored as digests and never logged in clear;
the console sender logs phones masked."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from civic import otp, sms
from civic.models import OneTimeCode
from civic.sms import ConsoleSender, MemorySender
from tests import factories

pytestmark = pytest.mark.django_db
PHONE = "13700001234"


class BrokenSender:
    """A provider that fails (its failure is logged, the phone masked)."""

    def send(self, phone: str, text: str) -> None:
        raise RuntimeError("provider down")


def send(django_capture_on_commit_callbacks, phone=PHONE, purpose="register", address="10.0.0.1") -> str:
    with django_capture_on_commit_callbacks(execute=True):
        otp.otp_send(purpose, phone, address)
    return factories.sent_code(phone)


def error_code(exc_info) -> str:
    return exc_info.value.error_list[0].code


def test_a_code_is_texted_after_the_commit_and_works_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        otp.otp_send("register", PHONE, "10.0.0.1")
    assert MemorySender.outbox == [] and len(callbacks) == 1
    callbacks[0]()
    code = factories.sent_code(PHONE)
    assert "10 minutes" in MemorySender.outbox[-1][1]
    otp.otp_check("register", PHONE, code)
    with pytest.raises(ValidationError) as err:
        otp.otp_check("register", PHONE, code)
    assert error_code(err) == "otp_expired"


def test_a_code_proves_one_phone_for_one_purpose(django_capture_on_commit_callbacks):
    code = send(django_capture_on_commit_callbacks)
    for purpose, phone in (("order", PHONE), ("register", "13700005678")):
        with pytest.raises(ValidationError):
            otp.otp_check(purpose, phone, code)
    otp.otp_check("register", PHONE, code)


def test_wrong_codes_count_and_the_fifth_ends_the_code(django_capture_on_commit_callbacks):
    code = send(django_capture_on_commit_callbacks)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    with pytest.raises(ValidationError) as err:
        otp.otp_check("register", PHONE, "")
    assert error_code(err) == "otp_missing"
    for _n in range(otp.TRIES):
        with pytest.raises(ValidationError) as err:
            otp.otp_check("register", PHONE, wrong)
        assert error_code(err) == "otp_wrong"
    with pytest.raises(ValidationError) as err:
        otp.otp_check("register", PHONE, code)
    assert error_code(err) == "otp_tries"


def test_a_code_expires_and_only_the_newest_counts(django_capture_on_commit_callbacks):
    first = send(django_capture_on_commit_callbacks)
    factories.time_passes()
    second = send(django_capture_on_commit_callbacks)
    if first != second:
        with pytest.raises(ValidationError):
            otp.otp_check("register", PHONE, first)
    factories.time_passes(otp.LIFETIME)
    with pytest.raises(ValidationError) as err:
        otp.otp_check("register", PHONE, second)
    assert error_code(err) == "otp_expired"


def test_codes_are_limited_per_phone_and_per_address(django_capture_on_commit_callbacks):
    send(django_capture_on_commit_callbacks)
    with pytest.raises(otp.CodeRateLimited) as err:
        otp.otp_send("register", PHONE, "10.0.0.2")
    assert 0 < err.value.wait <= 60 and "wait a minute" in err.value.messages[0]
    for _n in range(otp.PER_PHONE_PER_HOUR - 1):
        factories.time_passes()
        send(django_capture_on_commit_callbacks)
    factories.time_passes()
    with pytest.raises(otp.CodeRateLimited) as err:
        otp.otp_send("register", PHONE, "10.0.0.3")
    assert err.value.wait == 3600
    for n in range(otp.PER_ADDRESS_PER_HOUR - otp.PER_PHONE_PER_HOUR):
        otp.otp_send("register", f"1360000{n:04d}", "10.0.0.1")
    with pytest.raises(otp.CodeRateLimited) as err:
        otp.otp_send("register", "13611112222", "10.0.0.1")
    assert "network" in err.value.messages[0]
    otp.otp_send("register", "13611112222", "10.0.0.9")  # another address may


def test_old_codes_are_deleted_a_day_later(django_capture_on_commit_callbacks):
    send(django_capture_on_commit_callbacks)
    factories.time_passes(otp.KEEP + timedelta(minutes=1))
    send(django_capture_on_commit_callbacks, phone="13700009999")
    assert OneTimeCode.objects.count() == 1


def test_neither_the_code_nor_the_phone_is_stored_or_logged_in_clear(django_capture_on_commit_callbacks, caplog):
    caplog.set_level(logging.DEBUG)
    code = send(django_capture_on_commit_callbacks, address="192.0.2.7")
    otp.otp_check("register", PHONE, code)
    row = OneTimeCode.objects.values().get()
    stored = " ".join(str(value) for value in row.values())
    assert code not in stored and PHONE not in stored and "192.0.2.7" not in stored
    assert PHONE not in caplog.text and code not in caplog.text


def test_the_console_sender_logs_the_phone_masked(settings, caplog, django_capture_on_commit_callbacks):
    caplog.set_level(logging.INFO, logger="civic.sms")
    ConsoleSender().send(PHONE, "您好")
    assert "137****1234" in caplog.text and PHONE not in caplog.text and "您好" in caplog.text

    settings.CIVIC_SMS_BACKEND = f"{__name__}.BrokenSender"
    with django_capture_on_commit_callbacks(execute=True):
        sms.send_later(PHONE, "您好")
    assert "SMS to 137****1234 failed" in caplog.text and PHONE not in caplog.text
