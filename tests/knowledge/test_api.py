"""Knowledge API: reindex and check need the reindex token; search; the widget's thumbs."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.deps import get_db
from api.main import app
from assistant.knowledge import service as knowledge_service
from assistant.settings import get_settings


@pytest.fixture
def client(db_session, served_index):
    app.dependency_overrides[get_db] = lambda: db_session
    yield TestClient(app)  # not entered: the lifespan (and so the file watcher) does not start here
    app.dependency_overrides.pop(get_db, None)


@pytest.fixture
def token():
    return {"Authorization": f"Bearer {get_settings().secret('reindex_token')}"}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": ""}])
def test_reindex_and_check_need_the_token(client, headers):
    assert client.post("/api/knowledge/reindex", headers=headers).status_code == 401
    assert client.get("/api/knowledge/check", headers=headers).status_code == 401


def test_reindex_and_check_with_the_token(client, token, served_index):
    assert client.get("/api/knowledge/check", headers=token).json() == {"ok": True, "problems": []}
    response = client.post("/api/knowledge/reindex", headers=token)
    assert response.status_code == 200
    assert response.json()["documents"] == 39 and response.json()["version"] == served_index.version


def test_search(client):
    body = client.get("/api/knowledge/search", params={"q": "how much parental leave do mothers get?"}).json()
    assert body["decision"] == "answer" and body["hits"][0]["doc_path"] == "parental-leave.md" and body["answer"]
    declined = client.get("/api/knowledge/search", params={"q": "how many calories are in a banana?"}).json()
    assert declined["decision"] == "decline" and declined["answer"] is None
    assert client.get("/api/knowledge/search", params={"q": ""}).status_code == 422


def test_feedback_endpoint(client, db_session):
    result = knowledge_service.search(query="do you sponsor visas?")
    entry = knowledge_service.log_answer(db_session=db_session, conversation_id="widget-1", result=result)
    body = {"answer_id": entry.id, "conversation_id": "widget-1", "helpful": True}
    assert client.post("/api/knowledge/feedback", json=body).json() == {"answer_id": entry.id, "helpful": True}
    assert db_session.get(type(entry), entry.id).helpful is True
    assert client.post("/api/knowledge/feedback", json={**body, "conversation_id": "other"}).status_code == 404
    assert client.post("/api/knowledge/feedback", json={**body, "helpful": "maybe"}).status_code == 422
