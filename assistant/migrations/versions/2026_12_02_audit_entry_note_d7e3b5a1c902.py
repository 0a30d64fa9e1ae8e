"""audit_entry.note: staff's reason for an oversight action (why an AI feature was switched), masked

Revision ID: d7e3b5a1c902
Revises: b3e8d1f07c25
Create Date: 2026-12-02 16:50:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'd7e3b5a1c902'
down_revision = 'b3e8d1f07c25'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('note', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('audit_entry', schema=None) as batch_op:
        batch_op.drop_column('note')
