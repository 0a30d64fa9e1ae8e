"""Benchmark of the running stack: time from start to healthy, resident memory of each process,
chat round-trip latency through Rasa's REST channel (a greeting: NLU + an action + the database), and the
same while another conversation keeps sending 1 MB messages (each must get the length notice fast, and
must not slow the others down)."""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import threading
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


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return round(ordered[int(0.95 * (len(ordered) - 1))], 1)


def _chat_latencies(rasa_url: str, turns: int) -> list[float]:
    """Returns the round trip of turns short messages, each from a new conversation (ms)."""
    latencies = []
    for i in range(turns):
        body = {"sender": f"bench-{uuid.uuid4().hex}", "message": "hello" if i % 2 else "what can you do?"}
        t0 = time.perf_counter()
        httpx.post(f"{rasa_url}/webhooks/rest/webhook", json=body, timeout=60).raise_for_status()
        latencies.append((time.perf_counter() - t0) * 1000)
    return latencies


def _beside_oversized(rasa_url: str, turns: int) -> tuple[list[float], list[float]]:
    """Returns the reply times of 1 MB messages sent back to back by one conversation, and of turns short
    messages sent meanwhile by others (ms); the oversized sender stops when the others are done."""
    huge = {"sender": f"bench-huge-{uuid.uuid4().hex}", "message": "a" * 1_000_000}
    oversized: list[float] = []
    done = threading.Event()

    def flood() -> None:
        with httpx.Client(timeout=60) as client:
            while not done.is_set() and len(oversized) < 1000:
                t0 = time.perf_counter()
                client.post(f"{rasa_url}/webhooks/rest/webhook", json=huge).raise_for_status()
                oversized.append((time.perf_counter() - t0) * 1000)

    flooder = threading.Thread(target=flood, daemon=True)
    flooder.start()
    time.sleep(0.5)
    try:
        beside = _chat_latencies(rasa_url, turns)
    finally:
        done.set()
        flooder.join(timeout=120)
    return oversized, beside


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
        latencies = _chat_latencies(settings.rasa_url, turns)
        oversized, beside = _beside_oversized(settings.rasa_url, turns)
        memory = {service.name: _rss_mb(proc.pid) for service, proc in zip(services, procs)}
    finally:
        for proc in procs:
            stack.stop_process(proc)
    figures = {
        "start_to_healthy_s": round(healthy_after, 1),
        "chat_p50_ms": round(statistics.median(latencies), 1),
        "chat_p95_ms": _p95(latencies),
        "one_mb_message_p50_ms": round(statistics.median(oversized), 1),
        "one_mb_message_max_ms": round(max(oversized), 1),
        "chat_beside_one_mb_p50_ms": round(statistics.median(beside), 1),
        "chat_beside_one_mb_p95_ms": _p95(beside),
        **{f"rss_{name}_mb": round(value) for name, value in memory.items()},
        "total_s": round(time.monotonic() - started, 1),
    }
    table = Table(title="Stack")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_row("start → all healthy", f"{figures['start_to_healthy_s']} s")
    table.add_row(f"chat round trip p50 / p95 ({turns} turns, REST)", f"{figures['chat_p50_ms']} / {figures['chat_p95_ms']} ms")
    table.add_row(f"1 MB message → length notice, p50 / max ({len(oversized)} messages)",
                  f"{figures['one_mb_message_p50_ms']} / {figures['one_mb_message_max_ms']} ms")
    table.add_row("… another conversation meanwhile, p50 / p95",
                  f"{figures['chat_beside_one_mb_p50_ms']} / {figures['chat_beside_one_mb_p95_ms']} ms")
    for name, value in memory.items():
        table.add_row(f"resident memory: {name}", f"{value:.0f} MB")
    console.print(table)
    return figures
