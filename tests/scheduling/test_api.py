"""Scheduling over HTTP, on the application database as the API runs it: the ATS endpoints (key, idempotent
imports, the bookings feed), the recruiters' page and JSON API (sign-in, roles, CSRF), the e-mails with their
iCalendar invites, and the signed webhook."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from icalendar import Calendar

from api.main import app
from assistant import mail
from assistant.db import as_utc, session_scope, utcnow
from assistant.scheduling import notify
from assistant.scheduling import service as scheduling_service
from assistant.settings import get_settings
from tests.scheduling.conftest import add_invited, add_slots


@pytest.fixture
def key():
    return {"X-API-Key": get_settings().secret("ats_api_key")}


@pytest.fixture
def booked(app_db):
    """A committed candidate with a booked slot and a free one; returns their ids."""
    with session_scope() as db:
        invited = add_invited(db)
        booked_slot, free_slot = add_slots(db, invited.job, [48, 72])
        booking = scheduling_service.book(db_session=db, request=invited.request, slot=booked_slot, actor=invited.actor)
        return {"booking": booking.id, "booked_slot": booked_slot.external_id, "free_slot": free_slot.external_id,
                "email": invited.candidate.email, "job": invited.job.external_id, "name": invited.candidate.full_name,
                "application": invited.application.external_id, "uid": booking.uid}


@pytest.fixture
def staff_client(api_account, sign_in):
    def make(role: str) -> TestClient:
        client = TestClient(app)
        assert sign_in(client, api_account(role)).status_code == 303
        return client
    return make


@pytest.mark.parametrize("method,path", [("post", "/api/ats/interview-slots"), ("post", "/api/ats/interview-requests"),
                                         ("get", "/api/ats/bookings")])
def test_ats_endpoints_need_the_api_key(method, path):
    kwargs = {"json": []} if method == "post" else {}
    assert getattr(TestClient(app), method)(path, headers={"X-API-Key": "wrong"}, **kwargs).status_code == 401


def test_ats_imports_are_idempotent_and_the_feed_reports_bookings(key, booked):
    client = TestClient(app)
    start = (utcnow() + timedelta(days=4)).replace(microsecond=0).isoformat()
    row = {"external_id": f"ATS-{booked['booking']}", "job_external_id": booked["job"], "starts_at": start}
    first = client.post("/api/ats/interview-slots", json=[row, {"external_id": "x", "job_external_id": "nope",
                                                              "starts_at": start}], headers=key).json()
    assert first["created"] == 1 and first["errors"][0]["errors"] == ["job_external_id: no job 'nope'"]
    assert client.post("/api/ats/interview-slots", json=[row], headers=key).json()["unchanged"] == 1
    request = {"external_id": f"IR-ATS-{booked['booking']}", "application_external_id": booked["application"]}
    assert client.post("/api/ats/interview-requests", json=[request], headers=key).json()["created"] == 1
    assert client.post("/api/ats/interview-requests", json=[request], headers=key).json()["unchanged"] == 1

    since = (utcnow() - timedelta(minutes=5)).isoformat()
    feed = client.get("/api/ats/bookings", params={"since": since}, headers=key).json()
    mine = [b for b in feed["bookings"] if b["uid"] == booked["uid"]]
    assert mine and mine[0]["status"] == "booked" and mine[0]["slot_external_id"] == booked["booked_slot"]
    assert "email" not in json.dumps(mine[0])
    later = client.get("/api/ats/bookings", params={"since": feed["next_since"]}, headers=key).json()
    assert all(b["updated_at"] >= feed["next_since"] for b in later["bookings"])
    assert client.get("/api/ats/bookings", params={"since": "2026-11-20T09:00:00"}, headers=key).status_code == 422


def test_only_signed_in_recruiters_and_admins_see_the_page(staff_client, booked):
    anonymous = TestClient(app)
    assert anonymous.get("/inbox/scheduling", follow_redirects=False).status_code == 303
    assert anonymous.get("/api/scheduling/slots").status_code == 401
    assert staff_client("content_owner").get("/inbox/scheduling").status_code == 403
    for role in ("recruiter", "admin"):
        page = staff_client(role).get("/inbox/scheduling")
        assert page.status_code == 200
        assert f'id="slot-{booked["booked_slot"]}" class="booked"' in page.text and booked["name"] in page.text
        assert f'id="slot-{booked["free_slot"]}" class="free"' in page.text


def test_recruiters_add_and_remove_slots_and_cancel_a_booking_from_the_page(staff_client, booked):
    client = staff_client("recruiter")
    token = client.get("/api/me").json()["csrf_token"]
    local = (utcnow() + timedelta(days=5)).strftime("%Y-%m-%dT10:00")
    added = client.post("/inbox/scheduling/slots", follow_redirects=False,
                        data={"csrf_token": token, "job_external_id": booked["job"], "starts_at": local,
                              "duration_minutes": "30", "kind": "phone", "interviewer_names": "Anna Becker, Jonas Wolf"})
    assert added.status_code == 303 and "error" not in added.headers["location"]
    slots = client.get("/api/scheduling/slots").json()
    new = [s for s in slots if s["job_external_id"] == booked["job"] and s["kind"] == "phone"]
    assert len(new) == 1 and new[0]["interviewer_names"] == ["Anna Becker", "Jonas Wolf"]
    assert new[0]["starts_at"].endswith(("+00:00", "Z"))  # stored in UTC from Berlin wall-clock time
    berlin = datetime.fromisoformat(local).replace(tzinfo=ZoneInfo("Europe/Berlin"))
    assert datetime.fromisoformat(new[0]["starts_at"].replace("Z", "+00:00")) == berlin  # 10:00 Berlin, not 10:00 UTC
    bad = client.post("/inbox/scheduling/slots", follow_redirects=False,
                      data={"csrf_token": token, "job_external_id": booked["job"], "starts_at": "tomorrow"})
    assert "error=starts_at" in bad.headers["location"]
    assert client.post("/inbox/scheduling/slots", data={"csrf_token": "forged"}).status_code == 403

    refused = client.post(f"/inbox/scheduling/slots/{booked['booked_slot']}/remove", data={"csrf_token": token},
                          follow_redirects=True)
    assert "this slot is booked: cancel the booking first" in refused.text
    assert client.post(f"/inbox/scheduling/slots/{booked['free_slot']}/remove", data={"csrf_token": token},
                       follow_redirects=False).status_code == 303
    with session_scope() as db:
        assert scheduling_service.get_slot(db_session=db, external_id=booked["free_slot"]).removed_at is not None

    cancelled = client.post(f"/api/scheduling/bookings/{booked['booking']}/cancel", headers={"X-CSRF-Token": token})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled" and cancelled.json()["sequence"] == 1
    (message,) = mail.outbox(limit=1, to=booked["email"])
    assert message["Subject"].startswith("Interview cancelled")
    invite = _invite(message)
    assert invite.get("method") == "CANCEL"
    event = invite.walk("VEVENT")[0]
    assert (str(event["uid"]), int(event["sequence"]), str(event["status"])) == (booked["uid"], 1, "CANCELLED")


def test_a_staff_slot_for_an_unknown_job_is_a_clear_error(staff_client):
    client = staff_client("admin")
    token = client.get("/api/me").json()["csrf_token"]
    response = client.post("/api/scheduling/slots", headers={"X-CSRF-Token": token},
                           json={"job_external_id": "NOPE", "starts_at": "2030-01-02T10:00:00"})
    assert response.status_code == 422 and "no job 'NOPE'" in response.json()["detail"]


def test_the_webhook_is_signed_and_the_invite_is_a_request(booked, monkeypatch):
    received: list[tuple[bytes, str]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            received.append((self.rfile.read(int(self.headers["Content-Length"])), self.headers["X-Signature"]))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings = get_settings()
    monkeypatch.setattr(settings, "scheduling_webhook_url", f"http://127.0.0.1:{server.server_port}/hook")
    monkeypatch.setattr(settings, "scheduling_webhook_secret", type(settings.rasa_token)("hook-secret"))
    try:
        done = notify.announce(booking_id=booked["booking"], change="booked")
    finally:
        server.shutdown()
    assert done["candidate"] and done["webhook"]
    body, signature = received[0]
    assert signature == "sha256=" + hmac.new(b"hook-secret", body, hashlib.sha256).hexdigest()
    payload = json.loads(body)
    assert payload["type"] == "interview.booked" and payload["booking"]["uid"] == booked["uid"]
    (message,) = mail.outbox(limit=1, to=booked["email"])
    invite = _invite(message)
    event = invite.walk("VEVENT")[0]
    assert invite.get("method") == "REQUEST" and str(event["uid"]) == booked["uid"] and int(event["sequence"]) == 0
    with session_scope() as db:
        slot = scheduling_service.get_slot(db_session=db, external_id=booked["booked_slot"])
        assert event.decoded("dtstart") == as_utc(slot.starts_at)
        assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=slot.duration_minutes)


def _invite(message) -> Calendar:
    parts = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1 and parts[0].get_param("method") in ("REQUEST", "CANCEL")
    return Calendar.from_ical(parts[0].get_content())
