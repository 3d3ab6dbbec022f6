"""Retention (gallring): closed cases older than the period are anonymised; statistics and audit survive."""
from __future__ import annotations

import asyncio
import io
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from kg_testkit import (DESCRIPTION, JH_HANDLER, PATIENT_NAME, PN_HANDLER, REGION_JH, REPORTER_EMAIL, REPORTER_NAME,
                        REPORTER_PHONE)

from backend.models import Attachment, AuditEntry, CaseEvent, Message, RetentionRun
from backend.swedish_time import utcnow
from backend.services.retention import anonymise_closed

PDF = b"%PDF-1.4\n%%EOF\n"
REASON = "Karl Andersson vill att vårdgivaren svarar"


async def closed_case(kg, days_ago: int, with_file: bool = False, **over) -> dict:
    c = await kg.new_case(recipient="patient_board", tags=["cancer"], consent_note="Patienten samtycker muntligt",
                          **over)
    ref = c["reference"]
    if with_file:
        form = aiohttp.FormData(quote_fields=False)
        form.add_field("body", "Journalkopia bifogad, ring 070-1234567")
        form.add_field("file", io.BytesIO(PDF), filename="journal.pdf")
        r = await kg.client.post(f"/api/v1/reporter/cases/{ref}/messages", data=form,
                                 headers={"X-Access-Code": c["access_code"]})
        assert r.status == 201
    await kg.ok(PN_HANDLER, ref, "reassign", {"organisation_id": REGION_JH, "reason": REASON})
    await kg.officer_get(JH_HANDLER, ref)
    await kg.ok(JH_HANDLER, ref, "categorise", {"subs": ["bemotande", "information"]})
    await kg.ok(JH_HANDLER, ref, "answer", {"body": "Vi beklagar att Karl fick vänta."})
    await kg.ok(JH_HANDLER, ref, "close")
    await kg.update_case(ref, closed_at=utcnow() - timedelta(days=days_ago))
    return c


async def run(kg, **kw) -> RetentionRun:
    async with kg.session() as s:
        return await anonymise_closed(s, kg.app["settings"], **kw)


async def test_old_closed_cases_are_anonymised(kg):
    old = await closed_case(kg, days_ago=800, with_file=True)
    ref = old["reference"]
    before = await kg.case_row(ref)
    audit_before = [(a.action, a.officer_email, a.patient_pseudonym) for a in
                    await kg.rows(AuditEntry, AuditEntry.case_reference == ref)]
    files = [p for p in Path(kg.attachments_dir).rglob("*") if p.is_file()]
    assert len(files) == 1

    result = await run(kg)
    assert result.cases_anonymised == 1 and result.attachments_removed == 1
    assert result.references == [ref]

    row = await kg.case_row(ref)
    # gone: names, personnummer, contact data, free text
    for f in ("reporter_name", "reporter_email", "reporter_phone", "patient_name", "patient_pnr", "patient_age",
              "description", "desired_outcome", "consent_note", "care_unit_text", "patient_pseudonym"):
        assert getattr(row, f) is None, f
    assert row.anonymised_at is not None
    dump = row.model_dump_json()
    for s in (DESCRIPTION, REPORTER_NAME, PATIENT_NAME, REPORTER_EMAIL, REPORTER_PHONE, "191212121212", "Karl"):
        assert s not in dump, s
    # kept: categories, dates, unit, region, age band, gender, tags
    for f in ("reporter_category", "officer_categories", "received_at", "closed_at", "event_date", "answer_due",
              "care_unit_hsa_id", "region_code", "age_band", "patient_gender", "status", "tags", "reporter_role",
              "recipient_org_id", "channel"):
        assert getattr(row, f) == getattr(before, f), f
    assert row.age_band == "80+" and row.patient_gender == "male" and row.officer_categories == ["bemotande", "information"]
    # messages keep their kind and time, not their text; attachments are gone, rows and files
    msgs = await kg.rows(Message, Message.case_id == row.id)
    assert msgs and all(m.body is None for m in msgs)
    assert await kg.count(Attachment) == 0
    assert [p for p in Path(kg.attachments_dir).rglob("*") if p.is_file()] == []
    # events keep what happened, not free text written about the people
    for e in await kg.rows(CaseEvent, CaseEvent.case_id == row.id):
        assert "Karl" not in str(e.data), e.data
    # the audit log is kept as it was
    assert [(a.action, a.officer_email, a.patient_pseudonym) for a in
            await kg.rows(AuditEntry, AuditEntry.case_reference == ref)] == audit_before
    assert audit_before and all(p for _a, _e, p in audit_before)
    # a RetentionRun records what was done
    runs = await kg.rows(RetentionRun)
    assert len(runs) == 1 and runs[0].references == [ref] and runs[0].cases_anonymised == 1


async def test_younger_and_open_cases_are_left_alone(kg):
    young = await closed_case(kg, days_ago=100)
    open_old = await kg.new_case()
    await kg.update_case(open_old["reference"], received_at=utcnow() - timedelta(days=1500))
    answered_old = await kg.new_case()
    await kg.ok(JH_HANDLER, answered_old["reference"], "answer", {"body": "Svar"})
    await kg.update_case(answered_old["reference"], answered_at=utcnow() - timedelta(days=1500),
                         received_at=utcnow() - timedelta(days=1500))
    result = await run(kg)
    assert result.cases_anonymised == 0 and result.references == []
    for c in (young, open_old, answered_old):
        row = await kg.case_row(c["reference"])
        assert row.anonymised_at is None and row.description == DESCRIPTION and row.patient_pnr == "191212121212"
    assert len(await kg.rows(RetentionRun)) == 1        # an empty run is logged too


async def test_the_period_is_configurable_and_the_boundary_holds(make_kg):
    kg = await make_kg(retention_days=365)
    a = await closed_case(kg, days_ago=366)
    b = await closed_case(kg, days_ago=364)
    result = await run(kg)
    assert result.references == [a["reference"]]
    assert (await kg.case_row(b["reference"])).anonymised_at is None
    # an explicit number of days wins over the setting
    assert (await run(kg, days=30)).references == [b["reference"]]


async def test_running_twice_does_nothing_more(kg):
    await closed_case(kg, days_ago=800)
    assert (await run(kg)).cases_anonymised == 1
    second = await run(kg)
    assert second.cases_anonymised == 0
    assert len(await kg.rows(RetentionRun)) == 2


async def test_anonymised_case_afterwards(kg):
    c = await closed_case(kg, days_ago=800)
    ref = c["reference"]
    await run(kg)
    # the reporter's code no longer opens it
    assert (await kg.reporter_get(ref, c["access_code"])).status == 404
    # the officer sees what is left, and cannot change it
    view = await (await kg.officer_get(JH_HANDLER, ref)).json()
    assert view["anonymised"] is True and view["patient"]["personnummer"] is None
    assert view["reporter"]["name"] is None and view["description"] is None
    r = await kg.act(JH_HANDLER, ref, "tags", {"tags": ["x"]})
    assert r.status == 409
    # the statistics still count it with its categories
    t = await (await kg.client.get("/api/v1/stats/categories", headers=kg.auth(JH_HANDLER))).json()
    assert t["total"] == 1
    assert {r["code"]: r["handled"] for r in t["rows"] if r["level"] == "sub"}["bemotande"] == 1
    s = await (await kg.client.get("/api/v1/stats/summary", headers=kg.auth(JH_HANDLER))).json()
    assert s["per_age_band"] == [{"code": "80+", "label": "80+", "count": 1}]
    assert s["handling_days"]["n"] == 1


async def test_retention_command(kg, monkeypatch, capsys):
    """`python -m backend retention --days N` against DATABASE_URL."""
    from backend import __main__ as cli
    c = await closed_case(kg, days_ago=10)
    monkeypatch.setenv("DATABASE_URL", kg.db_url)
    monkeypatch.setenv("KG_ATTACHMENTS_DIR", kg.attachments_dir)
    await asyncio.to_thread(cli.main, ["retention", "--days", "5"])
    assert "1 closed cases anonymised" in capsys.readouterr().out
    assert (await kg.case_row(c["reference"])).anonymised_at is not None


@pytest.mark.parametrize("days_ago", [731, 5000])
async def test_default_period_is_two_years(kg, days_ago):
    await closed_case(kg, days_ago=days_ago)
    assert (await run(kg)).cases_anonymised == 1


async def test_answered_cases_nobody_closed_are_anonymised_once_idle_past_the_period(kg):
    """An answered case that no one closed can no longer be reopened after reopen_days; once it has been
    idle longer than the retention period it is thinned out like a closed one (status kept)."""
    old = await kg.new_case()
    await kg.ok(JH_HANDLER, old["reference"], "answer", {"body": "Svar till Karl"})
    long_ago = utcnow() - timedelta(days=800)
    await kg.update_case(old["reference"], answered_at=long_ago, received_at=long_ago, updated_at=long_ago)
    active = await kg.new_case()   # answered long ago, but something happened on it lately
    await kg.ok(JH_HANDLER, active["reference"], "answer", {"body": "Svar"})
    await kg.update_case(active["reference"], answered_at=long_ago, received_at=long_ago)
    result = await run(kg)
    assert result.references == [old["reference"]]
    row = await kg.case_row(old["reference"])
    assert row.status == "answered" and row.anonymised_at is not None
    assert row.description is None and row.patient_pnr is None and row.reporter_email is None
    assert all(m.body is None for m in await kg.rows(Message, Message.case_id == row.id))
    assert (await kg.case_row(active["reference"])).description == DESCRIPTION
    # the reporter cannot write to it any more (it was past reopening anyway)
    r = await kg.reporter_post(old["reference"], old["access_code"], "Hej igen")
    assert r.status in (404, 409)
