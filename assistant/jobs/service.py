"""The jobs catalogue: validated, idempotent imports from ATS feeds, lookups, closing and deleting.

Every change here is visible to recommendations at once: they only consider jobs that
``open_job_filter`` accepts, and the index is brought up to date with ``index.sync``.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from assistant.candidates.models import Application
from assistant.db import as_utc, utcnow
from assistant.jobs.models import Job
from assistant.jobs.schemas import ImportReport, JobPosting, RowError

log = logging.getLogger(__name__)
FIELDS = tuple(JobPosting.model_fields)
MAX_FEED_ROWS = 20_000


class FeedError(ValueError):
    """The feed as a whole cannot be read (not JSON or CSV, wrong shape, too many rows)."""


class JobNotFound(LookupError):
    """No job has this external_id."""


def parse_feed(*, content: bytes | str, filename: str = "", content_type: str = "") -> list[dict[str, Any]]:
    """Returns the rows of a JSON (list, or {"jobs": [...]}) or CSV feed, or raises FeedError."""
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
    is_csv = filename.lower().endswith(".csv") or "csv" in content_type
    if not is_csv and not filename.lower().endswith(".json") and not text.lstrip().startswith(("[", "{")):
        is_csv = True
    if is_csv:
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames or "external_id" not in reader.fieldnames:
            raise FeedError("the CSV feed needs a header row with at least an external_id column")
        rows = [{key: value for key, value in row.items() if key is not None} for row in reader]
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise FeedError(f"the feed is not valid JSON: {error.msg} (line {error.lineno})") from error
        rows = data.get("jobs") if isinstance(data, dict) else data
        if not isinstance(rows, list):
            raise FeedError('a JSON feed is a list of postings or an object {"jobs": [...]}')
    if len(rows) > MAX_FEED_ROWS:
        raise FeedError(f"the feed has {len(rows)} rows; split it into parts of at most {MAX_FEED_ROWS}")
    return rows


def validate_rows(rows: Iterable[Any]) -> tuple[list[JobPosting], list[RowError]]:
    """Returns the valid postings and an error per invalid row (duplicates of an earlier row are errors)."""
    valid: list[JobPosting] = []
    errors: list[RowError] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=1):
        external_id = row.get("external_id") if isinstance(row, dict) else None
        external_id = str(external_id).strip() if external_id is not None else None
        if not isinstance(row, dict):
            errors.append(RowError(row=number, errors=["the row is not an object"]))
            continue
        try:
            posting = JobPosting.model_validate(row)
        except ValidationError as error:
            errors.append(RowError(row=number, external_id=external_id, errors=[_describe(e) for e in error.errors()]))
            continue
        if posting.external_id in seen:
            errors.append(RowError(row=number, external_id=external_id, errors=["external_id appears twice in this feed"]))
            continue
        seen.add(posting.external_id)
        valid.append(posting)
    return valid, errors


def _describe(error: dict) -> str:
    field = ".".join(str(part) for part in error.get("loc", ()) if part != "__root__")
    message = error.get("msg", "invalid").removeprefix("Value error, ")
    return f"{field}: {message}" if field else message


def import_jobs(*, db_session: Session, rows: Iterable[Any], dry_run: bool = False) -> ImportReport:
    """Returns what importing the rows did: valid rows are upserted by external_id, invalid rows reported."""
    postings, errors = validate_rows(rows)
    report = ImportReport(errors=errors)
    existing = {
        job.external_id: job
        for job in db_session.scalars(select(Job).where(Job.external_id.in_([p.external_id for p in postings])))
    } if postings else {}
    for posting in postings:
        values = posting.model_dump()
        if values["posted_at"] is None:
            values.pop("posted_at")
        job = existing.get(posting.external_id)
        if job is None:
            report.created += 1
            if not dry_run:
                db_session.add(Job(**values))
            continue
        changed = {name: value for name, value in values.items() if not _same(getattr(job, name), value)}
        if not changed:
            report.unchanged += 1
            continue
        report.updated += 1
        if not dry_run:
            for name, value in changed.items():
                setattr(job, name, value)
    if not dry_run:
        db_session.flush()
    log.info("jobs import: %d created, %d updated, %d unchanged, %d rejected",
             report.created, report.updated, report.unchanged, len(report.errors))
    return report


def _same(current: Any, new: Any) -> bool:
    if isinstance(current, datetime) and isinstance(new, datetime):
        return as_utc(current) == as_utc(new)
    return current == new


def get_by_external_id(*, db_session: Session, external_id: str) -> Job | None:
    """Returns the job with this external id, or None."""
    return db_session.scalar(select(Job).where(Job.external_id == external_id))


def get_by_external_id_or_raise(*, db_session: Session, external_id: str) -> Job:
    """Returns the job with this external id, or raises JobNotFound naming the field."""
    job = get_by_external_id(db_session=db_session, external_id=external_id)
    if job is None:
        raise JobNotFound(f"external_id: no job {external_id!r}")
    return job


def open_job_filter(now: datetime | None = None):
    """Returns the SQL condition for a job that can be recommended: open and not past its closing date."""
    now = now or utcnow()
    return and_(Job.status == "open", or_(Job.closes_at.is_(None), Job.closes_at > now))


def is_open(job: Job, now: datetime | None = None) -> bool:
    """Returns whether the job can be recommended (same rule as open_job_filter)."""
    now = now or utcnow()
    return job.status == "open" and (job.closes_at is None or as_utc(job.closes_at) > now)


def list_open_jobs(*, db_session: Session) -> list[Job]:
    """Returns every job that can be recommended, by id."""
    return list(db_session.scalars(select(Job).where(open_job_filter()).order_by(Job.id)))


def close_job(*, db_session: Session, external_id: str) -> Job:
    """Returns the job, now closed (it leaves recommendations at once)."""
    job = get_by_external_id_or_raise(db_session=db_session, external_id=external_id)
    job.status = "closed"
    db_session.flush()
    return job


def delete_job(*, db_session: Session, external_id: str) -> str:
    """Deletes the job, or closes it when applications still point to it; returns "deleted" or "closed"."""
    job = get_by_external_id_or_raise(db_session=db_session, external_id=external_id)
    if db_session.scalar(select(Application.id).where(Application.job_id == job.id).limit(1)) is not None:
        job.status = "closed"
        db_session.flush()
        return "closed"
    db_session.delete(job)
    db_session.flush()
    return "deleted"
