"""The content owners' gap report: unanswered questions grouped and masked, unhelpful answers, use per article."""

from __future__ import annotations

import uuid
from datetime import timedelta

from assistant.db import utcnow
from assistant.knowledge import gaps
from assistant.knowledge.models import AnswerLog


def log(db, question: str, decision: str, *, doc: str | None = None, helpful: bool | None = None, age_days: float = 0):
    db.add(AnswerLog(id=str(uuid.uuid4()), conversation_id="gaps", question=question, decision=decision,
                     doc_path=doc, section="Section" if doc else None, helpful=helpful,
                     created_at=utcnow() - timedelta(days=age_days)))
    db.flush()


def test_redact_masks_contact_details_and_long_numbers():
    text = "I'm ana.diaz+jobs@example.co.uk, call +44 7700 900123 about application 20261125, not APP-1001"
    assert gaps.redact(text) == "I'm [e-mail], call [number] about application [number], not APP-1001"


def test_report_groups_declined_questions_and_counts_answers(db_session):
    log(db_session, "Can I bring my dog to work?", "decline", age_days=2)
    log(db_session, "can i bring my DOG to work", "decline", age_days=1)
    log(db_session, "Is there a gym? Mail me at a@b.example", "decline")
    log(db_session, "How long is the probation?", "decline", age_days=40)  # outside 30 days
    log(db_session, "visa?", "clarify")
    log(db_session, "Do you sponsor visas?", "answer", doc="visa-sponsorship.md", helpful=True)
    log(db_session, "Visa for my partner?", "answer", doc="visa-sponsorship.md", helpful=False)
    log(db_session, "Parental leave?", "answer", doc="parental-leave.md")
    report = gaps.report(db_session=db_session, days=30)
    assert (report.answered, report.clarified, report.declined) == (3, 1, 3)
    assert [(q.question, q.count) for q in report.declined_questions] == [
        ("can i bring my DOG to work", 2), ("Is there a gym? Mail me at [e-mail]", 1)]  # latest wording, most asked first
    assert [(a.question, a.doc_path) for a in report.unhelpful_answers] == [("Visa for my partner?", "visa-sponsorship.md")]
    assert [(a.doc_path, a.answers, a.helpful, a.unhelpful) for a in report.articles] == [
        ("visa-sponsorship.md", 2, 1, 1), ("parental-leave.md", 1, 0, 0)]
    assert ("dog", 2) in gaps.top_words(report)
    assert gaps.report(db_session=db_session, days=90).declined == 4
