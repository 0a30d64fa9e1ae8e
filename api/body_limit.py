"""Request body limits at the ASGI layer: a body larger than its path's limit gets 413 before any route
reads it, whether the length is declared (Content-Length) or not (chunked transfer encoding).

The body is counted while it arrives and kept (up to the limit) for the app, so nothing reads more than
the limit into memory.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DEFAULT_LIMIT = 1_000_000  # pages, forms and JSON APIs
LIMITS = {  # path prefix -> bytes; the longest matching prefix wins
    "/api/events": 32_768,  # behaviour events: 50 small events a request
    "/api/ats": 20_000_000,  # bulk ATS imports (thousands of rows)
}


def limit_for(path: str) -> int:
    """Returns the largest body accepted for this path."""
    matches = [prefix for prefix in LIMITS if path == prefix or path.startswith(prefix + "/")]
    return LIMITS[max(matches, key=len)] if matches else DEFAULT_LIMIT


class BodyLimit:
    """Pure ASGI middleware: 413 for a body over ``limit_for(path)``; the app sees the body as sent otherwise."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope["path"])
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _too_large(send, limit)
            return
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break  # the client went away: let the app see it
            size += len(message.get("body", b""))
            if size > limit:
                await _too_large(send, limit)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps({"detail": f"the request body is larger than {limit:,} bytes"}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
