"""`assistant eval escalation`: does the trained model hand off the right messages, and only those?

Runs the held-out escalation phrasings, ordinary FAQ questions and general-vs-personal pairs through
Rasa's ``/model/parse`` of a Rasa server started here with the trained model. A message
escalates when its intent is an escalation intent (low-confidence messages become nlu_fallback and go
to the knowledge search instead).
"""

from __future__ import annotations

import json
import socket
import subprocess
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.table import Table

from assistant import rasa_client, stack
from assistant.escalation.reasons import ESCALATION_INTENTS
from assistant.settings import ROOT, get_settings

DATA = ROOT / "tests" / "escalation" / "data"
RECALL_TARGET = 0.95
ORDINARY_TARGET = 0.95


def load(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text().splitlines() if line.strip()]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def nlu_server() -> Iterator[str]:
    """Yields the base URL of a private Rasa server with the trained model on disk (a running one may be older)."""
    settings = get_settings()
    port = _free_port()
    model = stack.model_dir(settings) / "assistant.tar.gz"
    if not model.exists():
        raise RuntimeError(f"no trained model at {model}: run `assistant train` first")
    cmd, env = stack.rasa_server(settings, "--interface", "127.0.0.1", "--port", str(port), "--model", str(model))
    log = open(settings.data_dir / "eval-rasa.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        stack.wait_healthy([f"http://127.0.0.1:{port}/"], timeout=300, procs=[proc])
        yield f"http://127.0.0.1:{port}"
    finally:
        stack.stop_process(proc)
        log.close()


def classify(texts: list[str], base_url: str) -> list[str]:
    """Returns the predicted intent of each text."""
    return [rasa_client.parse(text=text, base_url=base_url)["intent"]["name"] for text in texts]


def score(heldout: list[dict], heldout_pred: list[str], ordinary_pred: list[str]) -> dict:
    """Returns recall per reason and overall, exact-reason accuracy, and the ordinary share not escalated."""
    per_reason: dict[str, list[bool]] = defaultdict(list)
    exact = 0
    for row, predicted in zip(heldout, heldout_pred):
        per_reason[row["intent"]].append(predicted in ESCALATION_INTENTS)
        exact += predicted == row["intent"]
    escalated = sum(hit for hits in per_reason.values() for hit in hits)
    return {
        "recall": escalated / len(heldout),
        "recall_per_reason": {reason: sum(hits) / len(hits) for reason, hits in sorted(per_reason.items())},
        "exact_reason_accuracy": exact / len(heldout),
        "ordinary_not_escalated": sum(p not in ESCALATION_INTENTS for p in ordinary_pred) / len(ordinary_pred),
    }


def run() -> dict:
    """Prints the escalation figures and returns them."""
    heldout, ordinary, pairs = load("heldout.jsonl"), load("ordinary.jsonl"), load("general_vs_personal.jsonl")
    with nlu_server() as url:
        heldout_pred = classify([row["text"] for row in heldout], url)
        ordinary_pred = classify([row["text"] for row in ordinary], url)
        general_pred = classify([pair["general"] for pair in pairs], url)
        personal_pred = classify([pair["personal"] for pair in pairs], url)
    figures = score(heldout, heldout_pred, ordinary_pred)
    figures["pairs_general_not_escalated"] = sum(p not in ESCALATION_INTENTS for p in general_pred) / len(pairs)
    figures["pairs_personal_escalated"] = sum(p in ESCALATION_INTENTS for p in personal_pred) / len(pairs)
    figures["misses"] = [f"{row['text']} ({p})" for row, p in zip(heldout, heldout_pred) if p not in ESCALATION_INTENTS]
    figures["false_escalations"] = [f"{row['text']} ({p})" for row, p in zip(ordinary, ordinary_pred) if p in ESCALATION_INTENTS]
    figures["pair_errors"] = [f"general escalated: {pair['general']} ({g})" for pair, g in zip(pairs, general_pred)
                              if g in ESCALATION_INTENTS]
    figures["pair_errors"] += [f"personal not escalated: {pair['personal']} ({p})" for pair, p in zip(pairs, personal_pred)
                               if p not in ESCALATION_INTENTS]
    figures["counts"] = {"heldout": len(heldout), "ordinary": len(ordinary), "pairs": len(pairs)}
    _print(figures)
    return figures


def _print(figures: dict) -> None:
    console = Console()
    table = Table(title="Escalation (held-out phrasings, ordinary FAQ questions)")
    table.add_column("figure")
    table.add_column("value", justify="right")
    table.add_column("target", justify="right")
    table.add_row("escalation recall", f"{figures['recall']:.3f}", f">= {RECALL_TARGET}")
    for reason, recall in figures["recall_per_reason"].items():
        table.add_row(f"  recall: {reason}", f"{recall:.2f}", "")
    table.add_row("exact reason accuracy", f"{figures['exact_reason_accuracy']:.3f}", "")
    table.add_row("ordinary questions not escalated", f"{figures['ordinary_not_escalated']:.3f}", f">= {ORDINARY_TARGET}")
    table.add_row("pairs: general not escalated", f"{figures['pairs_general_not_escalated']:.3f}", "")
    table.add_row("pairs: personal escalated", f"{figures['pairs_personal_escalated']:.3f}", "")
    console.print(table)
    for title, texts in (("missed", figures["misses"]), ("escalated by mistake", figures["false_escalations"]),
                         ("pairs", figures["pair_errors"])):
        if texts:
            console.print(f"[yellow]{title}:[/] " + " | ".join(texts))
