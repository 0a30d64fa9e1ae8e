"""Demo scheduling data: Lena Fischer (C-1011) is invited to book a video interview for her phone-screen
application (APP-2014, Data Scientist FH-1032), with twelve slots over the coming days (Berlin times).

Dates are relative to today, and rows go through the same imports as the ATS, so loading twice changes nothing.
Needs the jobs catalogue and the demo candidates loaded first.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from assistant.candidates.demo import DEMO
from assistant.scheduling import service as scheduling_service

JOB = "FH-1032"
ZONE = ZoneInfo("Europe/Berlin")
DAYS = (2, 3, 4, 5, 6, 9)
TIMES = ("09:30", "14:00")
REQUEST = {"external_id": "IR-4001", "application_external_id": "APP-2014", "kind": "video",
           "notes_for_candidate": "A 45-minute video call with the data science team about your experience."}


def slot_rows(today: date | None = None) -> list[dict]:
    """Returns the demo slots' import rows for the days after today."""
    today = today or datetime.now(timezone.utc).date()
    rows = []
    for day in DAYS:
        for clock in TIMES:
            start = datetime.combine(today + timedelta(days=day), time.fromisoformat(clock), tzinfo=ZONE)
            rows.append({"external_id": f"DEMO-SLOT-{start:%Y%m%d-%H%M}", "job_external_id": JOB,
                         "starts_at": start.astimezone(timezone.utc).isoformat(), "duration_minutes": 45, "kind": "video",
                         "meeting_link": "https://meet.example.com/fernhill-data-science",
                         "interviewer_names": ["Anna Becker", "Jonas Wolf"]})
    return rows


def load(*, db_session: Session) -> None:
    """Imports Lena's interview request and the slots; raises if a row fails."""
    for result in (scheduling_service.import_requests(db_session=db_session, rows=[REQUEST], actor=DEMO),
                   scheduling_service.import_slots(db_session=db_session, rows=slot_rows(), actor=DEMO)):
        if result.errors:
            raise RuntimeError(f"demo scheduling data failed to load: {result.errors}")
