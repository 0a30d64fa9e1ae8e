"""ATS API: API-key auth, bulk upserts with per-row errors, idempotency; the dev candidate-token endpoint."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.deps import get_db
from api.main import app
from assistant.identity import service as identity_service
from assistant.jobs.models import Job
from assistant.settings import get_settings


@pytest.fixture
def client(db_session):
    app.dependency_overrides[get_db] = lambda: db_session
    yield TestClient(app)
    app.dependency_overrides.pop(get_db, None)


@pytest.fixture
def key():
    return {"X-API-Key": get_settings().secret("ats_api_key")}


CANDIDATE = {"external_id": "C-API1", "first_name": "Ira", "email": "ira@example.com", "time_zone": "Europe/Berlin"}


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "wrong"}, {"X-API-Key": ""}])
@pytest.mark.parametrize("path", ["candidates", "applications", "stage-changes", "interviews"])
def test_every_endpoint_needs_the_api_key(client, headers, path):
    response = client.post(f"/api/ats/{path}", json=[CANDIDATE], headers=headers)
    assert response.status_code == 401


def test_bulk_upsert_with_per_row_errors_is_idempotent(client, key, db_session):
    db_session.add(Job(external_id="FH-API1", title="Data Engineer", department="Engineering", level="mid"))
    db_session.flush()
    rows = [CANDIDATE, {"external_id": "C-API2", "first_name": "", "email": "x@example.com"}]
    first = client.post("/api/ats/candidates", json=rows, headers=key).json()
    assert (first["created"], first["errors"]) == (1, [{"row": 1, "external_id": "C-API2", "errors": ["first_name: String should have at least 1 character"]}])
    again = client.post("/api/ats/candidates", json=rows[:1], headers=key).json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 1)

    application = {"external_id": "APP-API1", "candidate_external_id": "C-API1", "job_external_id": "FH-API1",
                   "applied_at": "2026-11-01T09:00:00Z"}
    assert client.post("/api/ats/applications", json=[application], headers=key).json()["created"] == 1
    change = {"application_external_id": "APP-API1", "stage": "interviews", "changed_at": "2026-11-10T09:00:00+01:00"}
    assert client.post("/api/ats/stage-changes", json=[change], headers=key).json()["created"] == 1
    interview = {"external_id": "INT-API1", "application_external_id": "APP-API1", "scheduled_at": "2099-01-01T10:00:00Z", "kind": "panel"}
    assert client.post("/api/ats/interviews", json=[interview], headers=key).json()["created"] == 1


def test_a_body_that_is_not_a_list_is_rejected(client, key):
    assert client.post("/api/ats/candidates", json=CANDIDATE, headers=key).status_code == 422


def test_dev_candidate_token_only_for_shipped_demo_candidates_outside_production(client, db_session, monkeypatch):
    demo = CANDIDATE | {"external_id": "C-1001", "email": "maya.dev@example.com"}
    client.post("/api/ats/candidates", json=[CANDIDATE, demo], headers={"X-API-Key": get_settings().secret("ats_api_key")})
    body = client.get("/api/dev/candidate-token/C-1001").json()
    assert identity_service.verify_token(body["candidate_token"]) == "C-1001"
    unknown, real = client.get("/api/dev/candidate-token/C-NOPE"), client.get("/api/dev/candidate-token/C-API1")
    assert unknown.status_code == real.status_code == 404 and unknown.json() == real.json(), "no enumeration"
    monkeypatch.setattr(get_settings(), "env", "production")
    assert client.get("/api/dev/candidate-token/C-1001").status_code == 404
