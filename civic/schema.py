"""The API schema (drf-spectacular): every operation documents the errors it can answer.

Any request can be refused with a message: 400 for input that does not fit (a form field, a
filter, a NUL byte, a page that is no number), 403 for a login that may not do it, 404 for
what lies outside the user's reach, 429 when a rate limit is reached. Their bodies share one
shape, ``Error``: ``detail`` (a message, or a list of them) and, for invalid input, the
messages of each field by its name. ``AutoSchema`` adds these answers to every operation that
does not describe them itself; it is the project's ``DEFAULT_SCHEMA_CLASS``.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

ERROR_ANSWERS = {
    "400": _("The request does not fit: a message, or the messages of each field by its name."),
    "403": _("Not allowed: log in, or this login may not do it."),
    "404": _("Not found, or outside your area."),
    "429": _("Too many requests: try again later."),
}


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]})
class MessagesField(serializers.Field):
    """A message, or a list of messages."""

    def to_representation(self, value):
        return value


class ErrorSerializer(serializers.Serializer):
    """The body of every refusal. Invalid input adds one entry per field: its list of messages."""

    detail = MessagesField(required=False, help_text=_("Why the request was refused."))


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's AutoSchema, with the error answers of every operation."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, description in ERROR_ANSWERS.items():
            if code not in responses:
                answer = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                responses[code] = {**answer, "description": description}
        return responses
