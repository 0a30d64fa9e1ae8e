"""Rasa's per-turn speed-ups keep its behaviour (their own process: they run inside Rasa's environment)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from assistant import stack

CASES = Path(__file__).with_name("speedups_cases.py")


def test_the_speedups_keep_rasas_checks_and_store_the_tracker_in_write_ahead_mode():
    out = subprocess.run([str(stack.ROOT / ".venv-rasa" / "bin" / "python"), str(CASES)], env=stack.rasa_env(),
                         capture_output=True, text=True, timeout=120, check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["valid"] is True
    assert got["invalid"] == got["rasa_rejects"]
    assert got["invalid"].startswith("'not a list' is not of type 'array'. Failed to validate Action server response")
    assert got["retrieved"] == ["hello"]
    assert got["journal_mode"] == "wal"
    assert got["pool"] == "QueuePool"
