"""`assistant bench scheduling`: bookings under contention and the slot search at scale.

On a temporary SQLite database (the services' settings: WAL, busy timeout) and, when
``ASSISTANT_TEST_POSTGRES_URL`` is set, a temporary PostgreSQL schema: ``CONTENDERS`` threads, each with its
own connection like separate action servers, are released together onto each of ``ROUNDS`` slots. Reported:
bookings per slot (must be exactly one; the winner's is cancelled after its round), the time of one booking attempt (won or refused), and the time of the
candidate's slot search among ``SEARCH_SLOTS`` published slots.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from assistant import migrate
from assistant.audit.service import ATS_API, candidate_actor
from assistant.candidates.models import Application, Candidate
from assistant.db import make_engine, utcnow
from assistant.jobs.models import Job
from assistant.scheduling import service
from assistant.scheduling.models import InterviewBooking, InterviewRequest, InterviewSlot

CONTENDERS = 8
ROUNDS = 40
SEARCH_SLOTS = 10_000


def _seed(db: Session) -> tuple[list[int], list[int]]:
    """Adds one job, CONTENDERS invited candidates, ROUNDS contested slots and SEARCH_SLOTS more; returns ids."""
    from datetime import timedelta

    job = Job(external_id="BENCH-JOB", title="Bench role", department="Bench", level="mid")
    db.add(job)
    db.flush()
    requests = []
    for n in range(CONTENDERS):
        candidate = Candidate(external_id=f"BENCH-C{n}", first_name="Bench", email=f"bench{n}@example.com")
        db.add(candidate)
        db.flush()
        application = Application(external_id=f"BENCH-A{n}", candidate_id=candidate.id, job_id=job.id, stage="interviews")
        db.add(application)
        db.flush()
        request = InterviewRequest(external_id=f"BENCH-R{n}", application_id=application.id)
        db.add(request)
        db.flush()
        requests.append(request.id)
    start = utcnow() + timedelta(days=2)
    db.execute(insert(InterviewSlot), [
        {"external_id": f"BENCH-S{i}", "job_id": job.id, "starts_at": start + timedelta(minutes=i), "duration_minutes": 30,
         "kind": "video", "interviewer_names": [], "source": "bench"} for i in range(ROUNDS + SEARCH_SLOTS)])
    slots = list(db.scalars(select(InterviewSlot.id).order_by(InterviewSlot.starts_at).limit(ROUNDS)))
    db.commit()
    return requests, slots


def _contend(engine, requests: list[int], slot_id: int, timings: list[float]) -> None:
    barrier = threading.Barrier(len(requests))

    def attempt(request_id: int) -> None:
        with Session(engine) as db:
            request, slot = db.get(InterviewRequest, request_id), db.get(InterviewSlot, slot_id)
            barrier.wait()
            started = time.perf_counter()
            try:
                service.book(db_session=db, request=request, slot=slot,
                             actor=candidate_actor(candidate_id=request.application.candidate_id))
                db.commit()
            except service.SlotTaken:
                db.rollback()
            timings.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=attempt, args=(r,)) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with Session(engine) as db:  # free the winner's request for the next round; the slot keeps its booking row
        for booking in db.scalars(select(InterviewBooking).where(InterviewBooking.active_slot_id == slot_id)):
            service.cancel(db_session=db, booking=booking, actor=ATS_API, enforce_cutoff=False)
        db.commit()


def _measure(engine) -> dict:
    with engine.begin() as connection:
        migrate.upgrade(connection)
    with Session(engine) as db:
        requests, slots = _seed(db)
    timings: list[float] = []
    started = time.perf_counter()
    for slot_id in slots:
        _contend(engine, requests, slot_id, timings)
    elapsed = time.perf_counter() - started
    with Session(engine) as db:
        per_slot = dict(db.execute(select(InterviewBooking.slot_id, func.count()).group_by(InterviewBooking.slot_id)).all())
        request = db.get(InterviewRequest, requests[0])
        searches = []
        for _ in range(20):
            t0 = time.perf_counter()
            found = service.available_slots(db_session=db, request=request)
            searches.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    return {"slots_contested": len(slots), "contenders": CONTENDERS,
            "slots_with_exactly_one_booking": sum(per_slot.get(s, 0) == 1 for s in slots),
            "attempt_p50_ms": statistics.median(timings), "attempt_p95_ms": timings[int(0.95 * (len(timings) - 1))],
            "rounds_per_s": len(slots) / elapsed, "search_slots": SEARCH_SLOTS + ROUNDS, "search_found": len(found),
            "search_p50_ms": statistics.median(searches)}


def run() -> dict:
    """Prints and returns the scheduling figures per database."""
    figures = {}
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        figures["sqlite"] = _measure(engine)
        engine.dispose()
    url = os.environ.get("ASSISTANT_TEST_POSTGRES_URL")
    if url:
        schema = f"bench_{uuid.uuid4().hex[:10]}"
        admin = make_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        engine = make_engine(url)
        from sqlalchemy import event

        @event.listens_for(engine, "connect")
        def _path(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute(f'SET search_path TO "{schema}"')
            cursor.close()
            dbapi_connection.commit()

        try:
            figures["postgresql"] = _measure(engine)
        finally:
            engine.dispose()
            with admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    table = Table(title=f"Scheduling: {CONTENDERS} simultaneous bookers per slot, slot search among {SEARCH_SLOTS + ROUNDS:,}")
    for column in ("database", "slots with one booking", "attempt p50 ms", "attempt p95 ms", "rounds/s", "search p50 ms"):
        table.add_column(column, justify="right")
    for name, f in figures.items():
        table.add_row(name, f"{f['slots_with_exactly_one_booking']}/{f['slots_contested']}", f"{f['attempt_p50_ms']:.1f}",
                      f"{f['attempt_p95_ms']:.1f}", f"{f['rounds_per_s']:.1f}", f"{f['search_p50_ms']:.1f}")
    Console().print(table)
    return figures
