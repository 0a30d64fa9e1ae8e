"""`assistant bench soak [--minutes 30]`: the project (one replica) at a moderate steady load for a long while;
resident memory of each process sampled every minute, growth reported per process. Part of `make bench`: its
longest part."""

from __future__ import annotations

import asyncio
import os
import time

from rich.console import Console
from rich.table import Table

from assistant import bench_targets, loadgen
from assistant.stack_bench import _rss_mb

console = Console()
RATE = 3.0  # turns a second: moderate for two cores
SAMPLE_S = 60.0


def run(minutes: float = 30.0) -> dict:
    """Runs the soak and prints memory per process at the start and the end; returns the figures."""
    with bench_targets.project(1) as target:
        asyncio.run(loadgen.closed_loop(target.rest_url, target.conversation, candidates=2, seconds=10))  # warm-up
        names = list(target.supervisor.children)
        samples = [{name: _rss_mb(target.supervisor.pid(name)) for name in names}]
        result = loadgen.LoadResult("soak")
        started = time.monotonic()
        while time.monotonic() - started < minutes * 60:
            chunk = min(SAMPLE_S, minutes * 60 - (time.monotonic() - started))
            asyncio.run(loadgen.open_loop(target.rest_url, target.conversation, rate=RATE, seconds=chunk,
                                          result=result))
            samples.append({name: _rss_mb(target.supervisor.pid(name) or 0) for name in names})
        restarts = {name: target.supervisor.restarts(name) for name in names}
    figures = {"minutes": minutes, "rate_turns_per_s": RATE, **result.figures(),
               "load_average": round(os.getloadavg()[0], 2), "restarts": restarts,
               "rss_mb": {name: {"start": round(samples[0][name]), "end": round(samples[-1][name]),
                                 "growth": round(samples[-1][name] - samples[0][name]),
                                 "max": round(max(s[name] for s in samples))} for name in names}}
    table = Table(title=f"Soak: {minutes:g} min at {RATE:g} turns/s, {figures['turns']} turns, {figures['errors']} errors, "
                        f"p95 {figures['p95_ms']:.0f} ms, load average {figures['load_average']}")
    for column in ("process", "start MB", "end MB", "growth MB", "max MB"):
        table.add_column(column, justify="left" if column == "process" else "right")
    for name, row in figures["rss_mb"].items():
        table.add_row(name, str(row["start"]), str(row["end"]), f"{row['growth']:+d}", str(row["max"]))
    console.print(table)
    return figures

