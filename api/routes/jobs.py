"""Jobs feed from the ATS (POST /api/ats/jobs, JSON or CSV; close; delete) and the newest index at once.

Every ATS route needs the ``X-API-Key`` header (the same check as the other ATS resources).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, status
from pydantic import BaseModel

from api.deps import SessionDep
from api.routes.ats import require_api_key
from assistant.jobs import index as jobs_index
from assistant.jobs import service as jobs_service
from assistant.jobs.schemas import ImportReport

MAX_FEED_BYTES = 20 * 1024 * 1024

ats_router = APIRouter(prefix="/api/ats/jobs", tags=["ATS integration"], dependencies=[Depends(require_api_key)])


class JobsImportResult(ImportReport):
    index_version: str | None = None


class JobChange(BaseModel):
    external_id: str
    outcome: str  # closed | deleted
    index_version: str


def index_root() -> Path:
    """Returns the folder of the served jobs index (a dependency, so tests can point it elsewhere)."""
    return jobs_index.default_root()


IndexRoot = Annotated[Path, Depends(index_root)]


def _sync(db_session, root: Path) -> str:
    db_session.commit()  # the index reads committed jobs; recommendations check the database anyway
    return jobs_index.sync(db_session=db_session, root=root).version


@ats_router.post("", response_model=JobsImportResult, openapi_extra={"requestBody": {"content": {
    "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
    "text/csv": {"schema": {"type": "string"}}}, "required": True}})
async def import_jobs(request: Request, db_session: SessionDep, root: IndexRoot,
                      dry_run: Annotated[bool, Query(description="validate and count only")] = False) -> JobsImportResult:
    """Creates or updates jobs by external_id from a JSON array or a CSV feed; each row is validated on its own."""
    body = await request.body()
    if len(body) > MAX_FEED_BYTES:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, f"the feed is larger than {MAX_FEED_BYTES} bytes")
    try:
        rows = jobs_service.parse_feed(content=body, content_type=request.headers.get("content-type", ""))
    except (jobs_service.FeedError, UnicodeDecodeError) as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None
    from starlette.concurrency import run_in_threadpool

    def work() -> JobsImportResult:
        report = jobs_service.import_jobs(db_session=db_session, rows=rows, dry_run=dry_run)
        version = None if dry_run else _sync(db_session, root)
        return JobsImportResult(**report.model_dump(), index_version=version)

    return await run_in_threadpool(work)


@ats_router.post("/{external_id}/close", response_model=JobChange)
def close_job(external_id: str, db_session: SessionDep, root: IndexRoot) -> JobChange:
    """Closes a job: it leaves recommendations at once."""
    try:
        jobs_service.close_job(db_session=db_session, external_id=external_id)
    except jobs_service.JobNotFound as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from None
    return JobChange(external_id=external_id, outcome="closed", index_version=_sync(db_session, root))


@ats_router.delete("/{external_id}", response_model=JobChange)
def delete_job(external_id: str, db_session: SessionDep, root: IndexRoot) -> JobChange:
    """Deletes a job (or closes it when applications refer to it): it leaves recommendations at once."""
    try:
        outcome = jobs_service.delete_job(db_session=db_session, external_id=external_id)
    except jobs_service.JobNotFound as error:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(error)) from None
    return JobChange(external_id=external_id, outcome=outcome, index_version=_sync(db_session, root))
