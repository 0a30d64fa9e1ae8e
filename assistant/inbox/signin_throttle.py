"""Sign-in throttling for the recruiter inbox: repeated wrong passwords lock an address, and a client, for a while.

Failures are rows in ``signin_failure``, so the limit holds across API replicas. They are kept for the
address as typed whether or not an account exists: a locked-out address looks the same either way, so
the lock-out does not tell an attacker which addresses have accounts. A successful sign-in clears the
address's failures; rows older than a day are deleted as new ones arrive.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from assistant.db import as_utc, utcnow
from assistant.inbox.models import SignInFailure
from assistant.settings import get_settings


def _normalise(email: str) -> str:
    return email.strip().lower()[:254]


def wait_seconds(*, db_session: Session, email: str, client: str, now: datetime | None = None) -> int:
    """Returns how many seconds sign-in stays refused for this address or client (0: allowed now)."""
    settings = get_settings()
    now = now or utcnow()
    window = timedelta(minutes=settings.signin_lockout_minutes)
    wait = 0.0
    for column, value, limit in ((SignInFailure.email, _normalise(email), settings.signin_max_failures),
                                 (SignInFailure.client, client, settings.signin_max_failures_per_client)):
        recent = db_session.scalars(
            select(SignInFailure.created_at).where(column == value, SignInFailure.created_at > now - window)
            .order_by(SignInFailure.created_at.desc()).limit(limit)
        ).all()
        if len(recent) >= limit:  # locked until the limit-th most recent failure leaves the window
            wait = max(wait, (as_utc(recent[-1]) + window - now).total_seconds())
    return max(0, math.ceil(wait))


def record_failure(*, db_session: Session, email: str, client: str, now: datetime | None = None) -> None:
    """Stores one failed sign-in (and forgets failures older than a day)."""
    now = now or utcnow()
    db_session.execute(delete(SignInFailure).where(SignInFailure.created_at < now - timedelta(days=1)))
    db_session.add(SignInFailure(email=_normalise(email), client=client[:64], created_at=now))
    db_session.flush()


def clear(*, db_session: Session, email: str) -> None:
    """Forgets an address's failures after it signed in."""
    db_session.execute(delete(SignInFailure).where(SignInFailure.email == _normalise(email)))
    db_session.flush()
