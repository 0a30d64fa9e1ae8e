"""Background jobs of the API: run at start-up, again at the interval, survive a failing run, stop with the app."""

from __future__ import annotations

import asyncio

from assistant import periodic


async def test_a_job_runs_at_start_then_repeats_and_a_failure_does_not_stop_it(tmp_path):
    from assistant.db import make_engine

    runs = []

    def job():
        runs.append(len(runs))
        if len(runs) == 2:
            raise RuntimeError("database away")

    lifespan = periodic.every(lambda: 0.01, job, "test", engine=make_engine(f"sqlite:///{tmp_path / 'app.db'}"))
    async with lifespan(None):
        await asyncio.sleep(0.2)
    count = len(runs)
    assert count >= 4, runs  # the second run failed and the loop went on
    await asyncio.sleep(0.05)
    assert len(runs) == count, "the job stops when the app stops"


def _postgres_engine():
    from tests.conftest import POSTGRES_URL, database_urls

    if "postgresql" not in database_urls():
        return None  # locally without PostgreSQL; CI always sets ASSISTANT_TEST_POSTGRES_URL
    from assistant.db import make_engine

    return make_engine(POSTGRES_URL)


async def test_on_postgresql_a_job_runs_in_one_replica_and_another_takes_over_when_it_stops():
    import uuid

    engine = _postgres_engine()
    if engine is None:
        return
    name = f"test-job-{uuid.uuid4().hex}"
    runs = {"a": 0, "b": 0}

    def job_of(replica):
        def job():
            runs[replica] += 1
        return job

    first = periodic.every(lambda: 0.02, job_of("a"), name, engine=engine, takeover_seconds=0.05)(None)
    second = periodic.every(lambda: 0.02, job_of("b"), name, engine=engine, takeover_seconds=0.05)(None)
    await first.__aenter__()
    await asyncio.sleep(0.2)
    await second.__aenter__()
    await asyncio.sleep(0.4)
    assert runs["a"] >= 5 and runs["b"] == 0, runs
    await first.__aexit__(None, None, None)  # the replica that ran it stops: its connection and lock go
    await asyncio.sleep(0.4)
    await second.__aexit__(None, None, None)
    assert runs["b"] >= 3, runs
    engine.dispose()


def test_the_lock_is_per_job_and_free_on_sqlite(tmp_path):
    from assistant.db import make_engine

    lock = periodic.RunLock("retention", make_engine(f"sqlite:///{tmp_path / 'x.db'}"))
    assert lock.held() and periodic.RunLock("retention", lock._engine).held(), "SQLite: one process, no lock"
    assert periodic.RunLock("a").key != periodic.RunLock("b").key
