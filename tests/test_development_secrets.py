"""Development secrets: processes that start together (replicas, schedulers) end up with one set of secrets."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = 150

WORKER = """
import json, sys, time
from pathlib import Path
from assistant.settings import _development_secrets
base, start, folders = Path(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
while time.time() < start:
    time.sleep(0.001)
print(json.dumps([_development_secrets(base / str(n))["session_secret"] for n in range(folders)]))
"""


def test_processes_creating_secrets_together_agree_on_them(tmp_path):
    """Each of four processes creates the secrets of the same 150 fresh folders at the same moment."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.time() + 6
    workers = [subprocess.Popen([sys.executable, "-c", WORKER, str(tmp_path), str(start), str(FOLDERS)], env=env,
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    seen = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err[-2000:]
        seen.append(json.loads(out))
    assert all(values == seen[0] for values in seen)
    for n in range(FOLDERS):
        stored = tmp_path / str(n) / "secrets.json"
        assert json.loads(stored.read_text())["session_secret"] == seen[0][n]
        assert stored.stat().st_mode & 0o777 == 0o600
    assert not list(tmp_path.glob("*/*.tmp"))
