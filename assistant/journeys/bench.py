"""`make bench` (journeys): planning 100,000 generated candidates against every shipped journey.

A temporary SQLite database gets 100,000 candidates with 1-2 applications each in random stages (stage history
within the last 30 days), an interview in the next 14 days for a third of the applications and career-site
events (job views, started applications) for a fifth of the candidates. Measured: reading the snapshot,
computing every journey's occurrences, the first plan (writes every run) and a steady-state tick's plan
(nothing new: what the API pays every tick), and the process's peak memory.
"""

from __future__ import annotations

import random
import resource
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

console = Console()
CANDIDATES = 100_000
STAGES = ["applied", "under_review", "assessment", "phone_screen", "interviews", "final_round", "offer", "hired",
          "not_selected", "withdrawn"]
DEPARTMENTS = ["engineering", "data", "sales", "clinical", "warehouse", "finance", "product", "customer support"]
KINDS = ["phone", "video", "technical", "panel", "onsite"]
ZONES = ["Europe/Berlin", "Europe/London", "America/Toronto", "America/Chicago", "Asia/Tokyo", "Europe/Lisbon"]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _generate(db: Session, now, count: int, seed: int = 15) -> None:
    from assistant.candidates.models import Application, Candidate, Interview, StageHistory
    from assistant.jobs.models import BehaviourEvent, Job

    rng = random.Random(seed)
    db.execute(insert(Job), [{"id": n + 1, "external_id": f"BJ-{n}", "title": f"Role {n}", "department": DEPARTMENTS[n % 8],
                              "level": "mid", "workplace": "hybrid", "status": "open", "posted_at": now}
                             for n in range(400)])
    candidates, applications, history, interviews, events = [], [], [], [], []
    app_id = 0
    for n in range(count):
        candidates.append({"id": n + 1, "external_id": f"B-{n}", "first_name": "Bench", "last_name": "", "email": f"b{n}@example.com",
                           "time_zone": rng.choice(ZONES), "language": "en", "contact_channel": rng.choice(["email"] * 4 + ["sms"]),
                           "job_alerts": rng.random() < 0.4, "consents": {}, "skills": [], "desired_roles": [],
                           "preferred_locations": [], "work_preference": "any", "created_at": now, "updated_at": now})
        for _ in range(rng.choice((1, 1, 2))):
            app_id += 1
            stage = rng.choice(STAGES)
            changed = now - timedelta(hours=rng.uniform(0, 30 * 24))
            applications.append({"id": app_id, "external_id": f"BA-{app_id}", "candidate_id": n + 1, "job_id": rng.randint(1, 400),
                                 "stage": stage, "applied_at": changed - timedelta(days=3), "stage_changed_at": changed,
                                 "updated_at": now})
            history.append({"application_id": app_id, "stage": stage, "changed_at": changed, "source": "ats"})
            if rng.random() < 0.33:
                interviews.append({"external_id": f"BI-{app_id}", "application_id": app_id, "kind": rng.choice(KINDS),
                                   "scheduled_at": now + timedelta(hours=rng.uniform(1, 14 * 24)), "duration_minutes": 45,
                                   "interviewer_names": []})
        if rng.random() < 0.2:
            department = rng.randrange(8)
            for k in range(rng.randint(1, 4)):
                events.append({"candidate_id": n + 1, "job_id": department + 8 * rng.randrange(50) + 1, "kind": "job_viewed",
                               "created_at": now - timedelta(hours=rng.uniform(1, 10 * 24))})
            if rng.random() < 0.3:
                events.append({"candidate_id": n + 1, "job_id": rng.randint(1, 400), "kind": "apply_started",
                               "created_at": now - timedelta(hours=rng.uniform(1, 72))})
    for model, rows in ((Candidate, candidates), (Application, applications), (StageHistory, history),
                        (Interview, interviews), (BehaviourEvent, events)):
        for start in range(0, len(rows), 20_000):
            db.execute(insert(model), rows[start:start + 20_000])
    db.commit()


def run(count: int = CANDIDATES) -> dict:
    """Prints and returns the planning figures for `count` generated candidates."""
    from assistant import clock, migrate
    from assistant.db import make_engine
    from assistant.journeys import planner, scheduler
    from assistant.journeys.models import JourneyRun

    journeys = scheduler.current_journeys()
    now = clock.now()
    with tempfile.TemporaryDirectory(prefix="journeys-bench-") as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        with engine.begin() as connection:
            migrate.upgrade(connection)
        with Session(engine) as db:
            started = time.perf_counter()
            _generate(db, now, count)
            generated = time.perf_counter() - started
            started = time.perf_counter()
            snapshot = planner.load_snapshot(db_session=db, now=now)
            read = time.perf_counter() - started
            started = time.perf_counter()
            occurrences = sum(1 for item in journeys.journeys for _ in planner.occurrences(item.journey, snapshot, now))
            computed = time.perf_counter() - started
            started = time.perf_counter()
            first = scheduler.plan(db_session=db, journeys=journeys, now=now, snapshot=snapshot)
            db.commit()
            first_plan = time.perf_counter() - started
            runs = db.scalar(select(func.count()).select_from(JourneyRun))
            started = time.perf_counter()
            again = scheduler.plan(db_session=db, journeys=journeys, now=now + timedelta(minutes=1))
            db.commit()
            steady = time.perf_counter() - started
        engine.dispose()
    figures = {"candidates": count, "journeys": len(journeys.journeys), "occurrences": occurrences, "runs_written": runs,
               "generate_seconds": round(generated, 1), "snapshot_seconds": round(read, 2),
               "occurrences_seconds": round(computed, 2), "first_plan_seconds": round(first_plan, 2),
               "steady_tick_plan_seconds": round(steady, 2), "new_runs_in_steady_tick": again.scheduled + again.held_out,
               "held_out": first.held_out, "peak_rss_mb": round(_peak_mb())}
    table = Table(title=f"Journeys: planning {count:,} candidates against {len(journeys.journeys)} journeys (SQLite)")
    table.add_column("what")
    table.add_column("figure", justify="right")
    for name, value in figures.items():
        table.add_row(name, f"{value:,}" if isinstance(value, int) else str(value))
    console.print(table)
    return figures
