"""Background jobs of the API process: a function run in a worker thread at start-up and then at an interval."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress

log = logging.getLogger(__name__)


def every(seconds: Callable[[], float], job: Callable[[], object], name: str) -> Callable[[object], AbstractAsyncContextManager[None]]:
    """Returns a FastAPI lifespan that runs ``job`` now and then every ``seconds()`` while the app is up.

    ``seconds`` is read when the app starts (settings may change between test apps). A failing run is
    logged and tried again on the next tick; it never stops the app."""

    async def loop(interval: float) -> None:
        while True:
            try:
                await asyncio.to_thread(job)
            except Exception:  # noqa: BLE001 - try again on the next tick
                log.exception("background job %s failed", name)
            await asyncio.sleep(interval)

    @asynccontextmanager
    async def lifespan(_app) -> AsyncIterator[None]:
        task = asyncio.create_task(loop(seconds()))
        try:
            yield
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task

    return lifespan
