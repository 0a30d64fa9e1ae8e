"""ATS integration API (prefix /api/ats): bulk, idempotent upserts keyed by external_id, per-row errors.

Every route needs the ``X-API-Key`` header (``settings.ats_api_key``, compared in constant time).
Jobs are imported through the jobs API, not here.
"""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, HTTPException, status

from api.deps import SessionDep, SettingsDep
from assistant.audit.service import ATS_API
from assistant.candidates import ats
from assistant.candidates.schemas import ImportResult

MAX_ROWS = 5000


def require_api_key(settings: SettingsDep, x_api_key: Annotated[str | None, Header()] = None) -> None:
    """Rejects requests without the right ATS API key."""
    expected = settings.secret("ats_api_key").encode()
    if not x_api_key or not expected or not hmac.compare_digest(x_api_key.encode(), expected):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "missing or wrong X-API-Key", headers={"WWW-Authenticate": "ApiKey"})


router = APIRouter(prefix="/api/ats", tags=["ATS integration"], dependencies=[Depends(require_api_key)])
Rows = Annotated[list[Any], Body(description="JSON array of rows (objects); each row is validated on its own.", max_length=MAX_ROWS)]


def _import(db_session, kind: str, rows: list[Any]) -> ImportResult:
    return ats.import_rows(db_session=db_session, kind=kind, rows=rows, actor=ATS_API)


@router.post("/candidates", response_model=ImportResult)
def upsert_candidates(rows: Rows, db_session: SessionDep) -> ImportResult:
    """Creates or updates candidates by external_id."""
    return _import(db_session, "candidates", rows)


@router.post("/applications", response_model=ImportResult)
def upsert_applications(rows: Rows, db_session: SessionDep) -> ImportResult:
    """Creates or updates applications (candidate and job referenced by external_id)."""
    return _import(db_session, "applications", rows)


@router.post("/stage-changes", response_model=ImportResult)
def append_stage_changes(rows: Rows, db_session: SessionDep) -> ImportResult:
    """Appends stage changes to the history; the newest one becomes the application's stage."""
    return _import(db_session, "stage-changes", rows)


@router.post("/interviews", response_model=ImportResult)
def upsert_interviews(rows: Rows, db_session: SessionDep) -> ImportResult:
    """Creates or updates interviews by external_id."""
    return _import(db_session, "interviews", rows)


@router.post("/offers", response_model=ImportResult)
def upsert_offers(rows: Rows, db_session: SessionDep) -> ImportResult:
    """Creates or updates offers by external_id (made, accepted or declined; decided_at for a decision)."""
    return _import(db_session, "offers", rows)


@router.post("/hires", response_model=ImportResult)
def record_hires(rows: Rows, db_session: SessionDep) -> ImportResult:
    """Records hires: each moves its application to the hired stage at hired_at."""
    return _import(db_session, "hires", rows)


@router.post("/job-fills", response_model=ImportResult)
def record_job_fills(rows: Rows, db_session: SessionDep) -> ImportResult:
    """Records when jobs were filled (opened_at defaults to when the job was posted), for time-to-fill."""
    return _import(db_session, "job-fills", rows)


@router.post("/self-identification", response_model=ImportResult)
def record_self_identification(rows: Rows, db_session: SessionDep) -> ImportResult:
    """Stores candidates' voluntary self-identification apart from the record; only the bias audit reads it."""
    return _import(db_session, "self-identification", rows)
