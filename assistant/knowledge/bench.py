"""`assistant bench knowledge`: build time and peak memory (shipped and a generated 5,000-document KB),
query latency, and the time from a saved edit to the new answer being served.

Each build runs in a child process so its peak memory (max RSS) is its own.
"""

from __future__ import annotations

import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from assistant.settings import get_settings

console = Console()
SYNTHETIC_DOCS = 5000
_TOPICS = ["interview", "relocation", "pension", "benefits", "onboarding", "assessment", "holiday", "training",
           "parking", "equipment", "mentoring", "payroll", "uniform", "shift", "badge", "travel", "laptop", "canteen"]
_WORDS = ("candidates employees team office policy request approve manager week month days support guide "
          "process form portal contact document allowance schedule review plan region country site").split()


def generate(folder: Path, count: int, *, seed: int = 7) -> None:
    """Writes count synthetic knowledge documents (3 sections each) into folder."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        topic = rng.choice(_TOPICS)
        sections = []
        for s in range(3):
            sentences = [" ".join(rng.choice(_WORDS) for _ in range(12)).capitalize() + "." for _ in range(3)]
            sections.append(f"## {topic.title()} detail {s + 1}\n{' '.join(sentences)}\n")
        (folder / f"doc-{n:05d}.md").write_text(
            f"---\ntitle: {topic.title()} note {n}\nurl: https://careers.example/help/doc-{n}\ntags: [{topic}]\n"
            f"owner: bench\nupdated: 2026-01-01\nlang: en\naudience: all\n---\n\n# {topic.title()} note {n}\n\n"
            + "\n".join(sections))


def _child_build(knowledge_dir: str, root: str) -> None:
    """Runs in a child process: one build, then prints seconds and peak RSS as JSON."""
    from assistant import embeddings
    from assistant.knowledge import index

    started = time.monotonic()
    embeddings.get_model()
    loaded = time.monotonic()
    result = index.build(knowledge_dir=Path(knowledge_dir), root=Path(root))
    print(json.dumps({"model_load_s": loaded - started, "build_s": result.seconds, "sections": result.sections,
                      "embedded": result.embedded, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def _measure_build(knowledge_dir: Path, root: Path) -> dict:
    code = f"from assistant.knowledge.bench import _child_build; _child_build({str(knowledge_dir)!r}, {str(root)!r})"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _query_latency(root: Path) -> dict:
    from assistant.knowledge import evaluation, service
    from assistant.knowledge.index import served

    index = served(root=root)
    questions = [json.loads(line)["question"] for line in evaluation.DEFAULT_QUESTIONS.read_text().splitlines() if line.strip()]
    service.search(query="warm up", index=index)
    timings = []
    for question in questions:
        started = time.perf_counter()
        service.search(query=question + " ?", index=index)  # a fresh query text: no cached vector
        timings.append((time.perf_counter() - started) * 1000)
    return {"queries": len(timings), "p50_ms": float(np.percentile(timings, 50)), "p95_ms": float(np.percentile(timings, 95))}


def _edit_to_answer(knowledge_dir: Path, root: Path) -> dict:
    """Saves an edit while the watcher runs; returns seconds until a fresh reader answers with it."""
    from assistant.knowledge import service
    from assistant.knowledge.index import current_version, served
    from assistant.knowledge.watcher import KnowledgeWatcher

    watcher = KnowledgeWatcher(knowledge_dir, root).start()
    while current_version(root) is None:
        time.sleep(0.1)
    served(root=root)
    time.sleep(1.0)  # the watcher's first build is done and it is waiting for changes
    path = knowledge_dir / "parking-bench.md"
    started = time.monotonic()
    path.write_text("---\ntitle: Bicycle parking at the offices\nurl: https://careers.example/help/bikes\ntags: [bike]\n"
                    "owner: bench\nupdated: 2026-01-01\nlang: en\naudience: all\n---\n\n# Bicycle parking at the offices\n\n"
                    "## Where to park your bicycle\nEvery office has a locked bicycle cellar with charging points for e-bikes.\n")
    seconds = None
    while time.monotonic() - started < 30:
        result = service.search(query="where can I park my bicycle at the office?", index=served(root=root))
        if result.best and result.best.doc_path == "parking-bench.md":
            seconds = time.monotonic() - started
            break
        time.sleep(0.05)
    watcher.stop()
    return {"edit_to_answer_s": seconds}


def run() -> dict:
    """The registered benchmark: prints one table and returns the figures."""
    settings = get_settings()
    figures: dict = {}
    with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp:
        tmp = Path(tmp)
        shipped = tmp / "shipped"
        shutil.copytree(settings.knowledge_dir, shipped)
        console.print("building the shipped knowledge base (cold cache)…")
        figures["shipped_cold"] = _measure_build(shipped, tmp / "idx-shipped")
        (shipped / "visa-sponsorship.md").write_text((shipped / "visa-sponsorship.md").read_text() + "\n## Bench note\nOne changed section.\n")
        figures["shipped_one_edit"] = _measure_build(shipped, tmp / "idx-shipped")
        console.print("query latency…")
        figures["latency"] = _query_latency(tmp / "idx-shipped")
        console.print("edit → answer through the watcher…")
        figures["live_edit"] = _edit_to_answer(shipped, tmp / "idx-shipped")
        console.print(f"generating and building {SYNTHETIC_DOCS} synthetic documents…")
        generate(tmp / "synthetic", SYNTHETIC_DOCS)
        figures["synthetic_cold"] = _measure_build(tmp / "synthetic", tmp / "idx-synthetic")
        figures["synthetic_latency"] = _query_latency(tmp / "idx-synthetic")
    table = Table(title="Knowledge base benchmark")
    for column in ("measure", "value"):
        table.add_column(column)
    for name in ("shipped_cold", "shipped_one_edit", "synthetic_cold"):
        f = figures[name]
        table.add_row(f"build {name} ({f['sections']} sections, {f['embedded']} embedded)",
                      f"{f['build_s']:.1f}s (+{f['model_load_s']:.1f}s model load), peak {f['peak_rss_mb']:.0f} MB")
    for name in ("latency", "synthetic_latency"):
        f = figures[name]
        table.add_row(f"query {name} ({f['queries']} queries)", f"p50 {f['p50_ms']:.0f} ms, p95 {f['p95_ms']:.0f} ms")
    edit = figures["live_edit"]["edit_to_answer_s"]
    table.add_row("saved edit → new answer served", f"{edit:.2f}s" if edit is not None else "not within 30s")
    console.print(table)
    return figures
