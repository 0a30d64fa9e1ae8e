"""interview.created_at: when the ATS created it or the candidate booked it (the "interview booked" trigger)

Existing interviews keep NULL and so never start an "interview booked" journey.

Revision ID: b3e8d1f07c25
Revises: c4d2a9e1f370
Create Date: 2026-12-02 16:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'b3e8d1f07c25'
down_revision = 'c4d2a9e1f370'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('interview', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('interview', schema=None) as batch_op:
        batch_op.drop_column('created_at')
