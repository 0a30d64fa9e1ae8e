"""Liveness and readiness."""

from __future__ import annotations

import httpx
from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from api.deps import SessionDep, SettingsDep

router = APIRouter(tags=["health"])


@router.get("/health")
def health() -> dict:
    """The API process is up."""
    return {"status": "ok"}


@router.get("/health/ready")
def ready(db_session: SessionDep, settings: SettingsDep) -> JSONResponse:
    """Every dependency answers: database, Rasa server, action server."""
    checks: dict[str, str] = {}
    try:
        db_session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as error:  # noqa: BLE001 - reported, not raised
        checks["database"] = f"error: {type(error).__name__}"
    for name, url in (("rasa", f"{settings.rasa_url}/"), ("actions", f"http://127.0.0.1:{settings.action_port}/health")):
        try:
            checks[name] = "ok" if httpx.get(url, timeout=2).status_code == 200 else "unhealthy"
        except httpx.HTTPError as error:
            checks[name] = f"down: {type(error).__name__}"
    healthy = all(value == "ok" for value in checks.values())
    return JSONResponse({"status": "ok" if healthy else "degraded", "checks": checks}, status_code=200 if healthy else 503)
