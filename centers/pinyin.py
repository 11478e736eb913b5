"""Pinyin for searching places by sound and initials (西乡县 → "xixiangxian xxx")."""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style, lazy_pinyin
from pypinyin.constants import RE_HANS
from pypinyin.seg import mmseg
from pypinyin.seg.simpleseg import seg as pypinyin_seg


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


class PinyinCache:
    """``centers.pinyin.pinyin_for`` for many names at once, with the same output.

    pypinyin cuts a text into words (runs of Han characters, each cut by its phrase
    dictionary) and converts each word on its own, so caching the conversion per word
    gives the very same syllables; only the cutting is left to do per name.
    """

    MAX_TEXTS = 100_000  # cached name tails; beyond this the cache starts again (bounds memory)

    def __init__(self):
        self._words: dict[str, tuple[str, str]] = {}
        self._texts: dict[str, tuple[str, str]] = {}

    def _word(self, word: str) -> tuple[str, str]:
        found = self._words.get(word)
        if found is None:
            syllables = lazy_pinyin(word, style=Style.NORMAL, errors="default")
            found = self._words[word] = ("".join(syllables).lower(), "".join(s[0] for s in syllables if s).lower())
        return found

    def _han(self, text: str) -> tuple[str, str]:
        """Full pinyin and initials of a run of Han characters. pypinyin cuts it by forward
        maximum matching; once it has cut the first word off a text that is no phrase
        prefix, it goes on with the rest exactly as with a text of its own, so the rest
        comes from the cache (place names share many endings)."""
        found = self._texts.get(text)
        if found is not None:
            return found
        if text in mmseg.p_set:  # it could still grow into a phrase: let pypinyin cut it whole
            pairs = [self._word(word) for word in mmseg.seg.cut(text)]
            found = ("".join(p[0] for p in pairs), "".join(p[1] for p in pairs))
        else:
            first = next(mmseg.seg.cut(text))
            full, initials = self._word(first)
            if len(first) < len(text):
                rest_full, rest_initials = self._han(text[len(first) :])
                full, initials = full + rest_full, initials + rest_initials
            found = (full, initials)
        if len(self._texts) > self.MAX_TEXTS:
            self._texts.clear()
        self._texts[text] = found
        return found

    def _syllables(self, text: str) -> tuple[str, str]:
        if RE_HANS.match(text):
            return self._han(text)
        pairs = [self._word(word) for word in pypinyin_seg(text)]
        return "".join(p[0] for p in pairs), "".join(p[1] for p in pairs)

    def __call__(self, name: str, short_name: str) -> str:
        full, initials = self._syllables(name)
        if short_name == name or not short_name:
            parts: tuple[str, ...] = (full, initials)
        else:
            parts = (full, initials, *self._syllables(short_name))
        return " ".join(dict.fromkeys(parts))[:400]
