"""Limits the public volunteer pages share with their API twins (rates in CIVIC_THROTTLE_RATES)."""

from civic.throttle import Throttle


class RegistrationThrottle(Throttle):
    """Self-registration, on the page and the API."""

    scope = "volunteer_register"
    methods = ("POST",)


class RegistrationCodeThrottle(Throttle):
    """Texting the code that proves a registering phone, on the page and the API (the code
    itself is limited per phone and address by ``civic.otp`` on top of it)."""

    scope = "volunteer_register_code"
    methods = ("POST",)


class ClaimThrottle(Throttle):
    """Login claims (ID number and phone), on the page and the API."""

    scope = "volunteer_claim"
    methods = ("POST",)


class LoginThrottle(Throttle):
    """Logging in (an identifier and a password), on the page and the token endpoint, per
    address; the lockout (django-axes) counts failures per person on top of it."""

    scope = "login"
    methods = ("POST",)
