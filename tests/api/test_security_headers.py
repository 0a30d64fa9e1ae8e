"""Security headers: strict CSP and no framing on staff pages; the career site may reach Rasa's socket.io."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.main import app
from api.security_headers import policies
from assistant.settings import get_settings


def test_staff_pages_cannot_be_framed_or_run_foreign_scripts():
    response = TestClient(app).get("/login")
    policy = response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY" and "frame-ancestors 'none'" in policy
    assert "default-src 'self'" in policy and "unsafe-inline" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"


def test_candidate_pages_may_open_rasa_and_be_framed_by_the_career_site(monkeypatch):
    settings = get_settings()
    monkeypatch.setattr(settings, "cors_origins", ["https://careers.example.com/"])
    _, site = policies(settings)
    rasa = settings.rasa_public_url.rstrip("/")
    assert f"connect-src 'self' {rasa} {rasa.replace('http', 'ws', 1)}" in site
    assert "frame-ancestors 'self' https://careers.example.com" in site
    page = TestClient(app).get("/chat")
    assert "connect-src 'self'" in page.headers["content-security-policy"] and "x-frame-options" not in page.headers
    assert "<script>" not in page.text, "no inline script: the page runs under the policy"


def test_json_and_docs_keep_their_own_shape():
    client = TestClient(app)
    health = client.get("/health")
    assert health.headers["x-content-type-options"] == "nosniff" and "content-security-policy" not in health.headers
    assert "content-security-policy" not in client.get("/docs").headers
