"""Background jobs of the API: run at start-up, again at the interval, survive a failing run, stop with the app."""

from __future__ import annotations

import asyncio

from assistant import periodic


async def test_a_job_runs_at_start_then_repeats_and_a_failure_does_not_stop_it():
    runs = []

    def job():
        runs.append(len(runs))
        if len(runs) == 2:
            raise RuntimeError("database away")

    lifespan = periodic.every(lambda: 0.01, job, "test")
    async with lifespan(None):
        await asyncio.sleep(0.2)
    count = len(runs)
    assert count >= 4, runs  # the second run failed and the loop went on
    await asyncio.sleep(0.05)
    assert len(runs) == count, "the job stops when the app stops"
