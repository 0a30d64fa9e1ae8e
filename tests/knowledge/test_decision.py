"""Decisions on a ranking (answer / did-you-mean / decline), follow-up context, chat-length answers."""

from __future__ import annotations

import pytest

from assistant.knowledge import decision, service
from assistant.knowledge.documents import Section
from assistant.knowledge.retrieval import DocumentHit, Ranking

T = decision.Thresholds(decline_below=0.30, out_of_scope_margin=0.0, confident_above=0.55, clarify_gap=0.02)


def hit(doc: str, similarity: float, score: float | None = None, text: str = "Text.") -> DocumentHit:
    section = Section(doc, doc.title(), f"https://x.example/{doc}", "Heading", text, 1)
    return DocumentHit(doc, doc.title(), section.url, section, similarity if score is None else score, similarity)


def ranking(*hits: DocumentHit, out_of_scope: float = 0.1) -> Ranking:
    return Ranking("q", list(hits), out_of_scope)


@pytest.mark.parametrize(
    ("hits", "out_of_scope", "expected"),
    [
        ((hit("a", 0.70), hit("b", 0.69)), 0.1, ("answer", 1)),  # confident even with a close second
        ((hit("a", 0.45), hit("b", 0.30)), 0.1, ("answer", 1)),  # clear winner
        ((hit("a", 0.45), hit("b", 0.44), hit("c", 0.435)), 0.1, ("clarify", 3)),
        ((hit("a", 0.45), hit("b", 0.44), hit("c", 0.30)), 0.1, ("clarify", 2)),
        ((hit("a", 0.29), hit("b", 0.10)), 0.1, ("decline", 0)),  # nothing fits
        ((hit("a", 0.45), hit("b", 0.20)), 0.50, ("decline", 0)),  # an out-of-scope topic fits better
        ((), 0.1, ("decline", 0)),
    ],
)
def test_decide(hits, out_of_scope, expected):
    assert decision.decide(ranking(*hits, out_of_scope=out_of_scope), T) == expected


def test_followup_uses_context_only_when_it_is_better_justified():
    vague = ranking(hit("internships", 0.35))
    contextual = ranking(hit("internships", 0.62))
    assert decision.prefer_with_context(vague, contextual, T)
    confident_alone = ranking(hit("visas", 0.60))
    assert not decision.prefer_with_context(confident_alone, ranking(hit("internships", 0.7)), T)
    assert not decision.prefer_with_context(ranking(hit("a", 0.40)), ranking(hit("b", 0.38)), T)
    chosen, used, verdict, _ = decision.resolve(vague, contextual, T)
    assert used and chosen is contextual and verdict == "answer"


def test_answer_is_cut_at_a_sentence_boundary():
    sentence = "Interns are paid a monthly salary in every country. "
    long_hit = hit("internships", 0.7, text=sentence * 20)
    text = service.answer_text(long_hit)
    assert len(text) <= service.ANSWER_CHARS and text.endswith("country.")
    short = hit("visas", 0.7, text="We sponsor **most** office roles.")
    assert service.answer_text(short) == "We sponsor most office roles."


@pytest.mark.parametrize(("text", "helpful"), [("that was helpful", True), ("great answer", True),
                                               ("this answer didn't help", False), ("not useful", False),
                                               ("thumbs down", False), ("the answer was wrong", False)])
def test_typed_feedback(text, helpful):
    assert service.helpful_from_text(text) is helpful
