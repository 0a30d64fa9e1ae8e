"""`assistant eval jobs`: Recall@5 and NDCG@10 of the recommender against BM25 and embeddings alone.

The labelled cases (tests/jobs/data/eval_cases.json) say by rules over catalogue attributes which open demo
jobs should come back for a request, a profile or a browsing history. Everything runs on a temporary
SQLite database and index, so the evaluation never touches the served data.
"""

from __future__ import annotations

import json
import math
import tempfile
from contextlib import contextmanager
from pathlib import Path

import bm25s
import numpy as np
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from assistant.settings import ROOT

CASES = ROOT / "tests" / "jobs" / "data" / "eval_cases.json"
console = Console()


def matches(job, rule: dict) -> bool:
    """Returns whether a job satisfies a label rule (all given conditions must hold)."""
    if "title_any" in rule and not any(t.lower() in job.title.lower() for t in rule["title_any"]):
        return False
    for key in ("city", "level", "workplace", "country", "department"):
        if key in rule and (getattr(job, key) or "").lower() != rule[key].lower():
            return False
    if "skill" in rule and rule["skill"].lower() not in {s.lower() for s in job.skills}:
        return False
    if "place_any" in rule:
        places = {f"remote:{job.country}" if job.workplace == "remote" else job.city}
        if not places & set(rule["place_any"]):
            return False
    return True


def recall_at(ranked: list[str], relevant: set[str], k: int) -> float:
    """Returns the share of relevant jobs in the top k, out of the most that k results could hold."""
    return len(set(ranked[:k]) & relevant) / min(len(relevant), k)


def ndcg_at(ranked: list[str], relevant: set[str], k: int) -> float:
    """Returns binary-relevance NDCG at k."""
    dcg = sum(1 / math.log2(rank + 2) for rank, job in enumerate(ranked[:k]) if job in relevant)
    ideal = sum(1 / math.log2(rank + 2) for rank in range(min(len(relevant), k)))
    return dcg / ideal


@contextmanager
def scratch_catalogue(rows: list[dict] | None = None):
    """Yields (session, index root) for a temporary database holding these postings (default: the demo catalogue)."""
    from assistant import migrate
    from assistant.db import make_engine
    from assistant.jobs import demo
    from assistant.jobs import index as jobs_index
    from assistant.jobs import service as jobs_service

    with tempfile.TemporaryDirectory(prefix="jobs-eval-") as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'eval.db'}")
        with engine.begin() as connection:
            migrate.upgrade(connection)
        session = Session(bind=engine, expire_on_commit=False)
        try:
            report = jobs_service.import_jobs(db_session=session, rows=demo.rows() if rows is None else rows)
            if report.errors:
                console.print(f"[yellow]{len(report.errors)} postings rejected by the import, e.g. row "
                              f"{report.errors[0].row}: {'; '.join(report.errors[0].errors)}[/]")
            session.commit()
            root = Path(folder) / "index"
            jobs_index.sync(db_session=session, root=root)
            yield session, root
        finally:
            session.close()
            engine.dispose()


def _keyword_baseline(jobs: list) -> tuple[bm25s.BM25, list[str]]:
    texts = [" ".join([job.title, job.department, job.level, job.city or "", job.country or "", job.workplace,
                       " ".join(job.skills), job.summary]) for job in jobs]
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(texts, stopwords="en", show_progress=False), show_progress=False)
    return retriever, [job.external_id for job in jobs]


def _keyword_ranking(retriever: bm25s.BM25, ids: list[str], query: str, exclude: set[str], k: int = 10) -> list[str]:
    tokens = bm25s.tokenize([query], stopwords="en", show_progress=False, return_ids=False)[0]
    if not tokens:
        return []
    scores = retriever.get_scores(tokens)
    order = np.argsort(-scores, kind="stable")
    return [ids[i] for i in order if scores[i] > 0 and ids[i] not in exclude][:k]


def run() -> dict:
    """Prints the recommender vs BM25 and embeddings alone per case type; returns the headline figures."""
    from assistant import embeddings
    from assistant.candidates.models import Candidate
    from assistant.events import service as events_service
    from assistant.events.schemas import EventIn
    from assistant.jobs import index as jobs_index
    from assistant.jobs import service as jobs_service
    from assistant.jobs.recommend import recommend_jobs

    cases = json.loads(CASES.read_text())["cases"]
    rows: list[dict] = []
    with scratch_catalogue() as (db, root):
        open_jobs = jobs_service.list_open_jobs(db_session=db)
        retriever, ids = _keyword_baseline(open_jobs)
        loaded = jobs_index.served(root=root)
        for number, case in enumerate(cases):
            exclude = set(case.get("viewed", []))
            relevant = {job.external_id for job in open_jobs if matches(job, case["rule"])} - exclude
            if not relevant:
                raise ValueError(f"case {case['id']} has no relevant open job: fix its rule")
            candidate, visitor, keywords = None, None, case.get("text", "")
            if "profile" in case:
                candidate = Candidate(external_id=f"EVAL-{number}", first_name="Eval", email=f"eval{number}@example.com",
                                      **case["profile"])
                db.add(candidate)
                db.flush()
                profile = case["profile"]
                keywords = " ".join(profile["desired_roles"] + profile["skills"] + profile["preferred_locations"]
                                    + ([profile["work_preference"]] if profile["work_preference"] != "any" else []))
            if "viewed" in case:
                visitor = f"eval-visitor-{number:04d}"
                events_service.record_events(db_session=db, visitor_id=visitor, events=[
                    EventIn(kind="job_viewed", job_id=job_id, dwell_seconds=90) for job_id in case["viewed"]])
                keywords = " ".join(jobs_service.get_by_external_id_or_raise(db_session=db, external_id=j).title
                                    for j in case["viewed"])
            result = recommend_jobs(db_session=db, text=case.get("text", ""), candidate=candidate, visitor_id=visitor,
                                    similar=case.get("similar", False), page_size=10, log_shown=False, loaded=loaded)
            ours = [item.job.external_id for item in result.items]
            baseline = _keyword_ranking(retriever, ids, keywords, exclude)
            _, nearest = loaded.search(embeddings.embed([keywords]), 10 + len(exclude))
            vector = [loaded.jobs[int(i)].external_id for i in nearest[0] if i >= 0]
            vector = [j for j in vector if j not in exclude][:10]
            rows.append({"id": case["id"], "type": {"q": "request", "p": "profile", "b": "behaviour"}[case["id"][0]],
                         "relevant": len(relevant),
                         "recall5": recall_at(ours, relevant, 5), "ndcg10": ndcg_at(ours, relevant, 10),
                         "base_recall5": recall_at(baseline, relevant, 5), "base_ndcg10": ndcg_at(baseline, relevant, 10),
                         "vector_recall5": recall_at(vector, relevant, 5)})
        db.rollback()
    figures = _summarise(rows)
    _print(figures, rows)
    return figures


def _summarise(rows: list[dict]) -> dict:
    def mean(key: str, subset: list[dict]) -> float:
        return round(float(np.mean([r[key] for r in subset])), 3)

    figures: dict = {"cases": len(rows)}
    for group in ("all", "request", "profile", "behaviour"):
        subset = rows if group == "all" else [r for r in rows if r["type"] == group]
        figures[group] = {"cases": len(subset), "recall@5": mean("recall5", subset), "ndcg@10": mean("ndcg10", subset),
                          "baseline_recall@5": mean("base_recall5", subset), "baseline_ndcg@10": mean("base_ndcg10", subset),
                          "embeddings_recall@5": mean("vector_recall5", subset)}
    figures["beats_baseline_recall@5"] = figures["all"]["recall@5"] > figures["all"]["baseline_recall@5"]
    figures["weakest_cases"] = [r["id"] for r in sorted(rows, key=lambda r: r["recall5"])[:5]]
    return figures


def _print(figures: dict, rows: list[dict]) -> None:
    table = Table(title=f"Job recommendations: {figures['cases']} labelled cases (recommender vs BM25 and embeddings alone)")
    for column in ("cases", "group", "Recall@5", "BM25 Recall@5", "embeddings Recall@5", "NDCG@10", "BM25 NDCG@10"):
        table.add_column(column, justify="right")
    for group in ("request", "profile", "behaviour", "all"):
        g = figures[group]
        table.add_row(str(g["cases"]), group, f"{g['recall@5']:.3f}", f"{g['baseline_recall@5']:.3f}",
                      f"{g['embeddings_recall@5']:.3f}", f"{g['ndcg@10']:.3f}", f"{g['baseline_ndcg@10']:.3f}")
    console.print(table)
    console.print(f"weakest cases (Recall@5): {', '.join(figures['weakest_cases'])}")
