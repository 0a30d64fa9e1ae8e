"""The content owners' page and API: who may see them (content owners and admins, never recruiters or the
public), masked questions, and publishing from the page."""

from __future__ import annotations

import random
import string

import pytest
from fastapi.testclient import TestClient

from api.main import app
from assistant.db import session_scope
from tests.knowledge.test_gaps import log


@pytest.fixture
def staff_client(api_account, sign_in):
    def make(role: str) -> TestClient:
        client = TestClient(app)
        assert sign_in(client, api_account(role)).status_code == 303
        return client
    return make


def test_content_owners_and_admins_see_the_page_and_the_api_recruiters_do_not(staff_client):
    marker = "quokka" + "".join(random.choices(string.ascii_lowercase, k=8))  # letters only: digit runs are masked
    with session_scope() as db:
        log(db, f"Do you have a {marker} policy? Text me on 0151 496 0123", "decline")
    for role in ("content_owner", "admin"):
        client = staff_client(role)
        page = client.get("/inbox/knowledge")
        assert page.status_code == 200 and marker in page.text and "[number]" in page.text and "496 0123" not in page.text
        body = client.get("/api/knowledge/gaps", params={"days": 7}).json()
        assert body["days"] == 7 and any(marker in q["question"] for q in body["declined_questions"])
    recruiter = staff_client("recruiter")
    assert recruiter.get("/inbox/knowledge").status_code == 403
    assert recruiter.get("/api/knowledge/gaps").status_code == 403
    anonymous = TestClient(app)
    assert anonymous.get("/api/knowledge/gaps").status_code == 401
    assert anonymous.get("/inbox/knowledge", follow_redirects=False).status_code == 303
    assert staff_client("content_owner").get("/api/knowledge/gaps", params={"days": 0}).status_code == 422


def test_publishing_a_broken_folder_from_the_page_changes_nothing(staff_client, tmp_path, monkeypatch):
    from assistant.knowledge import index as index_module
    from assistant.settings import get_settings

    client = staff_client("content_owner")
    token = client.get("/api/me").json()["csrf_token"]
    served_before = index_module.current_version()
    (tmp_path / "broken.md").write_text("# No front matter\n\nText.\n")
    monkeypatch.setattr(get_settings(), "knowledge_dir", tmp_path)
    response = client.post("/inbox/knowledge/reindex", data={"csrf_token": token})
    assert response.status_code == 422
    assert "Nothing was published" in response.text and "broken.md:1" in response.text
    assert index_module.current_version() == served_before
    assert client.post("/inbox/knowledge/reindex", data={"csrf_token": "forged"}).status_code == 403
