"""How Chinese users expect lists to be ordered: names and delegations by their pinyin (北京 before
朝阳 before 京东方 before 亦庄), not by code point; bibs and codes naturally (A2 before A10).
Pure functions, used as sort keys: SQL cannot order by pinyin, so short lists (delegations,
judges, organisations) are sorted after they are read."""
import re
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

_DIGITS = re.compile(r"(\d+)")


@lru_cache(maxsize=65536)
def pinyin_key(text: str | None) -> tuple:
    """A sort key: the pinyin without tones (heteronyms read in their phrase: 重庆 chongqing,
    长安 chang'an), then with tones, then the text itself, so that homophones keep one order.
    Letters and digits sort among the syllables as lower case; characters pypinyin does not know
    (rare ones such as 𠈌) come after, by code point."""
    text = text or ""
    plain = lazy_pinyin(text, style=Style.NORMAL, errors="default")
    toned = lazy_pinyin(text, style=Style.TONE3, errors="default")
    return (tuple(s.lower() for s in plain), tuple(s.lower() for s in toned), text)


def natural_key(code: str | None) -> tuple:
    """A bib or code with its numbers compared as numbers: A2 < A10 < B1; no bib last."""
    if not code:
        return ((2, ""),)
    return tuple((0, int(part)) if part.isdigit() else (1, part.lower()) for part in _DIGITS.split(code) if part)
