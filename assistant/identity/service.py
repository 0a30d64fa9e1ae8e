"""Who is this conversation? Signed career-site tokens and per-conversation verification.

The career site signs a short-lived HS256 JWT for a logged-in candidate (``sub`` = the candidate's
external id, ``aud`` = "candidate-assistant") and the widget sends it in the message metadata as
``candidate_token``. A conversation can also be verified by e-mail + one-time code (see ``otp``).
Verification lasts ``verification_ttl_minutes`` for one conversation, never forever, and ends after
``verification_idle_minutes`` without a message.

A verification is bound to the chat window that earned it, not to the conversation id alone (which shows up
in links, logs and a shared computer's history): the widget makes a random key per browser tab and sends it
with every message; the Rasa channel replaces it by its SHA-256 before Rasa records anything
(``client_key_hash`` in the metadata, see rasa_channel.guard), and a verification holds only for messages
that carry the same key.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import hmac

import jwt
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.candidates.models import Candidate
from assistant.db import as_utc, utcnow
from assistant.identity.models import ConversationIdentity
from assistant.settings import get_settings

TOKEN_AUDIENCE = "candidate-assistant"
TOKEN_METADATA_KEY = "candidate_token"
CLIENT_KEY_METADATA_KEY = "client_key_hash"  # set by the Rasa channel, never by the client


class InvalidToken(Exception):
    """The token is forged, expired or malformed."""


def issue_token(*, candidate_external_id: str, ttl_minutes: int = 60, now: datetime | None = None,
                audience: str = TOKEN_AUDIENCE) -> str:
    """Returns a signed candidate token (what the career site does for a logged-in candidate).

    Another ``audience`` makes a token for one narrow purpose (an e-mail's unsubscribe link) that never
    verifies as a chat sign-in."""
    now = now or utcnow()
    claims = {"sub": candidate_external_id, "aud": audience, "iat": now, "exp": now + timedelta(minutes=ttl_minutes)}
    return jwt.encode(claims, get_settings().secret("candidate_token_secret"), algorithm="HS256")


def verify_token(token: str, *, audience: str = TOKEN_AUDIENCE) -> str:
    """Returns the candidate external id in a valid token for this audience, or raises InvalidToken."""
    try:
        claims = jwt.decode(
            token,
            get_settings().secret("candidate_token_secret"),
            algorithms=["HS256"],
            audience=audience,
            options={"require": ["exp", "sub", "aud"]},
        )
    except jwt.PyJWTError as error:
        raise InvalidToken(str(error)) from error
    return str(claims["sub"])


def client_key_hash(metadata: dict[str, Any] | None) -> str | None:
    """Returns the hash of the chat window's key that the channel put in this message's metadata, or None."""
    value = (metadata or {}).get(CLIENT_KEY_METADATA_KEY)
    return value if isinstance(value, str) and len(value) == 64 else None


def mark_verified(*, db_session: Session, conversation_id: str, candidate_id: int, method: str,
                  client_key_hash: str | None) -> ConversationIdentity:
    """Returns the conversation's identity, now verified as candidate_id for the chat window with this key.

    Without a key (a client that sends none) the verification holds for nothing but the current message."""
    now = utcnow()
    expires = now + timedelta(minutes=get_settings().verification_ttl_minutes)
    identity = db_session.get(ConversationIdentity, conversation_id)
    if identity is None:
        identity = ConversationIdentity(conversation_id=conversation_id)
        db_session.add(identity)
    identity.candidate_id, identity.method, identity.verified_at, identity.expires_at = candidate_id, method, now, expires
    identity.client_key_hash, identity.last_seen_at = client_key_hash, now
    db_session.flush()
    return identity


def forget(*, db_session: Session, conversation_id: str) -> None:
    """Ends the verification of a conversation."""
    identity = db_session.get(ConversationIdentity, conversation_id)
    if identity is not None:
        db_session.delete(identity)
        db_session.flush()


def current_candidate(*, db_session: Session, conversation_id: str, metadata: dict[str, Any] | None = None) -> Candidate | None:
    """Returns the verified candidate of this conversation, or None.

    A valid token in this message's metadata wins (and refreshes the verification); otherwise an earlier
    verification of this conversation, if this message comes from the same chat window (its key), it has not
    expired and the conversation was not idle for longer than the setting. A forged or expired token verifies
    nobody.
    """
    key_hash = client_key_hash(metadata)
    token = (metadata or {}).get(TOKEN_METADATA_KEY)
    if isinstance(token, str) and token:
        try:
            external_id = verify_token(token)
        except InvalidToken:
            external_id = None
        if external_id is not None:
            candidate = db_session.scalar(select(Candidate).where(Candidate.external_id == external_id))
            if candidate is not None:
                mark_verified(db_session=db_session, conversation_id=conversation_id, candidate_id=candidate.id,
                              method="token", client_key_hash=key_hash)
                return candidate
    identity = db_session.get(ConversationIdentity, conversation_id)
    if identity is None or key_hash is None or identity.client_key_hash is None:
        return None
    if not hmac.compare_digest(identity.client_key_hash, key_hash):
        return None
    now = utcnow()
    idle_until = as_utc(identity.last_seen_at or identity.verified_at) + timedelta(
        minutes=get_settings().verification_idle_minutes)
    if as_utc(identity.expires_at) <= now or idle_until <= now:
        return None
    identity.last_seen_at = now
    db_session.flush()
    return db_session.get(Candidate, identity.candidate_id)
