"""Development-only helper for the demo career site: a fresh signed token for a demo candidate."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from api.deps import SessionDep, SettingsDep
from assistant.candidates import demo as candidates_demo
from assistant.candidates import service as candidates_service
from assistant.identity import service as identity_service

router = APIRouter(prefix="/api/dev", tags=["development"])


@router.get("/candidate-token/{external_id}")
def candidate_token(external_id: str, db_session: SessionDep, settings: SettingsDep) -> dict:
    """Returns a signed token for a shipped demo candidate, only in development on loopback (404 otherwise,
    the same for every other id, so it neither signs for real candidates nor tells which ids exist)."""
    if not settings.demo_allowed or external_id not in candidates_demo.demo_ids() or \
            candidates_service.get_by_external_id(db_session=db_session, external_id=external_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "Not Found")
    return {"external_id": external_id, "candidate_token": identity_service.issue_token(candidate_external_id=external_id)}
