"""Security headers on every response: no MIME sniffing, a strict referrer policy, and a Content-Security-Policy
on HTML pages (scripts and styles only from this origin; staff pages cannot be framed at all).

Career-site pages may open Rasa's socket.io (``rasa_public_url``, HTTP and WebSocket) and may be framed by
the career-site origins in ``cors_origins``. The API docs (/docs, /redoc) keep FastAPI's own page.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.settings import Settings

STAFF_PREFIXES = ("/inbox", "/login", "/logout")
UNPOLICED_PREFIXES = ("/docs", "/redoc")
BASE = "default-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def policies(settings: Settings) -> tuple[str, str]:
    """Returns (staff policy, candidate-facing policy)."""
    staff = f"{BASE}; img-src 'self' data:; frame-ancestors 'none'"
    rasa = _origin(settings.rasa_public_url)
    sockets = " ".join(filter(None, [rasa, rasa.replace("http", "ws", 1) if rasa else ""]))
    framers = " ".join(filter(None, (_origin(o) for o in settings.cors_origins)))
    site = (f"{BASE}; img-src 'self' data: https:; connect-src 'self' {sockets}".rstrip()
            + f"; frame-ancestors 'self' {framers}".rstrip())
    return staff, site


class SecurityHeaders:
    """Pure ASGI middleware (keeps streaming and background tasks as they are)."""

    def __init__(self, app: ASGIApp, settings: Settings):
        self.app = app
        self.staff_policy, self.site_policy = policies(settings)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                extra = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"strict-origin-when-cross-origin")]
                is_html = any(name.lower() == b"content-type" and value.startswith(b"text/html") for name, value in headers)
                if is_html and not path.startswith(UNPOLICED_PREFIXES):
                    staff = path.startswith(STAFF_PREFIXES)
                    extra.append((b"content-security-policy", (self.staff_policy if staff else self.site_policy).encode()))
                    if staff:
                        extra.append((b"x-frame-options", b"DENY"))
                headers += [(name, value) for name, value in extra if name not in names]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
