"""merged aliases

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 20:00:00
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A worker the centre made an alias of another one is merged into it on the device:
    # the row stays (its history and queued operations name it), hidden, pointing here.
    # Plain ALTER TABLE both ways (SQLite 3.35+): a batch copy of the worker table would
    # drop the triggers that keep the name index (worker_search) in step.
    op.add_column('worker', sa.Column('merged_into', sqlmodel.sql.sqltypes.AutoString(),
                                      nullable=True))
    op.create_index('ix_worker_merged_into', 'worker', ['merged_into'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_worker_merged_into', table_name='worker')
    op.drop_column('worker', 'merged_into')
