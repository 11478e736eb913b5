"""Ids from the outside world (URLs, query strings, request bodies), parsed once."""

from __future__ import annotations

BIGINT_MAX = 2**63 - 1


def parse_id(value) -> int | None:
    """``value`` as a row id, or None unless it is a whole number written in ASCII digits
    (or an int) within PostgreSQL's bigint range: "12" → 12; "AAA", "²", "-1", "1.0",
    "99999999999999999999" → None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= BIGINT_MAX else None
    if not isinstance(value, str) or not value.isascii() or not value.isdigit() or len(value) > 19:
        return None
    number = int(value)
    return number if number <= BIGINT_MAX else None
