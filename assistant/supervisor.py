"""Keeps the stack's processes running: starts each service, restarts one that exits (with backoff) and
stops them all together.

Used by ``assistant run`` (one replica or several), the cluster tests and the fault benchmark. Each
process runs in its own session, so stopping it also stops what it spawned. The pid of every running
process is kept in ``<data_dir>/run/processes.json`` for tools that need them (the fault benchmark).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from assistant.stack import Service, stop_process

log = logging.getLogger(__name__)

FIRST_DELAY_S = 1.0
MAX_DELAY_S = 30.0
STABLE_AFTER_S = 60.0  # a process that ran this long starts again from the first delay


@dataclass
class _Child:
    service: Service
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    restart_at: float | None = None
    delay: float = 0.0
    restarts: int = 0
    log_file: IO[bytes] | None = field(default=None, repr=False)


class Supervisor:
    """Runs services until stop(); a service that exits is started again after 1, 2, 4 … 30 s."""

    def __init__(self, services: list[Service], *, log_dir: Path | None = None, state_file: Path | None = None,
                 echo: bool = True, first_delay: float = FIRST_DELAY_S, stop_timeout: float = 15.0) -> None:
        self.first_delay = first_delay
        self.stop_timeout = stop_timeout
        self.children = {service.name: _Child(service, delay=first_delay) for service in services}
        self.log_dir = log_dir
        self.state_file = state_file
        self.echo = echo
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> Supervisor:
        """Starts every service and the watching thread; returns self."""
        for child in self.children.values():
            self._spawn(child)
        self._thread = threading.Thread(target=self._watch, name="supervisor", daemon=True)
        self._thread.start()
        return self

    def pid(self, name: str) -> int | None:
        """Returns the pid of the named service's current process (None while it waits for a restart)."""
        proc = self.children[name].proc
        return proc.pid if proc and proc.poll() is None else None

    def restarts(self, name: str) -> int:
        """Returns how many times the named service has been started again."""
        return self.children[name].restarts

    def stop(self) -> None:
        """Stops every service (SIGTERM, then SIGKILL after stop_timeout) and the watching thread."""
        self._stopping.set()
        if self._thread:
            self._thread.join(timeout=5)
        with self._lock:
            for child in self.children.values():
                if child.proc:
                    stop_process(child.proc, timeout=self.stop_timeout)
                if child.log_file:
                    child.log_file.close()
        self._write_state()

    def wait(self) -> None:
        """Blocks until stop() is called from another thread or a signal handler raises."""
        while not self._stopping.wait(0.5):
            pass

    def _spawn(self, child: _Child) -> None:
        service = child.service
        if self.log_dir:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            if child.log_file is None:
                child.log_file = open(self.log_dir / f"{service.name}.log", "ab")  # noqa: SIM115 - closed in stop()
            output: IO[bytes] | int = child.log_file
        else:
            output = subprocess.PIPE
        child.proc = subprocess.Popen(service.cmd, env={**os.environ, **service.env}, stdout=output,
                                      stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        child.started_at = time.monotonic()
        child.restart_at = None
        if output == subprocess.PIPE:
            threading.Thread(target=self._relay, args=(service.name, child.proc), daemon=True).start()
        self._write_state()

    def _relay(self, name: str, proc: subprocess.Popen) -> None:
        width = max(len(n) for n in self.children)
        for line in iter(proc.stdout.readline, b""):
            if self.echo:
                sys.stdout.write(f"{name:<{width}} | {line.decode(errors='replace')}")
                sys.stdout.flush()
        proc.stdout.close()

    def _watch(self) -> None:
        while not self._stopping.wait(0.2):
            with self._lock:
                if self._stopping.is_set():
                    return
                now = time.monotonic()
                for child in self.children.values():
                    self._check(child, now)

    def _check(self, child: _Child, now: float) -> None:
        if child.restart_at is not None:
            if now >= child.restart_at:
                child.restarts += 1
                self._spawn(child)
                self._say(f"{child.service.name}: started again (pid {child.proc.pid}, restart {child.restarts})")
            return
        code = child.proc.poll() if child.proc else None
        if code is None:
            return
        # What it spawned may live on (Sanic's worker holds the port): end its process group before a restart.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(child.proc.pid, signal.SIGKILL)
        if now - child.started_at >= STABLE_AFTER_S:
            child.delay = self.first_delay
        child.restart_at = now + child.delay
        self._say(f"{child.service.name} exited with code {code}; next attempt in {child.delay:g} s")
        child.delay = min(child.delay * 2, MAX_DELAY_S)
        self._write_state()

    def _say(self, message: str) -> None:
        if self.echo:
            sys.stdout.write(f"supervisor | {message}\n")
            sys.stdout.flush()
        else:
            log.warning(message)

    def _write_state(self) -> None:
        if not self.state_file:
            return
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        pids = {name: (c.proc.pid if c.proc and c.proc.poll() is None else None) for name, c in self.children.items()}
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps({"supervisor": os.getpid(), "processes": pids}))
        tmp.replace(self.state_file)


def read_state(state_file: Path) -> dict[str, int | None]:
    """Returns the pid of each supervised process from the state file (None: waiting for a restart)."""
    return json.loads(state_file.read_text())["processes"]
