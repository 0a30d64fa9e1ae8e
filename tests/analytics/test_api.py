"""Who may see the analytics, the bias audit, the feature switches and the data-request pages, and the NPS page."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.main import app
from assistant.analytics import feedback
from assistant.audit.service import ATS_API
from assistant.candidates import ats
from assistant.db import session_scope
from assistant.oversight import service as oversight_service
from tests.inbox.conftest import api_account, app_db, sign_in  # noqa: F401 - fixtures


@pytest.fixture
def staff_client(api_account, sign_in):  # noqa: F811
    def make(role: str) -> TestClient:
        client = TestClient(app)
        assert sign_in(client, api_account(role)).status_code == 303
        return client
    return make


ROUTES = {  # path: roles allowed
    "/inbox/analytics": {"lead", "admin"}, "/api/analytics/summary": {"lead", "admin"},
    "/api/analytics/report": {"lead", "admin"}, "/api/analytics/report.csv": {"lead", "admin"},
    "/api/analytics/attribution": {"lead", "admin"},
    "/inbox/audit": {"lead", "privacy", "admin"}, "/api/audit/bias": {"lead", "privacy", "admin"},
    "/api/audit/bias.txt": {"lead", "privacy", "admin"}, "/api/oversight/features": {"lead", "privacy", "admin"},
    "/inbox/privacy": {"privacy", "admin"},
}


def test_each_role_sees_only_its_pages(staff_client):
    clients = {role: staff_client(role) for role in ("recruiter", "content_owner", "admin", "lead", "privacy")}
    for path, allowed in ROUTES.items():
        for role, client in clients.items():
            status = client.get(path, follow_redirects=False).status_code
            assert status == (200 if role in allowed else 403), (path, role, status)
        anonymous = TestClient(app).get(path, follow_redirects=False).status_code
        assert anonymous == (303 if path.startswith("/inbox") else 401), path
    summary = clients["lead"].get("/api/analytics/summary", params={"from": "2024-01-01", "to": "2024-01-31"}).json()
    assert summary["period"]["from"].startswith("2024-01-01") and "containment_rate" in summary
    assert clients["lead"].get("/api/analytics/summary", params={"from": "2024-02-01", "to": "2024-01-01"}).status_code == 422
    csv = clients["admin"].get("/api/analytics/report.csv").text.splitlines()
    assert csv[0] == "figure,period,baseline" and any(line.startswith("containment_rate,") for line in csv)


def test_only_admins_switch_ai_features_and_only_with_csrf(staff_client):
    admin, lead = staff_client("admin"), staff_client("lead")
    token = admin.get("/api/me").json()["csrf_token"]
    try:
        assert admin.post("/api/oversight/features", json={"feature": "all", "enabled": False}).status_code == 403  # no CSRF
        off = admin.post("/api/oversight/features", json={"feature": "all", "enabled": False, "reason": "Bias audit review"},
                         headers={"X-CSRF-Token": token})
        assert off.json() == {"recommendations": False, "journeys": False, "knowledge_answers": False}
        page = admin.get("/inbox/audit").text
        assert 'data-feature="journeys"' in page and "Turn on" in page
        email = admin.get("/api/me").json()["email"]
        history = page.split('id="switch-history"', 1)[1].split("</table>", 1)[0]
        for feature in ("recommendations", "journeys", "knowledge"):  # one row per change, with who changed it
            assert f"<td>{feature}" in history
        assert history.count(f"<td>{email}</td>") == 3 and history.count("<td>off</td>") == 3
        assert history.count("<td>Bias audit review</td>") == 3
        assert admin.post("/inbox/audit/features", data={"csrf_token": token, "feature": "journeys", "enabled": "true",
                                                         "reason": "Review done"}, follow_redirects=False).status_code == 303
        history = admin.get("/inbox/audit").text.split('id="switch-history"', 1)[1]
        assert history.index("<td>Review done</td>") < history.index("<td>Bias audit review</td>")  # newest first
        assert admin.post("/api/oversight/features", json={"feature": "journeys", "enabled": True, "reason": "x" * 201},
                          headers={"X-CSRF-Token": token}).status_code == 422
        lead_token = lead.get("/api/me").json()["csrf_token"]
        assert lead.post("/api/oversight/features", json={"feature": "journeys", "enabled": True},
                         headers={"X-CSRF-Token": lead_token}).status_code == 403
        assert "Turn on" not in lead.get("/inbox/audit").text
    finally:
        with session_scope() as db:
            oversight_service.set_all(db_session=db, enabled=True, changed_by="test")
    with session_scope() as db:
        assert oversight_service.is_enabled(db_session=db, feature="journeys")


def test_nps_page_records_one_masked_answer_per_survey():
    with session_scope() as db:
        ats.import_rows(db_session=db, kind="candidates", actor=ATS_API,
                        rows=[{"external_id": "C-NPS-PAGE", "first_name": "Nia", "email": "nia.nps@example.com"}])
    token = feedback.nps_token(candidate_external_id="C-NPS-PAGE", survey_key="APP-NONE:hired")
    client = TestClient(app)
    page = client.get("/feedback/nps", params={"token": token})
    assert page.status_code == 200 and 'name="score"' in page.text
    assert client.post("/feedback/nps", data={"token": token, "score": "11"}).status_code == 422
    done = client.post("/feedback/nps", data={"token": token, "score": "9", "comment": "Mail me at nia@example.com"})
    assert done.status_code == 200 and 'id="nps-thanks"' in done.text
    client.post("/feedback/nps", data={"token": token, "score": "2"})  # a second answer does not count
    with session_scope() as db:
        answer = feedback.get_nps_response(db_session=db, survey_key="APP-NONE:hired")
        assert (answer.score, answer.comment) == (9, "Mail me at [e-mail]")
    assert client.get("/feedback/nps", params={"token": "forged"}).status_code == 400
    assert 'id="nps-thanks"' in client.get("/feedback/nps", params={"token": token}).text
