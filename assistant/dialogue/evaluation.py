"""Conversation figures for `make eval`.

- Golden conversations (tests/conversations/*.yml) and the separately written evaluation cases
  (tests/conversations/eval/*.yml), played through a private real stack by the same runner as `make test`
  (pytest starts it in a temporary folder); figure: conversations passed.
- Intent confusion between personal questions (which need verification) and general ones (answered from
  the knowledge base), on labelled messages written apart from the training data
  (tests/conversations/eval/intents.jsonl), classified by a private Rasa server with the trained model.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter

from rich.console import Console
from rich.table import Table

from assistant.escalation.evaluation import classify, nlu_server
from assistant.settings import ROOT, get_settings

EVAL_DIR = ROOT / "tests" / "conversations" / "eval"
PERSONAL = {"check_status", "ask_interview", "update_contact", "update_preferences", "update_profile",
            "withdraw_application", "verify_identity"}


def play_conversations() -> dict[str, tuple[int, int]]:
    """Returns (passed, total) for the golden conversations and for the evaluation cases."""
    report = get_settings().data_dir / "reports" / "conversations.xml"
    report.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "ASSISTANT_GOLDEN_DIRS": f"{ROOT / 'tests' / 'conversations'}:{EVAL_DIR}"}
    subprocess.run([sys.executable, "-m", "pytest", "tests/conversations/test_golden.py", "-q", "-p", "no:cacheprovider",
                    f"--junitxml={report}"], cwd=ROOT, env=env, check=False, stdout=subprocess.DEVNULL)
    counts = {"golden": [0, 0], "eval": [0, 0]}
    for case in ET.parse(report).getroot().iter("testcase"):
        kind = "eval" if "[eval/" in case.get("name", "") else "golden"
        counts[kind][1] += 1
        counts[kind][0] += not any(child.tag in ("failure", "error") for child in case)
    return {kind: (passed, total) for kind, (passed, total) in counts.items()}


def intent_confusion() -> dict:
    """Returns the personal/general confusion counts and accuracy on the labelled messages."""
    rows = [json.loads(line) for line in (EVAL_DIR / "intents.jsonl").read_text().splitlines() if line.strip()]
    with nlu_server() as base_url:
        predicted = classify([row["text"] for row in rows], base_url)
    confusion = Counter((row["kind"], "personal" if intent in PERSONAL else "general")
                        for row, intent in zip(rows, predicted))
    personal = sum(1 for row in rows if row["kind"] == "personal")
    general = len(rows) - personal
    return {
        "messages": len(rows),
        "personal_as_personal": confusion[("personal", "personal")] / personal,
        "general_as_general": confusion[("general", "general")] / general,
        "general_taken_as_personal": confusion[("general", "personal")],
        "personal_taken_as_general": confusion[("personal", "general")],
        "accuracy": (confusion[("personal", "personal")] + confusion[("general", "general")]) / len(rows),
    }


def run() -> dict:
    played = play_conversations()
    confusion = intent_confusion()
    table = Table(title="Conversations (real stack) and personal/general intent confusion")
    table.add_column("figure")
    table.add_column("value", justify="right")
    for kind, label in (("golden", "golden conversations passed"), ("eval", "evaluation cases passed")):
        passed, total = played[kind]
        table.add_row(label, f"{passed}/{total}" + (f" ({passed / total:.1%})" if total else ""))
    table.add_row("personal questions taken as personal", f"{confusion['personal_as_personal']:.1%}")
    table.add_row("general questions taken as general", f"{confusion['general_as_general']:.1%}")
    table.add_row("general taken as personal / personal taken as general",
                  f"{confusion['general_taken_as_personal']} / {confusion['personal_taken_as_general']}"
                  f" of {confusion['messages']}")
    Console().print(table)
    return {"golden_passed": played["golden"][0], "golden_total": played["golden"][1],
            "eval_passed": played["eval"][0], "eval_total": played["eval"][1], **confusion}
