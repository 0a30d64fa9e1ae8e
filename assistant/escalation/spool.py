"""Escalations that could not reach the inbox: kept as files in data_dir/spool until delivered."""

from __future__ import annotations

import json
import logging
import uuid
from pathlib import Path
from typing import Any, Callable

from sqlalchemy.exc import SQLAlchemyError

from assistant.settings import get_settings

log = logging.getLogger(__name__)


def spool_dir() -> Path:
    return get_settings().data_dir / "spool"


def write(record: dict[str, Any]) -> Path:
    """Writes one escalation record atomically (owner-only file); returns its path."""
    folder = spool_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"escalation-{uuid.uuid4().hex}.json"
    tmp = folder / f".{path.name}.tmp"
    tmp.write_text(json.dumps(record))
    tmp.chmod(0o600)
    tmp.replace(path)
    return path


def pending() -> list[Path]:
    """Returns the spooled escalations, oldest first."""
    folder = spool_dir()
    return sorted(folder.glob("escalation-*.json"), key=lambda p: p.stat().st_mtime) if folder.exists() else []


def deliver(opener: Callable[[dict[str, Any]], Any] | None = None) -> int:
    """Opens a ticket for every spooled escalation (idempotently) and removes its file; returns how many.

    Stops at the first database error (still down) and leaves the remaining files for the next run.
    """
    if opener is None:
        from assistant.escalation.service import open_from_record as opener
    delivered = 0
    for path in pending():
        try:
            record = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError):
            log.error("unreadable spool file kept aside", extra={"file": path.name})
            path.rename(path.with_suffix(".bad"))
            continue
        try:
            opener(record)
        except SQLAlchemyError:
            log.warning("inbox still unreachable", extra={"pending": len(pending())})
            break
        path.unlink()
        delivered += 1
    if delivered:
        log.info("spooled escalations delivered", extra={"count": delivered})
    return delivered
