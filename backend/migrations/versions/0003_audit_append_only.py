"""audit log append-only: UPDATE and DELETE on auditentry raise (PostgreSQL and SQLite)

Retention (services.retention) never deletes or changes audit rows: it anonymises cases and keeps the audit
log, which holds no personal data (a keyed patient pseudonym, not the personnummer). TRUNCATE (the test
suite's reset between tests, or an operator with table rights) is not a row change and is not blocked.

Revision ID: 0003
Revises: 0002
"""
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

MESSAGE = "auditentry is append-only: rows can be added, never changed or deleted"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION auditentry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
            END
            $$""")
        op.execute("""
            CREATE TRIGGER auditentry_append_only BEFORE UPDATE OR DELETE ON auditentry
            FOR EACH ROW EXECUTE FUNCTION auditentry_append_only()""")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER auditentry_no_{event.lower()} BEFORE {event} ON auditentry
                BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS auditentry_append_only ON auditentry")
        op.execute("DROP FUNCTION IF EXISTS auditentry_append_only()")
    else:
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS auditentry_no_{event}")
