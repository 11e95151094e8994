"""A revoked device's users must set a new password before they sign in again

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 21:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (SQLite does it in place): a batch copy of "users" would have to
    # drop the table the enrollments and tokens point at.
    op.add_column('users', sa.Column('password_reset_required', sa.Boolean(), server_default=sa.false(),
                                     nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('password_reset_required')
