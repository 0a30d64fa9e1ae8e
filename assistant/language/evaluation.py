"""`assistant eval language`: how well screening tells junk, other languages and real questions apart.

Figures for the development set (tests/language/data/screening.jsonl, used while choosing the rules),
the held-out set (screening_heldout.jsonl, written after the rules and never used to change them) and
every English question of the knowledge and escalation sets (none may be declined).
`assistant bench language` measures load time, memory and speed.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table

from assistant.language.screening import screen
from assistant.settings import ROOT

DATA = ROOT / "tests" / "language" / "data"
ENGLISH_SETS = (ROOT / "tests" / "knowledge" / "data" / "eval_questions.jsonl", *sorted((ROOT / "tests" / "escalation" / "data").glob("*.jsonl")))
console = Console(width=150)


def read(path: Path) -> list[dict]:
    """Returns the labelled messages of a JSONL file ({"text", "expected", "kind"})."""
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def english_texts() -> list[str]:
    """Returns every message of the knowledge and escalation evaluation sets (all English)."""
    texts = []
    for path in ENGLISH_SETS:
        for row in read(path):
            texts += [row[key] for key in ("question", "text", "general", "personal") if row.get(key)]
    return texts


def outcome(text: str) -> str:
    """Returns what screening makes of text: serve, junk, or the language code of the notice sent."""
    result = screen(text, recruiting_email="recruiting@example.com")
    return result.language if result.verdict == "other_language" else result.verdict


def expected_outcome(label: str) -> str:
    return "serve" if label in ("en", "neutral") else label


def score(rows: list[dict]) -> dict:
    """Returns accuracy overall and per expected outcome, junk precision/recall, and the misjudged messages."""
    got = [outcome(row["text"]) for row in rows]
    want = [expected_outcome(row["expected"]) for row in rows]
    per = Counter(want)
    right = Counter(w for w, g in zip(want, got) if w == g)
    junk_said = sum(g == "junk" for g in got)
    junk_right = sum(g == w == "junk" for w, g in zip(want, got))
    return {
        "messages": len(rows), "accuracy": sum(right.values()) / len(rows),
        "per_outcome": {k: right[k] / n for k, n in sorted(per.items())},
        "junk_precision": junk_right / junk_said if junk_said else float("nan"),
        "junk_recall": junk_right / per["junk"] if per["junk"] else float("nan"),
        "other_language_recall": (sum(w == g for w, g in zip(want, got) if w not in ("serve", "junk"))
                                  / max(1, sum(w not in ("serve", "junk") for w in want))),
        "wrong": [{"text": row["text"], "expected": w, "got": g} for row, w, g in zip(rows, want, got) if w != g],
    }


def run() -> dict:
    """The registered evaluation: prints the table and returns the figures."""
    figures = {name: score(read(DATA / f"{name}.jsonl")) for name in ("screening", "screening_heldout")}
    english = english_texts()
    declined = [t for t in english if outcome(t) != "serve"]
    figures["english_questions"] = {"messages": len(english), "served": 1 - len(declined) / len(english), "declined": declined}
    table = Table(title="Screening: junk, other languages, questions")
    for column in ("set", "messages", "accuracy", "junk precision", "junk recall", "other-language recall", "served right"):
        table.add_column(column, justify="right")
    for name in ("screening", "screening_heldout"):
        f = figures[name]
        table.add_row(name, str(f["messages"]), f"{f['accuracy']:.3f}", f"{f['junk_precision']:.3f}",
                      f"{f['junk_recall']:.3f}", f"{f['other_language_recall']:.3f}", f"{f['per_outcome'].get('serve', 0):.3f}")
    table.add_row("English eval questions", str(len(english)), "", "", "", "", f"{figures['english_questions']['served']:.3f}")
    console.print(table)
    for name in ("screening", "screening_heldout"):
        for wrong in figures[name]["wrong"]:
            console.print(f"  {name}: expected {wrong['expected']}, got {wrong['got']}: {wrong['text']!r}")
    for text in declined:
        console.print(f"  English question not served: {text!r}")
    return figures
