"""Journeys as files (check with file:line problems, live reload by content hash), the settable clock, and the
simulation on the demo data (every shipped journey with its messages, nothing sent)."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select
from typer.testing import CliRunner

from assistant import clock, mail
from assistant.cli import app as cli
from assistant.journeys import scheduler, simulate
from assistant.journeys.models import JourneyRun
from assistant.settings import get_settings
from tests.journeys.conftest import ROOT, SHIPPED

BROKEN = """id: broken
name: Broken
reason: x
trigger:
  kind: before_interview
  before: 48 hours
actions:
  - email:
      subject: "Hi {{ candidat.first_name }}"
      body: "{{ kb('interview-preparation.md', 'No such heading') }}"
  - sms: {text: hi}
"""


def test_check_prints_every_problem_as_file_line_message_and_exits_1(tmp_path):
    shutil.copy(ROOT / "journeys" / "status-change.yml", tmp_path)
    (tmp_path / "broken.yml").write_text(BROKEN)
    (tmp_path / "renamed.yml").write_text((ROOT / "journeys" / "status-change.yml").read_text())
    result = CliRunner().invoke(cli, ["journeys", "check", "--folder", str(tmp_path)], terminal_width=300)
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines == [
        f"{tmp_path}/broken.yml:6: trigger.before: '48 hours' is not a duration like 30m, 48h or 3d",
        f"{tmp_path}/broken.yml:11: actions.1.sms: Extra inputs are not permitted",
        f"{tmp_path}/renamed.yml:2: id: 'status-change' must match the file name 'renamed'",
    ]
    (tmp_path / "broken.yml").write_text(BROKEN.replace("48 hours", "48h").replace("  - sms: {text: hi}\n", ""))
    (tmp_path / "renamed.yml").unlink()
    result = CliRunner().invoke(cli, ["journeys", "check", "--folder", str(tmp_path)], terminal_width=300)
    assert result.exit_code == 1
    assert [line for line in result.output.splitlines() if line.strip()] == [
        f"{tmp_path}/broken.yml:9: email.subject: 'candidat' is undefined",
        f"{tmp_path}/broken.yml:10: email.body: kb('interview-preparation.md', 'No such heading'): no such section in the knowledge base",
    ]


def test_the_shipped_journeys_pass_the_check():
    result = CliRunner().invoke(cli, ["journeys", "check"], terminal_width=300)
    assert result.exit_code == 0, result.output
    assert f"{len(SHIPPED.journeys)} journeys, no problems" in result.output


def test_the_scheduler_reloads_journeys_when_the_folder_content_changes(tmp_path, monkeypatch):
    monkeypatch.setattr(get_settings(), "journeys_dir", tmp_path)
    shutil.copy(ROOT / "journeys" / "status-change.yml", tmp_path)
    first = scheduler.current_journeys()
    assert scheduler.current_journeys() is first  # unchanged folder: no reload
    path = tmp_path / "status-change.yml"
    path.write_text(path.read_text().replace("wait: 30m", "wait: 45m"))
    second = scheduler.current_journeys()
    assert second.get("status-change").version != first.get("status-change").version
    assert second.get("status-change").journey.trigger.wait == timedelta(minutes=45)
    (tmp_path / "broken.yml").write_text(BROKEN)  # a broken file never stops the others
    third = scheduler.current_journeys()
    assert [j.journey.id for j in third.journeys] == ["status-change"] and third.problems


def test_the_clock_can_be_moved_and_frozen_for_every_process_sharing_the_data_folder():
    try:
        frozen = datetime(2027, 1, 4, 9, 0, tzinfo=timezone.utc)
        clock.set_clock(frozen_at=frozen, offset_seconds=3600)
        assert clock.now() == frozen + timedelta(hours=1)
        clock.set_clock(offset_seconds=2 * 86400)
        assert abs((clock.now() - datetime.now(timezone.utc)) - timedelta(days=2)) < timedelta(seconds=5)
    finally:
        clock.reset_clock()
    assert abs(clock.now() - datetime.now(timezone.utc)) < timedelta(seconds=5)


def test_simulating_14_days_on_the_demo_data_lists_every_journey_with_its_messages_and_sends_nothing(db_session):
    from assistant.candidates import demo as candidates_demo
    from assistant.jobs import demo as jobs_demo

    jobs_demo.load(db_session=db_session)
    candidates_demo.load(db_session=db_session)
    outbox_before = len(mail.outbox(limit=100000))
    entries = simulate.simulate(db_session=db_session, journeys=SHIPPED, now=clock.now(), days=14)
    assert [e["journey_id"] for e in entries] == sorted(j.journey.id for j in SHIPPED.journeys)
    for entry in entries:
        sends = [m for m in entry["messages"] if m["outcome"] == "send"]
        assert sends, f"{entry['journey_id']} has no one to send to in the demo data"
        for message in sends:
            assert message["actions"] and all(a.get("subject") or a.get("text") or a.get("title") or a.get("event")
                                              for a in message["actions"])
    assert db_session.scalar(select(func.count()).select_from(JourneyRun)) == 0
    assert len(mail.outbox(limit=100000)) == outbox_before
    json.dumps(entries)  # what --json prints
