"""merge this wave's heads (scheduling, journeys, outcomes, security limits)

Revision ID: 5c1d2e3f4a5b
Revises: 8daed147c79b, bb1bf6268d1c, 8f410a11d269, e4b86547610a
Create Date: 2026-12-02 08:40:00
"""

revision = "5c1d2e3f4a5b"
down_revision = ("8daed147c79b", "bb1bf6268d1c", "8f410a11d269", "e4b86547610a")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
