"""What content owners should write or fix next: questions declined, answers marked unhelpful, use per article.

Read from ``answer_log``. Question texts are shown with e-mail addresses and phone or id numbers masked:
candidates sometimes type personal details, and content owners only need the wording of the question.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db import as_utc, utcnow
from assistant.knowledge.models import AnswerLog
from assistant.settings import get_settings

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
NUMBER = re.compile(r"\+?\d[\d\s().-]{4,}\d")  # phone numbers, application ids, postcodes with digits


def redact(text: str) -> str:
    """Returns text with e-mail addresses and runs of six or more digits (with separators) masked."""
    return NUMBER.sub("[number]", EMAIL.sub("[e-mail]", text))


@dataclass
class AskedQuestion:
    question: str  # redacted; the most recent wording of this question
    count: int
    last_asked: datetime


@dataclass
class UnhelpfulAnswer:
    question: str  # redacted
    doc_path: str
    section: str
    at: datetime


@dataclass
class ArticleUse:
    doc_path: str
    answers: int = 0
    helpful: int = 0
    unhelpful: int = 0


@dataclass
class GapReport:
    days: int
    answered: int = 0
    clarified: int = 0
    declined: int = 0
    declined_questions: list[AskedQuestion] = field(default_factory=list)
    unhelpful_answers: list[UnhelpfulAnswer] = field(default_factory=list)
    articles: list[ArticleUse] = field(default_factory=list)


def _key(question: str) -> str:
    return " ".join(re.findall(r"\w+", redact(question).casefold()))


def report(*, db_session: Session, days: int = 30, limit: int = 50, now: datetime | None = None) -> GapReport:
    """Returns the gap report over the last ``days`` days (lists cut at ``limit`` rows)."""
    since = (now or utcnow()) - timedelta(days=days)
    rows = db_session.scalars(select(AnswerLog).where(AnswerLog.created_at >= since).order_by(AnswerLog.created_at.desc()))
    result = GapReport(days=days)
    declined: dict[str, AskedQuestion] = {}
    articles: dict[str, ArticleUse] = {}
    for row in rows:
        if row.decision == "decline":
            result.declined += 1
            key = _key(row.question)
            if key in declined:
                declined[key].count += 1
            else:  # newest first, so the first wording seen is the latest
                declined[key] = AskedQuestion(redact(row.question), 1, as_utc(row.created_at))
            continue
        if row.decision == "clarify":
            result.clarified += 1
            continue
        result.answered += 1
        use = articles.setdefault(row.doc_path or "", ArticleUse(row.doc_path or ""))
        use.answers += 1
        if row.helpful is True:
            use.helpful += 1
        elif row.helpful is False:
            use.unhelpful += 1
            if len(result.unhelpful_answers) < limit:
                result.unhelpful_answers.append(
                    UnhelpfulAnswer(redact(row.question), row.doc_path or "", row.section or "", as_utc(row.created_at)))
    result.declined_questions = sorted(declined.values(), key=lambda q: (-q.count, -q.last_asked.timestamp()))[:limit]
    result.articles = sorted(articles.values(), key=lambda a: (-a.unhelpful, -a.answers, a.doc_path))
    return result


def top_words(report_: GapReport, *, count: int = 10) -> list[tuple[str, int]]:
    """Returns the most frequent words across declined questions (a hint at missing topics)."""
    stop = {"the", "a", "an", "to", "of", "for", "and", "or", "in", "on", "is", "are", "do", "does", "i", "my", "me",
            "you", "your", "can", "what", "how", "when", "where", "will", "it", "be", "with", "at", "there", "if",
            "this", "that", "have", "has", "any", "about", "number", "mail", "get", "please", "would", "could"}
    stop |= set(re.findall(r"[a-z]+", get_settings().company_name.casefold()))
    words = Counter()
    for question in report_.declined_questions:
        for word in set(re.findall(r"[a-z]{3,}", question.question.casefold())) - stop:
            words[word] += question.count
    return words.most_common(count)
