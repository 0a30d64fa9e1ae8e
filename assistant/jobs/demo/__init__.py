"""The demo catalogue (jobs.json, written by generate.py) and its loader for `make run` and the tests."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from assistant.jobs.demo.generate import REFERENCE_DATE

CATALOGUE = Path(__file__).with_name("jobs.json")
OCCUPATIONS = Path(__file__).with_name("occupations.json")  # the larger occupations catalogue (occupations.py)


def rows(today: date | None = None, catalogue: Path = CATALOGUE) -> list[dict]:
    """Returns the postings of a generated catalogue with their dates moved forward so it never goes stale."""
    shift = max(((today or date.today()) - REFERENCE_DATE).days, 0)
    postings = json.loads(catalogue.read_text())
    if shift:
        for posting in postings:
            for key in ("posted_at", "closes_at"):
                if posting.get(key):
                    posting[key] = (datetime.fromisoformat(posting[key]) + timedelta(days=shift)).isoformat()
    return postings


def load(*, db_session: Session) -> None:
    """Imports the demo catalogue through the validated ATS import (idempotent)."""
    from assistant.jobs import service

    report = service.import_jobs(db_session=db_session, rows=rows())
    if report.errors:
        raise ValueError(f"the demo catalogue has invalid rows: {report.errors[:3]}")
