"""AI feature switches: on by default, an admin turns them off at once, and the chat actions then answer
honestly and offer a recruiter instead of searching; job alerts stop too; the public knowledge search stops
answering; the journey scheduler sends nothing on its next tick. Each switch is tested on its own, so each
consumer's check is needed for a test to pass."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

import actions.jobs as jobs_actions
import actions.knowledge as knowledge_actions
from actions.oversight import OFF_TEXTS
from api.deps import get_db
from api.main import app
from assistant.jobs import alerts
from assistant.knowledge.models import AnswerLog
from assistant.oversight import service as oversight_service
from tests.journeys.conftest import T0, world  # noqa: F401 - the journeys test world (fixture)

CHAT_ACTIONS = {  # feature: the chat actions that must answer OFF_TEXTS[feature] while it is off
    "knowledge_answers": [(knowledge_actions.ActionSearchKnowledge(), "do you sponsor visas?", "ask_question")],
    "recommendations": [(jobs_actions.ActionFindJobs(), "remote python jobs", "find_jobs"),
                        (jobs_actions.ActionSimilarJobs(), "jobs like the one I viewed", "similar_jobs"),
                        (jobs_actions.ActionMoreJobs(), "show more", "more_jobs")],
}


@pytest.fixture(autouse=True)
def same_session(db_session, monkeypatch):
    @contextmanager
    def scope():
        yield db_session
        db_session.flush()

    for module in (knowledge_actions, jobs_actions, alerts):
        monkeypatch.setattr(module, "session_scope", scope)


def _tracker(text: str, intent: str) -> Tracker:
    parse = {"intent": {"name": intent, "confidence": 0.9}, "entities": []}
    return Tracker.from_dict({"sender_id": "oversight-1", "slots": {}, "paused": False, "followup_action": None,
                              "active_loop": {}, "latest_action_name": "action_listen",
                              "latest_message": {"text": text, **parse, "metadata": {}},
                              "events": [{"event": "user", "text": text, "parse_data": parse}]})


def test_switches_default_on_and_turn_off_all_at_once(db_session):
    assert all(oversight_service.is_enabled(db_session=db_session, feature=f) for f in oversight_service.FEATURES)
    oversight_service.set_all(db_session=db_session, enabled=False, changed_by="admin@example.com")
    assert not any(oversight_service.is_enabled(db_session=db_session, feature=f) for f in oversight_service.FEATURES)
    switch = oversight_service.switches(db_session=db_session)["journeys"]
    assert (switch.enabled, switch.changed_by) == (False, "admin@example.com")
    oversight_service.set_enabled(db_session=db_session, feature="journeys", enabled=True, changed_by="a")
    assert oversight_service.is_enabled(db_session=db_session, feature="journeys")
    with pytest.raises(oversight_service.UnknownFeature, match="feature: must be one of recommendations"):
        oversight_service.is_enabled(db_session=db_session, feature="ranking")


async def test_switched_off_features_answer_honestly_and_offer_a_recruiter(db_session):
    oversight_service.set_all(db_session=db_session, enabled=False, changed_by="admin")
    for action, text, intent, feature in (
            (knowledge_actions.ActionSearchKnowledge(), "do you sponsor visas?", "ask_question", "knowledge_answers"),
            (jobs_actions.ActionFindJobs(), "remote python jobs", "find_jobs", "recommendations"),
            (jobs_actions.ActionSimilarJobs(), "jobs like the one I viewed", "similar_jobs", "recommendations"),
            (jobs_actions.ActionMoreJobs(), "show more", "more_jobs", "recommendations")):
        dispatcher = CollectingDispatcher()
        await action.run(dispatcher, _tracker(text, intent), {})
        [message] = dispatcher.messages
        assert message["text"] == OFF_TEXTS[feature]
        assert message["buttons"] == [{"title": "Talk to a recruiter", "payload": "/request_human"}]
    assert db_session.scalars(select(AnswerLog)).all() == []
    assert alerts.send_alerts() == {"candidates": 0, "emails": 0, "jobs": 0, "failed": 0}


@pytest.mark.parametrize("feature", sorted(CHAT_ACTIONS))
async def test_each_chat_feature_honours_its_own_switch(db_session, feature):
    oversight_service.set_enabled(db_session=db_session, feature=feature, enabled=False, changed_by="admin")
    for action, text, intent in CHAT_ACTIONS[feature]:
        dispatcher = CollectingDispatcher()
        await action.run(dispatcher, _tracker(text, intent), {})
        assert [m["text"] for m in dispatcher.messages] == [OFF_TEXTS[feature]], type(action).__name__
    assert db_session.scalars(select(AnswerLog)).all() == []


def test_job_alerts_stop_when_only_recommendations_are_off(db_session):
    oversight_service.set_enabled(db_session=db_session, feature="recommendations", enabled=False, changed_by="admin")
    assert alerts.send_alerts() == {"candidates": 0, "emails": 0, "jobs": 0, "failed": 0}


def test_the_public_knowledge_search_stops_answering_when_knowledge_answers_are_off(db_session):
    oversight_service.set_enabled(db_session=db_session, feature="knowledge_answers", enabled=False, changed_by="admin")
    app.dependency_overrides[get_db] = lambda: db_session
    try:
        response = TestClient(app).get("/api/knowledge/search", params={"q": "do you sponsor visas?"})
    finally:
        app.dependency_overrides.pop(get_db, None)
    assert (response.status_code, response.json()) == (503, {"detail": "knowledge answers are switched off"})


def test_the_journey_scheduler_sends_nothing_while_journeys_are_off(world):  # noqa: F811
    ada = world.candidate()
    world.application(ada, stage="under_review", changed_at=T0 - timedelta(days=11, hours=1))  # longer than usual
    oversight_service.set_enabled(db_session=world.db, feature="journeys", enabled=False, changed_by="admin")
    assert world.tick(T0).get("switched_off") == 1
    assert world.sent(ada) == [] and world.mails(ada) == [] and world.runs(ada) == []
    oversight_service.set_enabled(db_session=world.db, feature="journeys", enabled=True, changed_by="admin")
    world.tick(T0 + timedelta(minutes=1))  # the next tick after the admin turned it back on
    assert world.sent(ada) == ["longer-than-usual"] and len(world.mails(ada)) == 1


def test_each_switch_change_is_kept_in_the_audit_log_and_read_back_as_history(db_session):
    from assistant.audit.models import AuditEntry
    from assistant.audit.service import CLI, Actor
    from assistant.inbox.models import StaffUser

    admin = StaffUser(email="oversight-admin@example.com", name="Admin", role="admin", password_hash="x")
    db_session.add(admin)
    db_session.flush()
    staff = Actor(type="staff", id=str(admin.id), channel="inbox")
    oversight_service.set_enabled(db_session=db_session, feature="journeys", enabled=True, changed_by=admin.email, actor=staff)
    assert oversight_service.history(db_session=db_session) == []  # already on: no change, no entry
    oversight_service.set_enabled(db_session=db_session, feature="journeys", enabled=False, changed_by=admin.email, actor=staff,
                                  reason="Complaint from jo@example.com about the nudge e-mails")
    oversight_service.set_all(db_session=db_session, enabled=False, changed_by="cli", actor=CLI)  # two of three change
    oversight_service.set_enabled(db_session=db_session, feature="journeys", enabled=True, changed_by="cli", actor=CLI)
    changes = oversight_service.history(db_session=db_session)
    assert [(c.feature, c.enabled, c.by, c.channel) for c in changes] == [
        ("journeys", True, "cli", "cli"), ("knowledge_answers", False, "cli", "cli"),
        ("recommendations", False, "cli", "cli"), ("journeys", False, admin.email, "inbox")]
    assert changes[0].at >= changes[-1].at
    assert changes[-1].reason == "Complaint from [e-mail] about the nudge e-mails" and changes[0].reason == ""
    assert oversight_service.switches(db_session=db_session)["journeys"].enabled  # the latest state is unchanged
    entries = db_session.scalars(select(AuditEntry).where(AuditEntry.entity == "feature_switch")).all()
    assert {(e.action, e.candidate_id) for e in entries} == {("turn_on", None), ("turn_off", None)}
