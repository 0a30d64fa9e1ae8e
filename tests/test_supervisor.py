"""The supervisor restarts a process that exits (with growing delays, saying so) and stops everything."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from assistant.stack import Service
from assistant.supervisor import Supervisor, read_state

SLEEPER = [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(120)"]


def _wait_for(predicate, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not reached in time")


def _alive(pid: int) -> bool:
    """A zombie (ended, not yet reaped by its new parent) counts as ended."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_a_killed_process_comes_back_and_the_others_keep_running(tmp_path, capsys):
    state = tmp_path / "run" / "processes.json"
    sup = Supervisor([Service("actions", SLEEPER, ""), Service("api", SLEEPER, "")], state_file=state).start()
    out = ""

    def printed(text: str, times: int) -> bool:
        nonlocal out
        out += capsys.readouterr().out
        return out.count(text) >= times

    try:
        _wait_for(lambda: printed("actions | up", 1) and printed("api     | up", 1))
        first = sup.pid("actions")
        api_pid = sup.pid("api")
        assert read_state(state) == {"actions": first, "api": api_pid}
        os.kill(first, signal.SIGKILL)
        second = _wait_for(lambda: sup.pid("actions") if sup.pid("actions") not in (None, first) else None)
        assert sup.restarts("actions") == 1
        assert sup.pid("api") == api_pid and _alive(api_pid), "the other process is left alone"
        _wait_for(lambda: read_state(state)["actions"] == second)
        _wait_for(lambda: printed("actions | up", 2))
    finally:
        sup.stop()
    out += capsys.readouterr().out
    assert "actions exited with code -9; next attempt in 1 s" in out
    assert "actions: started again" in out
    assert out.count("actions | up") == 2 and out.count("api     | up") == 1  # output relayed with its name
    assert not _alive(second) and not _alive(api_pid), "stop() ends every process"
    assert read_state(state) == {"actions": None, "api": None}


def test_a_process_that_keeps_failing_waits_longer_each_time(capsys):
    failing = Service("rasa", [sys.executable, "-c", "raise SystemExit(3)"], "")
    sup = Supervisor([failing], first_delay=0.1).start()
    try:
        _wait_for(lambda: sup.restarts("rasa") >= 3)
    finally:
        sup.stop()
    lines = [line for line in capsys.readouterr().out.splitlines() if "exited with code 3" in line]
    delays = [float(line.rsplit("in ", 1)[1].removesuffix(" s")) for line in lines[:3]]
    assert delays == [0.1, 0.2, 0.4], lines


def test_stop_ends_a_process_that_ignores_sigterm_and_its_children(tmp_path):
    stubborn = [sys.executable, "-c",
                "import signal, subprocess, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)']); "
                "print(child.pid, flush=True); time.sleep(120)"]
    sup = Supervisor([Service("rasa", stubborn, "")], log_dir=tmp_path, stop_timeout=1.0).start()
    log = tmp_path / "rasa.log"
    child_pid = int(_wait_for(lambda: log.read_text().strip() if log.exists() else ""))
    pid = sup.pid("rasa")
    sup.stop()
    assert not _alive(pid)
    _wait_for(lambda: not _alive(child_pid), timeout=3)  # SIGKILL went to the whole process group


def test_what_a_killed_process_spawned_is_ended_before_the_restart(tmp_path):
    parent = [sys.executable, "-c",
              "import subprocess, sys, time; "
              "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)']); "
              "print(child.pid, flush=True); time.sleep(120)"]
    sup = Supervisor([Service("actions", parent, "")], log_dir=tmp_path, first_delay=0.2).start()
    try:
        log = tmp_path / "actions.log"
        child_pid = int(_wait_for(lambda: log.read_text().split()[0] if log.exists() and log.read_text().strip() else ""))
        os.kill(sup.pid("actions"), signal.SIGKILL)  # like kill -9 of Sanic's main process: its worker stays
        _wait_for(lambda: not _alive(child_pid), timeout=5)
        _wait_for(lambda: sup.restarts("actions") == 1)
    finally:
        sup.stop()
