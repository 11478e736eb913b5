"""One reading of ids from a request (civic.ids): ASCII digits only, 1 … 2⁶³−1, else no id."""

from __future__ import annotations

import pytest
from django import forms
from django.test import RequestFactory
from rest_framework import serializers

from civic.ids import MAX_ID, IdField, IdSerializerField, is_digits, parse_id, query_id, query_int


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1),
        ("0042", 42),
        (7, 7),
        (str(MAX_ID), MAX_ID),
        ("²", None),  # isdigit() says yes, int() refuses it
        ("١٢", None),  # int() would read 12
        ("①", None),
        ("0", None),
        (0, None),
        ("-3", None),
        (-3, None),
        ("+3", None),
        (" 3", None),
        ("3.0", None),
        ("1e3", None),
        ("AAA", None),
        ("", None),
        (None, None),
        (True, None),
        (3.0, None),
        (str(MAX_ID + 1), None),
        (MAX_ID + 1, None),
        ("9" * 5000, None),  # past Python's limit for int() of a string
        ("\x00", None),
        (["1"], None),
    ],
)
def test_parse_id_reads_only_ascii_digits_within_a_bigint(value, expected):
    assert parse_id(value) == expected


def test_is_digits_is_ascii_only():
    assert is_digits("990101")
    assert not is_digits("99010²")
    assert not is_digits("")
    assert not is_digits(None)


def test_query_helpers_read_the_request():
    request = RequestFactory().get("/", {"site": "12", "bad": "²", "page": "9999999", "neg": "-2", "huge": "9" * 40})
    assert query_id(request, "site") == 12
    assert query_id(request, "bad") is None
    assert query_id(request, "missing") is None
    assert query_int(request, "page", default=1, lo=1, hi=500) == 500
    assert query_int(request, "neg", default=1, lo=1, hi=500) == 1
    assert query_int(request, "huge", default=1, lo=1, hi=500) == 1
    assert query_int(request, "bad", default=3, lo=1, hi=500) == 3


def test_the_form_and_api_fields_refuse_what_is_no_id():
    class Form(forms.Form):
        site = IdField(required=False)

    assert Form({"site": "5"}).is_valid()
    assert Form({"site": ""}).is_valid()
    for bad in ("²", "0", "-1", "1.5", str(MAX_ID + 1)):
        form = Form({"site": bad})
        assert not form.is_valid() and form.errors["site"] == ["Enter a valid id."]

    class Body(serializers.Serializer):
        site = IdSerializerField()

    assert Body(data={"site": 5}).is_valid() and Body(data={"site": "5"}).is_valid()
    for bad in ("²", 0, True, 2**64, "x"):
        body = Body(data={"site": bad})
        assert not body.is_valid() and "site" in body.errors
