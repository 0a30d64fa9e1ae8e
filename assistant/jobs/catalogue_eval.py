"""`assistant jobs eval`: title requests over any catalogue, recommender vs BM25 alone vs embeddings alone.

A catalogue is any feed the importer takes (JSON or CSV); a case file is JSONL, one request a line:
``{"request": "care assistant", "expected": ["NG-0004"]}`` or ``"expected_titles": ["Home Health and
Personal Care Aide"]`` (every open posting with that title), optionally with a ``profile`` (candidate
fields) or ``viewed`` (external ids of jobs browsed before). The feed is imported through the normal
importer into a scratch database and index; each request goes through ``recommend_jobs`` as the chat
sends it. Recall@k is the share of requests with an expected posting among the first k; MRR uses the
first expected posting's rank (0 when it is not in the first 10); NDCG@10 is binary. Cases are split
in two stable halves (a hash of the request): thresholds are decided on the development half, and the
held-out half is what the README reports.
"""

from __future__ import annotations

import json
import statistics
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from assistant.jobs import demo
from assistant.jobs.evaluation import _keyword_baseline, _keyword_ranking, ndcg_at, scratch_catalogue
from assistant.settings import ROOT

console = Console(width=150)
DATA = ROOT / "tests" / "jobs" / "data"
SHIPPED_SETS = {  # name: (catalogue feed, cases)
    "demo titles": (demo.CATALOGUE, DATA / "titles_demo.jsonl"),
    "occupation titles": (demo.OCCUPATIONS, DATA / "titles_occupations.jsonl"),
}
METHODS = ("recommender", "bm25", "embeddings")
PAGE_SIZE = 10  # ranks scored; the chat shows the first 5 of the same ranking


@dataclass
class Case:
    request: str
    expected: set[str]
    profile: dict | None = None
    viewed: list[str] = field(default_factory=list)

    @property
    def half(self) -> str:
        return "development" if zlib.crc32(self.request.encode()) % 2 == 0 else "held-out"


def read_cases(path: Path, postings: list) -> list[Case]:
    """Returns the labelled cases with their expected external ids (titles are resolved against the postings)."""
    by_title: dict[str, set[str]] = {}
    for job in postings:
        by_title.setdefault(job.title.casefold(), set()).add(job.external_id)
    known = {job.external_id for job in postings}
    cases = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        expected = set(row.get("expected") or [])
        for title in row.get("expected_titles") or []:
            if title.casefold() not in by_title:
                raise ValueError(f"{path}:{number}: no open posting is titled {title!r}")
            expected |= by_title[title.casefold()]
        if not expected or expected - known:
            raise ValueError(f"{path}:{number}: expected postings missing from the catalogue: {sorted(expected - known) or 'none given'}")
        cases.append(Case(row["request"], expected, row.get("profile"), list(row.get("viewed") or [])))
    return cases


def metrics(ranked: list[str], expected: set[str]) -> dict[str, float]:
    """Returns Recall@1/@5/@10 (an expected posting in the first k), reciprocal rank and NDCG@10 of one ranking."""
    first = next((rank for rank, job in enumerate(ranked[:10], start=1) if job in expected), None)
    out = {f"recall@{k}": float(first is not None and first <= k) for k in (1, 5, 10)}
    out["mrr"] = 1 / first if first else 0.0
    out["ndcg@10"] = ndcg_at(ranked, expected, 10)
    return out


def _mean(rows: list[dict[str, float]]) -> dict[str, float]:
    return {key: round(float(np.mean([r[key] for r in rows])), 3) for key in rows[0]} if rows else {}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return round(ordered[int(share * (len(ordered) - 1))], 1) if ordered else 0.0


def feed_rows(catalogue: Path) -> list[dict]:
    """Returns the rows of a feed; the shipped generated catalogues get their dates moved forward first."""
    from assistant.jobs import service as jobs_service

    if catalogue.resolve() in (demo.CATALOGUE.resolve(), demo.OCCUPATIONS.resolve()):
        return demo.rows(catalogue=catalogue)
    return jobs_service.parse_feed(content=catalogue.read_bytes(), filename=catalogue.name)


def evaluate(*, catalogue: Path, cases_path: Path, name: str | None = None, show: bool = True, tune: bool = False) -> dict:
    """Returns (and prints) the figures of one catalogue and case file for the three methods, per half.

    ``tune`` first tries every page-policy setting of TUNING_GRID on the development half and keeps the best."""
    from assistant.jobs import index as jobs_index
    from assistant.jobs import service as jobs_service
    from assistant.jobs.recommend import recommend_jobs

    rows = feed_rows(catalogue)
    with scratch_catalogue(rows) as (db, root):
        postings = jobs_service.list_open_jobs(db_session=db)
        cases = read_cases(cases_path, postings)
        loaded = jobs_index.served(root=root)
        recommend_jobs(db_session=db, text="warm up", loaded=loaded, log_shown=False)
        chosen = _tune(db, loaded, [c for c in cases if c.half == "development"]) if tune else None
        per_case = _ask(db, loaded, postings, cases)
        db.rollback()
    figures = summarise(per_case, name or cases_path.name)
    if chosen:
        figures["tuned"] = chosen
    if show:
        print_figures(figures)
    return figures


TUNING_GRID = {"LEXICAL_WEIGHT": (0.05, 0.1, 0.15, 0.25, 0.4), "MIN_CARDS": (1, 3, 5)}


def _tune(db, loaded, cases: list[Case]) -> dict:
    """Returns the page-policy setting with the best Recall@5 (then Recall@1) on these cases, now in force."""
    import itertools

    from assistant.jobs import recommend

    results = []
    for values in itertools.product(*TUNING_GRID.values()):
        setting = dict(zip(TUNING_GRID, values))
        for key, value in setting.items():
            setattr(recommend, key, value)
        scored = [metrics(_recommended(db, loaded, case)[0], case.expected) for case in cases]
        results.append((_mean(scored), setting))
    results.sort(key=lambda r: (r[0]["recall@5"], r[0]["recall@1"]), reverse=True)
    table = Table(title=f"tuning on the development half ({len(cases)} requests)")
    for column in (*TUNING_GRID, "Recall@1", "Recall@5", "MRR"):
        table.add_column(column, justify="right")
    for figures, setting in results:
        table.add_row(*(str(v) for v in setting.values()), *(f"{figures[k]:.3f}" for k in ("recall@1", "recall@5", "mrr")))
    console.print(table)
    best = results[0][1]
    for key, value in best.items():
        setattr(recommend, key, value)
    return best


def _recommended(db, loaded, case: Case, number: int = 0) -> tuple[list[str], float]:
    """Returns the external ids the chat's recommend_jobs gives for a case, and how long it took (ms)."""
    from assistant.candidates.models import Candidate
    from assistant.events import service as events_service
    from assistant.events.schemas import EventIn
    from assistant.jobs.recommend import recommend_jobs

    candidate, visitor = None, None
    if case.profile:
        candidate = Candidate(external_id=f"EVAL-{number}", first_name="Eval", email=f"eval{number}@example.com",
                              **case.profile)
        db.add(candidate)
        db.flush()
    if case.viewed:
        visitor = f"eval-visitor-{number:05d}"
        events_service.record_events(db_session=db, visitor_id=visitor, events=[
            EventIn(kind="job_viewed", job_id=job_id, dwell_seconds=90) for job_id in case.viewed])
    started = time.perf_counter()
    result = recommend_jobs(db_session=db, text=case.request, candidate=candidate, visitor_id=visitor,
                            page_size=PAGE_SIZE, log_shown=False, loaded=loaded)
    return [item.job.external_id for item in result.items], (time.perf_counter() - started) * 1000


def _ask(db, loaded, postings: list, cases: list[Case]) -> list[dict]:
    """Returns each case's rankings by the recommender, BM25 alone and embeddings alone, with latency."""
    from assistant import embeddings

    retriever, ids = _keyword_baseline(postings)
    external = {job_id: meta.external_id for job_id, meta in loaded.jobs.items()}
    per_case = []
    for number, case in enumerate(cases):
        ours, latency = _recommended(db, loaded, case, number)
        _, nearest = loaded.search(embeddings.embed([case.request]), PAGE_SIZE)
        vector = [external[int(i)] for i in nearest[0] if i >= 0]
        keyword = _keyword_ranking(retriever, ids, case.request, set(case.viewed), k=PAGE_SIZE)
        per_case.append({"request": case.request, "half": case.half, "latency_ms": latency, "page": len(ours),
                         "first_right": bool(ours) and ours[0] in case.expected,
                         "recommender": metrics(ours, case.expected), "bm25": metrics(keyword, case.expected),
                         "embeddings": metrics(vector, case.expected)})
    return per_case


def summarise(per_case: list[dict], name: str) -> dict:
    """Returns the figures per half and method, page-length statistics and latency."""
    figures: dict = {"set": name, "cases": len(per_case)}
    for half in ("all", "development", "held-out"):
        subset = [c for c in per_case if half == "all" or c["half"] == half]
        if not subset:
            continue
        pages = [c["page"] for c in subset]
        figures[half] = {
            "cases": len(subset), **{method: _mean([c[method] for c in subset]) for method in METHODS},
            "pages": {"mean": round(statistics.mean(pages), 2), "empty": round(pages.count(0) / len(pages), 3),
                      "single": round(pages.count(1) / len(pages), 3),
                      "single_wrong": round(sum(c["page"] == 1 and not c["first_right"] for c in subset) / len(subset), 3),
                      "under_5": round(sum(p < 5 for p in pages) / len(pages), 3)}}
    latencies = [c["latency_ms"] for c in per_case]
    figures["latency_ms"] = {"p50": _percentile(latencies, 0.5), "p95": _percentile(latencies, 0.95)}
    held = figures.get("held-out", figures["all"])
    figures["recommender_ahead_recall@5"] = held["recommender"]["recall@5"] >= max(held["bm25"]["recall@5"], held["embeddings"]["recall@5"])
    figures["misses"] = [c["request"] for c in per_case if not c["recommender"]["recall@5"]][:40]
    return figures


def print_figures(figures: dict) -> None:
    for half in ("development", "held-out"):
        if half not in figures:
            continue
        g = figures[half]
        table = Table(title=f"{figures['set']} — {half} half ({g['cases']} requests)")
        for column in ("method", "Recall@1", "Recall@5", "Recall@10", "MRR", "NDCG@10"):
            table.add_column(column, justify="right")
        for method in METHODS:
            m = g[method]
            table.add_row(method, *(f"{m[k]:.3f}" for k in ("recall@1", "recall@5", "recall@10", "mrr", "ndcg@10")))
        console.print(table)
        p = g["pages"]
        console.print(f"  recommender pages (10 asked): mean {p['mean']} jobs, empty {p['empty']:.1%}, one card "
                      f"{p['single']:.1%} (a wrong one {p['single_wrong']:.1%}), fewer than 5 {p['under_5']:.1%}")
    if figures.get("tuned"):
        console.print(f"  page policy tuned on the development half: {figures['tuned']}")
    console.print(f"  latency of recommend_jobs: p50 {figures['latency_ms']['p50']} ms, p95 {figures['latency_ms']['p95']} ms")
    if figures["misses"]:
        console.print(f"  not in the first 5: {'; '.join(figures['misses'][:15])}", highlight=False)


def run() -> dict:
    """Prints the figures of every shipped title set; returns them (`make eval`)."""
    return {name: evaluate(catalogue=feed, cases_path=cases, name=name) for name, (feed, cases) in SHIPPED_SETS.items()}
