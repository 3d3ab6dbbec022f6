"""The audit log is append-only in the database itself (migration 0002): UPDATE and DELETE fail, on
PostgreSQL and on SQLite, even for code that bypasses the services."""
from __future__ import annotations

import pytest
from kg_testkit import JH_HANDLER
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from backend.models import AuditEntry


@pytest.mark.parametrize("statement", [
    "UPDATE auditentry SET detail = 'ändrad' WHERE id = :id",
    "UPDATE auditentry SET officer_email = NULL",
    "DELETE FROM auditentry WHERE id = :id",
    "DELETE FROM auditentry",
])
async def test_audit_rows_cannot_be_changed_or_deleted(kg, statement):
    case = await kg.new_case()
    await kg.officer_get(JH_HANDLER, case["reference"])  # reading a case writes an audit row
    before = await kg.rows(AuditEntry)
    assert before
    async with kg.session() as s:
        with pytest.raises((DBAPIError, IntegrityError)) as exc:
            await s.execute(text(statement), {"id": before[0].id})
        assert "append-only" in str(exc.value)
        await s.rollback()
    after = await kg.rows(AuditEntry)
    assert [(a.id, a.detail, a.officer_email) for a in after] == [(b.id, b.detail, b.officer_email) for b in before]


async def test_new_audit_rows_are_still_written(kg):
    n = len(await kg.rows(AuditEntry))
    case = await kg.new_case()
    await kg.officer_get(JH_HANDLER, case["reference"])
    assert len(await kg.rows(AuditEntry)) > n


async def test_retention_keeps_the_audit_log(kg):
    """Retention anonymises cases without touching audit rows (else the trigger would stop it)."""
    from test_retention import closed_case

    from backend.services.retention import anonymise_closed
    await closed_case(kg, days_ago=3000)
    n = len(await kg.rows(AuditEntry))
    async with kg.session() as s:
        run = await anonymise_closed(s, kg.app["settings"])
    assert run.cases_anonymised == 1
    assert len(await kg.rows(AuditEntry)) >= n
