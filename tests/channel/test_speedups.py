"""Rasa's per-turn speed-ups keep its behaviour (their own process: they run inside Rasa's environment)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from assistant import stack

CASES = Path(__file__).with_name("speedups_cases.py")


def test_the_speedups_keep_rasas_checks_and_event_lookups_and_store_the_tracker_in_write_ahead_mode():
    out = subprocess.run([str(stack.ROOT / ".venv-rasa" / "bin" / "python"), str(CASES)], env=stack.rasa_env(),
                         capture_output=True, text=True, timeout=120, check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["valid"] is True
    assert got["invalid"] == got["rasa_rejects"]
    assert got["invalid"].startswith("'not a list' is not of type 'array'. Failed to validate Action server response")
    assert got["retrieved"] == ["hello"]
    assert got["journal_mode"] == "wal"
    assert got["pool"] == "QueuePool"
    assert got["events"] == got["events_again"] == got["rasa_events"]
    assert got["events"]["user"] == "UserUttered" and got["events"]["slot"] == "SlotSet"
    assert got["events"]["topic"] == "None" and got["events"]["with default"] == "UserUttered"
    assert got["events"]["unknown"] == "Unknown event name 'no_such_event'."
