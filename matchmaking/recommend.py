"""Explained buyer ↔ exhibitor recommendations, computed for a whole fair at once.

Pure Python + numpy/scipy (no Django): :func:`compute` takes plain company records and returns
the top-N of each company with a score (0–100) and reasons as codes with parameters. The rule
is written out in ``docs/matchmaking.md`` (section "Recommendations").

**Relevance** (0–1) says how well the exhibitor's capabilities answer the buyer's need:

- *concepts* (:mod:`matchmaking.concepts`): the processes, products, materials and industries
  both texts name, in any of Vietnamese (with or without diacritics), English, Japanese and
  Korean. Each concept of the need weighs by its kind (:data:`KIND_WEIGHTS`) and a little by
  its order (the first-named is what the buyer is after); a product named as what a process
  is *for* weighs half (:data:`APPLICATION_WEIGHT`: "zinc-nickel plating for brake brackets",
  "mạ kẽm niken cho giá đỡ phanh", "ブレーキ用の亜鉛ニッケルめっき", "브레이크용 아연니켈 도금" ask
  for plating, not for brackets; see :func:`applications`). On the supplier's side, the parts
  a finishing service names as what it treats ("galvanizing of fasteners") answer a need for
  those parts only at :data:`APPLIED_CREDIT`. A supplier of a narrower concept
  answers a broader need fully (zinc-nickel plating answers "plating"); a supplier of only the
  broader one answers a narrower need in part (:data:`BROADER_CREDIT`), and so does a supplier
  of a sibling under the same process or product (:data:`SIBLING_CREDIT`: galvanizing for a
  zinc-nickel need, both zinc plating; never siblings under a material or an industry). The
  score is half the need's weighted coverage, half its best single match.
- *text*: TF-IDF cosine of the two texts over words (light English stemming), character
  3–4-grams within words, and character bigrams of Japanese and Korean runs.
- relevance = 0.75 × concepts + 0.25 × text; with no concept in the need, text alone.

**Shown** only when relevance ≥ :data:`FLOOR` and the exhibitor holds every certification the
buyer requires (a missing one excludes it). A need that names no process or product (industry
or material words only, or nothing) is *vague*: at most :data:`VAGUE_TOP` are shown.

**Score** = 100 × (0.70 relevance + 0.12 sector overlap + 0.06 common language + 0.06 common
hours + 0.03 key-product recognition + 0.03 share of certifications the need's text mentions),
then adjusted by behaviour (:mod:`matchmaking.learning`).

scikit-learn's ``TfidfVectorizer`` would do the vectorising, but the method is ~60 lines on
numpy/scipy, which the project already depends on.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from exhibitors.text import fold
from matchmaking import learning
from matchmaking.concepts import KIND_WEIGHTS, Match, Vocabulary, default_vocabulary, is_wide

WEIGHTS = {
    "relevance": 70.0,
    "sector": 12.0,
    "language": 6.0,
    "hours": 6.0,
    "key_product": 3.0,
    "cert": 3.0,
    "must": 15.0,
    "maybe": 7.0,
}
FLOOR = 0.3  # relevance below this is never shown
VAGUE_TOP = 5  # at most this many for a need that names no process or product
VAGUE_KIND = 0.5  # a need whose heaviest concept weighs less than this is vague
BROADER_CREDIT = 0.5
SIBLING_CREDIT = 0.5
APPLICATION_WEIGHT = 0.5  # a product the need names as what a process is for
# "PROCESS for PRODUCT" (English, Vietnamese) and "PRODUCT用 PROCESS" (Japanese, Korean), within
# one clause.
_FOR_AFTER = re.compile(r"\b(?:for|cho|dung cho|used in|to make)\b")
_FOR_BEFORE = re.compile(r"用|向け|용")
# A supplier's "galvanizing of fasteners", "mạ kẽm cho ốc vít", "ボルトのめっき": the parts a
# finishing service treats are its customers' products, not its own.
SERVICE_ROOTS = ("surface_finishing", "heat_treatment")
APPLIED_CREDIT = 0.3
_OF_AFTER = re.compile(r"\b(?:of|for|on|cho|dung cho|tren)\b")
_OF_BEFORE = re.compile(r"用|向け|용|の|への|에")
_CLAUSE = re.compile(r"[.;!?。；！？\n]")
TEXT_SATURATION = 0.5  # a cosine of 0.5 already counts as a full text match
POSITION_DECAY = 0.15
REASON_CONCEPTS = 3

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
    name: str = ""
    key_product: str = ""
    key_product_year: int | None = None


@dataclass
class Analysed:
    words: dict[str, int] = field(default_factory=dict)
    chars: dict[str, int] = field(default_factory=dict)


def _wide_runs(text: str) -> list[str]:
    runs: list[str] = []
    current: list[str] = []
    for ch in text:
        if is_wide(ch):
            current.append(ch)
        elif current:
            runs.append("".join(current))
            current = []
    if current:
        runs.append("".join(current))
    return runs


def analyse(text: str, surface: dict[str, str]) -> Analysed:
    """Word (stemmed) unigram + bigram counts, char 3–4-gram counts within Latin words, and
    character bigrams of Japanese and Korean runs (single characters for one-character runs)."""
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
    for run in _wide_runs(text or ""):
        grams = [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]
        for gram in grams:
            key = f"#{gram}"
            surface.setdefault(key, gram)
            out.words[key] = out.words.get(key, 0) + 1
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


@dataclass
class _Concepts:
    """Concept matrices: the need weights of each buyer, what each exhibitor answers."""

    codes: list[str]
    need: np.ndarray  # nb × C, weights
    offer: np.ndarray  # ne × C, 1 (does it, or a narrower one) or a partial credit
    vague: np.ndarray  # nb, bool
    mentioned_certs: list[frozenset[str]]  # per buyer, certifications its text names
    matches: list[list[Match]]  # per company (buyers then exhibitors)
    credit: np.ndarray  # C × C, see credit_matrix
    position: dict[str, int] = field(default_factory=dict)  # code → column

    def __post_init__(self) -> None:
        self.position = {code: k for k, code in enumerate(self.codes)}


def credit_matrix(vocabulary: Vocabulary, codes: Sequence[str]) -> np.ndarray:
    """``R[a, b]``: how far a supplier of concept ``b`` answers a need for ``a`` — 1 for the
    same or a narrower one, :data:`BROADER_CREDIT` for a broader one, :data:`SIBLING_CREDIT`
    for one that shares a broader process or product with it, else 0."""
    index = {c: i for i, c in enumerate(codes)}
    shared_kinds = ("process", "product")
    out = np.zeros((len(codes), len(codes)), np.float32)
    for b, code in enumerate(codes):
        out[b, b] = 1.0
        chain = vocabulary.ancestors(code)
        for ancestor in chain:
            if ancestor in index:
                out[index[ancestor], b] = 1.0  # b is narrower than the need
                # A supplier of the broader process or product answers b in part; one that
                # only names the material or industry ("metal", "automotive") does not.
                if vocabulary.concepts[ancestor].kind in shared_kinds:
                    out[b, index[ancestor]] = max(out[b, index[ancestor]], BROADER_CREDIT)
    groups: dict[str, list[int]] = {}
    for b, code in enumerate(codes):
        for ancestor in vocabulary.ancestors(code):
            concept = vocabulary.concepts.get(ancestor)
            if concept is not None and concept.kind in shared_kinds:
                groups.setdefault(ancestor, []).append(b)
    for members in groups.values():
        for a in members:
            for b in members:
                if out[a, b] == 0:
                    out[a, b] = SIBLING_CREDIT
    return out


def applications(
    vocabulary: Vocabulary,
    text: str,
    found: Sequence[Match],
    *,
    after: re.Pattern[str] = _FOR_AFTER,
    before: re.Pattern[str] = _FOR_BEFORE,
    services_only: bool = False,
) -> set[int]:
    """Indexes in ``found`` of the products named as what a process of the same clause is for:
    after "for" / "cho" following the process, or before 用 / 向け / 용 preceding it. With
    ``services_only``, only finishing services count (:data:`SERVICE_ROOTS`)."""
    processes = [
        m
        for m in found
        if vocabulary.concepts[m.code].kind == "process"
        and (
            not services_only
            or any(r == m.code or r in vocabulary.ancestors(m.code) for r in SERVICE_ROOTS)
        )
    ]
    if not processes:
        return set()
    out: set[int] = set()
    for k, m in enumerate(found):
        if vocabulary.concepts[m.code].kind != "product":
            continue
        for p in processes:
            if p.end <= m.start:
                between = text[p.end : m.start]
                if not _CLAUSE.search(between) and after.search(fold(between)):
                    out.add(k)
            elif m.end <= p.start:
                between = text[m.end : p.start]
                if not _CLAUSE.search(between) and before.search(between):
                    out.add(k)
    return out


def _concepts(
    vocabulary: Vocabulary, buyers: Sequence[CompanyRecord], exhibitors: Sequence[CompanyRecord]
) -> _Concepts:
    scored = [c for c, k in vocabulary.concepts.items() if KIND_WEIGHTS.get(k.kind, 0) > 0]
    index = {c: i for i, c in enumerate(scored)}
    credit = credit_matrix(vocabulary, scored)
    matches = [vocabulary.find(c.text) for c in [*buyers, *exhibitors]]
    need = np.zeros((len(buyers), max(len(scored), 1)), np.float32)
    vague = np.ones(len(buyers), bool)
    mentioned: list[frozenset[str]] = []
    for i, found in enumerate(matches[: len(buyers)]):
        position = 0
        seen: set[str] = set()
        certs: set[str] = set()
        context = applications(vocabulary, buyers[i].text, found)
        for n, m in enumerate(found):
            concept = vocabulary.concepts[m.code]
            if concept.kind == "cert":
                certs.add(m.code)
            if m.code not in index or m.code in seen:
                continue
            seen.add(m.code)
            weight = KIND_WEIGHTS[concept.kind] / (1.0 + POSITION_DECAY * position)
            if n in context:
                weight *= APPLICATION_WEIGHT
            position += 1
            need[i, index[m.code]] = weight
            if KIND_WEIGHTS[concept.kind] >= VAGUE_KIND:
                vague[i] = False
        mentioned.append(frozenset(certs))
    offer = np.zeros((len(exhibitors), max(len(scored), 1)), np.float32)
    for j, found in enumerate(matches[len(buyers) :]):
        applied = applications(
            vocabulary,
            exhibitors[j].text,
            found,
            after=_OF_AFTER,
            before=_OF_BEFORE,
            services_only=True,
        )
        own = {index[m.code] for n, m in enumerate(found) if m.code in index and n not in applied}
        for k in own:
            np.maximum(offer[j], credit[:, k], out=offer[j])
        for n in applied:
            k = index.get(found[n].code)
            if k is not None and k not in own:
                offer[j, k] = max(offer[j, k], APPLIED_CREDIT)
    return _Concepts(scored, need, offer, vague, mentioned, matches, credit)


def _concept_scores(c: _Concepts) -> np.ndarray:
    """Half weighted coverage of the need, half its best single match (nb × ne)."""
    total = c.need.sum(1)[:, None]
    coverage = np.divide(
        c.need @ c.offer.T,
        total,
        out=np.zeros((c.need.shape[0], c.offer.shape[0]), np.float32),
        where=total > 0,
    )
    best = np.zeros_like(coverage)
    for k in np.flatnonzero(c.need.any(0)):
        np.maximum(best, np.outer(c.need[:, k], c.offer[:, k]), out=best)
    heaviest = c.need.max(1)[:, None] if c.need.size else np.zeros((c.need.shape[0], 1))
    best = np.divide(best, heaviest, out=np.zeros_like(best), where=heaviest > 0)
    return 0.5 * coverage + 0.5 * best


def compute(
    companies: Sequence[CompanyRecord],
    *,
    interests: dict[tuple[int, int], str] | None = None,
    behaviour: dict[tuple[int, int], str] | None = None,
    top_n: int = 20,
    slot_minutes: int = 30,
    vocabulary: Vocabulary | None = None,
) -> list[Result]:
    """Top ``top_n`` exhibitors for each buyer and buyers for each exhibitor, above the floor.

    ``interests`` maps ``(from_company_id, to_company_id)`` to ``must`` / ``maybe`` / ``no``;
    ``behaviour`` maps the same pairs to ``accepted`` / ``declined`` / ``deal`` (see
    :mod:`matchmaking.learning`).
    """
    interests = interests or {}
    vocabulary = vocabulary or default_vocabulary()
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

    concepts = _concepts(vocabulary, buyers, exhibitors)
    concept_part = _concept_scores(concepts)
    has_need = concepts.need.any(1)[:, None]
    relevance = np.where(has_need, 0.75 * concept_part + 0.25 * text_part, text_part)

    all_sectors = _multi_hot([c.sectors for c in buyers + exhibitors])
    bs, es = all_sectors[:nb], all_sectors[nb:]
    shared = bs @ es.T
    union = bs.sum(1)[:, None] + es.sum(1)[None, :] - shared
    sector_part = np.divide(shared, union, out=np.zeros_like(shared), where=union > 0)

    cert_sets = [c.required for c in buyers] + [c.certs for c in exhibitors]
    cert_sets += list(concepts.mentioned_certs)
    all_certs = _multi_hot(cert_sets)
    req, held = all_certs[:nb], all_certs[nb : nb + ne]
    mentioned = all_certs[nb + ne :]
    missing = (req @ (1.0 - held).T) > 0
    n_mentioned = mentioned.sum(1)[:, None]
    cert_part = np.divide(
        mentioned @ held.T, n_mentioned, out=np.zeros((nb, ne), np.float32), where=n_mentioned > 0
    )

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
    key_part = np.asarray([1.0 if e.key_product else 0.0 for e in exhibitors], np.float32)

    base = (
        WEIGHTS["relevance"] * relevance
        + WEIGHTS["sector"] * sector_part
        + WEIGHTS["language"] * lang_part
        + WEIGHTS["hours"] * hours_part
        + WEIGHTS["key_product"] * key_part[None, :]
        + WEIGHTS["cert"] * cert_part
    ).astype(np.float64)
    shown = (relevance >= FLOOR) & ~missing

    b_index = {c.id: i for i, c in enumerate(buyers)}
    e_index = {c.id: j for j, c in enumerate(exhibitors)}
    profiles = sparse.hstack(
        [words, sparse.csr_matrix(np.vstack([concepts.need > 0, concepts.offer > 0]))]
    ).tocsr()
    adjust = learning.adjust(
        base=base,
        shown=shown,
        interests=interests,
        behaviour=behaviour or {},
        b_index=b_index,
        e_index=e_index,
        profiles=profiles,
        weights=WEIGHTS,
        names_of={c.id: c.name for c in companies},
    )

    word_rows = [_row_dict(words, r) for r in range(nb + ne)]
    ctx = _Context(
        buyers,
        exhibitors,
        word_rows,
        word_terms,
        surface,
        common,
        slot_minutes / 60,
        vocabulary,
        concepts,
        missing,
    )
    results: list[Result] = []
    for i, buyer in enumerate(buyers):
        limit = min(top_n, VAGUE_TOP) if concepts.vague[i] else top_n
        scores = adjust.buyer_view[i, :]
        for rank, j in enumerate(_top(scores, limit), start=1):
            reasons = ctx.reasons(i, j) + adjust.reasons(buyer.id, exhibitors[j].id)
            results.append(
                Result(buyer.id, exhibitors[j].id, rank, round(float(scores[j]), 2), reasons)
            )
    for j, exhibitor in enumerate(exhibitors):
        scores = adjust.exhibitor_view[:, j]
        for rank, i in enumerate(_top(scores, top_n), start=1):
            reasons = ctx.reasons(i, j) + adjust.reasons(exhibitor.id, buyers[i].id)
            results.append(
                Result(exhibitor.id, buyers[i].id, rank, round(float(scores[i]), 2), reasons)
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
    if candidates.size == 0 or n <= 0:
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
    slot_hours: float
    vocabulary: Vocabulary
    concepts: _Concepts
    missing: np.ndarray
    memo: dict[tuple[int, int], list[dict]] = field(default_factory=dict)

    def terms(self, i: int, j: int, limit: int = 4) -> list[str]:
        """The shared terms that weigh most, phrases (bigrams) before single words."""
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

    def matched_concepts(self, i: int, j: int) -> list[dict]:
        """The need's concepts the exhibitor answers, heaviest first, with both sides' words."""
        c = self.concepts
        found: list[tuple[float, str]] = []
        for k in np.flatnonzero(c.need[i] * c.offer[j]):
            found.append((float(c.need[i, k] * c.offer[j, k]), c.codes[k]))
        found.sort(key=lambda x: -x[0])
        # An industry in common is a reason only when nothing more telling matched.
        telling = [f for f in found if self.vocabulary.concepts[f[1]].kind != "industry"]
        found = telling or found
        buyer_words = _words_by_code(c.matches[i])
        offer_words = _words_by_code(c.matches[len(self.buyers) + j])
        out = []
        position = c.position
        for _weight, code in found[:REASON_CONCEPTS]:
            # The supplier's own words for what answers the need best (itself, a narrower, a
            # broader or a sibling concept).
            row = c.credit[position[code]]
            offered = [o for o in offer_words if o in position and row[position[o]] > 0]
            offered.sort(key=lambda o: -row[position[o]])
            offer = offer_words[offered[0]] if offered else ""
            concept = self.vocabulary.concepts[code]
            out.append(
                {
                    "code": "concept",
                    "concept": code,
                    "labels": concept.labels,
                    "need": buyer_words.get(code, ""),
                    "offer": offer,
                    "exact": bool(c.offer[j, position[code]] >= 1.0),
                }
            )
        return out

    def reasons(self, i: int, j: int) -> list[dict]:
        key = (i, j)
        if key not in self.memo:
            self.memo[key] = self._reasons(i, j)
        return list(self.memo[key])

    def _reasons(self, i: int, j: int) -> list[dict]:
        buyer, exhibitor = self.buyers[i], self.exhibitors[j]
        out: list[dict] = []
        for cert in sorted(buyer.required - exhibitor.certs):
            out.append({"code": "cert", "cert": cert, "held": False})
        out.extend(self.matched_concepts(i, j))
        if exhibitor.key_product:
            out.append(
                {
                    "code": "key_product",
                    "name": exhibitor.key_product,
                    "year": exhibitor.key_product_year,
                }
            )
        for cert in sorted(buyer.required & exhibitor.certs):
            out.append({"code": "cert", "cert": cert, "held": True})
        for cert in sorted(self.concepts.mentioned_certs[i] - buyer.required):
            out.append({"code": "cert", "cert": cert, "held": cert in exhibitor.certs})
        others = sorted(exhibitor.certs - buyer.required - self.concepts.mentioned_certs[i])
        if others:
            out.append({"code": "cert_held", "certs": others})
        terms = self.terms(i, j)
        if terms:
            out.append({"code": "text", "terms": terms, "needs": buyer.needs_snippet})
        sectors = sorted(buyer.sectors & exhibitor.sectors)
        if sectors:
            out.append({"code": "sector", "sectors": sectors})
        languages = sorted(buyer.languages & exhibitor.languages)
        if languages:
            out.append({"code": "language", "languages": languages})
        hours = int(self.common[i, j] * self.slot_hours)
        if hours:
            out.append({"code": "hours", "hours": hours})
        return out


def _words_by_code(matches: Sequence[Match]) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in matches:
        out.setdefault(m.code, m.words)
    return out
