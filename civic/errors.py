"""How refused input is answered: the 400 and 404 pages (JSON under /api/), and the one
guard against NUL bytes.

PostgreSQL cannot hold or compare text with a NUL byte (psycopg2 raises ValueError: a server
error wherever such text reaches a query). Django's and DRF's text fields refuse it, but the
URL path, the query string and form fields a view reads itself do not. ``NulGuardMiddleware``
answers every request whose path, query string or posted form fields (names and values) hold
one with 400 and a message, before any view runs; the API's parsers (``JSONParser``,
``FormParser``, ``MultiPartParser``, the project's DRF defaults) refuse a body that holds one
anywhere, keys included, with the same message. Django cleans the names of uploaded files.
"""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views import defaults
from rest_framework import exceptions, parsers

from .views import NOT_FOUND

API_PREFIX = "/api/"
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


class RefusedInput(BadRequest):
    """A 400 whose message is meant for the person who sent the request."""


def is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def bad_request(request, exception=None, template_name="400.html"):
    """The 400 answer (``handler400``): the message of a ``RefusedInput``, a plain one otherwise."""
    if isinstance(exception, RefusedInput) and exception.args:
        message = str(exception.args[0])
    else:
        message = _("The request could not be read.")
    if is_api(request):
        return JsonResponse({"detail": message}, status=400)
    return render(request, template_name, {"message": message}, status=400)


def not_found(request, exception=None):
    """The 404 answer (``handler404``): JSON under /api/ with the refusal's message (an
    address no route matches says what a refused id says), the page elsewhere."""
    if is_api(request):
        return JsonResponse({"detail": str(NOT_FOUND)}, status=404)
    return defaults.page_not_found(request, exception)


def nul_message() -> str:
    return _("The request contains a NUL character, which no field accepts.")


def holds_nul(data) -> bool:
    """Whether ``data`` (text, a QueryDict, or parsed JSON) holds a NUL byte, in keys too."""
    if isinstance(data, str):
        return "\x00" in data
    if hasattr(data, "lists"):  # a QueryDict: every value of every key
        return any(holds_nul(key) or holds_nul(values) for key, values in data.lists())
    if isinstance(data, dict):
        return any(holds_nul(key) or holds_nul(value) for key, value in data.items())
    if isinstance(data, (list, tuple)):
        return any(holds_nul(value) for value in data)
    return False


def request_holds_nul(request) -> bool:
    """Whether the request's path, query string or posted form holds a NUL byte."""
    if "\x00" in request.path_info:
        return True
    query = request.META.get("QUERY_STRING", "")
    if "%00" in query or "\x00" in query:
        return True
    return request.method == "POST" and request.content_type in _FORMS and holds_nul(request.POST)


class NulGuardMiddleware:
    """Refuse (400) any request that brings a NUL byte in its path, query or form."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request_holds_nul(request):
            return bad_request(request, RefusedInput(nul_message()))
        return self.get_response(request)


class _NulFree(parsers.BaseParser):
    """A DRF parser that refuses (400) a body holding a NUL byte anywhere (mixed in before
    the parser it guards)."""

    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        if holds_nul(getattr(parsed, "data", parsed)):
            raise exceptions.ParseError(nul_message())
        return parsed


class JSONParser(_NulFree, parsers.JSONParser):
    pass


class FormParser(_NulFree, parsers.FormParser):
    pass


class MultiPartParser(_NulFree, parsers.MultiPartParser):
    pass
