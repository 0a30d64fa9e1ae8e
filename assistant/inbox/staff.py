"""Recruiter-inbox accounts: creation, password hashing (argon2) and sign-in."""

from __future__ import annotations

import hmac

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.db import as_utc, utcnow
from assistant.inbox.models import StaffUser
from assistant.settings import get_settings

ROLES = ("recruiter", "content_owner", "admin", "lead", "privacy")
TICKET_ROLES = frozenset({"recruiter", "admin"})  # content owners edit the knowledge base, never read tickets
KNOWLEDGE_ROLES = frozenset({"content_owner", "admin"})  # see what the knowledge base misses, rebuild it
ANALYTICS_ROLES = frozenset({"lead", "admin"})  # read the figures and the bias audit (read-only)
PRIVACY_ROLES = frozenset({"privacy", "admin"})  # export and erase a candidate's data, read the bias audit
MIN_PASSWORD_CHARS = 10
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("timing-equaliser-not-a-password")


class StaffError(ValueError):
    """Bad input for a staff account; the message names the field."""


def get_by_email(*, db_session: Session, email: str) -> StaffUser | None:
    """Returns the staff user with this e-mail (case-insensitive), or None."""
    return db_session.scalar(select(StaffUser).where(StaffUser.email == email.strip().lower()))


def get(*, db_session: Session, staff_id: int) -> StaffUser | None:
    """Returns the active staff user with this id, or None."""
    user = db_session.get(StaffUser, staff_id)
    return user if user is not None and user.active else None


def list_assignable(*, db_session: Session) -> list[StaffUser]:
    """Returns active users who can hold tickets, by name."""
    query = select(StaffUser).where(StaffUser.active.is_(True), StaffUser.role.in_(TICKET_ROLES)).order_by(StaffUser.name)
    return list(db_session.scalars(query))


def create(*, db_session: Session, email: str, name: str, role: str, password: str) -> StaffUser:
    """Returns a new staff user; raises StaffError for a bad e-mail, role, name, weak password or duplicate."""
    try:
        email = validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise StaffError(f"email: {error}") from error
    if role not in ROLES:
        raise StaffError(f"role: must be one of {', '.join(ROLES)}")
    if not name.strip():
        raise StaffError("name: must not be empty")
    _check_password(email, password)
    if get_by_email(db_session=db_session, email=email) is not None:
        raise StaffError(f"email: {email} already has an account")
    user = StaffUser(email=email, name=name.strip(), role=role, password_hash=_hasher.hash(password), active=True)
    db_session.add(user)
    db_session.flush()
    return user


def set_password(*, db_session: Session, email: str, password: str) -> StaffUser:
    """Returns the user after replacing their password, ending their open sessions and clearing their failed
    sign-ins (an admin's reset)."""
    from assistant.inbox import signin_throttle

    user = _existing(db_session, email)
    _check_password(user.email, password)
    user.password_hash = _hasher.hash(password)
    user.password_changed_at = utcnow()  # sessions signed in before now end (see session_is_current)
    signin_throttle.clear(db_session=db_session, email=user.email)
    db_session.flush()
    return user


def set_active(*, db_session: Session, email: str, active: bool) -> StaffUser:
    """Returns the user after enabling or disabling the account (a disabled account cannot sign in)."""
    user = _existing(db_session, email)
    user.active = active
    db_session.flush()
    return user


def _check_password(email: str, password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise StaffError(f"password: at least {MIN_PASSWORD_CHARS} characters")
    if not _allowed_here(email=email, password=password):
        raise StaffError("password: the published demo password and demo accounts only work in development")


def _existing(db_session: Session, email: str) -> StaffUser:
    user = get_by_email(db_session=db_session, email=email)
    if user is None:
        raise StaffError(f"email: no account for {email.strip().lower()}")
    return user


def authenticate(*, db_session: Session, email: str, password: str) -> StaffUser | None:
    """Returns the active user whose password matches, or None (same work whether or not the user exists)."""
    user = get_by_email(db_session=db_session, email=email)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active or not _allowed_here(email=user.email, password=password):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def _allowed_here(*, email: str, password: str) -> bool:
    """Returns False for a demo account or the published demo password outside development on loopback."""
    from assistant.inbox import demo

    if get_settings().demo_allowed:
        return True
    return not demo.is_demo_account(email) and not hmac.compare_digest(password.encode(), demo.DEMO_PASSWORD.encode())


def session_is_current(user: StaffUser, *, signed_in_at: float) -> bool:
    """Returns False for a session signed in before the user's last password change."""
    return user.password_changed_at is None or signed_in_at >= as_utc(user.password_changed_at).timestamp()


def can_read_tickets(user: StaffUser) -> bool:
    return user.role in TICKET_ROLES


def can_manage_knowledge(user: StaffUser) -> bool:
    return user.role in KNOWLEDGE_ROLES


def can_read_analytics(user: StaffUser) -> bool:
    return user.role in ANALYTICS_ROLES


def can_read_audit(user: StaffUser) -> bool:
    return user.role in ANALYTICS_ROLES | PRIVACY_ROLES


def can_handle_data_requests(user: StaffUser) -> bool:
    return user.role in PRIVACY_ROLES


def can_switch_ai_features(user: StaffUser) -> bool:
    return user.role == "admin"


def home_page(user: StaffUser) -> str:
    """Returns where this user lands after signing in."""
    if can_read_tickets(user):
        return "/inbox"
    return {"lead": "/inbox/analytics", "privacy": "/inbox/privacy"}.get(user.role, "/inbox/knowledge")
