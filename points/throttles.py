"""Limits the certificate check's page and API share (rates in CIVIC_THROTTLE_RATES)."""

from civic.throttle import Throttle


class CertificateVerifyThrottle(Throttle):
    """Looking a certificate up by its code, on /verify/ and the API."""

    scope = "certificate_verify"
