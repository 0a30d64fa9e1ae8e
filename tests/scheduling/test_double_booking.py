"""Two candidates clicking the same slot at the same moment, on separate connections (as two action servers or
API replicas would): exactly one booking wins, the other gets SlotTaken; on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from assistant import migrate
from assistant.candidates.models import Application, Candidate, Interview
from assistant.db import make_engine
from assistant.jobs.models import Job
from assistant.scheduling import service
from assistant.scheduling.models import InterviewBooking, InterviewRequest, InterviewSlot
from tests.conftest import DATA_DIR
from tests.scheduling.conftest import add_invited, add_slots

ROUNDS = 10


@pytest.fixture
def shared_engine(engine):
    """An engine configured as the running services configure theirs, on a migrated database that commits."""
    if engine.dialect.name == "postgresql":
        yield engine
        return
    own = make_engine(f"sqlite:///{DATA_DIR / f'double-{uuid.uuid4().hex}.db'}")  # the services' SQLite settings
    with own.begin() as connection:
        migrate.upgrade(connection)
    yield own
    own.dispose()


def _race(engine, requests: list[int], slot_id: int) -> list[str]:
    """Starts one thread per request, released together, each booking slot_id; returns their outcomes."""
    barrier = threading.Barrier(len(requests))
    outcomes: list[str] = []

    def attempt(request_id: int) -> None:
        with Session(engine, expire_on_commit=False) as db:
            request, slot = db.get(InterviewRequest, request_id), db.get(InterviewSlot, slot_id)
            actor = service.audit_service.candidate_actor(candidate_id=request.application.candidate_id)
            barrier.wait()
            try:
                service.book(db_session=db, request=request, slot=slot, actor=actor)
                db.commit()
                outcomes.append("booked")
            except service.SlotTaken:
                db.rollback()
                outcomes.append("taken")

    threads = [threading.Thread(target=attempt, args=(r,)) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_simultaneous_bookings_of_one_slot_give_it_to_exactly_one_candidate(shared_engine):
    with Session(shared_engine, expire_on_commit=False) as db:
        first = add_invited(db)
        rival = add_invited(db, job=first.job)
        mover = add_invited(db, job=first.job)
        slots = add_slots(db, first.job, [30 + i for i in range(ROUNDS)] + [100])
        parked = slots[-1]
        db.commit()
        ids = {"requests": [first.request.id, rival.request.id], "mover": mover.request.id, "job": first.job.id,
               "candidates": [first.candidate.id, rival.candidate.id, mover.candidate.id]}
    try:
        for slot in slots[:ROUNDS]:
            assert sorted(_race(shared_engine, ids["requests"], slot.id)) == ["booked", "taken"]
            with Session(shared_engine) as db:
                holders = db.scalars(select(InterviewBooking).where(InterviewBooking.active_slot_id == slot.id)).all()
                assert len(holders) == 1
                service.cancel(db_session=db, booking=holders[0], actor=service.audit_service.ATS_API, enforce_cutoff=False)
                db.commit()
        # a candidate moving into a slot while another books it: still one holder
        with Session(shared_engine) as db:
            service.book(db_session=db, request=db.get(InterviewRequest, ids["mover"]), slot=db.get(InterviewSlot, parked.id),
                         actor=service.audit_service.ATS_API)
            db.commit()
        target = slots[0].id
        outcomes = _race(shared_engine, [ids["mover"], ids["requests"][0]], target)
        assert sorted(outcomes) == ["booked", "taken"]
        with Session(shared_engine) as db:
            assert db.scalar(select(func.count()).select_from(InterviewBooking)
                             .where(InterviewBooking.active_slot_id == target)) == 1
    finally:
        with Session(shared_engine) as db:  # the PostgreSQL schema is shared by the session's tests
            request_ids = select(InterviewRequest.id).join(Application).where(Application.candidate_id.in_(ids["candidates"]))
            db.execute(delete(InterviewBooking).where(InterviewBooking.request_id.in_(request_ids)))
            db.execute(delete(Interview).where(Interview.application_id.in_(
                select(Application.id).where(Application.candidate_id.in_(ids["candidates"])))))
            db.execute(delete(InterviewSlot).where(InterviewSlot.job_id == ids["job"]))
            db.execute(delete(InterviewRequest).where(InterviewRequest.id.in_(request_ids)))
            db.execute(delete(Application).where(Application.candidate_id.in_(ids["candidates"])))
            db.execute(delete(Candidate).where(Candidate.id.in_(ids["candidates"])))
            db.execute(delete(Job).where(Job.id == ids["job"]))
            db.commit()
