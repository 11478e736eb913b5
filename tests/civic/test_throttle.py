"""Public forms are rate-limited per address."""

import pytest
from django.urls import reverse

from volunteers.views.public import CLAIMS_PER_HOUR


@pytest.mark.django_db
def test_too_many_login_claims_from_one_address_are_refused(client):
    url = reverse("volunteers:claim")
    data = {"id_number": "1", "phone": "2", "password": "x", "password2": "x"}
    for _ in range(CLAIMS_PER_HOUR):
        assert client.post(url, data, REMOTE_ADDR="127.0.0.2").status_code == 200
    refused = client.post(url, data, REMOTE_ADDR="127.0.0.2")
    assert refused.status_code == 429
    assert client.post(url, data, REMOTE_ADDR="127.0.0.3").status_code == 200
    assert client.get(url, REMOTE_ADDR="127.0.0.2").status_code == 200
