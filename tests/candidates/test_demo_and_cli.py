"""Demo data (every stage, upcoming interviews, idempotent) and the `assistant ats import` command."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from assistant.candidates import demo
from assistant.candidates.models import Application, Candidate, Interview
from assistant.candidates.stages import Stage
from assistant.db import utcnow


def test_the_demo_fails_clearly_without_the_jobs_catalogue(db_session):
    with pytest.raises(ValueError, match="jobs catalogue"):
        demo.load(db_session=db_session)


def test_the_demo_covers_every_stage_and_loads_idempotently(db_session):
    from assistant.jobs import demo as jobs_demo

    jobs_demo.load(db_session=db_session)
    demo.load(db_session=db_session)
    demo.load(db_session=db_session)
    assert db_session.scalar(select(func.count()).select_from(Candidate)) == 12
    assert set(db_session.scalars(select(Application.stage))) == {stage.value for stage in Stage}
    upcoming = [i for i in db_session.scalars(select(Interview)) if i.scheduled_at.replace(tzinfo=None) > utcnow().replace(tzinfo=None)]
    assert len(upcoming) >= 4
    assert len({c.time_zone for c in db_session.scalars(select(Candidate))}) >= 5


def test_ats_import_command_reports_rows(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from assistant.cli import app
    from assistant.cli import candidates as cli_candidates

    seen = {}

    def fake_import(*, db_session, kind, rows, actor):  # the database edge is faked; parsing and reporting are real
        from assistant.candidates.schemas import ImportResult, RowError

        seen.update(kind=kind, rows=rows, actor=actor.channel)
        return ImportResult(created=1, errors=[RowError(row=1, external_id="C-2", errors=["email: not a valid e-mail address"])])

    monkeypatch.setattr("assistant.candidates.ats.import_rows", fake_import)
    monkeypatch.setattr("assistant.db.session_scope", _null_scope)
    path = tmp_path / "rows.json"
    path.write_text(json.dumps([{"external_id": "C-1"}, {"external_id": "C-2"}]))
    result = CliRunner().invoke(app, ["ats", "import", str(path), "--kind", "candidates"])
    assert result.exit_code == 1 and "row 1" in result.output and "email: not a valid" in result.output
    assert seen == {"kind": "candidates", "rows": [{"external_id": "C-1"}, {"external_id": "C-2"}], "actor": "cli"}
    bad_kind = CliRunner().invoke(app, ["ats", "import", str(path), "--kind", "jobs"])
    assert bad_kind.exit_code == 2 and "--kind must be one of" in bad_kind.output
    path.write_text("{not json")
    assert CliRunner().invoke(app, ["ats", "import", str(path), "--kind", "candidates"]).exit_code == 2
    assert cli_candidates.ats_app is not None


from contextlib import contextmanager  # noqa: E402


@contextmanager
def _null_scope():
    yield None
