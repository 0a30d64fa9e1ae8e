"""Development-only helper for the demo career site: a fresh signed token for a demo candidate."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from api.deps import SessionDep, SettingsDep
from assistant.candidates import service as candidates_service
from assistant.identity import service as identity_service

router = APIRouter(prefix="/api/dev", tags=["development"])


@router.get("/candidate-token/{external_id}")
def candidate_token(external_id: str, db_session: SessionDep, settings: SettingsDep) -> dict:
    """Returns a signed candidate token for the "logged-in candidate" of the demo site (404 in production)."""
    if settings.env == "production":
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Not Found")
    if candidates_service.get_by_external_id(db_session=db_session, external_id=external_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "external_id: no such candidate")
    return {"external_id": external_id, "candidate_token": identity_service.issue_token(candidate_external_id=external_id)}
