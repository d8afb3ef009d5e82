"""Text normalised once, in Python, for both indexing and querying.

SQLite's FTS5 and PostgreSQL's `tsvector` tokenise, fold and stem differently (PostgreSQL's
`english` drops stop words, FTS5 keeps them; a hyphen is a column filter to FTS5). So neither
database sees raw text: both index the same list of tokens made here, and a query is made of the
same tokens, so they match the same articles.

Rules: Unicode NFKD with accents dropped, case folded, words are runs of letters and digits, each
Chinese, Japanese or Korean character is a word of its own (neither database segments those),
English words are stemmed (Snowball), and a code such as ``E-42`` or ``SKF-6205`` is indexed
whole (``e42``) and by its parts (``e``, ``42``) so either spelling finds it.

>>> tokens("Bearing noise, pump P-101 vibrates")
['bear', 'nois', 'pump', 'p101', 'p', '101', 'vibrat']
>>> tokens("Café crème")
['cafe', 'creme']
>>> tokens("电梯困人")
['电', '梯', '困', '人']
>>> parse_query('bearing -grease "E-42"')
Query(all_of=('bear', 'e42'), none_of=('greas',))
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

# A letter or digit run, or one CJK ideograph / kana / hangul syllable.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_WORD = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")
# Words joined by hyphens, dots or slashes with at least one digit: part numbers, fault codes.
_CODE = re.compile(r"[^\W_]+(?:[-./][^\W_]+)+")
_STEMMER = snowballstemmer.stemmer("english")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=65_536)
def _stem(word: str) -> str:
    if not word.isascii() or word.isdigit():
        return word
    stem: str = _STEMMER.stemWord(word)
    return stem


def tokens(text: str) -> list[str]:
    """The index tokens of a text, in order (repeats kept: they count in the ranking)."""
    folded = _fold(text)
    out: list[str] = []
    codes = {m.start(): m for m in _CODE.finditer(folded) if any(c.isdigit() for c in m[0])}
    for match in _WORD.finditer(folded):
        code = codes.pop(match.start(), None)
        if code is not None:
            out.append(re.sub(r"[-./]", "", code[0]))
        out.append(_stem(match[0]))
    return out


def index_text(*parts: str | None) -> str:
    """What the full-text index stores: the tokens of every part, separated by spaces."""
    return " ".join(t for part in parts if part for t in tokens(part))


@dataclass(frozen=True)
class Query:
    """A keyword query: every term of ``all_of`` must appear, none of ``none_of``."""

    all_of: tuple[str, ...]
    none_of: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.all_of


def parse_query(text: str) -> Query:
    """Keywords, with ``-word`` or ``NOT word`` to exclude; quotes and other syntax are plain
    characters (a lone ``"`` must not break the search)."""
    include: list[str] = []
    exclude: list[str] = []
    negate = False
    for raw in text.split():
        if raw == "NOT":
            negate = True
            continue
        target = exclude if negate or (raw.startswith("-") and len(raw) > 1) else include
        negate = False
        words = tokens(raw.lstrip("-") if target is exclude else raw)
        # A code is searched by its joined form; its parts only widen the match.
        codes = [w for w in words if any(c.isdigit() for c in w) and not w.isdigit()]
        chosen = codes[:1] if codes and _CODE.search(_fold(raw)) else words
        target.extend(w for w in chosen if w not in target)
    return Query(tuple(include), tuple(w for w in exclude if w not in include))
