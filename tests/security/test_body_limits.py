"""Request bodies are limited at the ASGI layer, for declared and for chunked bodies, before any route runs."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api import body_limit
from api.deps import get_db
from api.main import app


@pytest.fixture
def client(db_session):
    app.dependency_overrides[get_db] = lambda: db_session
    yield TestClient(app)
    app.dependency_overrides.pop(get_db, None)


@pytest.fixture
def route_calls(monkeypatch):
    """Counts how often the events route's rate limiter (its first line) runs."""
    from api.routes import events

    calls = []
    original = events._limit
    monkeypatch.setattr(events, "_limit", lambda *args: calls.append(args) or original(*args))
    return calls


def _chunks(total: int, size: int = 4096):
    sent = 0
    while sent < total:
        yield b" " * min(size, total - sent)
        sent += size


def test_limits_per_path():
    assert body_limit.limit_for("/api/events") == 32_768
    assert body_limit.limit_for("/api/ats/candidates") == body_limit.LIMITS["/api/ats"]
    assert body_limit.limit_for("/api/eventsx") == body_limit.limit_for("/login") == body_limit.DEFAULT_LIMIT


def test_a_chunked_body_over_the_limit_is_refused_before_the_route(client, route_calls):
    response = client.post("/api/events", content=_chunks(200_000), headers={"Content-Type": "application/json"})
    assert response.status_code == 413
    assert response.json() == {"detail": "the request body is larger than 32,768 bytes"}
    assert route_calls == []


def test_a_declared_length_over_the_limit_is_refused_unread(client, route_calls):
    response = client.post("/api/events", content=b"{" + b" " * 40_000 + b"}", headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and route_calls == []


def test_the_default_limit_covers_every_other_route(client):
    response = client.post("/login", content=_chunks(body_limit.DEFAULT_LIMIT + 1),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status_code == 413


def test_a_chunked_body_under_the_limit_reaches_the_route_whole(client, route_calls):
    from assistant.events import visitors

    body = b'{"visitor_id": "%s", "events": [{"kind": "job_viewed", "job_id": "NO-SUCH-JOB"}]}' % visitors.issue().encode()
    response = client.post("/api/events", content=iter([body[:10], body[10:]]), headers={"Content-Type": "application/json"})
    assert len(route_calls) >= 1, "the route ran"
    assert response.status_code == 422 and "NO-SUCH-JOB" in response.text, "and read the whole body"
