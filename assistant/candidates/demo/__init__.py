"""Demo candidates, applications in every stage and upcoming interviews (fictional people).

Dates are stored relative to today (``applied_days_ago``, ``stage_days_ago``, ``in_days`` at a local time
in the candidate's time zone) so the demo never goes stale; rows go through the ATS import, so loading
twice changes nothing. The applications refer to the jobs catalogue (FH-10xx): load it first.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from assistant.audit.service import Actor
from assistant.candidates import ats

HERE = Path(__file__).parent
DEMO = Actor(type="system", id="demo", channel="cli")


def _read(name: str) -> list[dict]:
    return json.loads((HERE / f"{name}.json").read_text())


def demo_ids() -> frozenset[str]:
    """Returns the external ids of the shipped demo candidates (the only ones development conveniences serve)."""
    return frozenset(c["external_id"] for c in _read("candidates"))


def rows(today: date | None = None) -> dict[str, list[dict]]:
    """Returns the import rows of each kind with absolute dates (midnight UTC anchors keep a day's loads identical)."""
    today = today or datetime.now(timezone.utc).date()
    midnight = datetime.combine(today, time(), tzinfo=timezone.utc)
    candidates = _read("candidates")
    zones = {c["external_id"]: c["time_zone"] for c in candidates}
    applications = []
    owner = {}
    for app in _read("applications"):
        owner[app["external_id"]] = app["candidate_external_id"]
        applications.append({
            "external_id": app["external_id"], "candidate_external_id": app["candidate_external_id"],
            "job_external_id": app["job_external_id"], "stage": app["stage"],
            "applied_at": (midnight - timedelta(days=app["applied_days_ago"], hours=-9)).isoformat(),
            "stage_changed_at": (midnight - timedelta(days=app["stage_days_ago"], hours=-10)).isoformat(),
        })
    interviews = []
    for interview in _read("interviews"):
        row = dict(interview)
        local = datetime.combine(today + timedelta(days=row.pop("in_days")), time.fromisoformat(row.pop("local_time")),
                                 tzinfo=ZoneInfo(zones[owner[row["application_external_id"]]]))
        row["scheduled_at"] = local.astimezone(timezone.utc).isoformat()
        interviews.append(row)
    return {"candidates": candidates, "applications": applications, "interviews": interviews}


def load(*, db_session: Session) -> None:
    """Imports the demo candidates, applications and interviews; raises if a row fails (e.g. jobs not loaded)."""
    for kind, kind_rows in rows().items():
        result = ats.import_rows(db_session=db_session, kind=kind, rows=kind_rows, actor=DEMO)
        if result.errors:
            missing_jobs = any("job_external_id" in e for error in result.errors for e in error.errors)
            hint = " The jobs catalogue (FH-10xx) must be loaded first." if missing_jobs else ""
            raise ValueError(f"demo {kind} could not be imported: {[e.model_dump() for e in result.errors[:3]]}.{hint}")
    load_events(db_session=db_session)


def load_events(*, db_session: Session, now: datetime | None = None) -> int:
    """Adds the demo career-site events (job views, an unfinished application) that are not there yet; returns how many."""
    from sqlalchemy import select

    from assistant.candidates.models import Candidate
    from assistant.jobs.models import BehaviourEvent, Job

    now = now or datetime.now(timezone.utc)
    added = 0
    for event in _read("events"):
        candidate_id = db_session.scalar(select(Candidate.id).where(Candidate.external_id == event["candidate_external_id"]))
        job_id = db_session.scalar(select(Job.id).where(Job.external_id == event["job_external_id"]))
        if candidate_id is None or job_id is None:
            raise ValueError(f"demo event refers to an unknown candidate or job: {event}")
        exists = db_session.scalar(select(BehaviourEvent.id).where(
            BehaviourEvent.candidate_id == candidate_id, BehaviourEvent.job_id == job_id, BehaviourEvent.kind == event["kind"]))
        if exists is None:
            db_session.add(BehaviourEvent(candidate_id=candidate_id, job_id=job_id, kind=event["kind"],
                                          dwell_seconds=event.get("dwell_seconds"),
                                          created_at=now - timedelta(hours=event["hours_ago"])))
            added += 1
    db_session.flush()
    return added
