"""Server-issued anonymous visitor ids: random, signed with an HMAC, so nobody can choose one.

Events (``POST /api/events``) and the chat's job recommendations trust a visitor id only when it carries this
server's signature: nobody can write events under, or merge into their own record, a visitor id they did not
get from ``POST /api/visitor``. Format: ``v1-<32 hex random>-<24 hex HMAC-SHA256>`` (60 characters, within the
visitor id pattern and column).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from assistant.settings import get_settings

PREFIX = "v1"
SIGNED = re.compile(r"^v1-([0-9a-f]{32})-([0-9a-f]{24})$")


def _signature(random_part: str) -> str:
    key = get_settings().secret("session_secret").encode()
    return hmac.new(key, f"visitor:{PREFIX}:{random_part}".encode(), hashlib.sha256).hexdigest()[:24]


def issue() -> str:
    """Returns a new signed visitor id."""
    random_part = secrets.token_hex(16)
    return f"{PREFIX}-{random_part}-{_signature(random_part)}"


def is_signed(value: object) -> bool:
    """Returns True when value is a visitor id this server issued (unsigned, forged or malformed: False)."""
    match = SIGNED.fullmatch(value) if isinstance(value, str) else None
    return match is not None and hmac.compare_digest(match.group(2), _signature(match.group(1)))
