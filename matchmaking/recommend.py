"""Explained buyer ↔ exhibitor recommendations, computed for a whole fair at once.

Pure Python + numpy/scipy (no Django): :func:`compute` takes plain company records and returns
the top-N of each company with a score (0–100) and reasons as codes with parameters.

Scoring (weights in :data:`WEIGHTS`, see ``docs/matchmaking.md``):

- **text**: TF-IDF cosine between the exhibitor's capabilities (+ description and key product)
  and the buyer's sourcing needs, over word unigrams + bigrams (light English stemming) and
  character 3–4-grams within words (so "die-cast" meets "die casting", "ADC12" meets "adc-12").
  Sparse matrices in scipy; IDF fitted on the fair's own texts; sublinear TF; L2-normalised.
- **sector**: Jaccard overlap of the sector sets.
- **certifications**: the share of the buyer's required certifications that the exhibitor holds.
- **languages**: at least one language in common.
- **hours**: share of the meeting grid in which both companies have someone available.
- **interest**: "must meet" / "maybe" from either side adds a bonus; "not interested" from
  either side removes the pair.

scikit-learn's ``TfidfVectorizer`` would do the vectorising, but the whole method is ~60 lines
on numpy/scipy, which the project already depends on; a 40 MB dependency is not worth it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from exhibitors.text import fold

WEIGHTS = {
    "text": 40.0,
    "sector": 20.0,
    "cert": 15.0,
    "language": 10.0,
    "hours": 10.0,
    "must": 15.0,
    "maybe": 7.0,
}
TEXT_SATURATION = 0.5  # a cosine of 0.5 already counts as a full text match

_TOKEN = re.compile(r"[a-z0-9]+")
STOP_WORDS = frozenset(
    """a an and are as at be by for from has have in into is it its of on or our that the their
    to we with you your per all any other others etc co ltd jsc inc kk corp company products
    product parts part supplier suppliers need needs looking seek seeking want wants
    engineer engineers team staff customer customers client clients hanoi vietnam viet nam
    japan japanese korea korean usa us thailand thai also can well new high quality year years
    pcs pc unit units month monthly per annual annually about up over under more most than
    such including include includes based mainly""".split()
)
_SUFFIXES = ("ings", "ing", "ed", "es", "s")


def stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


@dataclass
class CompanyRecord:
    id: int
    role: str  # "exhibitor" | "buyer"
    text: str
    sectors: frozenset[str] = frozenset()
    certs: frozenset[str] = frozenset()
    required: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    hours: np.ndarray | None = None  # bool vector over the fair's grid slots
    needs_snippet: str = ""


@dataclass
class Analysed:
    words: dict[str, int] = field(default_factory=dict)
    chars: dict[str, int] = field(default_factory=dict)


def analyse(text: str, surface: dict[str, str]) -> Analysed:
    """Word (stemmed) unigram + bigram counts and char 3–4-gram counts of one text."""
    out = Analysed()
    raw = _TOKEN.findall(fold(text))
    words: list[str] = []
    for token in raw:
        if token in STOP_WORDS or len(token) < 2 or token.isdigit():
            words.append("")  # a break: no bigram across a stop word
            continue
        stemmed = stem(token)
        surface.setdefault(stemmed, token)
        words.append(stemmed)
        padded = f" {token} "
        for n in (3, 4):
            for i in range(len(padded) - n + 1):
                gram = padded[i : i + n]
                out.chars[gram] = out.chars.get(gram, 0) + 1
    for i, word in enumerate(words):
        if not word:
            continue
        out.words[word] = out.words.get(word, 0) + 1
        if i + 1 < len(words) and words[i + 1]:
            bigram = f"{word} {words[i + 1]}"
            out.words[bigram] = out.words.get(bigram, 0) + 1
    return out


def tfidf(docs: Sequence[dict[str, int]]) -> tuple[sparse.csr_matrix, list[str]]:
    """Rows L2-normalised, sublinear TF, smooth IDF. Returns the matrix and the vocabulary."""
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for r, counts in enumerate(docs):
        for term, count in counts.items():
            c = vocab.setdefault(term, len(vocab))
            rows.append(r)
            cols.append(c)
            vals.append(1.0 + math.log(count))
    n = len(docs)
    matrix = sparse.csr_matrix(
        (np.asarray(vals, dtype=np.float64), (rows, cols)), shape=(n, max(len(vocab), 1))
    )
    df = np.bincount(np.asarray(cols, dtype=np.int64), minlength=matrix.shape[1])
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    matrix = matrix @ sparse.diags(idf)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    matrix = sparse.diags(1.0 / norms) @ matrix
    terms = [""] * len(vocab)
    for term, c in vocab.items():
        terms[c] = term
    return matrix.tocsr(), terms


def _multi_hot(sets: Sequence[frozenset[str]]) -> np.ndarray:
    codes = sorted(set().union(*sets)) if sets else []
    index = {c: i for i, c in enumerate(codes)}
    out = np.zeros((len(sets), max(len(codes), 1)), dtype=np.float32)
    for r, values in enumerate(sets):
        for v in values:
            out[r, index[v]] = 1.0
    return out


@dataclass
class Result:
    company_id: int
    other_id: int
    rank: int
    score: float
    reasons: list[dict]


def compute(
    companies: Sequence[CompanyRecord],
    *,
    interests: dict[tuple[int, int], str] | None = None,
    top_n: int = 20,
    slot_minutes: int = 30,
) -> list[Result]:
    """Top ``top_n`` exhibitors for each buyer and buyers for each exhibitor.

    ``interests`` maps ``(from_company_id, to_company_id)`` to ``must`` / ``maybe`` / ``no``.
    """
    interests = interests or {}
    buyers = [c for c in companies if c.role == "buyer"]
    exhibitors = [c for c in companies if c.role == "exhibitor"]
    if not buyers or not exhibitors:
        return []
    nb, ne = len(buyers), len(exhibitors)
    surface: dict[str, str] = {}
    analysed = [analyse(c.text, surface) for c in buyers + exhibitors]
    words, word_terms = tfidf([a.words for a in analysed])
    chars, _ = tfidf([a.chars for a in analysed])
    text = 0.6 * (words[:nb] @ words[nb:].T).toarray() + 0.4 * (chars[:nb] @ chars[nb:].T).toarray()
    text_part = np.minimum(1.0, text / TEXT_SATURATION)

    all_sectors = _multi_hot([c.sectors for c in buyers + exhibitors])
    bs, es = all_sectors[:nb], all_sectors[nb:]
    shared = bs @ es.T
    union = bs.sum(1)[:, None] + es.sum(1)[None, :] - shared
    sector_part = np.divide(shared, union, out=np.zeros_like(shared), where=union > 0)

    cert_codes = [c.required for c in buyers] + [c.certs for c in exhibitors]
    all_certs = _multi_hot(cert_codes)
    req, held = all_certs[:nb], all_certs[nb:]
    n_req = req.sum(1)[:, None]
    cert_part = np.divide(req @ held.T, n_req, out=np.zeros((nb, ne), np.float32), where=n_req > 0)

    all_langs = _multi_hot([c.languages for c in buyers + exhibitors])
    lang_part = ((all_langs[:nb] @ all_langs[nb:].T) > 0).astype(np.float32)

    n_slots = max((len(c.hours) for c in companies if c.hours is not None), default=0)
    if n_slots:
        hb = np.stack([_hours(c, n_slots) for c in buyers])
        he = np.stack([_hours(c, n_slots) for c in exhibitors])
        common = hb @ he.T
        smaller = np.minimum(hb.sum(1)[:, None], he.sum(1)[None, :])
        hours_part = np.divide(common, smaller, out=np.zeros_like(common), where=smaller > 0)
    else:
        common = np.zeros((nb, ne), np.float32)
        hours_part = common

    score = (
        WEIGHTS["text"] * text_part
        + WEIGHTS["sector"] * sector_part
        + WEIGHTS["cert"] * cert_part
        + WEIGHTS["language"] * lang_part
        + WEIGHTS["hours"] * hours_part
    ).astype(np.float64)

    b_index = {c.id: i for i, c in enumerate(buyers)}
    e_index = {c.id: i for i, c in enumerate(exhibitors)}
    for (src, dst), level in interests.items():
        if src in b_index and dst in e_index:
            i, j = b_index[src], e_index[dst]
        elif src in e_index and dst in b_index:
            i, j = b_index[dst], e_index[src]
        else:
            continue
        if level == "no":
            score[i, j] = -np.inf
        elif np.isfinite(score[i, j]):
            score[i, j] += WEIGHTS.get(level, 0.0)

    word_rows = [_row_dict(words, r) for r in range(nb + ne)]
    ctx = _Context(
        buyers, exhibitors, word_rows, word_terms, surface, common, interests, slot_minutes / 60
    )
    results: list[Result] = []
    for i, buyer in enumerate(buyers):
        for rank, j in enumerate(_top(score[i, :], top_n), start=1):
            results.append(
                Result(
                    buyer.id,
                    exhibitors[j].id,
                    rank,
                    round(float(score[i, j]), 2),
                    ctx.reasons(i, j, buyer.id),
                )
            )
    for j, exhibitor in enumerate(exhibitors):
        for rank, i in enumerate(_top(score[:, j], top_n), start=1):
            results.append(
                Result(
                    exhibitor.id,
                    buyers[i].id,
                    rank,
                    round(float(score[i, j]), 2),
                    ctx.reasons(i, j, exhibitor.id),
                )
            )
    return results


def _hours(c: CompanyRecord, n: int) -> np.ndarray:
    if c.hours is None:
        return np.zeros(n, np.float32)
    return c.hours.astype(np.float32)


def _row_dict(matrix: sparse.csr_matrix, r: int) -> dict[int, float]:
    start, end = matrix.indptr[r], matrix.indptr[r + 1]
    return dict(
        zip(matrix.indices[start:end].tolist(), matrix.data[start:end].tolist(), strict=True)
    )


def _top(values: np.ndarray, n: int) -> list[int]:
    finite = np.isfinite(values)
    candidates = np.flatnonzero(finite)
    if candidates.size == 0:
        return []
    if candidates.size > n:
        part = np.argpartition(-values[candidates], n - 1)[:n]
        candidates = candidates[part]
    return sorted(candidates.tolist(), key=lambda k: (-values[k], k))


@dataclass
class _Context:
    buyers: Sequence[CompanyRecord]
    exhibitors: Sequence[CompanyRecord]
    word_rows: list[dict[int, float]]
    word_terms: list[str]
    surface: dict[str, str]
    common: np.ndarray
    interests: dict[tuple[int, int], str]
    slot_hours: float
    memo: dict[tuple[int, int], list[str]] = field(default_factory=dict)

    def terms(self, i: int, j: int, limit: int = 4) -> list[str]:
        """The shared terms that weigh most, phrases (bigrams) before single words."""
        key = (i, j)
        if key not in self.memo:
            self.memo[key] = self._terms(i, j, limit)
        return self.memo[key]

    def _terms(self, i: int, j: int, limit: int) -> list[str]:
        a, b = self.word_rows[i], self.word_rows[len(self.buyers) + j]
        if len(b) < len(a):
            a, b = b, a
        shared = [(" " in self.word_terms[c], w * b[c], c) for c, w in a.items() if c in b]
        shared.sort(reverse=True)
        out: list[str] = []
        for _phrase, _w, c in shared:
            term = self.word_terms[c]
            words = [self.surface.get(part, part) for part in term.split(" ")]
            text = " ".join(words)
            if any(text in chosen or chosen in text for chosen in out):
                continue
            out.append(text)
            if len(out) >= limit:
                break
        return out

    def reasons(self, i: int, j: int, viewer: int) -> list[dict]:
        buyer, exhibitor = self.buyers[i], self.exhibitors[j]
        out: list[dict] = []
        sectors = sorted(buyer.sectors & exhibitor.sectors)
        if sectors:
            out.append({"code": "sector", "sectors": sectors})
        for cert in sorted(buyer.required):
            out.append({"code": "cert", "cert": cert, "held": cert in exhibitor.certs})
        terms = self.terms(i, j)
        if terms:
            out.append({"code": "text", "terms": terms, "needs": buyer.needs_snippet})
        languages = sorted(buyer.languages & exhibitor.languages)
        if languages:
            out.append({"code": "language", "languages": languages})
        out.append({"code": "hours", "hours": int(self.common[i, j] * self.slot_hours)})
        other = exhibitor.id if viewer == buyer.id else buyer.id
        given = self.interests.get((viewer, other))
        received = self.interests.get((other, viewer))
        if received in ("must", "maybe"):
            out.append({"code": "interest_in", "level": received})
        if given in ("must", "maybe"):
            out.append({"code": "interest_out", "level": given})
        return out
