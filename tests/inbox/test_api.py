"""The inbox over HTTP: sign-in, roles, CSRF, session expiry, pages and the JSON API (no Rasa needed)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.main import app
from assistant.audit.models import AuditEntry
from assistant.candidates.models import Candidate
from assistant.db import session_scope, utcnow
from assistant.inbox import service as inbox_service
from assistant.settings import get_settings


@pytest.fixture
def client():
    return TestClient(app)  # no `with`: the background delivery loop is not needed here


def csrf(client) -> str:
    return client.get("/api/me").json()["csrf_token"]


def make_ticket(candidate_id: int | None = None, trigger: str = "I need an interpreter") -> int:
    with session_scope() as db:
        ticket, _ = inbox_service.open_ticket(
            db_session=db, conversation_id=f"api-{uuid.uuid4().hex}", reason="request_accommodation", priority="high",
            due_at=utcnow() + timedelta(hours=8), trigger_message=trigger,
            transcript=[{"who": "candidate", "text": trigger, "at": utcnow().timestamp()}], candidate_id=candidate_id,
        )
        return ticket.id


def test_no_inbox_without_signing_in(client, app_db):
    page = client.get("/inbox", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    assert client.get("/api/tickets").status_code == 401
    assert client.get(f"/inbox/tickets/{make_ticket()}", follow_redirects=False).status_code == 303


def test_wrong_password_is_refused_and_keeps_the_email(client, api_account, sign_in):
    email = api_account()
    response = sign_in(client, email, "not-the-password")
    assert response.status_code == 401 and email in response.text and "match an active account" in response.text
    assert client.get("/api/tickets").status_code == 401


def test_csrf_is_required_on_every_post(client, api_account, sign_in):
    email = api_account()
    login = client.post("/login", data={"email": email, "password": "correct-horse-battery"})
    assert login.status_code == 403
    assert sign_in(client, email).status_code == 303
    ticket_id = make_ticket()
    assert client.post(f"/api/tickets/{ticket_id}/claim").status_code == 403
    assert client.post(f"/api/tickets/{ticket_id}/claim", headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert client.post(f"/inbox/tickets/{ticket_id}/note", data={"body": "x"}).status_code == 403
    assert client.post("/logout").status_code == 403
    claimed = client.post(f"/api/tickets/{ticket_id}/claim", headers={"X-CSRF-Token": csrf(client)})
    assert claimed.status_code == 200 and claimed.json()["status"] == "claimed"


def test_content_owner_cannot_read_tickets(client, api_account, sign_in):
    assert sign_in(client, api_account("content_owner")).headers["location"] == "/inbox/knowledge"
    ticket_id = make_ticket()
    assert client.get("/api/tickets").status_code == 403
    assert client.get(f"/api/tickets/{ticket_id}").status_code == 403
    assert client.get("/inbox").status_code == 403
    assert client.get(f"/inbox/tickets/{ticket_id}").status_code == 403
    assert client.get("/inbox/knowledge").status_code == 200


def test_session_expires(client, api_account, monkeypatch, sign_in):
    sign_in(client, api_account())
    assert client.get("/api/tickets").status_code == 200
    monkeypatch.setattr(get_settings(), "staff_session_minutes", 0)
    assert client.get("/api/tickets").status_code == 401


def test_ticket_page_shows_the_record_and_audits_the_read(client, api_account, sign_in):
    suffix = uuid.uuid4().hex[:8]
    with session_scope() as db:
        person = Candidate(external_id=f"api-{suffix}", first_name="Jonas", last_name="Berg", email=f"jonas.{suffix}@example.org")
        db.add(person)
        db.flush()
        candidate_id = person.id
    ticket_id = make_ticket(candidate_id=candidate_id, trigger="I need a <b>sign</b> interpreter")
    sign_in(client, api_account())
    page = client.get(f"/inbox/tickets/{ticket_id}")
    assert page.status_code == 200
    assert "Jonas Berg" in page.text and f"jonas.{suffix}@example.org" in page.text
    assert "&lt;b&gt;sign&lt;/b&gt;" in page.text and "<b>sign</b>" not in page.text  # escaped
    with session_scope() as db:
        reads = db.scalars(select(AuditEntry).where(AuditEntry.candidate_id == candidate_id, AuditEntry.action == "read")).all()
    assert len(reads) == 1 and reads[0].actor_type == "recruiter" and reads[0].channel == "inbox"
    detail = client.get(f"/api/tickets/{ticket_id}").json()
    assert detail["candidate"]["name"] == "Jonas Berg" and detail["priority"] == "high"
    assert any(entry["who"] == "system" and "Escalated" in entry["text"] for entry in detail["thread"])


def test_queue_page_and_json_api_operations(client, api_account, sign_in):
    sign_in(client, api_account())
    ticket_id = make_ticket()
    assert f'href="/inbox/tickets/{ticket_id}"' in client.get("/inbox").text
    assert f"#{ticket_id}" in client.get("/inbox/queue?unassigned=true").text
    headers = {"X-CSRF-Token": csrf(client)}
    assert client.post(f"/api/tickets/{ticket_id}/priority", json={"priority": "urgent"}, headers=headers).json()["priority"] == "urgent"
    assert client.post(f"/api/tickets/{ticket_id}/priority", json={"priority": "meh"}, headers=headers).status_code == 422
    note = client.post(f"/api/tickets/{ticket_id}/notes", json={"body": "check the interpreter budget"}, headers=headers)
    assert note.status_code == 200 and note.json()["delivery"] == "internal"
    assert client.post(f"/api/tickets/{ticket_id}/notes", json={"body": ""}, headers=headers).status_code == 422
    mine = client.get("/api/tickets", params={"mine": True}).json()
    assert ticket_id not in [t["id"] for t in mine]
    client.post(f"/api/tickets/{ticket_id}/claim", headers=headers)
    assert ticket_id in [t["id"] for t in client.get("/api/tickets", params={"mine": True}).json()]
    assert client.get("/api/tickets/999999").status_code == 404


def test_form_errors_come_back_on_the_page(client, api_account, sign_in):
    sign_in(client, api_account())
    ticket_id = make_ticket()
    token = csrf(client)
    response = client.post(f"/inbox/tickets/{ticket_id}/note", data={"body": "  ", "csrf_token": token})
    assert response.status_code == 200 and "write a message first" in response.text


def test_openapi_documents_the_ticket_api(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in ("/api/tickets", "/api/tickets/{ticket_id}", "/api/tickets/{ticket_id}/reply",
                 "/api/tickets/{ticket_id}/hand-back", "/api/me"):
        assert path in paths
