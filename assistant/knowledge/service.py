"""Knowledge-base answers: search with calibrated decisions, chat-length answers, the answer log and feedback."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from assistant.db import utcnow
from assistant.knowledge import decision as decisions
from assistant.knowledge import index as index_module
from assistant.knowledge.models import AnswerLog
from assistant.knowledge.retrieval import DocumentHit, Method, Ranking, SectionKey, rank

ANSWER_CHARS = 600
MAX_QUESTION_CHARS = 1000


class AnswerNotFound(LookupError):
    """No answer with this answer_id exists in this conversation."""


@dataclass(frozen=True)
class SearchResult:
    query: str
    decision: decisions.Decision
    hits: list[DocumentHit]  # the answer first; for clarify, the documents to offer
    used_context: bool
    index_version: str
    ranking: Ranking = field(repr=False, compare=False)

    @property
    def best(self) -> DocumentHit | None:
        return self.hits[0] if self.hits else None


def search(*, query: str, context: list[str] | None = None, method: Method = "hybrid",
           index: index_module.LoadedIndex | None = None, only_doc: str | None = None,
           shown: Iterable[SectionKey] = (), thresholds: decisions.Thresholds = decisions.DEFAULT) -> SearchResult:
    """Returns the decision for a question (with the previous questions as context) and the documents behind it.

    only_doc: the candidate picked this document from "did you mean": answer from it without deciding.
    shown: sections already answered in this conversation; a follow-up read with the previous question
    gets the best section not among them ("and for fathers?" asks for another detail).
    """
    index = index or index_module.served()
    query = " ".join(query.split())[:MAX_QUESTION_CHARS]
    ranking = rank(index, query, method=method, only_doc=only_doc)
    if only_doc is not None:
        decision, count = ("answer", 1) if ranking.hits else ("decline", 0)
        return SearchResult(query, decision, ranking.hits[:count], False, index.version, ranking)
    previous = [q for q in (context or []) if q.strip()]
    contextual = rank(index, contextual_query(previous[-1], query), method=method,
                      exclude=frozenset(shown)) if previous else None
    ranking, used_context, decision, count = decisions.resolve(ranking, contextual, thresholds)
    return SearchResult(query, decision, ranking.hits[:count], used_context, index.version, ranking)


def contextual_query(previous: str, query: str) -> str:
    """Returns the question read together with the previous one (how follow-ups are searched)."""
    return f"{previous} {query}"


def answer_text(hit: DocumentHit, *, limit: int = ANSWER_CHARS) -> str:
    """Returns the best section as chat text, cut at a sentence boundary near limit characters."""
    text = hit.section.text
    if len(text) <= limit:
        return text
    cut = text[:limit]
    ends = [m.end() for m in re.finditer(r"[.!?](?=\s|$)", cut)]
    if ends and ends[-1] >= limit // 3:
        return cut[: ends[-1]].strip()
    return cut[: cut.rfind(" ")].rstrip(",;: ") + "…"


def log_answer(*, db_session: Session, conversation_id: str, result: SearchResult) -> AnswerLog:
    """Returns the stored record of one search outcome (its id travels with the answer for feedback)."""
    best = result.best if result.decision == "answer" else None
    entry = AnswerLog(
        id=str(uuid.uuid4()), conversation_id=conversation_id[:128], question=result.query[:MAX_QUESTION_CHARS],
        decision=result.decision, doc_path=best.doc_path if best else None,
        section=best.section.heading[:300] if best else None,
        score=round(result.ranking.hits[0].similarity, 4) if result.ranking.hits else None,
        index_version=result.index_version,
    )
    db_session.add(entry)
    db_session.flush()
    return entry


def get_answer(*, db_session: Session, answer_id: str) -> AnswerLog | None:
    """Returns the logged answer with this id, or None."""
    return db_session.get(AnswerLog, answer_id)


def get_answer_or_raise(*, db_session: Session, answer_id: str, conversation_id: str) -> AnswerLog:
    """Returns the logged answer with this id given in this conversation, or raises AnswerNotFound."""
    entry = get_answer(db_session=db_session, answer_id=str(answer_id)[:36])
    if entry is None or entry.conversation_id != conversation_id:
        raise AnswerNotFound(f"answer_id: no answer {answer_id!r} in this conversation")
    return entry


def record_feedback(*, db_session: Session, answer_id: str, conversation_id: str, helpful: bool) -> AnswerLog:
    """Returns the answer with the candidate's thumbs up/down recorded (the latest vote counts)."""
    entry = get_answer_or_raise(db_session=db_session, answer_id=answer_id, conversation_id=conversation_id)
    entry.helpful, entry.feedback_at = bool(helpful), utcnow()
    db_session.flush()
    return entry


_UNHELPFUL = re.compile(r"\b(not|n't|no|useless|wrong|outdated|confusing|unclear|down|bad)\b", re.I)


def helpful_from_text(text: str) -> bool:
    """Returns whether typed feedback ("that didn't help", "great answer") is positive."""
    return _UNHELPFUL.search(text.replace("’", "'").replace("n't", " n't")) is None
