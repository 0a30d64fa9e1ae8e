"""`assistant bench jobs`: 100,000 generated jobs: index build time, memory, recommendation latency, IVF recall.

How the jobs are made (embedding 100k texts with MiniLM on two cores would take far too long): the 184 demo
postings are embedded for real, and each generated job is a demo posting's vector plus Gaussian noise
(re-normalised), with the demo posting's title, skills and level and a random place. Latency is the whole
``recommend_jobs`` call on a temporary SQLite database holding all 100k jobs: query embedding (a real
MiniLM call for every distinct request), place/level filters, FAISS search and the BM25 title search of
the hybrid pool, the open-job check, re-ranking, diversity and explanations; "cached" repeats the same
request (as "show more" does), whose embedding comes from the recommender's LRU cache. The query is embedded by the configured backend
(ONNX Runtime by default, one thread). Recall@10 compares the IVF index with exact search for the same
real request embeddings.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table
from sqlalchemy import insert
from sqlalchemy.orm import Session

console = Console()
JOBS = 100_000
NOISE = 0.035  # per dimension: a generated job keeps a cosine of ~0.6 with its template
REQUESTS = [
    "remote python jobs", "jobs in Berlin for a nurse", "senior data engineer in London", "warehouse work in Toronto",
    "product designer", "customer support in Lisbon", "machine learning engineer", "accountant in Berlin",
    "forklift operator Austin", "hybrid jobs in Amsterdam", "junior frontend developer", "sales jobs in Austin",
    "clinic manager", "remote jobs in Canada", "payroll specialist", "UX researcher remote", "logistics coordinator",
    "medical assistant in Amsterdam", "site reliability engineer", "financial analyst London",
]


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _generate(templates: list, vectors: np.ndarray, count: int, seed: int = 5) -> tuple[list[dict], np.ndarray]:
    rng = np.random.default_rng(seed)
    pick = random.Random(seed)
    places = [("Berlin", "Germany"), ("London", "United Kingdom"), ("Amsterdam", "Netherlands"), ("Lisbon", "Portugal"),
              ("Toronto", "Canada"), ("Austin", "United States")]
    base = rng.integers(0, len(templates), size=count)
    out = vectors[base] + rng.normal(scale=NOISE, size=(count, vectors.shape[1])).astype(np.float32)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    rows = []
    for n, t in enumerate(base.tolist()):
        template = templates[t]
        remote = pick.random() < 0.12
        city, country = (None, pick.choice(["EU", "United Kingdom", "Canada"])) if remote else pick.choice(places)
        rows.append({"id": n + 1, "external_id": f"BENCH-{n + 1}", "title": template.title, "department": template.department,
                     "level": template.level, "city": city, "country": country,
                     "workplace": "remote" if remote else pick.choice(["hybrid", "onsite"]), "employment_type": "full-time",
                     "skills": template.skills, "summary": "", "salary_min": template.salary_min,
                     "salary_max": template.salary_max, "currency": template.currency, "url": "", "status": "open"})
    return rows, out.astype(np.float32)


def run(jobs: int = JOBS, queries: int = 200) -> dict:
    """Prints the benchmark table; returns the figures."""
    from assistant import embeddings, migrate
    from assistant.db import make_engine
    from assistant.jobs import index as jobs_index
    from assistant.jobs.demo import rows as demo_rows
    from assistant.jobs.models import Job
    from assistant.jobs.recommend import recommend_jobs
    from assistant.jobs.schemas import JobPosting

    templates = [JobPosting.model_validate(r) for r in demo_rows()]
    template_vectors = embeddings.embed([jobs_index.embedding_text(t, t.summary) for t in templates])
    rows, vectors = _generate(templates, template_vectors, jobs)
    ids = np.array([r["id"] for r in rows], dtype=np.int64)

    with tempfile.TemporaryDirectory(prefix="jobs-bench-") as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        with engine.begin() as connection:
            migrate.upgrade(connection)
            connection.execute(insert(Job), rows)
        rss_before = _rss_mb()
        started = time.perf_counter()
        index, facts = jobs_index.build_index(vectors, ids)  # above the threshold: IVF, nprobe calibrated
        build_seconds = time.perf_counter() - started
        root = Path(folder) / "index"
        metas = [jobs_index.JobMeta(r["id"], r["external_id"], r["title"], r["department"], r["level"], r["city"],
                                    r["country"], r["workplace"], list(r["skills"])) for r in rows]
        jobs_index.publish(root=root, index=index, facts=facts, jobs=metas)
        loaded = jobs_index.served(root=root)
        index_mb = len(jobs_index.faiss.serialize_index(loaded.index)) / 2**20
        rss_loaded = _rss_mb()

        # Recall@10 of IVF vs exact for real request embeddings.
        request_vectors = embeddings.embed(REQUESTS)
        exact = jobs_index.faiss.IndexFlatIP(vectors.shape[1])
        exact.add(vectors)
        _, truth = exact.search(request_vectors, 10)
        _, found = loaded.search(request_vectors, 10)
        request_recall = jobs_index.recall_at_k(found, ids[truth])

        rng = random.Random(3)
        texts = [f"{rng.choice(REQUESTS)} {rng.choice(['', 'please', 'now', 'roles', 'openings', 'positions'])}".strip()
                 + f" #{n}" for n in range(queries)]  # distinct texts: every call embeds
        latencies, warm, embed_ms, empty = [], [], [], 0
        with Session(bind=engine) as db:
            recommend_jobs(db_session=db, text="warm up", loaded=loaded, log_shown=False)
            for text in texts:
                t0 = time.perf_counter()
                embeddings.embed([text])
                embed_ms.append((time.perf_counter() - t0) * 1000)
                t0 = time.perf_counter()
                result = recommend_jobs(db_session=db, text=text, loaded=loaded, log_shown=False)
                latencies.append((time.perf_counter() - t0) * 1000)
                empty += not result.items
                t0 = time.perf_counter()  # the same request again ("show more"): its embedding is cached
                recommend_jobs(db_session=db, text=text, loaded=loaded, log_shown=False)
                warm.append((time.perf_counter() - t0) * 1000)
        engine.dispose()

    latencies.sort()
    warm.sort()
    figures = {
        "jobs": jobs, "index": facts["kind"], "nlist": facts.get("nlist"), "nprobe": facts["nprobe"],
        "build_seconds": round(build_seconds, 1), "index_mb": round(index_mb, 1),
        "rss_growth_mb": round(rss_loaded - rss_before, 1),
        "recall@10_calibration": round(facts["recall_at_10"], 3), "recall@10_requests": round(request_recall, 3),
        "latency_p50_ms": round(statistics.median(latencies), 1),
        "latency_p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
        "cached_embedding_p50_ms": round(statistics.median(warm), 1),
        "cached_embedding_p95_ms": round(warm[int(0.95 * (len(warm) - 1))], 1),
        "embedding_backend": type(embeddings.get_model()).__name__, "load_average": round(os.getloadavg()[0], 1),
        "query_embedding_p50_ms": round(statistics.median(embed_ms), 1), "queries": queries, "empty_results": empty,
    }
    figures["meets_targets"] = figures["latency_p95_ms"] < 50 and min(figures["recall@10_calibration"], figures["recall@10_requests"]) >= 0.95
    table = Table(title=f"Job recommendations at {jobs:,} generated jobs")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for key, value in figures.items():
        table.add_row(key, str(value))
    console.print(table)
    return figures
