"""The demo career site: job list and pages, the demo-candidate switch and the token it signs."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from api.deps import get_db
from api.main import app
from api.routes.site import DEMO_COOKIE
from assistant.candidates.models import Candidate
from assistant.db import utcnow
from assistant.identity import service as identity_service
from assistant.jobs.models import Job
from assistant.settings import get_settings


@pytest.fixture
def client(db_session):
    app.dependency_overrides[get_db] = lambda: db_session
    yield TestClient(app, follow_redirects=False)
    app.dependency_overrides.clear()


@pytest.fixture
def jobs(db_session):
    rows = [
        Job(external_id="FH-S1", title="Data Engineer", department="Engineering", level="mid", city="Berlin",
            country="Germany", workplace="hybrid", skills=["Python", "SQL"], summary="Build pipelines.",
            salary_min=60000, salary_max=75000),
        Job(external_id="FH-S2", title="<script>alert(1)</script> Designer", department="Design", level="senior",
            workplace="remote", summary="Design things."),
        Job(external_id="FH-S3", title="Closed Role", department="Sales", level="junior", status="closed"),
        Job(external_id="FH-S4", title="Expired Role", department="Sales", level="junior",
            closes_at=utcnow() - timedelta(days=1)),
    ]
    db_session.add_all(rows)
    db_session.flush()
    return rows


@pytest.fixture
def candidate(db_session):
    """A shipped demo candidate (the only kind the demo switch serves) and a real one it must never offer."""
    row = Candidate(external_id="C-1001", first_name="Maya", email="maya.site@example.com")
    db_session.add_all([row, Candidate(external_id="C-REAL1", first_name="Noor", email="noor@example.com")])
    db_session.flush()
    return row


def site_config(html: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" id="site-config">(.*?)</script>', html, re.S).group(1))


def test_job_list_shows_open_jobs_escaped_and_filters(client, jobs):
    page = client.get("/")
    assert page.status_code == 200
    assert "/jobs/FH-S1" in page.text and "EUR 60,000–75,000" in page.text
    assert "Closed Role" not in page.text and "Expired Role" not in page.text
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;" in page.text
    assert "CandidateChat.mount" not in page.text, "the widget is mounted by site.js, no inline script"
    assert "/static/site.js" in page.text
    assert "/jobs/FH-S2" not in client.get("/", params={"q": "berlin python"}).text
    assert "/jobs/FH-S1" in client.get("/", params={"q": "berlin python"}).text
    remote = client.get("/", params={"workplace": "remote"}).text
    assert "/jobs/FH-S2" in remote and "/jobs/FH-S1" not in remote


def test_job_list_pages_through_the_catalogue(client, db_session):
    db_session.add_all([Job(external_id=f"FH-P{n:02}", title=f"Role {n:02}", department="Ops", level="mid") for n in range(25)])
    db_session.flush()
    first = client.get("/")
    assert first.text.count('class="job-item"') == 20 and "page 1 of 2" in first.text and "Next page" in first.text
    second = client.get("/", params={"page": 2})
    assert second.text.count('class="job-item"') == 5 and "Previous page" in second.text
    assert client.get("/", params={"page": 0}).status_code == 422


def test_job_page_tells_the_widget_which_job_is_on_screen(client, jobs):
    page = client.get("/jobs/FH-S1")
    assert page.status_code == 200
    data = json.loads(re.search(r'id="page-config">(.*?)</script>', page.text, re.S).group(1))
    assert data == {"job_id": "FH-S1", "job_title": "Data Engineer"}
    assert 'id="apply-start"' in page.text
    closed = client.get("/jobs/FH-S3")
    assert "no longer accepting applications" in closed.text and 'id="apply-start"' not in closed.text
    assert client.get("/jobs/FH-NOPE").status_code == 404


def test_anonymous_visitor_gets_no_token(client, jobs, candidate):
    config = site_config(client.get("/").text)
    assert config["candidateToken"] is None
    assert config["maxMessageChars"] == get_settings().max_message_chars
    assert config["siteOrigin"] == "https://careers.fernhill.example"


def test_demo_sign_in_signs_a_token_for_that_candidate_and_sign_out_forgets_it(client, candidate):
    page = client.get("/").text
    assert "C-1001" in page, "the switch lists demo candidates outside production"
    assert "C-REAL1" not in page, "the switch never lists candidates that are not shipped demo candidates"
    response = client.post("/demo/sign-in", data={"external_id": "C-1001", "next": "/jobs/FH-S1"})
    assert response.status_code == 303 and response.headers["location"] == "/jobs/FH-S1"
    cookie = response.cookies[DEMO_COOKIE]
    client.cookies.clear()
    page = client.get("/", headers={"Cookie": f"{DEMO_COOKIE}={cookie}"})
    assert "Signed in as demo candidate" in page.text
    token = site_config(page.text)["candidateToken"]
    assert page.headers["cache-control"] == "no-store", "a page with a token is never cached"
    assert identity_service.verify_token(token) == "C-1001"

    forged = client.get("/", headers={"Cookie": f"{DEMO_COOKIE}={cookie[:-4]}AAAA"})
    assert site_config(forged.text)["candidateToken"] is None
    signed_out = client.post("/demo/sign-out", data={"next": "/"})
    assert signed_out.status_code == 303 and f'{DEMO_COOKIE}=""' in signed_out.headers["set-cookie"]


def test_demo_sign_in_rejects_unknown_candidates_and_foreign_redirects(client, candidate):
    unknown = client.post("/demo/sign-in", data={"external_id": "C-NOBODY"})
    assert unknown.status_code == 422 and "external_id" in unknown.text
    real = client.post("/demo/sign-in", data={"external_id": "C-REAL1"})
    assert real.status_code == 422 and real.json()["detail"] == "external_id: no demo candidate 'C-REAL1'"
    offsite = client.post("/demo/sign-in", data={"external_id": "C-1001", "next": "//evil.example/x"})
    assert offsite.headers["location"] == "/"


def test_production_has_no_demo_switch(client, candidate):
    production = get_settings().model_copy(update={"env": "production"})
    app.dependency_overrides[get_settings] = lambda: production
    signed = client.post("/demo/sign-in", data={"external_id": "C-1001"})
    assert signed.status_code == 404
    page = client.get("/")
    assert "C-1001" not in page.text and site_config(page.text)["candidateToken"] is None


def test_help_articles_from_the_knowledge_base_open_on_the_site(client):
    page = client.get("/help/candidate-privacy")
    assert page.status_code == 200
    assert "<h1>Candidate data privacy and retention</h1>" in page.text
    assert 'id="what-data-we-collect-and-why"' in page.text and "<strong>only to run our hiring process</strong>" in page.text
    assert client.get("/help/no-such-article").status_code == 404


def test_help_articles_never_render_raw_html(client, tmp_path, monkeypatch):
    (tmp_path / "unsafe.md").write_text(
        "---\ntitle: Unsafe\nurl: https://careers.fernhill.example/help/unsafe\ntags: [x]\nowner: me\n"
        "updated: 2026-01-01\nlang: en\naudience: all\n---\n\n# Unsafe\n\n<script>alert(1)</script> [x](javascript:alert(1)) "
        "<img src=x onerror=alert(1)>\n"
    )
    monkeypatch.setattr(get_settings(), "knowledge_dir", tmp_path)
    page = client.get("/help/unsafe")
    assert page.status_code == 200
    article = page.text.split('<article class="help-article">')[1].split("</article>")[0]
    assert "<script" not in article and "<img" not in article and 'href="javascript' not in article
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in article, "raw HTML shows as text"
