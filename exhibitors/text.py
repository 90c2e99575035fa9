"""Text folding for search: lower case, no diacritics, identical on every database."""

from __future__ import annotations

import re
import unicodedata

_EXTRA = str.maketrans({"đ": "d", "Đ": "d", "ı": "i", "ł": "l", "Ł": "l", "ø": "o", "Ø": "o"})
_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """``"Cơ khí CHÍNH XÁC, Đồng Nai"`` → ``"co khi chinh xac, dong nai"``.

    NFKD splits letters from their combining marks, which are then dropped; ``đ`` has no
    decomposition and is mapped by hand. Used both when storing ``Company.search_text`` and
    when reading a query, so the match is the same on PostgreSQL and SQLite.
    """
    decomposed = unicodedata.normalize("NFKD", (text or "").translate(_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped.lower()).strip()


def query_words(query: str, *, limit: int = 8) -> list[str]:
    """The distinct folded words of a search query (at most ``limit``)."""
    words: list[str] = []
    for word in fold(query).split(" "):
        if word and word not in words:
            words.append(word)
    return words[:limit]
