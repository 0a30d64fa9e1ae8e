"""the chat rating's optional comment (masked like the NPS comment)

Revision ID: c4d2a9e1f370
Revises: 7a1c9e2b4d60
Create Date: 2026-12-02 16:20:00
"""

from alembic import op
import sqlalchemy as sa


revision = 'c4d2a9e1f370'
down_revision = '7a1c9e2b4d60'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('chat_rating', schema=None) as batch_op:
        batch_op.add_column(sa.Column('comment', sa.Text(), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('chat_rating', schema=None) as batch_op:
        batch_op.drop_column('comment')
