"""Every route of the app × every principal gets the access ``access_rules.RULES`` declares, and a route
without a rule fails here. Requests carry the principal's credentials and a valid CSRF token, so a refusal
can only come from authentication or authorization."""

from __future__ import annotations

import re
import uuid

import pytest
from fastapi.testclient import TestClient
from starlette.routing import Mount

from api.main import app
from assistant.db import session_scope
from assistant.identity import service as identity_service
from assistant.inbox import staff
from assistant.knowledge import index as knowledge_index
from assistant.knowledge.documents import Problem
from assistant.settings import get_settings
from tests.security import access_rules as rules

PASSWORD = "matrix-test-passphrase"


def app_routes() -> list[tuple[str, str]]:
    """Returns (method, path) of every route and mount of the app, included routers flattened."""
    found = []

    def walk(routes):
        for route in routes:
            if hasattr(route, "original_router"):  # an included router (FastAPI >= 0.16x keeps them nested)
                walk(route.original_router.routes)
            elif isinstance(route, Mount):
                found.append(("GET", route.path))
            else:
                found.extend((method, route.path) for method in sorted(route.methods - {"HEAD"}))

    walk(app.routes)
    return found


ROUTES = app_routes()


def test_every_route_has_a_rule():
    missing = [f"{method} {path}" for method, path in ROUTES if (method, path) not in rules.RULES]
    assert not missing, f"add these routes to tests/security/access_rules.py: {missing}"
    stale = [f"{m} {p}" for m, p in rules.RULES if (m, p) not in ROUTES]
    assert not stale, f"rules for routes that no longer exist: {stale}"


def _csrf(client: TestClient) -> str:
    page = client.get("/login")
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


@pytest.fixture(scope="module")
def clients(app_db):
    settings = get_settings()
    made = {}
    for principal in rules.PRINCIPALS:
        client = TestClient(app, follow_redirects=False)
        headers = {}
        if principal in (rules.CONTENT_OWNER, rules.RECRUITER, rules.ADMIN):
            email = f"matrix-{principal}-{uuid.uuid4().hex[:6]}@fernhill.example"
            with session_scope() as db:
                staff.create(db_session=db, email=email, name=f"Matrix {principal}", role=principal, password=PASSWORD)
            signed = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": _csrf(client)})
            assert signed.status_code == 303, f"{principal} signs in"
            headers["X-CSRF-Token"] = client.get("/api/me").json()["csrf_token"]
        else:
            headers["X-CSRF-Token"] = _csrf(client)
        if principal == rules.CANDIDATE:
            headers["Authorization"] = f"Bearer {identity_service.issue_token(candidate_external_id='C-1001')}"
        if principal == rules.ATS_SYSTEM:
            headers["X-API-Key"] = settings.secret("ats_api_key")
        if principal == rules.REINDEX_JOB:
            headers["Authorization"] = f"Bearer {settings.secret('reindex_token')}"
        client.headers.update(headers)
        made[principal] = client
    return made


def _refused(response) -> bool:
    location = response.headers.get("location", "")
    return response.status_code in (401, 403) or (response.status_code in (302, 303, 307) and location.startswith("/login"))


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", lambda m: "999999" if m.group(0) == "{ticket_id}" else "MATRIX-NONE", path)


@pytest.mark.parametrize("method, path", [r for r in ROUTES if r != ("POST", "/logout")] + [("POST", "/logout")],
                         ids=lambda value: value)
def test_authorization_matrix(clients, method, path, monkeypatch):
    def no_build(*args, **kwargs):  # a publish is not what is under test here: answer as a failed check would
        raise knowledge_index.KnowledgeCheckFailed([Problem(path="matrix.md", line=1, message="not built in this test")])

    monkeypatch.setattr(knowledge_index, "build", no_build)
    rule = rules.RULES[(method, path)]
    url = _concrete(path) + ("/widget.js" if path == "/static" else "/socket.io.min.js" if path == "/static/vendor" else "")
    wrong = []
    for principal in rules.PRINCIPALS:
        response = clients[principal].request(method, url)
        if isinstance(rule, rules.Exact):
            if response.status_code not in rule[principal]:
                wrong.append(f"{principal}: {response.status_code}, expected {rule[principal]}")
        elif (principal in rule) == _refused(response):
            expected = "allowed" if principal in rule else "refused"
            wrong.append(f"{principal}: {response.status_code} {response.headers.get('location', '')}, expected {expected}")
        assert response.status_code != 500, f"{principal}: {response.status_code} on {method} {url}"
    assert not wrong, f"{method} {path}: " + "; ".join(wrong)
