"""Supporting-industry concepts found in free text written in Vietnamese (with or without
diacritics), English, Japanese or Korean.

Pure Python (no Django). A :class:`Vocabulary` holds concepts (``die_casting``,
``zinc_nickel_plating``, ``springs``…) with their names in the four languages; :meth:`find`
returns the concepts a text names, each with the words the text used for it.

Matching rules:

- Text is normalised per character: NFKC (full-width forms), lower case, and for Latin script
  the diacritics dropped (``đ`` → ``d``); CJK and Hangul are kept as they are (NFKD would split
  ``ダ`` into ``タ`` + a mark and Hangul syllables into jamo).
- Names in Latin script match whole words (``mould`` never matches inside ``moulded``), with
  a light plural rule (``springs`` = ``spring``); names with CJK or Hangul match as substrings,
  Korean names with or without their spaces.
- The longest name wins and consumes its words; between two of the same length, a look-alike
  wins. ``spring water`` (a look-alike concept) is read before ``spring``, ``khuôn bê tông``
  (concrete moulds) before ``chế tạo khuôn``, ``射出成形用金型`` (a mould) before ``射出成形``
  (moulding).
- A name in English, Japanese or Korean never matches Latin words written with diacritics
  (``cap`` is not ``cấp`` of ``cung cấp``, "supply").
- A one-syllable Vietnamese name (its folded form is ambiguous: ``mạ`` → ``ma`` like ``mã``,
  ``nhôm`` → ``nhom`` like ``nhóm``, ``van`` like ``vẫn``) matches a text written with
  diacritics only as written, diacritics included; a text written without any is matched on
  the folded form. A longer Vietnamese name never matches a word written with *other*
  diacritics (``khuôn cắt``, cutting dies, is not ``khuôn cát``, sand moulds); a word typed
  without any still matches. Syllables compare by letters and tone, wherever the tone mark
  sits (``hoá`` = ``hóa``).
- Two names that overlap without one containing the other are both read (``chế tạo khuôn``
  and ``khuôn dập`` in ``chế tạo khuôn dập``), unless one is a look-alike, which wins, or one
  is broader than the other, which gives way (only the stamping die is read there).
- English spellings are one: British and American forms (``mould`` = ``mold``,
  ``aluminium`` = ``aluminum``, ``-ise`` = ``-ize``) read alike in names and texts, and an
  English name ending in ``-ing`` also matches its ``-ed`` form (``powder coating`` →
  ``powder coated``).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

LANGUAGES = ("en", "vi", "ja", "ko")
DATA_FILE = Path(__file__).resolve().parent / "vocabulary" / "concepts.json"

# Kinds of concept and how much each weighs in a need (see recommend.py).
KIND_WEIGHTS = {
    "process": 1.0,
    "product": 0.8,
    "material": 0.3,
    "industry": 0.25,
    "cert": 0.0,
    "other": 0.0,
}

_EXTRA = {"đ": "d", "ı": "i", "ł": "l", "ø": "o"}
_TOKEN = re.compile(r"[a-z0-9]+")
# Vietnamese tone marks (combining): a syllable's tone, apart from its letters.
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
# British → American spellings, applied alike to names and texts (word starts).
_SPELLING = (
    ("mould", "mold"),
    ("aluminium", "aluminum"),
    ("colour", "color"),
    ("fibre", "fiber"),
    ("centre", "center"),
    ("metre", "meter"),
    ("tyre", "tire"),
    ("grey", "gray"),
    ("labell", "label"),
    ("jewellery", "jewelry"),
    ("sulph", "sulf"),
)
_ISE = re.compile(r"(is)(e|es|ed|er|ers|ing|ation|ations)$")


def _is_wide(ch: str) -> bool:
    """CJK ideographs, kana and Hangul: kept as they are, matched as substrings."""
    o = ord(ch)
    return (
        0x3040 <= o <= 0x30FF  # kana
        or 0x3400 <= o <= 0x9FFF  # CJK ideographs
        or 0xAC00 <= o <= 0xD7AF  # Hangul syllables
        or 0x1100 <= o <= 0x11FF  # Hangul jamo
        or 0x3130 <= o <= 0x318F  # Hangul compatibility jamo
        or 0xF900 <= o <= 0xFAFF
    )


def is_wide(ch: str) -> bool:
    return _is_wide(ch)


@dataclass
class Normalised:
    """A text normalised for matching, with the offset of each character in the original."""

    original: str
    text: str  # folded Latin, wide characters as they are
    accented: str  # the same, but Latin letters keep their diacritics (lower case, NFC)
    origin: list[int]
    has_diacritics: bool


@cache
def _char(raw: str) -> tuple[tuple[tuple[str, str], ...], bool]:
    """One original character: its (folded, accented) output characters, and whether it had
    diacritics. Cached: a fair's texts use a few hundred distinct characters."""
    out: list[tuple[str, str]] = []
    marked = False
    for ch in unicodedata.normalize("NFKC", raw):
        if _is_wide(ch):
            out.append((ch, ch))
            continue
        low = ch.lower()
        if low in _EXTRA:
            marked = True
            out.append((_EXTRA[low], low))
            continue
        base = "".join(
            c for c in unicodedata.normalize("NFKD", low) if not unicodedata.combining(c)
        )
        if base != low:
            marked = True
        accented = unicodedata.normalize("NFC", low) if len(base) == 1 else None
        for b in base:
            out.append((b, accented or b))
    return tuple(out), marked


def normalise(text: str) -> Normalised:
    out: list[str] = []
    acc: list[str] = []
    origin: list[int] = []
    marked = False
    for i, raw in enumerate(text or ""):
        chars, had = _char(raw)
        marked = marked or had
        for folded, accented in chars:
            out.append(folded)
            acc.append(accented)
            origin.append(i)
    return Normalised(text or "", "".join(out), "".join(acc), origin, marked)


@cache
def spelling(word: str) -> str:
    """One spelling for British and American forms: ``moulding`` → ``molding``,
    ``galvanising`` → ``galvanizing``, ``aluminium`` → ``aluminum``."""
    for uk, us in _SPELLING:
        if word.startswith(uk):
            word = us + word[len(uk) :]
            break
    if len(word) > 6:
        word = _ISE.sub(lambda m: "iz" + m.group(2), word)
    return word


@cache
def vi_syllable(word: str) -> tuple[str, str]:
    """A Vietnamese syllable as (letters with their marks, tone): ``hoá`` and ``hóa`` are one;
    ``cắt`` (cut) and ``cát`` (sand) are not."""
    decomposed = unicodedata.normalize("NFD", word)
    tone = "".join(sorted(c for c in decomposed if c in _TONES))
    letters = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    return letters, tone


def plural(word: str) -> str:
    """``springs`` → ``spring``, ``presses`` → ``press``, ``assemblies`` → ``assembly``."""
    if len(word) <= 3 or not word.endswith("s") or word.isdigit():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if word.endswith(("ss", "us", "is")):
        return word
    return word[:-1]


@dataclass
class Token:
    word: str  # folded, singular
    word_raw: str  # folded, as written
    accented: str
    start: int  # offsets in the normalised text
    end: int


def tokens(n: Normalised) -> list[Token]:
    return [
        Token(
            plural(spelling(m.group())),
            m.group(),
            n.accented[m.start() : m.end()],
            m.start(),
            m.end(),
        )
        for m in _TOKEN.finditer(n.text)
    ]


def _past_forms(words: tuple[str, ...]) -> list[tuple[str, ...]]:
    """An English name ending in ``-ing`` also as ``-ed`` (``stamping`` → ``stamped``)."""
    last = words[-1]
    if last.endswith("ing") and len(last) > 5:
        return [(*words[:-1], last[:-3] + "ed")]
    return []


@dataclass(frozen=True)
class Concept:
    code: str
    kind: str
    broader: str = ""
    names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def label(self, language: str) -> str:
        for lang in (language, "en", *LANGUAGES):
            if self.names.get(lang):
                return self.names[lang][0]
        return self.code

    @property
    def labels(self) -> dict[str, str]:
        return {lang: self.label(lang) for lang in LANGUAGES}


@dataclass
class Match:
    code: str
    start: int  # offsets in the original text
    end: int
    words: str  # the text's own words for the concept
    position: int  # order of first appearance among the text's concepts


@dataclass(frozen=True)
class _Name:
    code: str
    words: tuple[str, ...]  # Latin names: folded singular words
    accented: tuple[str, ...]  # the same words with their diacritics
    strict: bool  # one ambiguous Vietnamese syllable: needs its diacritics in accented text
    plain: bool  # not a Vietnamese name: never matches words written with diacritics


class Vocabulary:
    """Concepts and their names; :meth:`find` reads the concepts of one text."""

    def __init__(self, concepts: Iterable[Concept]) -> None:
        self.concepts: dict[str, Concept] = {c.code: c for c in concepts}
        self._latin: dict[str, list[_Name]] = {}
        self._wide: list[tuple[str, str]] = []  # (normalised name, code), longest first
        for concept in self.concepts.values():
            for lang, names in concept.names.items():
                for name in names:
                    self._add(concept.code, lang, name)
        for group in self._latin.values():
            group.sort(key=lambda n: -len(n.words))
        self._wide.sort(key=lambda x: -len(x[0]))
        # Names with CJK or Hangul, by their first character (which may be Latin: "cnc加工").
        self._wide_by_first: dict[str, list[tuple[str, str]]] = {}
        for name, code in self._wide:
            self._wide_by_first.setdefault(name[0], []).append((name, code))
        self._ancestors = {code: self._chain(code) for code in self.concepts}

    def _add(self, code: str, lang: str, name: str) -> None:
        n = normalise(name.strip())
        if not n.text:
            return
        if any(_is_wide(ch) for ch in n.text):
            text = " ".join(n.text.split())
            self._wide.append((text, code))
            if " " in text:
                self._wide.append((text.replace(" ", ""), code))
            return
        toks = tokens(n)
        if not toks:
            return
        words = tuple(t.word for t in toks)
        accented = tuple(t.accented for t in toks)
        strict = lang == "vi" and len(words) == 1
        plain = lang != "vi"
        self._latin.setdefault(words[0], []).append(_Name(code, words, accented, strict, plain))
        if lang == "en":
            for form in _past_forms(words):
                self._latin.setdefault(form[0], []).append(_Name(code, form, form, False, True))

    def _chain(self, code: str) -> tuple[str, ...]:
        out: list[str] = []
        seen = {code}
        current = self.concepts[code].broader
        while current and current in self.concepts and current not in seen:
            out.append(current)
            seen.add(current)
            current = self.concepts[current].broader
        return tuple(out)

    @staticmethod
    def _accents_agree(name: _Name, window: list[Token], marked: bool) -> bool:
        """A Vietnamese name against the text's words: a word typed with diacritics must carry
        the name's (letters and tone); a word typed without any matches, except for a
        one-syllable name in a text that has diacritics elsewhere."""
        for tok, accented in zip(window, name.accented, strict=True):
            if tok.accented == tok.word_raw:  # typed without diacritics
                if name.strict and marked and accented != tok.accented:
                    return False
                continue
            if vi_syllable(tok.accented) != vi_syllable(accented):
                return False
        return True

    def _look_alike(self, code: str) -> bool:
        return self.concepts[code].kind == "other"

    def ancestors(self, code: str) -> tuple[str, ...]:
        return self._ancestors.get(code, ())

    def find(self, text: str) -> list[Match]:
        """The concepts named in ``text``, in order of appearance, longest names first."""
        n = normalise(text)
        if not n.text:
            return []
        spans: list[tuple[int, int, str]] = []  # normalised offsets
        toks = tokens(n)
        for i, tok in enumerate(toks):
            for name in self._latin.get(tok.word, ()):
                k = len(name.words)
                if i + k > len(toks):
                    continue
                window = toks[i : i + k]
                if tuple(t.word for t in window) != name.words:
                    continue
                if name.plain:
                    if any(t.accented != t.word_raw for t in window):
                        continue
                elif not self._accents_agree(name, window, n.has_diacritics):
                    continue
                spans.append((window[0].start, window[-1].end, name.code))
        text = n.text
        for start, ch in enumerate(text):
            for name, code in self._wide_by_first.get(ch, ()):
                if text.startswith(name, start):
                    spans.append((start, start + len(name), code))
        spans.sort(key=lambda s: (-(s[1] - s[0]), not self._look_alike(s[2]), s[0]))
        chosen: list[tuple[int, int, str]] = []
        for start, end, code in spans:
            alike = self._look_alike(code)
            if any(
                (s <= start and end <= e)
                or ((alike or self._look_alike(c)) and start < e and s < end)
                for s, e, c in chosen
            ):
                continue
            chosen.append((start, end, code))
        # Of two overlapping names, a broader concept gives way to the narrower one
        # (``금형 제작`` in ``다이캐스팅 금형 제작`` is the die-casting die, not moulds in general).
        chosen = [
            (start, end, code)
            for start, end, code in chosen
            if not any(
                start < e
                and s < end
                and (c == code and (s, e) < (start, end) or code in self.ancestors(c))
                for s, e, c in chosen
            )
        ]
        chosen.sort()
        out: list[Match] = []
        order: dict[str, int] = {}
        for start, end, code in chosen:
            a, b = n.origin[start], n.origin[end - 1] + 1
            order.setdefault(code, len(order))
            out.append(Match(code, a, b, n.original[a:b], order[code]))
        return out

    @classmethod
    def from_data(cls, rows: Iterable[Mapping]) -> Vocabulary:
        return cls(
            Concept(
                code=row["code"],
                kind=row.get("kind", "process"),
                broader=row.get("broader") or "",
                names={lang: tuple(row.get(lang) or ()) for lang in LANGUAGES},
            )
            for row in rows
        )


def load_data(path: Path = DATA_FILE) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["concepts"]


@cache
def default_vocabulary() -> Vocabulary:
    """The vocabulary shipped in ``vocabulary/concepts.json`` (read once per process; it is
    immutable, so the cache shares nothing that changes)."""
    return Vocabulary.from_data(load_data())
