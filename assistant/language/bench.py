"""`assistant bench language`: detector load time and memory (in a child process), and screening speed."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

from rich.console import Console
from rich.table import Table

console = Console()


def _child() -> None:
    """Runs in a child process: load the detector, screen messages, print the figures as JSON."""
    from assistant.language import detection
    from assistant.language.evaluation import DATA, english_texts, read
    from assistant.language.screening import screen

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    detection.detector()
    load_s = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    texts = english_texts() + [row["text"] for row in read(DATA / "screening.jsonl")]
    texts += ["x" * 2000, "Wie viele Urlaubstage bekomme ich? " * 50]
    timings = []
    for text in texts:
        t = time.perf_counter()
        screen(text, recruiting_email="recruiting@example.com")
        timings.append((time.perf_counter() - t) * 1000)
    timings.sort()
    print(json.dumps({"load_s": load_s, "models_mb": after - before, "peak_rss_mb": after, "messages": len(texts),
                      "p50_ms": timings[len(timings) // 2], "p95_ms": timings[int(len(timings) * 0.95)],
                      "max_ms": timings[-1]}))


def run() -> dict:
    """The registered benchmark: prints the table and returns the figures."""
    out = subprocess.run([sys.executable, "-c", "from assistant.language.bench import _child; _child()"],
                         capture_output=True, text=True, check=True)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    table = Table(title="Screening (lingua high-accuracy, 8 languages)")
    for key in figures:
        table.add_column(key, justify="right")
    table.add_row(*(f"{v:.2f}" if isinstance(v, float) else str(v) for v in figures.values()))
    console.print(table)
    return figures
