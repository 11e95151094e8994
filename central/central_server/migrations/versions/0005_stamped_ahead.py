"""Operations stamped ahead of the centre's clock

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 20:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # How far an operation's own time stamp lay ahead of the centre's clock when it arrived
    # (a device clock set wrong): kept so the people who run the centre can find them.
    op.add_column('applied_ops', sa.Column('stamped_ahead_s', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('applied_ops', schema=None) as batch_op:
        batch_op.drop_column('stamped_ahead_s')
