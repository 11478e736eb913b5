"""Pinyin for searching places by sound and initials (西乡县 → "xixiangxian xxx")."""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin


@lru_cache(maxsize=8192)
def _syllables(text: str) -> tuple[str, ...]:
    return tuple(lazy_pinyin(text, style=Style.NORMAL, errors="default"))


def pinyin_for(*names: str) -> str:
    """Full pinyin and initials of each distinct name, lower-case, space separated."""
    parts: list[str] = []
    for name in dict.fromkeys(n for n in names if n):
        syllables = _syllables(name)
        parts.append("".join(syllables).lower())
        parts.append("".join(s[0] for s in syllables if s).lower())
    return " ".join(dict.fromkeys(parts))[:400]
