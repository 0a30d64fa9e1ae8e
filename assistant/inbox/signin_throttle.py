"""Sign-in throttling for the recruiter inbox: repeated wrong passwords lock an address, and a client, for a while.

Failures are rows in ``signin_failure``, so the limit holds across API replicas. They are kept for the
address as typed whether or not an account exists: a locked-out address looks the same either way, so
the lock-out does not tell an attacker which addresses have accounts. A successful sign-in clears the
address's failures; rows older than a day are deleted as new ones arrive.

``begin_attempt`` records every attempt as a failure (committed) *before* the password is checked, so
parallel requests count each other and no more than the limit ever reach the password check.
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


def wait_seconds(*, db_session: Session, email: str, client: str, now: datetime | None = None,
                 including_attempt: bool = False) -> int:
    """Returns how many seconds sign-in stays refused for this address or client (0: allowed now).

    ``including_attempt``: the rows already hold the current attempt (``begin_attempt``), so one more is allowed."""
    settings = get_settings()
    now = now or utcnow()
    window = timedelta(minutes=settings.signin_lockout_minutes)
    wait = 0.0
    for column, value, limit in ((SignInFailure.email, _normalise(email), settings.signin_max_failures),
                                 (SignInFailure.client, client[:64], settings.signin_max_failures_per_client)):
        limit += int(including_attempt)
        recent = db_session.scalars(
            select(SignInFailure.created_at).where(column == value, SignInFailure.created_at > now - window)
            .order_by(SignInFailure.created_at.desc()).limit(limit)
        ).all()
        if len(recent) >= limit:  # locked until the limit-th most recent failure leaves the window
            wait = max(wait, (as_utc(recent[-1]) + window - now).total_seconds())
    return max(0, math.ceil(wait))


def record_failure(*, db_session: Session, email: str, client: str, now: datetime | None = None) -> SignInFailure:
    """Returns the stored failed sign-in (and forgets failures older than a day)."""
    now = now or utcnow()
    db_session.execute(delete(SignInFailure).where(SignInFailure.created_at < now - timedelta(days=1)))
    failure = SignInFailure(email=_normalise(email), client=client[:64], created_at=now)
    db_session.add(failure)
    db_session.flush()
    return failure


def begin_attempt(*, db_session: Session, email: str, client: str, now: datetime | None = None) -> int:
    """Returns the seconds sign-in stays refused (0: check the password now), after committing this attempt as a
    failure; a refused attempt is taken back, a successful sign-in clears it with ``clear``."""
    now = now or utcnow()
    attempt = record_failure(db_session=db_session, email=email, client=client, now=now)
    db_session.commit()  # visible to parallel attempts before any password is checked
    wait = wait_seconds(db_session=db_session, email=email, client=client, now=now, including_attempt=True)
    if wait:
        db_session.execute(delete(SignInFailure).where(SignInFailure.id == attempt.id))
        db_session.commit()
    return wait


def clear(*, db_session: Session, email: str) -> None:
    """Forgets an address's failures after it signed in."""
    db_session.execute(delete(SignInFailure).where(SignInFailure.email == _normalise(email)))
    db_session.flush()
