"""Demo inbox accounts for local runs and tests (never in production)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from assistant.inbox import staff
from assistant.settings import get_settings

DEMO_PASSWORD = "fernhill-demo-2024"
DEMO_USERS = (
    ("sam.recruiter@fernhill.example", "Sam Recruiter", "recruiter"),
    ("alex.recruiter@fernhill.example", "Alex Recruiter", "recruiter"),
    ("casey.content@fernhill.example", "Casey Content", "content_owner"),
    ("ada.admin@fernhill.example", "Ada Admin", "admin"),
    ("lee.lead@fernhill.example", "Lee Lead", "lead"),
    ("pat.privacy@fernhill.example", "Pat Privacy", "privacy"),
)


def is_demo_account(email: str) -> bool:
    """Returns True for the e-mail of a shipped demo account."""
    return email.strip().lower() in {address for address, _, _ in DEMO_USERS}


def load_demo_staff(*, db_session: Session) -> int:
    """Creates the demo accounts that are missing (only in development on loopback); returns how many were created."""
    if not get_settings().demo_allowed:
        return 0
    created = 0
    for email, name, role in DEMO_USERS:
        if staff.get_by_email(db_session=db_session, email=email) is None:
            staff.create(db_session=db_session, email=email, name=name, role=role, password=DEMO_PASSWORD)
            created += 1
    return created
