"""Time the recommendation scoring on a generated fair-size fair (300 exhibitors × 1,500
buyers, 3 days of 30-minute slots), next to a naive pure-Python double loop on a sample of the
same data, extrapolated to the whole fair.

The generated texts are drawn from the labelled development set (``bench/data/match_dev.json``:
Vietnamese with and without diacritics, English, Japanese, Korean), so the concept reading
(:mod:`matchmaking.concepts`) runs on every text as it does at a real fair; ``--words`` uses
the older bag of English words instead.

``--through-services`` also builds the scaled demo fair (``fairsite.demo``, 300 exhibitors ×
1,500 buyers with their interests) in a temporary SQLite database and times the recompute
service the organiser page and the per-company task call
(``matchmaking.services.recommendations_compute``), queries and storing included.

    .venv/bin/python bench/recommend_bench.py [--exhibitors 300] [--buyers 1500] [--sample 60]
                                              [--words] [--through-services]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fairsite.settings")
if "--through-services" in sys.argv:
    DB_FILE = Path(tempfile.mkstemp(prefix="recommend-bench-", suffix=".sqlite3")[1])
    os.environ.pop("FAIRSITE_DATABASE_URL", None)
    os.environ["FAIRSITE_SQLITE_PATH"] = str(DB_FILE)
    os.environ["FAIRSITE_TASKS"] = "inline"
    os.environ.pop("FAIRSITE_REDIS_URL", None)

import django  # noqa: E402

django.setup()

import numpy as np  # noqa: E402

from matchmaking import recommend  # noqa: E402

SECTORS = ["automotive", "motorbike", "mechanical", "electronics", "mobile", "plastics"]
SECTORS += ["textile", "packaging", "automation", "metal", "chemicals", "medical"]
CERTS = ["iso9001", "iatf16949", "iso14001", "iso45001", "iso13485", "jis", "rohs", "ul"]
LANGS = ["vi", "en", "ja", "ko", "zh", "th"]
WORDS = """die casting adc12 aluminium housing cnc machining stamping sheet metal injection
moulding plastic rubber gasket wire harness pcb assembly smt connector spring fastener bolt
forging heat treatment powder coating anodising gear shaft bearing bracket motorbike engine
cover radiator precision mould tooling welding jig fixture textile fabric zipper label
packaging carton foam electronics sensor battery casing hinge valve pump hose seal""".split()


def dev_texts() -> tuple[list[str], list[str]]:
    data = json.loads((ROOT / "bench" / "data" / "match_dev.json").read_text(encoding="utf-8"))
    return [s["text"] for s in data["suppliers"]], [b["needs"] for b in data["buyers"]]


def records(
    n_ex: int, n_buy: int, n_slots: int, seed: int = 7, *, words_only: bool = False
) -> list[recommend.CompanyRecord]:
    rng = random.Random(seed)
    offers, needs = dev_texts()
    out = []
    for i in range(n_ex + n_buy):
        role = "exhibitor" if i < n_ex else "buyer"
        words = rng.sample(WORDS, 12 if role == "exhibitor" else 8)
        if not words_only:
            # A real profile's text, with a few generated words so that no two are the same.
            pool = offers if role == "exhibitor" else needs
            words = [rng.choice(pool), *words[:3]]
        start = rng.randrange(0, n_slots // 2)
        hours = np.zeros(n_slots, dtype=bool)
        hours[start : start + rng.randrange(8, n_slots // 2)] = True
        out.append(
            recommend.CompanyRecord(
                id=i + 1,
                role=role,
                text=" ".join(words),
                sectors=frozenset(rng.sample(SECTORS, rng.randint(1, 3))),
                certs=frozenset(rng.sample(CERTS, rng.randint(0, 3)))
                if role == "exhibitor"
                else frozenset(),
                required=frozenset(rng.sample(CERTS, rng.randint(0, 2)))
                if role == "buyer"
                else frozenset(),
                languages=frozenset(rng.sample(LANGS, rng.randint(1, 3))),
                hours=hours,
                needs_snippet=" ".join(words[:5]),
            )
        )
    return out


def naive(sample: list[recommend.CompanyRecord], exhibitors: list[recommend.CompanyRecord]) -> int:
    """The obvious approach: for each pair, Python dict TF-IDF cosine and set overlaps."""
    docs = [Counter(r.text.split()) for r in sample + exhibitors]
    df = Counter(term for d in docs for term in d)
    n = len(docs)

    def vec(d: Counter) -> dict[str, float]:
        v = {t: (1 + math.log(c)) * (math.log((1 + n) / (1 + df[t])) + 1) for t, c in d.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return {t: x / norm for t, x in v.items()}

    vecs = [vec(d) for d in docs]
    kept = 0
    for i, buyer in enumerate(sample):
        scores = []
        for j, ex in enumerate(exhibitors):
            a, b = vecs[i], vecs[len(sample) + j]
            cos = sum(w * b.get(t, 0.0) for t, w in a.items())
            union = len(buyer.sectors | ex.sectors) or 1
            sector = len(buyer.sectors & ex.sectors) / union
            cert = len(buyer.required & ex.certs) / len(buyer.required) if buyer.required else 0
            lang = 1.0 if buyer.languages & ex.languages else 0.0
            common = sum(1 for x, y in zip(buyer.hours, ex.hours, strict=True) if x and y)
            scores.append((40 * min(1, 2 * cos) + 20 * sector + 15 * cert + 10 * lang + common, j))
        scores.sort(reverse=True)
        kept += len(scores[:20])
    return kept


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--exhibitors", type=int, default=300)
    parser.add_argument("--buyers", type=int, default=1500)
    parser.add_argument("--sample", type=int, default=60, help="buyers in the naive baseline")
    parser.add_argument("--slots", type=int, default=96)
    parser.add_argument("--words", action="store_true", help="bags of English words as texts")
    parser.add_argument("--through-services", action="store_true")
    args = parser.parse_args()

    data = records(args.exhibitors, args.buyers, args.slots, words_only=args.words)
    pairs = args.exhibitors * args.buyers
    print(
        f"fair: {args.exhibitors} exhibitors × {args.buyers} buyers = {pairs:,} pairs, "
        f"{args.slots} slots"
    )

    started = time.perf_counter()
    results = recommend.compute(data, top_n=20)
    vectorised = time.perf_counter() - started
    print(
        f"vectorised (numpy/scipy TF-IDF words+chars, all features, reasons for top-20 both "
        f"ways): {vectorised:.2f} s, {len(results):,} rows, "
        f"{pairs / vectorised:,.0f} pairs/s"
    )

    exhibitors = [r for r in data if r.role == "exhibitor"]
    sample = [r for r in data if r.role == "buyer"][: args.sample]
    started = time.perf_counter()
    naive(sample, exhibitors)
    spent = time.perf_counter() - started
    per_pair = spent / (len(sample) * len(exhibitors))
    print(
        f"baseline (naive Python double loop, words only, no reasons) on {len(sample)} buyers: "
        f"{spent:.2f} s → {per_pair * pairs:.1f} s extrapolated to the whole fair "
        f"({1 / per_pair:,.0f} pairs/s)"
    )
    print(f"speed-up: {per_pair * pairs / vectorised:.1f}×")

    vocabulary = recommend.default_vocabulary()
    started = time.perf_counter()
    for r in data:
        vocabulary.find(r.text)
    spent = time.perf_counter() - started
    print(f"of which reading concepts in {len(data):,} texts: {spent:.2f} s")
    if args.through_services:
        through_services()


def through_services() -> None:
    from django.core.management import call_command

    from fairsite.demo import SCALED_SIZE, demo_fair_create
    from matchmaking import services

    try:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        result = demo_fair_create(size=SCALED_SIZE, scale=True)
        print(f"setup: migrate + scaled demo fair in {time.perf_counter() - started:.1f} s")
        fair = result.fair
        started = time.perf_counter()
        stored = services.recommendations_compute(fair=fair)
        spent = time.perf_counter() - started
        print(f"recommendations_compute on the scaled demo: {spent:.2f} s, {stored:,} rows stored")
    finally:
        DB_FILE.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
