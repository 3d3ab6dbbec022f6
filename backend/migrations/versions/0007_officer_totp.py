"""officer accounts: a TOTP second factor (encrypted secret, last accepted time step) and the session's
last use (idle expiry)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 08:00:00.000000
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('officer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
    with op.batch_alter_table('officersession', schema=None) as batch_op:
        # existing sessions count as used now
        batch_op.add_column(sa.Column('last_seen_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False,
                                      server_default=sa.func.current_timestamp()))


def downgrade() -> None:
    with op.batch_alter_table('officersession', schema=None) as batch_op:
        batch_op.drop_column('last_seen_at')
    with op.batch_alter_table('officer', schema=None) as batch_op:
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_secret')
