"""Pinyin for search: full syllables and initials, computed on save into indexed columns.

``pypinyin`` reads 支行 as zhī xíng; banks say zhī háng. The phrase fixes below are loaded once.
"""

from __future__ import annotations

import re
from functools import lru_cache

_NON_WORD = re.compile(r"[^0-9a-z]+")
_PHRASE_FIXES = {
    "支行": [["zhī"], ["háng"]],
    "分行": [["fēn"], ["háng"]],
    "总行": [["zǒng"], ["háng"]],
    "银行": [["yín"], ["háng"]],
    "农行": [["nóng"], ["háng"]],
    "建行": [["jiàn"], ["háng"]],
    "工行": [["gōng"], ["háng"]],
    "中行": [["zhōng"], ["háng"]],
    "农商行": [["nóng"], ["shāng"], ["háng"]],
    "重庆": [["chóng"], ["qìng"]],
    "长寿": [["cháng"], ["shòu"]],
    "分理处": [["fēn"], ["lǐ"], ["chù"]],
    "储蓄所": [["chǔ"], ["xù"], ["suǒ"]],
    "大厦": [["dà"], ["shà"]],
}


@lru_cache(maxsize=1)
def _load() -> None:
    from pypinyin import load_phrases_dict

    load_phrases_dict(_PHRASE_FIXES)


def syllables(text: str) -> list[str]:
    """Toneless syllables; non-Chinese runs (digits, latin) pass through lower-cased."""
    from pypinyin import Style, lazy_pinyin

    _load()
    return [s.lower() for s in lazy_pinyin(text or "", style=Style.NORMAL, errors="default")]


def full(text: str) -> str:
    """``中国工商银行`` → ``zhongguogongshangyinhang`` (for ``contains`` search)."""
    return _NON_WORD.sub("", "".join(syllables(text)))


def initials(text: str) -> str:
    """``中国工商银行`` → ``zggsyh``; latin words keep their first letter, digits are kept whole."""
    out = []
    for s in syllables(text):
        s = _NON_WORD.sub("", s)
        if not s:
            continue
        out.append(s if s.isdigit() else s[0])
    return "".join(out)
