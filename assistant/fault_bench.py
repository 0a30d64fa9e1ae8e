"""`assistant bench faults`: under steady load on the two-replica cluster, kill -9 each process in turn (a Rasa
server, an action server, an API process, PostgreSQL, Redis) and report failed turns, seconds until turns
succeed again, and lost messages and tickets (a turn that was answered but is missing from its tracker; an
escalation the candidate was told about that never became a ticket). Must be zero lost.

PostgreSQL and Redis are private instances started for this run under the same supervisor (so killing
them harms nobody else and they come back like the other processes). Needs root (PostgreSQL runs as the
``postgres`` user) and the Debian packages postgresql and redis-server.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections import Counter

import httpx
from rich.console import Console
from rich.table import Table
from sqlalchemy import text

from assistant import bench_targets, loadgen
from assistant.db import make_engine

console = Console()
RATE = 4.0  # turns a second, spread over the replicas
BEFORE_S, AFTER_S = 5.0, 40.0
ESCALATION = "can I speak to a real person please"
FAULT_CONVERSATION = ["hello", "how long does the hiring process take?", "do you sponsor work visas?", ESCALATION]
FAULTS = ("rasa-1", "actions-2", "api-1", "postgres", "redis")


def run() -> dict:
    """Runs every fault on one cluster and prints the table; returns the figures."""
    figures: dict[str, dict] = {}
    with bench_targets.private_services() as (pg_url, redis_url, backing), \
            bench_targets.project(2, services_urls=(pg_url, redis_url)) as target:
        target.conversation = FAULT_CONVERSATION
        for name in FAULTS:
            console.print(f"kill -9 {name} under {RATE:g} turns/s …")
            figures[name] = inject(target, name, backing if name in backing.children else target.supervisor)
            figures[name]["load_average"] = round(os.getloadavg()[0], 2)
    _print(figures)
    return figures


def inject(target: bench_targets.Target, name: str, supervisor) -> dict:
    """Returns the figures of one fault: load starts, the process is killed after BEFORE_S, load goes on."""
    result = loadgen.LoadResult(name)
    restarts = supervisor.restarts(name)

    async def scenario() -> tuple[float, float]:
        load = asyncio.create_task(loadgen.open_loop(target.rest_url, target.conversation, rate=RATE,
                                                     seconds=BEFORE_S + AFTER_S, result=result))
        await asyncio.sleep(BEFORE_S)
        killed = time.monotonic()
        os.kill(supervisor.pid(name), signal.SIGKILL)
        back = await asyncio.to_thread(_wait_back, supervisor, name, restarts)  # while the load goes on
        await load
        return killed - result.started_at, back - killed

    killed_at, back = asyncio.run(scenario())
    failed_after = [t for t, _ in result.failures if t >= killed_at]
    lost_messages, lost_tickets = lost(target, result)
    return {"turns": result.turns, "failed_turns": result.errors,
            "seconds_until_success": round(max(failed_after) - killed_at, 1) if failed_after else 0.0,
            "process_back_after_s": round(back, 1), "lost_messages": lost_messages, "lost_tickets": lost_tickets,
            "p95_ms": round(result.percentile(0.95), 1)}


def _wait_back(supervisor, name: str, restarts: int, timeout: float = 300.0) -> float:
    """Returns the time (monotonic) when the killed process was started again and answered its health check."""
    started = time.monotonic()
    child = supervisor.children[name]
    while time.monotonic() - started < timeout:
        if supervisor.restarts(name) > restarts and _up(child.service.health_url):
            return time.monotonic()
        time.sleep(0.2)
    return float("nan")


def _up(url: str) -> bool:
    if url.startswith("tcp://"):
        import socket

        host, port = url.removeprefix("tcp://").split(":")
        with socket.socket() as sock:
            sock.settimeout(1)
            return sock.connect_ex((host, int(port))) == 0
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def lost(target: bench_targets.Target, result: loadgen.LoadResult, *, wait_s: float = 60.0) -> tuple[int, int]:
    """Returns (answered turns missing from their tracker, announced escalations without a ticket).

    Escalations spooled while the database was down are delivered by the API within spool_retry_seconds,
    so tickets are counted again until none is missing or wait_s has passed."""
    answered = Counter(result.answered)
    token = target.env["ASSISTANT_RASA_TOKEN"]
    base = target.rest_url.split("/webhooks/")[0]
    missing_messages = 0
    with httpx.Client(timeout=30) as client:
        for sender in {s for s, _ in answered}:
            events = client.get(f"{base}/conversations/{sender}/tracker", params={"token": token}).json()["events"]
            stored = Counter((sender, e.get("text")) for e in events if e["event"] == "user")
            missing_messages += sum(max(0, n - stored[key]) for key, n in answered.items() if key[0] == sender)
    escalated = {sender for sender, message in answered if message == ESCALATION}
    engine = make_engine(target.env["ASSISTANT_DATABASE_URL"])
    deadline = time.monotonic() + wait_s
    while True:
        with engine.connect() as connection:
            tickets = set(connection.execute(text("SELECT conversation_id FROM ticket")).scalars())
        missing_tickets = len(escalated - tickets)
        if not missing_tickets or time.monotonic() > deadline:
            break
        time.sleep(2)
    engine.dispose()
    return missing_messages, missing_tickets


def _print(figures: dict[str, dict]) -> None:
    table = Table(title=f"kill -9 under {RATE:g} turns/s (two replicas of each, HAProxy, PostgreSQL + Redis)")
    for column in ("process", "turns", "failed", "s until turns succeed", "s until process back",
                   "lost messages", "lost tickets", "load avg"):
        table.add_column(column, justify="left" if column == "process" else "right")
    for name, row in figures.items():
        table.add_row(name, str(row["turns"]), str(row["failed_turns"]), f"{row['seconds_until_success']:.1f}",
                      f"{row['process_back_after_s']:.1f}", str(row["lost_messages"]), str(row["lost_tickets"]),
                      f"{row['load_average']:.1f}")
    console.print(table)
