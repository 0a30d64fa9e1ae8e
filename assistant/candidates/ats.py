"""Bulk, idempotent upserts from the ATS (keyed by external_id), one savepoint per row.

A bad row is reported as ``{row, external_id, errors}`` and never loses the others; importing the same
file twice changes nothing the second time. Jobs are upserted by the jobs concern, not here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.audit import service as audit_service
from assistant.audit.service import Actor
from assistant.candidates import service as candidates_service
from assistant.audit import self_id
from assistant.candidates.models import Application, Candidate, Interview, JobFill, Offer, StageHistory
from assistant.candidates.schemas import (
    ROW_TYPES, ApplicationRow, CandidateRow, HireRow, ImportResult, InterviewRow, JobFillRow, OfferRow, RowError,
    SelfIdentificationRow, StageChangeRow,
)
from assistant.candidates.stages import Stage
from assistant.db import as_utc
from assistant.jobs.models import Job

KINDS = tuple(ROW_TYPES)
ID_KEYS = ("external_id", "application_external_id", "job_external_id", "candidate_external_id")


class RowProblem(ValueError):
    """A row refers to something that does not exist or conflicts; str(error) is 'field: message'."""


def same_value(a: Any, b: Any) -> bool:
    if isinstance(a, datetime) and isinstance(b, datetime):
        return as_utc(a) == as_utc(b)
    return a == b


def assign_changed(record: Any, values: dict[str, Any]) -> list[str]:
    """Sets changed values; returns the names of the fields that changed."""
    changed = []
    for name, value in values.items():
        if not same_value(getattr(record, name), value):
            setattr(record, name, value)
            changed.append(name)
    return changed


def upsert_by_external_id(db_session: Session, model: type, *, external_id: str, values: dict[str, Any], actor: Actor,
                          entity: str, candidate_id: int) -> str:
    """Creates or updates the row of ``model`` with this external_id, audits the changed fields; returns
    "created", "updated" or "unchanged"."""
    record = db_session.scalar(select(model).where(model.external_id == external_id))
    created = record is None
    if created:
        record = model(external_id=external_id, **values)
        db_session.add(record)
        changed = list(values)
    else:
        changed = assign_changed(record, values)
    db_session.flush()
    if changed:
        audit_service.record(db_session=db_session, actor=actor, action="create" if created else "update", entity=entity,
                             entity_id=external_id, candidate_id=candidate_id, fields=changed)
    return "created" if created else ("updated" if changed else "unchanged")


def _application(db_session: Session, external_id: str, field: str = "application_external_id") -> Application:
    application = candidates_service.get_application_by_external_id(db_session=db_session, external_id=external_id)
    if application is None:
        raise RowProblem(f"{field}: no application {external_id!r}")
    return application


def _upsert_candidate(db_session: Session, row: CandidateRow, actor: Actor) -> str:
    values = row.model_dump()
    other = candidates_service.get_by_email(db_session=db_session, email=row.email)
    candidate = candidates_service.get_by_external_id(db_session=db_session, external_id=row.external_id)
    if other is not None and (candidate is None or other.id != candidate.id):
        raise RowProblem("email: already used by another candidate")
    created = candidate is None
    if created:
        candidate = Candidate(**values)
        db_session.add(candidate)
        changed = list(values)
    else:
        changed = assign_changed(candidate, values)
    db_session.flush()
    if changed:
        audit_service.record(db_session=db_session, actor=actor, action="create" if created else "update", entity="candidate",
                             entity_id=candidate.external_id, candidate_id=candidate.id, fields=changed)
    return "created" if created else ("updated" if changed else "unchanged")


def _upsert_application(db_session: Session, row: ApplicationRow, actor: Actor) -> str:
    candidate = candidates_service.get_by_external_id(db_session=db_session, external_id=row.candidate_external_id)
    if candidate is None:
        raise RowProblem(f"candidate_external_id: no candidate {row.candidate_external_id!r}")
    job = db_session.scalar(select(Job).where(Job.external_id == row.job_external_id))
    if job is None:
        raise RowProblem(f"job_external_id: no job {row.job_external_id!r}")
    stage_changed_at = row.stage_changed_at or row.applied_at
    values = {"candidate_id": candidate.id, "job_id": job.id, "applied_at": row.applied_at}
    application = candidates_service.get_application_by_external_id(db_session=db_session, external_id=row.external_id)
    created = application is None
    if created:
        application = Application(external_id=row.external_id, stage=row.stage.value, stage_changed_at=stage_changed_at, **values)
        db_session.add(application)
        db_session.flush()
        db_session.add(StageHistory(application_id=application.id, stage=row.stage.value, changed_at=stage_changed_at, source="ats"))
        changed = ["candidate_id", "job_id", "stage", "applied_at"]
    else:
        changed = assign_changed(application, values)
        if application.stage != row.stage.value:
            changed += _change_stage(db_session, application, row.stage.value, stage_changed_at, "ats")
    db_session.flush()
    if changed:
        audit_service.record(db_session=db_session, actor=actor, action="create" if created else "update", entity="application",
                             entity_id=application.external_id, candidate_id=candidate.id, fields=changed)
    return "created" if created else ("updated" if changed else "unchanged")


def _change_stage(db_session: Session, application: Application, stage: str, changed_at: datetime, source: str) -> list[str]:
    """Appends a stage-history entry; moves the application only if this change is its newest. Returns changed fields."""
    exists = db_session.scalar(select(StageHistory.id).where(
        StageHistory.application_id == application.id, StageHistory.stage == stage, StageHistory.changed_at == changed_at))
    if exists is not None:
        return []
    db_session.add(StageHistory(application_id=application.id, stage=stage, changed_at=changed_at, source=source))
    if as_utc(changed_at) >= as_utc(application.stage_changed_at):
        application.stage, application.stage_changed_at = stage, changed_at
        return ["stage", "stage_changed_at"]
    return ["stage_history"]  # an older change arriving late: history only


def _stage_change(db_session: Session, row: StageChangeRow, actor: Actor) -> str:
    application = _application(db_session, row.application_external_id)
    changed = _change_stage(db_session, application, row.stage.value, row.changed_at, row.source)
    db_session.flush()
    if changed:
        audit_service.record(db_session=db_session, actor=actor, action="update", entity="application",
                             entity_id=application.external_id, candidate_id=application.candidate_id, fields=changed)
    return "created" if changed else "unchanged"


def _upsert_interview(db_session: Session, row: InterviewRow, actor: Actor) -> str:
    application = _application(db_session, row.application_external_id)
    values = row.model_dump(exclude={"external_id", "application_external_id"}) | {"application_id": application.id}
    return upsert_by_external_id(db_session, Interview, external_id=row.external_id, values=values, actor=actor,
                                 entity="interview", candidate_id=application.candidate_id)


def _upsert_offer(db_session: Session, row: OfferRow, actor: Actor) -> str:
    application = _application(db_session, row.application_external_id)
    values = {"application_id": application.id, "status": row.status, "made_at": row.made_at, "decided_at": row.decided_at}
    return upsert_by_external_id(db_session, Offer, external_id=row.external_id, values=values, actor=actor,
                                 entity="offer", candidate_id=application.candidate_id)


def _hire(db_session: Session, row: HireRow, actor: Actor) -> str:
    """A hire is the application's move to the hired stage (the funnel and time in stage read the history)."""
    return _stage_change(db_session, StageChangeRow(application_external_id=row.application_external_id,
                                                    stage=Stage.HIRED, changed_at=row.hired_at), actor)


def _job_fill(db_session: Session, row: JobFillRow, actor: Actor) -> str:
    job = db_session.scalar(select(Job).where(Job.external_id == row.job_external_id))
    if job is None:
        raise RowProblem(f"job_external_id: no job {row.job_external_id!r}")
    opened_at = row.opened_at or job.posted_at
    if as_utc(row.filled_at) < as_utc(opened_at):
        raise RowProblem("filled_at: before the job was opened")
    fill = db_session.scalar(select(JobFill).where(JobFill.job_id == job.id))
    if fill is None:
        db_session.add(JobFill(job_id=job.id, opened_at=opened_at, filled_at=row.filled_at))
        db_session.flush()
        return "created"
    return "updated" if assign_changed(fill, {"opened_at": opened_at, "filled_at": row.filled_at}) else "unchanged"


def _self_identification(db_session: Session, row: SelfIdentificationRow, actor: Actor) -> str:
    candidate = candidates_service.get_by_external_id(db_session=db_session, external_id=row.candidate_external_id)
    if candidate is None:
        raise RowProblem(f"candidate_external_id: no candidate {row.candidate_external_id!r}")
    existed = self_id.get(db_session=db_session, candidate_id=candidate.id) is not None
    _, changed = self_id.record(db_session=db_session, candidate_id=candidate.id, sex=row.sex,
                                race_ethnicity=row.race_ethnicity, actor=actor)
    return ("updated" if existed else "created") if changed else "unchanged"


HANDLERS = {"candidates": _upsert_candidate, "applications": _upsert_application,
            "stage-changes": _stage_change, "interviews": _upsert_interview,
            "offers": _upsert_offer, "hires": _hire, "job-fills": _job_fill,
            "self-identification": _self_identification}


def _errors(error: ValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in item['loc']) or 'row'}: {item['msg'].removeprefix('Value error, ')}" for item in error.errors()]


def import_rows(*, db_session: Session, kind: str, rows: list[Any], actor: Actor) -> ImportResult:
    """Returns counts of created, updated and unchanged rows and the errors of the rows that were not imported."""
    if kind not in HANDLERS:
        raise ValueError(f"kind: must be one of {', '.join(KINDS)}")
    return import_with(db_session=db_session, rows=rows, row_type=ROW_TYPES[kind], handler=HANDLERS[kind], actor=actor)


def import_with(*, db_session: Session, rows: list[Any], row_type: type, handler: Callable[[Session, Any, Actor], str],
                actor: Actor) -> ImportResult:
    """Returns the result of importing rows of one shape with handler (one savepoint per row; other concerns use it too)."""
    result = ImportResult()
    for index, raw in enumerate(rows):
        external_id = next((raw.get(key) for key in ID_KEYS if raw.get(key)), None) if isinstance(raw, dict) else None
        try:
            row = row_type.model_validate(raw)
        except ValidationError as error:
            result.errors.append(RowError(row=index, external_id=external_id, errors=_errors(error)))
            continue
        try:
            with db_session.begin_nested():
                outcome = handler(db_session, row, actor)
        except RowProblem as problem:
            result.errors.append(RowError(row=index, external_id=external_id, errors=[str(problem)]))
            continue
        except IntegrityError:
            result.errors.append(RowError(row=index, external_id=external_id, errors=["row: conflicts with an existing record"]))
            continue
        setattr(result, outcome, getattr(result, outcome) + 1)
    return result
