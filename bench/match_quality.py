"""Quality of the recommendations on a labelled development set, beside BM25 and random.

The set (``bench/data/match_dev.json``, or ``--data FILE`` of the same shape:
``bench/data/match_holdout.json``, ``bench/data/match_fresh.json``; see docs/matchmaking.md)
holds Vietnamese suppliers described as such firms describe themselves (English, Vietnamese
with and without diacritics, mixed) and JP/KR/US/TH buyers whose needs are written in English,
Japanese, Korean or Vietnamese, from vague to very specific, with decoys. Every buyer ×
supplier pair has a grade
0–3 derived from hand-assigned labels (see the file's ``about``).

The set is loaded **through the project's own services** (``exhibitors.services.company_create``
for every company, ``matchmaking.services.recommendations_compute``, then
``matchmaking.selectors.recommendations_for`` as the recommendations page reads them) into a
database of its own (a temporary SQLite file, migrated). In the same run, the same texts are
ranked by BM25 (k1 = 1.2, b = 0.75, over folded words and CJK character bigrams) and at random
(mean of 20 seeds).

Figures, overall and split by the language of the need and of the supplier's description:

- precision@5: relevant (grade ≥ 2) in the top 5 / min(5, relevant that exist); buyers with no
  relevant supplier are left out of it (and reported apart: what they are shown);
- nDCG@10 (gain 2^grade − 1), recall@20 (relevant in the top 20 / relevant that exist);
- strong fits (grade 3) found in the top 5, by the language of the supplier's description;
- shown: rows displayed per buyer, the share of them with grade 0 (padding), decoys in top 5,
  top-5 rows lacking a certification the buyer requires, and the share of rows whose reasons
  explain the fit (a matched concept or matched words, not only sector, language or hours).

    .venv/bin/python bench/match_quality.py [--data FILE] [--top 20]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DEFAULT_DATA = ROOT / "bench" / "data" / "match_dev.json"

FIT_CODES = {"text", "concept"}
VI_LANGS = ("vi", "vi_nd")


# --- Grades --------------------------------------------------------------------------------------


def grade(buyer: dict[str, Any], supplier: dict[str, Any]) -> int:
    """The grade of one pair from the hand-assigned labels (see the data file's ``about``)."""
    override = (buyer.get("grades") or {}).get(supplier["key"])
    if override is not None:
        return int(override)
    labels = set(supplier.get("labels", ()))
    certified = set(buyer.get("required", ())) <= set(supplier.get("certs", ()))
    sectors = set(supplier.get("sectors", ()))
    if labels & set(buyer.get("want", ())):
        return 3 if certified else 1
    if labels & set(buyer.get("related", ())):
        return 2 if certified else 1
    if sectors & set(buyer.get("want_sectors", ())):
        return 2 if certified else 1
    if sectors & set(buyer.get("weak_sectors", ())):
        return 1
    return 0


def grades_of(data: dict[str, Any]) -> dict[str, dict[str, int]]:
    return {b["key"]: {s["key"]: grade(b, s) for s in data["suppliers"]} for b in data["buyers"]}


# --- Loading through the services ---------------------------------------------------------------


def setup_django(sqlite_path: Path) -> None:
    # A SQLite file of its own (no database URL): tasks run in-process after commit.
    os.environ.pop("FAIRSITE_DATABASE_URL", None)
    os.environ["FAIRSITE_SQLITE_PATH"] = str(sqlite_path)
    os.environ["FAIRSITE_TASKS"] = "inline"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fairsite.settings")
    for name in ("FAIRSITE_REDIS_URL",):
        os.environ.pop(name, None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def load(data: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """Create the fair and every company through ``company_create``; returns the fair and a map
    from the set's keys to the companies."""
    from datetime import date, time

    from exhibitors.services import company_create
    from fairsite.models import Fair, User

    fair = Fair.objects.create(
        slug="match-dev",
        name="Matching development set",
        time_zone="Asia/Ho_Chi_Minh",
        start_date=date(2021, 10, 20),
        end_date=date(2021, 10, 22),
        day_start=time(8, 0),
        day_end=time(17, 0),
        slot_minutes=30,
        tables=20,
        is_current=True,
    )
    companies: dict[str, Any] = {}
    zones = {"JP": "Asia/Tokyo", "KR": "Asia/Seoul", "US": "America/New_York"}
    zones |= {"TH": "Asia/Bangkok", "VN": "Asia/Ho_Chi_Minh"}
    for role, rows in (("exhibitor", data["suppliers"]), ("buyer", data["buyers"])):
        for row in rows:
            country = row.get("country", "VN")
            user = User.objects.create_user(
                email=f"{row['key']}@match-dev.example",
                password=None,
                kind=role,
                time_zone=zones.get(country, "Asia/Ho_Chi_Minh"),
                language=(row.get("languages") or ["en"])[0],
            )
            profile: dict[str, Any] = {
                "name_en": row["name"],
                "country": country,
                "languages": row.get("languages", []),
                "sectors": row.get("sectors", []),
            }
            if role == "exhibitor":
                profile |= {
                    "capabilities": row["text"],
                    "description": row.get("description", ""),
                    "certifications": row.get("certs", []),
                    "key_product_name": row.get("key_product", ""),
                }
                if row.get("key_product"):
                    profile["key_product_year"] = row.get("key_product_year", 2020)
            else:
                profile |= {
                    "sourcing_needs": row["needs"],
                    "required_certifications": row.get("required", []),
                }
            companies[row["key"]] = company_create(
                fair=fair, creator=user, role=role, profile=profile
            )
    return fair, companies


def project_rankings(
    *, fair: Any, data: dict[str, Any], companies: dict[str, Any], top: int
) -> tuple[dict[str, list[str]], dict[str, list[list[str]]], float]:
    """The project's recommendations of every buyer (keys in rank order) and each row's reason
    codes, read as the recommendations page reads them."""
    from django.utils import translation

    from matchmaking import selectors, services

    started = time.perf_counter()
    services.recommendations_compute(fair=fair, top_n=top)
    spent = time.perf_counter() - started
    by_id = {c.pk: key for key, c in companies.items()}
    rankings: dict[str, list[str]] = {}
    reasons: dict[str, list[list[str]]] = {}
    with translation.override("en"):
        for b in data["buyers"]:
            rows = selectors.recommendations_for(fair=fair, company=companies[b["key"]])
            rankings[b["key"]] = [by_id[r["company"].pk] for r in rows][:top]
            reasons[b["key"]] = [
                [x.get("code", "") for x in r["recommendation"].reasons] for r in rows
            ][:top]
    return rankings, reasons, spent


# --- Baselines ----------------------------------------------------------------------------------

_WORD = re.compile(r"[a-z0-9]+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uff66-\uff9f]+")


def bm25_tokens(text: str) -> list[str]:
    from exhibitors.text import fold

    folded = fold(text)
    tokens = _WORD.findall(folded)
    for run in _CJK.findall(text):
        tokens.extend(run[i : i + 2] for i in range(max(1, len(run) - 1)))
    return tokens


def bm25_rankings(data: dict[str, Any], *, k1: float = 1.2, b: float = 0.75) -> dict[str, list]:
    docs = [bm25_tokens(f"{s['text']} {s.get('description', '')}") for s in data["suppliers"]]
    n = len(docs)
    avg = sum(len(d) for d in docs) / max(n, 1)
    df = Counter(t for d in docs for t in set(d))
    tfs = [Counter(d) for d in docs]
    out = {}
    for buyer in data["buyers"]:
        query = set(bm25_tokens(buyer["needs"]))
        scores = []
        for j, tf in enumerate(tfs):
            score = 0.0
            for term in query:
                if term not in tf:
                    continue
                idf = math.log(1 + (n - df[term] + 0.5) / (df[term] + 0.5))
                f = tf[term]
                score += idf * f * (k1 + 1) / (f + k1 * (1 - b + b * len(docs[j]) / avg))
            scores.append((-score, j))
        scores.sort()
        out[buyer["key"]] = [data["suppliers"][j]["key"] for s, j in scores if s < 0]
    return out


def random_rankings(data: dict[str, Any], seed: int) -> dict[str, list[str]]:
    rng = random.Random(seed)
    keys = [s["key"] for s in data["suppliers"]]
    out = {}
    for buyer in data["buyers"]:
        order = keys[:]
        rng.shuffle(order)
        out[buyer["key"]] = order
    return out


# --- Metrics ------------------------------------------------------------------------------------


def dcg(gains: Sequence[int]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains))


def metrics(
    data: dict[str, Any],
    grades: dict[str, dict[str, int]],
    rankings: dict[str, list[str]],
    *,
    top: int,
    buyers: Callable[[dict[str, Any]], bool] = lambda b: True,
) -> dict[str, float]:
    p5, ndcg, r20 = [], [], []
    for buyer in data["buyers"]:
        if not buyers(buyer):
            continue
        g = grades[buyer["key"]]
        relevant = {k for k, v in g.items() if v >= 2}
        if not relevant:
            continue
        ranked = rankings[buyer["key"]][:top]
        p5.append(sum(1 for k in ranked[:5] if k in relevant) / min(5, len(relevant)))
        ideal = dcg(sorted(g.values(), reverse=True)[:10])
        ndcg.append(dcg([g[k] for k in ranked[:10]]) / ideal if ideal else 0.0)
        r20.append(sum(1 for k in ranked[:20] if k in relevant) / len(relevant))
    mean = lambda xs: sum(xs) / len(xs) if xs else float("nan")  # noqa: E731
    return {"p@5": mean(p5), "ndcg@10": mean(ndcg), "r@20": mean(r20), "n": len(p5)}


def strong_found(
    data: dict[str, Any], grades: dict[str, dict[str, int]], rankings: dict[str, list[str]]
) -> dict[str, tuple[int, int]]:
    """Per supplier-description language: (strong fits in the buyer's top 5, strong fits)."""
    lang = {s["key"]: s["lang"] for s in data["suppliers"]}
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for buyer in data["buyers"]:
        top5 = set(rankings[buyer["key"]][:5])
        for key, g in grades[buyer["key"]].items():
            if g == 3:
                found[lang[key]][1] += 1
                found[lang[key]][0] += key in top5
    return {k: (v[0], v[1]) for k, v in found.items()}


def shown_figures(
    data: dict[str, Any],
    grades: dict[str, dict[str, int]],
    rankings: dict[str, list[str]],
    reasons: dict[str, list[list[str]]] | None,
    *,
    top: int,
) -> dict[str, float]:
    suppliers = {s["key"]: s for s in data["suppliers"]}
    rows = padding = decoys = missing = explained = 0
    empty_shown: list[int] = []
    for buyer in data["buyers"]:
        ranked = rankings[buyer["key"]][:top]
        g = grades[buyer["key"]]
        rows += len(ranked)
        padding += sum(1 for k in ranked if g[k] == 0)
        decoys += sum(1 for k in ranked[:5] if suppliers[k].get("decoy"))
        required = set(buyer.get("required", ()))
        missing += sum(1 for k in ranked[:5] if not required <= set(suppliers[k]["certs"]))
        if reasons is not None:
            explained += sum(1 for codes in reasons[buyer["key"]] if FIT_CODES & set(codes))
        if not any(v >= 2 for v in g.values()):
            empty_shown.append(len(ranked))
    return {
        "rows/buyer": rows / len(data["buyers"]),
        "grade-0 share": padding / rows if rows else 0.0,
        "decoys in top 5": decoys,
        "top-5 lacking a required cert": missing,
        "explained share": explained / rows if (rows and reasons is not None) else float("nan"),
        "rows for buyers with no fit": sum(empty_shown) / len(empty_shown) if empty_shown else 0,
    }


def report(
    name: str,
    data: dict[str, Any],
    grades: dict[str, dict[str, int]],
    rankings: dict[str, list[str]],
    reasons: dict[str, list[list[str]]] | None,
    *,
    top: int,
) -> dict[str, Any]:
    overall = metrics(data, grades, rankings, top=top)
    by_need = {
        lang: metrics(
            data, grades, rankings, top=top, buyers=lambda b, lang=lang: b["lang"] == lang
        )
        for lang in ("en", "vi", "ja", "ko")
    }
    strong = strong_found(data, grades, rankings)
    shown = shown_figures(data, grades, rankings, reasons, top=top)
    return {"name": name, "overall": overall, "by_need": by_need, "strong": strong, "shown": shown}


def rate(pair: tuple[int, int]) -> float:
    return pair[0] / pair[1] if pair[1] else float("nan")


def print_table(results: list[dict[str, Any]]) -> None:
    width = 14
    print("\n" + "".ljust(34) + "".join(r["name"].rjust(width) for r in results))

    def line(label: str, values: list[str]) -> None:
        print(label.ljust(34) + "".join(v.rjust(width) for v in values))

    for metric in ("p@5", "ndcg@10", "r@20"):
        line(f"{metric} overall", [f"{r['overall'][metric]:.3f}" for r in results])
    n = results[0]["overall"]["n"]
    print(f"  ({n} buyers with at least one relevant supplier)")
    for lang in ("en", "vi", "ja", "ko"):
        count = results[0]["by_need"][lang]["n"]
        for metric in ("p@5", "ndcg@10", "r@20"):
            line(
                f"{metric} need in {lang} ({count})",
                [f"{r['by_need'][lang][metric]:.3f}" for r in results],
            )
    langs = sorted(results[0]["strong"])
    for lang in langs:
        line(
            f"strong fits in top 5, desc {lang}",
            [
                f"{r['strong'][lang][0]}/{r['strong'][lang][1]} {rate(r['strong'][lang]):.2f}"
                for r in results
            ],
        )
    for r in results:
        s = r["strong"]
        found = sum(s.get(k, (0, 0))[0] for k in VI_LANGS)
        vi = (found, sum(s.get(k, (0, 0))[1] for k in VI_LANGS))
        r["vi_over_en"] = rate(vi) / rate(s["en"]) if s.get("en") and rate(s["en"]) else 0.0
    line("strong fits vi (both) / en", [f"{r['vi_over_en']:.2f}" for r in results])
    for key in results[0]["shown"]:
        values = []
        for r in results:
            v = r["shown"][key]
            values.append(f"{v:.2f}" if isinstance(v, float) else str(v))
        line(key, values)


def average(results: list[dict[str, Any]], name: str) -> dict[str, Any]:
    """Mean of several runs' figures (for the random baseline)."""
    first = results[0]
    out: dict[str, Any] = {"name": name, "overall": {}, "by_need": {}, "strong": {}, "shown": {}}
    for metric in first["overall"]:
        out["overall"][metric] = sum(r["overall"][metric] for r in results) / len(results)
    for lang in first["by_need"]:
        out["by_need"][lang] = {
            m: sum(r["by_need"][lang][m] for r in results) / len(results)
            for m in first["by_need"][lang]
        }
    for lang in first["strong"]:
        found = sum(r["strong"][lang][0] for r in results) / len(results)
        out["strong"][lang] = (round(found), first["strong"][lang][1])
    for key in first["shown"]:
        out["shown"][key] = sum(r["shown"][key] for r in results) / len(results)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    data = json.loads(Path(args.data).read_text(encoding="utf-8"))
    grades = grades_of(data)
    n_pairs = len(data["buyers"]) * len(data["suppliers"])
    counts = Counter(g for row in grades.values() for g in row.values())
    print(
        f"set: {len(data['suppliers'])} suppliers × {len(data['buyers'])} buyers = {n_pairs} "
        f"graded pairs (grade 3: {counts[3]}, 2: {counts[2]}, 1: {counts[1]}, 0: {counts[0]})"
    )
    path = Path(tempfile.mkstemp(prefix="match-quality-", suffix=".sqlite3")[1])
    try:
        setup_django(path)
        started = time.perf_counter()
        fair, companies = load(data)
        print(f"loaded through company_create in {time.perf_counter() - started:.1f} s")
        rankings, reasons, spent = project_rankings(
            fair=fair, data=data, companies=companies, top=args.top
        )
        print(f"recommendations_compute: {spent:.2f} s")
        project = report("project", data, grades, rankings, reasons, top=args.top)
        bm25 = report("bm25", data, grades, bm25_rankings(data), None, top=args.top)
        rand = average(
            [
                report("random", data, grades, random_rankings(data, s), None, top=args.top)
                for s in range(20)
            ],
            "random",
        )
        print_table([project, bm25, rand])
        if args.json:
            Path(args.json).write_text(json.dumps([project, bm25, rand], indent=1, default=str))
    finally:
        path.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
