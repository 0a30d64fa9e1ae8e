"""The candidate NPS end to end: an outcome in the ATS, the journey scheduler's tick, the e-mail in the
development outbox, its signed link, the answer page, the stored answer, and the figure in
``assistant analytics summary --json``. One database session throughout (SQLite, and PostgreSQL when
configured); the department filter keeps the figure to this test's own answers."""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.deps import get_db
from api.main import app
from assistant import db as db_module
from assistant.analytics import feedback
from assistant.analytics.models import NpsResponse
from assistant.cli import app as cli
from tests.journeys.conftest import T0, world  # noqa: F401 - the journeys test world (fixture)

DAY = timedelta(days=1)


def _link(mail) -> str:
    return next(line.strip() for line in mail.get_content().splitlines() if "/feedback/nps?token=" in line)


def test_an_outcome_leads_to_one_nps_mail_whose_answer_appears_in_the_summary(world, monkeypatch):  # noqa: F811
    department = f"nps-{world.tag}"
    job = world.job(department, "Payroll Specialist")
    hired, declined = world.candidate(first_name="Hana"), world.candidate(first_name="Ivo")
    apps = {hired.external_id: world.application(hired, stage="offer", changed_at=T0 - 2 * DAY, job=job),
            declined.external_id: world.application(declined, stage="final_round", changed_at=T0 - 2 * DAY, job=job)}
    world.stage_change(apps[hired.external_id], "hired", T0)
    world.stage_change(apps[declined.external_id], "not_selected", T0)

    world.tick(T0 + 3 * DAY)
    client = TestClient(app)
    app.dependency_overrides[get_db] = lambda: world.db
    try:
        for candidate, score in ((hired, "9"), (declined, "7")):
            (mail,) = [m for m in world.mails(candidate) if m["X-Journey-Id"] == "nps-after-outcome"]
            link = urlsplit(_link(mail))
            token = parse_qs(link.query)["token"][0]
            page = client.get(link.path, params={"token": token})
            assert page.status_code == 200 and "How likely are you to recommend applying here" in page.text
            answered = client.post(link.path, data={"token": token, "score": score, "comment": "call me on 07700900123"})
            assert answered.status_code == 200 and 'id="nps-thanks"' in answered.text
    finally:
        app.dependency_overrides.pop(get_db, None)

    answers = {a.survey_key: (a.score, a.comment) for a in world.db.query(NpsResponse).filter(
        NpsResponse.candidate_id.in_([hired.id, declined.id]))}
    assert answers == {feedback.survey_key(application_external_id=apps[hired.external_id], stage="hired"): (9, "call me on [number]"),
                       feedback.survey_key(application_external_id=apps[declined.external_id], stage="not_selected"):
                           (7, "call me on [number]")}

    @contextmanager
    def same_session():
        yield world.db

    monkeypatch.setattr(db_module, "session_scope", same_session)  # the command reads this test's session
    result = CliRunner().invoke(cli, ["analytics", "summary", "--json", "--department", department])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["nps"] == 50.0  # one promoter (9), one passive (7): 100 × (1 − 0) / 2
