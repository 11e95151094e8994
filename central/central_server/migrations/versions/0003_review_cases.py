"""Review cases keep what each side sent, who sent it, and why the centre decided

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 21:30:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

COLUMNS = (
    ('sent_by', sqlmodel.sql.sqltypes.AutoString(length=36)),
    ('sent_from', sqlmodel.sql.sqltypes.AutoString(length=64)),
    ('sent', sqlmodel.sql.sqltypes.AutoString()),
    ('other_registered_by', sqlmodel.sql.sqltypes.AutoString(length=36)),
    ('other_data', sqlmodel.sql.sqltypes.AutoString()),
    ('reason', sqlmodel.sql.sqltypes.AutoString()),
)


def upgrade() -> None:
    # Plain ADD COLUMNs, all nullable: the cases already open keep working, with these empty.
    for name, type_ in COLUMNS:
        op.add_column('review_queue', sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('review_queue', schema=None) as batch_op:
        for name, _type in reversed(COLUMNS):
            batch_op.drop_column(name)
