"""Learning from behaviour: how marks, requests and deals move a company's recommendations.

Pure numpy (no Django), called by :func:`matchmaking.recommend.compute`. The rule (also in
``docs/matchmaking.md``), for the list that company *C* sees:

1. **Not interested**, marked by either side: the pair is never recommended again, to either.
2. **Must meet / maybe**, from either side, adds ``WEIGHTS["must"]`` / ``WEIGHTS["maybe"]`` to
   the pair in both lists. *C*'s own mark keeps the other in *C*'s list even below the
   relevance floor or without a required certification (*C* asked for it).
3. **Declined**: a request between the two that was declined takes :data:`DECLINED` points off
   the pair in both lists; a meeting that C rated 1–2 of 5 takes :data:`NOT_USEFUL` off.
4. **Resemblance**: *C*'s positives are the companies *C* marked must meet or maybe, met
   through an accepted request, rated 4–5 of 5 after a meeting, or logged a deal with. Every
   other candidate gains
   :data:`LIKE` × its highest similarity to a positive, and loses :data:`DISLIKE` × its highest
   similarity to a company *C* marked not interested, declined with or rated 1–2. Similarity is the
   cosine of the two companies' profiles (their words and their concepts). Resemblance never
   lifts a pair over the floor: only shown pairs move.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

LIKE = 10.0
DISLIKE = 6.0
DECLINED = 20.0
NOT_USEFUL = 10.0
SHOW_SIMILAR = 2.0  # a resemblance bonus of at least this many points is given as a reason

POSITIVE_MARKS = ("must", "maybe")
POSITIVE_BEHAVIOUR = ("accepted", "deal")


@dataclass
class Adjusted:
    buyer_view: np.ndarray  # nb × ne: what buyer i sees of exhibitor j (−inf: not shown)
    exhibitor_view: np.ndarray  # nb × ne: what exhibitor j sees of buyer i
    extra: dict[tuple[int, int], list[dict]] = field(default_factory=dict)

    def reasons(self, viewer: int, other: int) -> list[dict]:
        return list(self.extra.get((viewer, other), ()))


def _normalised(profiles: sparse.csr_matrix) -> sparse.csr_matrix:
    profiles = profiles.astype(np.float64)
    norms = np.sqrt(np.asarray(profiles.multiply(profiles).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return (sparse.diags(1.0 / norms) @ profiles).tocsr()


def adjust(
    *,
    base: np.ndarray,
    shown: np.ndarray,
    interests: Mapping[tuple[int, int], str],
    behaviour: Mapping[tuple[int, int], str],
    b_index: Mapping[int, int],
    e_index: Mapping[int, int],
    profiles: sparse.csr_matrix,
    weights: Mapping[str, float],
    names_of: Mapping[int, str],
) -> Adjusted:
    """Apply the rule above to ``base`` scores (buyers × exhibitors); ``profiles`` has one row
    per company, buyers first, in the order of the indexes; ``names_of`` names companies in
    the reasons."""
    nb = len(b_index)
    pair = np.zeros_like(base)
    removed = np.zeros(base.shape, bool)
    bypass_b = np.zeros(base.shape, bool)
    bypass_e = np.zeros(base.shape, bool)
    positives: dict[int, dict[int, str]] = {}
    negatives: dict[int, set[int]] = {}
    extra: dict[tuple[int, int], list[dict]] = {}

    def locate(a: int, b: int) -> tuple[int, int, bool] | None:
        """(buyer row, exhibitor column, whether ``a`` is the buyer)."""
        if a in b_index and b in e_index:
            return b_index[a], e_index[b], True
        if a in e_index and b in b_index:
            return b_index[b], e_index[a], False
        return None

    for (src, dst), level in interests.items():
        where = locate(src, dst)
        if where is None:
            continue
        i, j, src_is_buyer = where
        if level == "no":
            removed[i, j] = True
            negatives.setdefault(src, set()).add(dst)
            continue
        if level not in POSITIVE_MARKS:
            continue
        pair[i, j] += weights.get(level, 0.0)
        (bypass_b if src_is_buyer else bypass_e)[i, j] = True
        positives.setdefault(src, {})[dst] = level
        extra.setdefault((src, dst), []).append({"code": "interest_out", "level": level})
        extra.setdefault((dst, src), []).append({"code": "interest_in", "level": level})
    for (src, dst), kind in behaviour.items():
        where = locate(src, dst)
        if where is None:
            continue
        i, j, _ = where
        if kind == "declined":
            pair[i, j] -= DECLINED
            negatives.setdefault(src, set()).add(dst)
            negatives.setdefault(dst, set()).add(src)
            extra.setdefault((src, dst), []).append({"code": "declined"})
            extra.setdefault((dst, src), []).append({"code": "declined"})
        elif kind in POSITIVE_BEHAVIOUR:
            positives.setdefault(src, {}).setdefault(dst, kind)
            positives.setdefault(dst, {}).setdefault(src, kind)
        elif kind == "useful":
            positives.setdefault(src, {})[dst] = kind
        elif kind == "not_useful":
            pair[i, j] -= NOT_USEFUL
            negatives.setdefault(src, set()).add(dst)

    scored = base + pair
    buyer_view = np.where((shown | bypass_b) & ~removed, scored, -np.inf)
    exhibitor_view = np.where((shown | bypass_e) & ~removed, scored, -np.inf)

    if positives or negatives:
        unit = _normalised(profiles)
        rows_b = unit[:nb]
        rows_e = unit[nb:]
        for viewer in set(positives) | set(negatives):
            if viewer in b_index:
                line, others, index = buyer_view[b_index[viewer], :], rows_e, e_index
            elif viewer in e_index:
                line, others, index = exhibitor_view[:, e_index[viewer]], rows_b, b_index
            else:
                continue
            liked = positives.get(viewer, {})
            disliked = negatives.get(viewer, set())
            names = list(index)
            if liked:
                cols = [index[p] for p in liked if p in index]
                sims = (others @ others[cols].T).toarray()
                for c, p in enumerate(p for p in liked if p in index):
                    sims[index[p], c] = 0.0  # a company does not resemble itself
                best = sims.max(1)
                which = sims.argmax(1)
                bonus = LIKE * best
                finite = np.isfinite(line)
                line[finite] += bonus[finite]
                liked_ids = [p for p in liked if p in index]
                for k in np.flatnonzero(finite & (bonus >= SHOW_SIMILAR)):
                    like = liked_ids[which[k]]
                    extra.setdefault((viewer, names[k]), []).append(
                        {"code": "similar", "name": names_of.get(like, ""), "why": liked[like]}
                    )
            if disliked:
                cols = [index[p] for p in disliked if p in index]
                if cols:
                    sims = (others @ others[cols].T).toarray()
                    for c, k in enumerate(cols):
                        sims[k, c] = 0.0
                    worst = sims.max(1)
                    finite = np.isfinite(line)
                    line[finite] -= DISLIKE * worst[finite]
    return Adjusted(buyer_view, exhibitor_view, extra)
