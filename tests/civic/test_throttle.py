"""Public pages and their API twins share one limit per client address, and proxy headers
count only as far as CIVIC_TRUSTED_PROXIES says."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from civic.net import client_address
from points.throttles import CertificateVerifyThrottle
from volunteers.throttles import ClaimThrottle

VERIFY_API = "/api/points/certificates/verify/NOSUCHCODE/"


def allowed(throttle_class) -> int:
    return throttle_class().num_requests


def verify_page():
    return reverse("verify:code", args=["NOSUCHCODE"])


# The client address --------------------------------------------------------------------


def test_the_address_ignores_forwarded_headers_by_default(settings):
    settings.CIVIC_TRUSTED_PROXIES = 0
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_address(request) == "10.0.0.9"


def test_behind_one_proxy_the_address_it_saw_counts(settings):
    settings.CIVIC_TRUSTED_PROXIES = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert client_address(request) == "203.0.113.7"
    settings.CIVIC_TRUSTED_PROXIES = 2
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7, 10.0.0.2")
    assert client_address(request) == "203.0.113.7"


def test_a_malformed_forwarded_address_falls_back_to_the_connection(settings):
    settings.CIVIC_TRUSTED_PROXIES = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="not-an-address")
    assert client_address(request) == "10.0.0.1"
    assert client_address(RequestFactory().get("/", REMOTE_ADDR="")) is None


# One limit for the page and the API ------------------------------------------------------


@pytest.mark.django_db
def test_too_many_login_claims_from_one_address_are_refused(client):
    url = reverse("volunteers:claim")
    data = {"id_number": "1", "phone": "2", "password": "x", "password2": "x"}
    for _ in range(allowed(ClaimThrottle)):
        assert client.post(url, data, REMOTE_ADDR="127.0.0.2").status_code == 200
    refused = client.post(url, data, REMOTE_ADDR="127.0.0.2")
    assert refused.status_code == 429
    assert client.post(url, data, REMOTE_ADDR="127.0.0.3").status_code == 200
    assert client.get(url, REMOTE_ADDR="127.0.0.2").status_code == 200


@pytest.mark.django_db
def test_login_claims_on_the_page_and_the_api_share_one_limit(client):
    page, api = reverse("volunteers:claim"), APIClient()
    data = {"id_number": "1", "phone": "2", "password": "x", "password2": "x"}
    half = allowed(ClaimThrottle) // 2
    for _ in range(half):
        assert client.post(page, data).status_code == 200
    for _ in range(allowed(ClaimThrottle) - half):
        assert api.post("/api/claim-login/", data).status_code == 400
    assert api.post("/api/claim-login/", data).status_code == 429
    assert client.post(page, data).status_code == 429


@pytest.mark.django_db
def test_the_certificate_check_page_is_limited_like_its_api(client):
    for _ in range(allowed(CertificateVerifyThrottle)):
        assert client.get(verify_page()).status_code == 404
    refused = client.get(verify_page())
    assert refused.status_code == 429 and "Too many attempts" in refused.content.decode()
    assert int(refused["Retry-After"]) > 0
    # ... and the API counts in the same place.
    assert APIClient().get(VERIFY_API).status_code == 429
    # The form without a code does not count.
    assert client.get(reverse("verify:form")).status_code == 200


@pytest.mark.django_db
def test_the_api_check_counts_against_the_page(client):
    api = APIClient()
    for _ in range(allowed(CertificateVerifyThrottle)):
        assert api.get(VERIFY_API).status_code == 404
    assert client.get(verify_page()).status_code == 429


# Proxy headers -------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_changing_forwarded_header_does_not_reset_the_api_limit(settings):
    settings.CIVIC_TRUSTED_PROXIES = 0
    api = APIClient()
    for n in range(allowed(CertificateVerifyThrottle)):
        assert api.get(VERIFY_API, HTTP_X_FORWARDED_FOR=f"198.51.100.{n % 250}").status_code == 404
    for n in range(10):
        assert api.get(VERIFY_API, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code == 429


@pytest.mark.django_db
def test_behind_a_proxy_the_client_before_it_is_counted(settings):
    settings.CIVIC_TRUSTED_PROXIES = 1
    api = APIClient()
    for _ in range(allowed(CertificateVerifyThrottle)):
        assert api.get(VERIFY_API, HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 404
    # The same client prefixing a made-up address is still the same client ...
    assert api.get(VERIFY_API, HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.5").status_code == 429
    # ... and another client behind the same proxy has its own count.
    assert api.get(VERIFY_API, HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 404
