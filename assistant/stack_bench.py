"""Benchmark of the running stack: time from start to healthy, resident memory of each process,
and chat round-trip latency through Rasa's REST channel (a greeting: NLU + an action + the database)."""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import httpx
from rich.console import Console
from rich.table import Table

from assistant import stack
from assistant.settings import get_settings

console = Console()


def _rss_mb(pid: int) -> float:
    """Returns the resident memory of a process and all its descendants, in MB."""
    total_kb = 0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            total_kb += next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:"))
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
            pids += [int(child) for child in children]
        except (FileNotFoundError, StopIteration, ProcessLookupError):
            continue
    return total_kb / 1024


def run(turns: int = 40) -> dict:
    """Starts the three services on the prepared data, measures them, stops them; returns the figures."""
    settings = get_settings()
    services = stack.services(settings)
    logs = Path(tempfile.mkdtemp(prefix="stack-bench-"))
    procs = []
    started = time.monotonic()
    try:
        for service in services:
            log = open(logs / f"{service.name}.log", "wb")  # noqa: SIM115 - closed with the process
            procs.append(subprocess.Popen(service.cmd, env={**os.environ, **service.env}, stdout=log,
                                          stderr=subprocess.STDOUT, start_new_session=True))
        healthy_after = stack.wait_healthy([s.health_url for s in services], timeout=300, procs=procs)
        latencies = []
        for i in range(turns):
            body = {"sender": f"bench-{uuid.uuid4().hex}", "message": "hello" if i % 2 else "what can you do?"}
            t0 = time.perf_counter()
            httpx.post(f"{settings.rasa_url}/webhooks/rest/webhook", json=body, timeout=60).raise_for_status()
            latencies.append((time.perf_counter() - t0) * 1000)
        memory = {service.name: _rss_mb(proc.pid) for service, proc in zip(services, procs)}
    finally:
        for proc in procs:
            stack.stop_process(proc)
    latencies.sort()
    figures = {
        "start_to_healthy_s": round(healthy_after, 1),
        "chat_p50_ms": round(statistics.median(latencies), 1),
        "chat_p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1),
        **{f"rss_{name}_mb": round(value) for name, value in memory.items()},
        "total_s": round(time.monotonic() - started, 1),
    }
    table = Table(title="Stack")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_row("start → all healthy", f"{figures['start_to_healthy_s']} s")
    table.add_row(f"chat round trip p50 / p95 ({turns} turns, REST)", f"{figures['chat_p50_ms']} / {figures['chat_p95_ms']} ms")
    for name, value in memory.items():
        table.add_row(f"resident memory: {name}", f"{value:.0f} MB")
    console.print(table)
    return figures
