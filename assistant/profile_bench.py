"""`assistant bench profile`: where a turn's CPU goes. The project (one replica) runs the mixed conversation
with 20 candidates while py-spy samples the Rasa server, the action server and the API; each sample is put
in one bucket by the code it is in (NLU, dialogue policies, tracker store, lock store, channel and HTTP,
knowledge search, embedding, database …), and the split is printed as CPU milliseconds per turn.

The action server's work is done in its child process (sanic's worker), hence ``--subprocesses``. Needs
py-spy (installed by `make setup`) and permission to attach to the processes (root, or
ptrace_scope 0)."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table

from assistant import bench_targets, loadgen
from assistant.settings import ROOT

console = Console()
SECONDS = 30
CANDIDATES = 20
# (bucket, markers): a sample goes to the first bucket that any of its frames matches, so the specific come first
# and the servers (whose frames are under everything) last. A marker matches a frame whose file path (as py-spy
# prints it: relative to site-packages, or absolute for the project's code) starts with it or has it after a "/".
BUCKETS = {
    "rasa": [("tracker store (SQL)", ("rasa/core/tracker_store.py", "sqlalchemy/", "sqlite3/", "psycopg2/")),
             ("lock store", ("rasa/core/lock_store.py", "redis/")),
             ("NLU pipeline", ("rasa/nlu/",)), ("dialogue policies", ("rasa/core/policies/",)),
             ("our channel (guard: length, language, junk; fail-safe)", ("rasa_channel/", "lingua/")),
             ("calling the action server", ("rasa/core/actions/", "aiohttp/")),
             ("model graph (TensorFlow glue)", ("tensorflow/", "keras/", "rasa/engine/")),
             ("channel, HTTP server, events", ("rasa/core/channels/", "sanic/", "rasa/shared/core/", "rasa/core/processor.py"))],
    "actions": [("embedding (ONNX Runtime)", ("onnxruntime/", "assistant/embedding", "tokenizers/")),
                ("knowledge search (FAISS, BM25)", ("faiss/", "bm25s/", "assistant/knowledge/")),
                ("job recommendations", ("assistant/jobs/",)),
                ("database (SQLAlchemy)", ("sqlalchemy/", "psycopg/", "sqlite3/")),
                ("language screening", ("lingua/", "assistant/language/")),
                ("actions and assistant code", ("actions/", "assistant/", "rasa_sdk_plugins/")),
                ("rasa-sdk, HTTP server", ("rasa_sdk/", "sanic/"))],
    "api": [("database (SQLAlchemy)", ("sqlalchemy/",)), ("assistant code", ("assistant/", "api/")),
            ("HTTP server", ("uvicorn/", "starlette/", "fastapi/"))],
}


def _matches(frame: str, marker: str) -> bool:
    path = frame[frame.rfind("(") + 1:]
    return path.startswith(marker) or f"/{marker}" in path


# Innermost frames of a thread that waits: py-spy can sample the executor threads of an event loop as busy.
IDLE = ("_worker (concurrent/futures/thread.py", "select (selectors.py", "wait (threading.py",
        "_wait_for_tstate_lock (threading.py")


def bucket_of(stack: str, buckets: list[tuple[str, tuple[str, ...]]]) -> str | None:
    """Returns the bucket of one collapsed stack ("outer;…;inner"): the first bucket any frame matches, or None
    for a thread that waits. With ``--subprocesses`` py-spy puts the process (its command line) first: not a frame."""
    frames = [frame for frame in stack.split(";") if not frame.startswith("process ")]
    if not frames or frames[-1].startswith(IDLE):
        return None
    for name, markers in buckets:
        if any(_matches(frame, marker) for frame in frames for marker in markers):
            return name
    return "other (event loop, Python)"


def split(raw: Path, kind: str) -> Counter:
    """Returns the number of samples per bucket in a py-spy raw (collapsed) file."""
    counts: Counter = Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        bucket = bucket_of(stack, BUCKETS[kind]) if stack and count.isdigit() else None
        if bucket:
            counts[bucket] += int(count)
    return counts


def run() -> dict:
    """Profiles the three processes under load; prints and returns CPU ms per turn by bucket."""
    py_spy = shutil.which("py-spy") or str(ROOT / ".venv" / "bin" / "py-spy")
    if not Path(py_spy).exists():
        raise RuntimeError("the profile needs py-spy: make setup installs it")
    rate = 100  # samples a second
    folder = Path(tempfile.mkdtemp(prefix="turn-profile-"))
    with bench_targets.project(1) as target:
        asyncio.run(loadgen.closed_loop(target.rest_url, target.conversation, candidates=2, seconds=5))
        recorders = [subprocess.Popen([py_spy, "record", "--pid", str(target.supervisor.pid(kind)), "--rate", str(rate),
                                       "--duration", str(SECONDS), "--format", "raw", "--nonblocking", "--subprocesses",
                                       "--output", str(folder / f"{kind}.txt")],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                     for kind in BUCKETS]
        result = asyncio.run(loadgen.closed_loop(target.rest_url, target.conversation, candidates=CANDIDATES,
                                                 seconds=SECONDS))
        for recorder in recorders:
            recorder.wait(timeout=120)
    turns = max(1, len(result.latencies_ms))
    figures: dict = {"turns": turns, "turns_per_s": result.figures()["turns_per_s"],
                     "load_average": round(os.getloadavg()[0], 2), "cpu_ms_per_turn": {}}
    table = Table(title=f"CPU per turn ({turns} turns, {CANDIDATES} candidates, {SECONDS} s; load average "
                        f"{figures['load_average']})")
    for column in ("process", "where", "CPU ms / turn", "share"):
        table.add_column(column, justify="left" if column in ("process", "where") else "right")
    for kind in BUCKETS:
        raw = folder / f"{kind}.txt"
        counts = split(raw, kind) if raw.exists() else Counter()
        total = sum(counts.values()) or 1
        figures["cpu_ms_per_turn"][kind] = {}
        for name, samples in counts.most_common():
            ms = samples * 1000 / rate / turns
            figures["cpu_ms_per_turn"][kind][name] = round(ms, 1)
            table.add_row(kind, name, f"{ms:.1f}", f"{100 * samples / total:.0f} %")
    console.print(table)
    shutil.rmtree(folder, ignore_errors=True)
    return figures
