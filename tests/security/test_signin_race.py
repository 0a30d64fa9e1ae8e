"""The sign-in lock-out cannot be raced: each attempt is committed as a failure before its password is
checked, so of many parallel wrong guesses at most the limit reach the password check (real database)."""

from __future__ import annotations

import threading
import uuid

from sqlalchemy import delete, func, select

from assistant.db import session_scope
from assistant.inbox import signin_throttle
from assistant.inbox.models import SignInFailure
from assistant.settings import get_settings
from tests.abuse import client_address


def test_parallel_attempts_never_get_more_than_the_limit_of_guesses(app_db):
    email, client = f"race-{uuid.uuid4().hex[:8]}@example.com", client_address()
    parallel = 12
    barrier, allowed, lock = threading.Barrier(parallel), [], threading.Lock()

    def attempt():
        barrier.wait()
        with session_scope() as db:
            wait = signin_throttle.begin_attempt(db_session=db, email=email, client=client)
        with lock:
            allowed.append(wait == 0)

    threads = [threading.Thread(target=attempt) for _ in range(parallel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    try:
        limit = get_settings().signin_max_failures
        assert len(allowed) == parallel
        assert 1 <= sum(allowed) <= limit, "no more guesses than the limit, however parallel"
        with session_scope() as db:
            kept = db.scalar(select(func.count(SignInFailure.id)).where(SignInFailure.email == email))
        assert kept == sum(allowed), "each guess that reached the password check is a recorded failure"
    finally:
        with session_scope() as db:
            db.execute(delete(SignInFailure).where(SignInFailure.email == email))


def test_a_refused_attempt_while_locked_adds_no_failure(app_db):
    email, client = f"race-{uuid.uuid4().hex[:8]}@example.com", "10.8.0.1"
    limit = get_settings().signin_max_failures
    try:
        with session_scope() as db:
            assert all(signin_throttle.begin_attempt(db_session=db, email=email, client=client) == 0 for _ in range(limit))
            assert signin_throttle.begin_attempt(db_session=db, email=email, client=client) > 0
            assert db.scalar(select(func.count(SignInFailure.id)).where(SignInFailure.email == email)) == limit
    finally:
        with session_scope() as db:
            db.execute(delete(SignInFailure).where(SignInFailure.email == email))
