"""officer work: who handles a case (assigned officer), who extended the statement deadline and when

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 09:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('statement_extended_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('statement_extended_by_officer_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('assigned_officer_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_case_assigned_officer_id'), ['assigned_officer_id'], unique=False)
        batch_op.create_foreign_key('fk_case_statement_extended_by_officer_id', 'officer',
                                    ['statement_extended_by_officer_id'], ['id'])
        batch_op.create_foreign_key('fk_case_assigned_officer_id', 'officer', ['assigned_officer_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('case', schema=None) as batch_op:
        batch_op.drop_constraint('fk_case_assigned_officer_id', type_='foreignkey')
        batch_op.drop_constraint('fk_case_statement_extended_by_officer_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_case_assigned_officer_id'))
        batch_op.drop_column('assigned_officer_id')
        batch_op.drop_column('statement_extended_by_officer_id')
        batch_op.drop_column('statement_extended_at')
