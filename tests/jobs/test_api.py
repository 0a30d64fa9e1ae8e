"""The ATS jobs feed API: key check, JSON and CSV feeds with per-row errors, close and delete reach the index."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.deps import get_db
from api.main import app
from api.routes import jobs as jobs_route
from assistant.jobs import index as jobs_index
from assistant.settings import get_settings

ROW = {"external_id": "API-1", "title": "Registered Nurse", "department": "clinical", "level": "mid", "city": "Berlin",
       "country": "Germany", "workplace": "onsite", "skills": ["Nursing"], "summary": "Care for patients."}


@pytest.fixture
def client(db_session, tmp_path):
    app.dependency_overrides[get_db] = lambda: db_session
    app.dependency_overrides[jobs_route.index_root] = lambda: tmp_path / "jobs-index"
    yield TestClient(app)
    app.dependency_overrides.pop(get_db, None)
    app.dependency_overrides.pop(jobs_route.index_root, None)


@pytest.fixture
def key():
    return {"X-API-Key": get_settings().secret("ats_api_key")}


@pytest.mark.parametrize("headers", [{}, {"X-API-Key": "wrong"}])
def test_the_api_key_is_required(client, headers):
    assert client.post("/api/ats/jobs", json=[ROW], headers=headers).status_code == 401


def test_json_feed_imports_good_rows_reports_bad_ones_and_indexes(client, key, tmp_path):
    response = client.post("/api/ats/jobs", json=[ROW, {**ROW, "external_id": "API-2", "level": "guru"}], headers=key)
    body = response.json()
    assert response.status_code == 200 and body["created"] == 1
    assert [(e["row"], e["external_id"]) for e in body["errors"]] == [(2, "API-2")]
    loaded = jobs_index.served(root=tmp_path / "jobs-index")
    assert loaded.version == body["index_version"] and "API-1" in loaded.by_external_id
    again = client.post("/api/ats/jobs", json=[ROW], headers=key).json()
    assert (again["created"], again["unchanged"]) == (0, 1)


def test_csv_feed_and_close_and_delete(client, key, tmp_path):
    csv_text = "external_id,title,department,level,city,workplace,skills\nAPI-3,Forklift Operator,warehouse,mid,Austin,onsite,Forklift\n"
    response = client.post("/api/ats/jobs", content=csv_text, headers={**key, "Content-Type": "text/csv"})
    assert response.status_code == 200 and response.json()["created"] == 1
    closed = client.post("/api/ats/jobs/API-3/close", headers=key).json()
    assert closed["outcome"] == "closed"
    assert "API-3" not in jobs_index.served(root=tmp_path / "jobs-index").by_external_id
    assert client.delete("/api/ats/jobs/API-3", headers=key).json()["outcome"] == "deleted"
    assert client.delete("/api/ats/jobs/API-3", headers=key).status_code == 404


def test_unreadable_feed_is_refused(client, key):
    response = client.post("/api/ats/jobs", content=b"{broken", headers={**key, "Content-Type": "application/json"})
    assert response.status_code == 422 and "not valid JSON" in response.text
