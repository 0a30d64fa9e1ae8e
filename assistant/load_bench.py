"""`assistant bench load`: the project with one and with two replicas, and the bare `rasa init` bot measured in
the same run as the reference: closed loop (1, 20, 50 candidates without pause) and open loop (5, 10, 20
turns a second); p50 / p95 / max, errors and throughput per level, the ratios to the bare bot, and the
load average of the machine (other work on the same cores slows every figure)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from assistant import bench_targets, loadgen

console = Console()
CLOSED_LEVELS = (1, 20, 50)
OPEN_LEVELS = (5.0, 10.0, 20.0)
LEVEL_SECONDS = 20.0


def rasa_cpu_seconds(target: bench_targets.Target) -> float:
    """Returns the CPU time (user + system) the target's Rasa servers have used so far, from /proc."""
    total = 0.0
    for name in target.supervisor.children:
        pid = target.supervisor.pid(name) if name.startswith("rasa") else None
        if pid:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def measure(target: bench_targets.Target, *, seconds: float = LEVEL_SECONDS) -> dict[str, dict]:
    """Returns the figures of every load level against one running target (after a short warm-up)."""
    asyncio.run(loadgen.closed_loop(target.rest_url, target.conversation, candidates=2, seconds=5))  # warm-up
    levels: dict[str, dict] = {}
    for candidates in CLOSED_LEVELS:
        levels[f"closed {candidates}"] = _level(target, loadgen.closed_loop(
            target.rest_url, target.conversation, candidates=candidates, seconds=seconds))
    for rate in OPEN_LEVELS:
        levels[f"open {rate:g}/s"] = _level(target, loadgen.open_loop(
            target.rest_url, target.conversation, rate=rate, seconds=seconds))
    return levels


def _level(target: bench_targets.Target, load: Coroutine[Any, Any, loadgen.LoadResult]) -> dict:
    """Runs one load level; returns its figures with the Rasa servers' CPU milliseconds per answered turn (on
    a shared machine throughput moves by a third between runs, the CPU a turn costs much less)."""
    cpu_before = rasa_cpu_seconds(target)
    figures = asyncio.run(load).figures()
    answered = figures["turns"] - figures["errors"]
    cpu_ms = (rasa_cpu_seconds(target) - cpu_before) * 1000 / answered if answered else float("nan")
    return {**figures, "rasa_cpu_ms_per_turn": round(cpu_ms, 1), "load_average": round(os.getloadavg()[0], 2)}


def run(seconds: float = LEVEL_SECONDS) -> dict:
    """Measures the bare bot, then the project with one and two replicas; prints the tables; returns the figures."""
    pg_url, redis_url = bench_targets.services_url()
    targets: list[tuple[str, Callable[[], AbstractContextManager[bench_targets.Target]]]] = [
        ("bare", bench_targets.bare_bot),
        ("project_1", lambda: bench_targets.project(1)),
    ]
    if pg_url and redis_url:
        targets.append(("project_2", lambda: bench_targets.project(2)))
    else:
        console.print("[yellow]no PostgreSQL/Redis (run `make test-prereqs`): two replicas not measured[/]")
    figures: dict[str, dict] = {}
    labels: dict[str, str] = {}
    for key, start in targets:
        with start() as target:
            console.print(f"measuring {target.label} …")
            figures[key] = measure(target, seconds=seconds)
            labels[key] = target.label
    _print(figures, labels)
    figures["ratios"] = ratios(figures)
    console.print(figures["ratios"])
    return figures


def ratios(figures: dict[str, dict]) -> dict[str, float]:
    """Returns the project's throughput at 20 candidates and p95 at 10 turns/s, relative to the bare bot."""
    bare = figures["bare"]
    out = {}
    for key in (k for k in figures if k.startswith("project")):
        out[f"{key}_throughput_20_vs_bare"] = round(figures[key]["closed 20"]["turns_per_s"] / bare["closed 20"]["turns_per_s"], 2)
        out[f"{key}_p95_10s_vs_bare"] = round(figures[key]["open 10/s"]["p95_ms"] / bare["open 10/s"]["p95_ms"], 2)
    return out


def _print(figures: dict[str, dict], labels: dict[str, str]) -> None:
    table = Table(title=f"Load through Rasa's REST channel ({LEVEL_SECONDS:.0f} s a level, loopback)")
    for column in ("system", "level", "turns/s", "p50 ms", "p95 ms", "max ms", "errors", "Rasa CPU ms/turn", "load avg"):
        table.add_column(column, justify="left" if column in ("system", "level") else "right")
    for key, levels in figures.items():
        for level, row in levels.items():
            table.add_row(labels[key], level, f"{row['turns_per_s']:.1f}", f"{row['p50_ms']:.0f}", f"{row['p95_ms']:.0f}",
                          f"{row['max_ms']:.0f}", str(row["errors"]), f"{row['rasa_cpu_ms_per_turn']:.1f}",
                          f"{row['load_average']:.1f}")
    console.print(table)
