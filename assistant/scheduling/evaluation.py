"""`assistant eval scheduling`: does the trained model tell booking, moving and cancelling an interview apart,
and from their neighbours (when is my interview, withdraw, status)?

Held-out phrasings (``tests/scheduling/data/heldout.jsonl``, none of them in the training data) go through
``/model/parse`` of a private Rasa server with the trained model.
"""

from __future__ import annotations

import json
from collections import Counter

from rich.console import Console
from rich.table import Table

from assistant.escalation.evaluation import classify, nlu_server
from assistant.settings import ROOT

DATA = ROOT / "tests" / "scheduling" / "data" / "heldout.jsonl"
SCHEDULING_INTENTS = ("book_interview", "reschedule_interview", "cancel_interview")


def score(rows: list[dict], predicted: list[str]) -> dict:
    """Returns accuracy overall and per expected intent, and the misses."""
    total, right = Counter(), Counter()
    for row, intent in zip(rows, predicted):
        total[row["intent"]] += 1
        right[row["intent"]] += intent == row["intent"]
    return {"accuracy": sum(right.values()) / len(rows),
            "accuracy_per_intent": {name: right[name] / total[name] for name in sorted(total)},
            "misses": [f"{row['text']} -> {p} (expected {row['intent']})" for row, p in zip(rows, predicted) if p != row["intent"]],
            "count": len(rows)}


def run() -> dict:
    """Prints the scheduling intent figures and returns them."""
    rows = [json.loads(line) for line in DATA.read_text().splitlines() if line.strip()]
    with nlu_server() as url:
        predicted = classify([row["text"] for row in rows], url)
    figures = score(rows, predicted)
    table = Table(title=f"Scheduling intents ({figures['count']} held-out phrasings)")
    table.add_column("expected intent")
    table.add_column("accuracy", justify="right")
    for name, value in figures["accuracy_per_intent"].items():
        table.add_row(name, f"{value:.2f}")
    table.add_row("all", f"{figures['accuracy']:.3f}")
    console = Console()
    console.print(table)
    if figures["misses"]:
        console.print("[yellow]misses:[/] " + " | ".join(figures["misses"]))
    return figures
