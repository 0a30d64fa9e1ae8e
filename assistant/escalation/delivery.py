"""Background delivery in the API process: spooled escalations and recruiter replies kept while Rasa was down."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from sqlalchemy.exc import SQLAlchemyError

from assistant.db import session_scope
from assistant.escalation import spool
from assistant.settings import get_settings

log = logging.getLogger(__name__)


def deliver_once() -> dict[str, int]:
    """Delivers what is waiting once; returns counts (never raises for an unreachable database)."""
    from assistant.inbox import service as inbox_service

    counts = {"escalations": spool.deliver(), "replies": 0}
    try:
        with session_scope() as db:
            counts["replies"] = inbox_service.deliver_pending_replies(db_session=db)
    except SQLAlchemyError as error:
        log.warning("pending replies not delivered", extra={"error": type(error).__name__})
    return counts


async def _loop(interval: float) -> None:
    while True:
        try:
            await asyncio.to_thread(deliver_once)
        except Exception:  # noqa: BLE001 - keep delivering on the next tick
            log.exception("background delivery failed")
        await asyncio.sleep(interval)


@asynccontextmanager
async def lifespan(_app) -> AsyncIterator[None]:
    """Runs delivery at startup and then every settings.spool_retry_seconds while the API is up."""
    task = asyncio.create_task(_loop(get_settings().spool_retry_seconds))
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
