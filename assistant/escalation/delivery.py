"""Background delivery in the API process: spooled escalations, recruiter replies kept while Rasa was down, and the
digest of recruiter notifications waiting for their batch window (``assistant.inbox.notify``)."""

from __future__ import annotations

import logging

from sqlalchemy.exc import SQLAlchemyError

from assistant import periodic
from assistant.db import session_scope
from assistant.escalation import spool
from assistant.settings import get_settings

log = logging.getLogger(__name__)


def deliver_once() -> dict[str, int]:
    """Delivers what is waiting once; returns counts (never raises for an unreachable database)."""
    from assistant.inbox import notify
    from assistant.inbox import service as inbox_service

    counts = {"escalations": spool.deliver(), "replies": 0, "notified": 0}
    try:
        with session_scope() as db:
            counts["replies"] = inbox_service.deliver_pending_replies(db_session=db)
        with session_scope() as db:
            counts["notified"] = notify.flush(db_session=db)
    except SQLAlchemyError as error:
        log.warning("pending replies or notifications not delivered", extra={"error": type(error).__name__})
    return counts


lifespan = periodic.every(lambda: get_settings().spool_retry_seconds, deliver_once, "delivery", per_host=True)
"""Runs delivery at API start-up and then every settings.spool_retry_seconds."""
