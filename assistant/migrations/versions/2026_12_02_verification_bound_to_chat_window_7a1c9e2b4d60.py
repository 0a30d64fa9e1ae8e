"""verification bound to the chat window's key, with an idle timeout

Existing verifications have no key and so end: their candidates verify again once.

Revision ID: 7a1c9e2b4d60
Revises: 13ee410aeafb
Create Date: 2026-12-02 16:10:00
"""

from alembic import op
import sqlalchemy as sa


revision = '7a1c9e2b4d60'
down_revision = '13ee410aeafb'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('conversation_identity', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_key_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('conversation_identity', schema=None) as batch_op:
        batch_op.drop_column('last_seen_at')
        batch_op.drop_column('client_key_hash')
