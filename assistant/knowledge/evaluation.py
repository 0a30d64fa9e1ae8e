"""`assistant eval knowledge`: retrieval quality of embeddings, BM25 and hybrid on a labelled question set.

Works on the shipped knowledge base and eval set, or on any folder of Markdown with a JSONL of
{"question", "expected"} (expected = document path or title, null when out of scope), so public FAQ
benchmarks run against the same engine. ``--tune`` grid-searches the decision thresholds on one half
of the questions and reports both halves, so the held-out figures stay honest.
"""

from __future__ import annotations

import itertools
import json
import tempfile
import zlib
from dataclasses import asdict, dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

from assistant.knowledge import decision as decisions
from assistant.knowledge import index as index_module
from assistant.knowledge.retrieval import METHODS, Method, Ranking, rank
from assistant.knowledge.service import contextual_query
from assistant.settings import ROOT

DEFAULT_QUESTIONS = ROOT / "tests" / "knowledge" / "data" / "eval_questions.jsonl"
console = Console(width=150)


@dataclass(frozen=True)
class Question:
    text: str
    expected: str | None  # document path, None = out of scope
    context: tuple[str, ...]
    kind: str
    section: str | None = None  # the heading of the section that answers it, where one clearly does


def read_questions(path: Path, titles: dict[str, str]) -> list[Question]:
    """Returns the labelled questions; expected values given as titles are mapped to document paths."""
    questions = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        expected = row.get("expected")
        if expected is not None:
            expected = titles.get(str(expected).casefold(), expected)
            if expected not in titles.values():
                raise ValueError(f"{path}:{number}: expected document {row['expected']!r} is not in the knowledge base")
        questions.append(Question(row["question"], expected, tuple(row.get("context") or ()), row.get("kind", ""),
                                  row.get("section")))
    return questions


def rankings(index: index_module.LoadedIndex, questions: list[Question], method: Method) -> list[tuple[Ranking, Ranking | None]]:
    """Returns each question's standalone ranking and, when it has context, its contextual ranking.

    A follow-up's contextual ranking passes over the section answered for the previous question, as in the chat.
    """
    out = []
    for q in questions:
        alone = rank(index, q.text, method=method, limit=10)
        contextual = None
        if q.context:  # the answer to the previous question was shown: the follow-up skips that section
            previous = rank(index, q.context[-1], method=method, limit=1).hits
            shown = frozenset((hit.doc_path, hit.section.heading) for hit in previous)
            contextual = rank(index, contextual_query(q.context[-1], q.text), method=method, limit=10, exclude=shown)
        out.append((alone, contextual))
    return out


def score(questions: list[Question], ranked: list[tuple[Ranking, Ranking | None]],
          thresholds: decisions.Thresholds = decisions.DEFAULT) -> dict[str, float]:
    """Returns Recall@1/@3, MRR (in scope), decline precision/recall (out of scope) and wrong declines."""
    r1 = r3 = rr = section_right = 0.0
    with_section = 0
    in_scope = out_scope = declined_in = declined_out = clarified = answered_right = 0
    for q, (alone, contextual) in zip(questions, ranked):
        ranking, _, decision, _ = decisions.resolve(alone, contextual, thresholds)
        docs = [hit.doc_path for hit in ranking.hits]
        if q.expected is None:
            out_scope += 1
            declined_out += decision == "decline"
            continue
        in_scope += 1
        position = docs.index(q.expected) + 1 if q.expected in docs else None
        r1 += position == 1
        r3 += position is not None and position <= 3
        rr += 1 / position if position else 0
        declined_in += decision == "decline"
        clarified += decision == "clarify"
        answered_right += decision == "answer" and position == 1
        if q.section is not None:
            with_section += 1
            section_right += position == 1 and ranking.hits[0].section.heading == q.section
    declined = declined_in + declined_out
    return {
        "questions": len(questions), "recall@1": r1 / max(in_scope, 1), "recall@3": r3 / max(in_scope, 1),
        "mrr": rr / max(in_scope, 1),
        "oos_decline_recall": declined_out / out_scope if out_scope else float("nan"),
        "oos_decline_precision": declined_out / declined if declined else float("nan"),
        "in_scope_declined": declined_in / max(in_scope, 1), "in_scope_clarified": clarified / max(in_scope, 1),
        "in_scope_answered_right": answered_right / max(in_scope, 1),
        "section@1": section_right / with_section if with_section else float("nan"),
    }


def split(questions: list[Question]) -> tuple[list[int], list[int]]:
    """Returns indexes of the tuning half and the held-out half (stable: by a hash of the question)."""
    halves = [zlib.crc32(q.text.encode()) % 2 for q in questions]
    return [i for i, h in enumerate(halves) if h == 0], [i for i, h in enumerate(halves) if h == 1]


def tune(questions: list[Question], ranked: list, indexes: list[int]) -> decisions.Thresholds:
    """Returns the thresholds that decline the most out-of-scope questions while wrongly declining at most 5%."""
    subset_q = [questions[i] for i in indexes]
    subset_r = [ranked[i] for i in indexes]
    best, best_key = decisions.DEFAULT, None
    grid = itertools.product([0.20, 0.25, 0.30, 0.35], [-0.05, 0.0, 0.05], [0.45, 0.5, 0.55, 0.6], [0.0, 0.01, 0.02, 0.03])
    for low, margin, confident, gap in grid:
        candidate = decisions.Thresholds(low, margin, confident, gap)
        figures = score(subset_q, subset_r, candidate)
        if figures["in_scope_declined"] > 0.05:
            continue
        key = (round(figures["oos_decline_recall"], 3), figures["in_scope_answered_right"], -figures["in_scope_declined"])
        if best_key is None or key > best_key:
            best, best_key = candidate, key
    return best


def evaluate(*, docs: Path | None = None, questions_path: Path | None = None, tune_thresholds: bool = False) -> dict:
    """Prints the comparison table of the three methods; returns the figures."""
    questions_path = questions_path or DEFAULT_QUESTIONS
    with tempfile.TemporaryDirectory(prefix="kb-eval-") as tmp:
        if docs is None:
            index = index_module.served()
        else:
            result = index_module.build(knowledge_dir=docs, root=Path(tmp), lenient=True, progress=True)
            index = index_module.load_version(Path(tmp), result.version)
        titles = {s.doc_title.casefold(): s.doc_path for s in index.sections}
        titles.update({s.doc_path.casefold(): s.doc_path for s in index.sections})
        questions = read_questions(questions_path, titles)
        ranked = {method: rankings(index, questions, method) for method in METHODS}
    figures: dict = {"questions_file": str(questions_path), "thresholds": asdict(decisions.DEFAULT)}
    rows = {method: score(questions, ranked[method]) for method in METHODS}
    _print_table(f"Knowledge retrieval — all {len(questions)} questions", rows)
    figures["all"] = rows
    tune_idx, held_idx = split(questions)
    for name, idx in (("tuning half", tune_idx), ("held-out half", held_idx)):
        sub_rows = {m: score([questions[i] for i in idx], [ranked[m][i] for i in idx]) for m in METHODS}
        _print_table(f"{name} ({len(idx)} questions), served thresholds", sub_rows)
        figures[name] = sub_rows
    if tune_thresholds:
        tuned = tune(questions, ranked["hybrid"], tune_idx)
        held = score([questions[i] for i in held_idx], [ranked["hybrid"][i] for i in held_idx], tuned)
        console.print(f"tuned on the tuning half: {tuned}")
        _print_table("held-out half with the tuned thresholds (hybrid)", {"hybrid": held})
        figures["tuned"] = {"thresholds": asdict(tuned), "held_out": held}
    return figures


def _print_table(title: str, rows: dict[str, dict[str, float]]) -> None:
    table = Table(title=title)
    columns = [("recall@1", "Recall@1"), ("recall@3", "Recall@3"), ("mrr", "MRR"),
               ("oos_decline_recall", "OOS declined"), ("oos_decline_precision", "Decline precision"),
               ("in_scope_declined", "In-scope declined"), ("in_scope_clarified", "Clarified"),
               ("in_scope_answered_right", "Answered right"), ("section@1", "Section@1")]
    table.add_column("method")
    for _, label in columns:
        table.add_column(label, justify="right")
    for method, figures in rows.items():
        table.add_row(method, *(f"{figures[key]:.3f}" for key, _ in columns))
    console.print(table)


def run() -> dict:
    """The registered evaluation (`assistant eval knowledge`): the shipped knowledge base and eval set."""
    return evaluate()
