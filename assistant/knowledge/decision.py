"""Calibrated decisions on a ranking: answer, ask "did you mean", or decline; and which query to trust for follow-ups.

The thresholds were tuned on half of tests/knowledge/data/eval_questions.jsonl and checked on the other
half (`assistant kb eval --tune` repeats it); they are cosine similarities of all-MiniLM-L6-v2.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from assistant.knowledge.retrieval import Ranking

Decision = Literal["answer", "clarify", "decline"]


@dataclass(frozen=True)
class Thresholds:
    decline_below: float = 0.25  # best article's cosine below this: nothing fits
    out_of_scope_margin: float = 0.0  # declined when an out-of-scope topic beats the best article by more
    confident_above: float = 0.55  # above this the best article is answered even if others are close
    clarify_gap: float = 0.02  # below confident_above, articles within this score gap are offered as choices


DEFAULT = Thresholds()


def decide(ranking: Ranking, thresholds: Thresholds = DEFAULT) -> tuple[Decision, int]:
    """Returns the decision and how many documents to offer (1 for an answer, 2-3 for did-you-mean, 0)."""
    if not ranking.hits:
        return "decline", 0
    top = ranking.hits[0]
    if top.similarity < thresholds.decline_below:
        return "decline", 0
    if ranking.out_of_scope_similarity > top.similarity + thresholds.out_of_scope_margin:
        return "decline", 0
    if top.similarity >= thresholds.confident_above:
        return "answer", 1
    close = [hit for hit in ranking.hits[1:3] if top.score - hit.score <= thresholds.clarify_gap]
    if close:
        return "clarify", 1 + len(close)
    return "answer", 1


def prefer_with_context(alone: Ranking, with_context: Ranking, thresholds: Thresholds = DEFAULT) -> bool:
    """Returns True when the question read together with the previous one is the better-justified reading.

    A question that is confidently answerable on its own keeps its own reading; otherwise the
    contextual reading wins when its best article is more similar than the standalone one's.
    """
    if not with_context.hits:
        return False
    if not alone.hits:
        return True
    if alone.hits[0].similarity >= thresholds.confident_above:
        return False
    return with_context.hits[0].similarity > alone.hits[0].similarity


def resolve(alone: Ranking, with_context: Ranking | None,
            thresholds: Thresholds = DEFAULT) -> tuple[Ranking, bool, Decision, int]:
    """Returns the ranking to trust, whether it used the context, the decision and how many documents to offer."""
    used = with_context is not None and prefer_with_context(alone, with_context, thresholds)
    ranking = with_context if used else alone
    return (ranking, used, *decide(ranking, thresholds))
