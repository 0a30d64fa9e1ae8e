"""The load benchmark's CPU per turn counts the Rasa servers' own CPU time, and only theirs (real processes)."""

from __future__ import annotations

import sys
import time

from assistant import bench_targets, load_bench, stack
from assistant.supervisor import Supervisor

BUSY = "import time\nend = time.process_time() + {seconds}\nwhile time.process_time() < end: pass\ntime.sleep(60)"


def test_rasa_cpu_seconds_sums_the_rasa_replicas_and_leaves_the_other_processes_out(tmp_path):
    services = [stack.Service(name, [sys.executable, "-c", BUSY.format(seconds=seconds)], "")
                for name, seconds in (("rasa-1", 0.6), ("rasa-2", 0.4), ("actions-1", 1.5))]
    supervisor = Supervisor(services, log_dir=tmp_path, echo=False).start()
    try:
        target = bench_targets.Target("busy", "", supervisor, tmp_path, [], {})
        deadline = time.monotonic() + 30
        while load_bench.rasa_cpu_seconds(target) < 1.0 and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)  # the replicas now sleep: their CPU time stays put
        used = load_bench.rasa_cpu_seconds(target)
        assert 1.0 <= used < 1.3, used  # 0.6 + 0.4 s and the interpreters' start, not the 1.5 s of actions-1
        assert load_bench.rasa_cpu_seconds(target) == used
    finally:
        supervisor.stop()
