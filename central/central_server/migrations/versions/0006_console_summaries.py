"""Console summaries: money per day, coverage changes per month, each participant's part

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 23:10:00
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

from central_server.summary import rebuild

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('money_days',
    sa.Column('day', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
    sa.Column('scope_kecamatan', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('dimension', sqlmodel.sql.sqltypes.AutoString(length=9), nullable=False),
    sa.Column('value', sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
    sa.Column('receipts', sa.Integer(), nullable=False),
    sa.Column('collected', sa.BigInteger(), nullable=False),
    sa.Column('voided', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'scope_kecamatan', 'dimension', 'value')
    )
    op.create_table('coverage_changes',
    sa.Column('month', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('scope_kecamatan', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('scope_kelurahan', sqlmodel.sql.sqltypes.AutoString(length=11), nullable=False),
    sa.Column('active', sa.Integer(), nullable=False),
    sa.Column('grace', sa.Integer(), nullable=False),
    sa.Column('inactive', sa.Integer(), nullable=False),
    sa.Column('never', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month', 'scope_kecamatan', 'scope_kelurahan')
    )
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('coverage', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    # The summaries of the rows already there. rebuild() is plain SQL on the columns of
    # this revision; a later revision that changes them must freeze a copy of it here.
    rebuild(op.get_bind())


def downgrade() -> None:
    with op.batch_alter_table('participants', schema=None) as batch_op:
        batch_op.drop_column('coverage')
    op.drop_table('coverage_changes')
    op.drop_table('money_days')
