"""Concurrent requests on one case: the lifecycle holds (one answer wins, the rest get 409)."""
from __future__ import annotations

import asyncio

from kg_testkit import JH_ADMIN, JH_HANDLER, PN_HANDLER, PN_RECEIVER, REGION_JH

from backend.models import CaseEvent, Message


async def status_changes(kg, ref: str) -> list[tuple[str, str]]:
    row = await kg.case_row(ref)
    events = await kg.rows(CaseEvent, CaseEvent.case_id == row.id, CaseEvent.kind == "status_changed")
    return [(e.data["from"], e.data["to"]) for e in sorted(events, key=lambda e: e.id)]


async def test_concurrent_answers_one_wins(kg):
    c = await kg.new_case()
    ref = c["reference"]
    rs = await asyncio.gather(*[kg.act(e, ref, "answer", {"body": f"Svar {i}"})
                                for i, e in enumerate([JH_HANDLER, JH_ADMIN, JH_HANDLER, JH_ADMIN])])
    assert sorted(r.status for r in rs) == [200, 409, 409, 409]
    assert await kg.count(Message) == 1
    assert await status_changes(kg, ref) == [("received", "in_progress"), ("in_progress", "answered")]


async def test_concurrent_take(kg):
    c = await kg.new_case()
    rs = await asyncio.gather(*[kg.act(JH_HANDLER, c["reference"], "take") for _ in range(4)])
    assert sorted(r.status for r in rs) == [200, 409, 409, 409]
    assert await status_changes(kg, c["reference"]) == [("received", "in_progress")]


async def test_concurrent_extensions_only_one(kg):
    c = await kg.new_case(recipient="patient_board")
    await kg.ok(PN_HANDLER, c["reference"], "request-statement", {"organisation_id": REGION_JH})
    due = (await kg.case_row(c["reference"])).statement_due
    rs = await asyncio.gather(*[kg.act(PN_HANDLER, c["reference"], "extend-statement") for _ in range(3)])
    assert sorted(r.status for r in rs) == [200, 409, 409]
    assert ((await kg.case_row(c["reference"])).statement_due - due).days == 14


async def test_reply_and_counter_question_race(kg):
    """The reporter answers while the officer asks again: whatever the order, the status history is legal."""
    c = await kg.new_case()
    ref = c["reference"]
    await kg.ok(JH_HANDLER, ref, "counter-question", {"body": "Fråga 1"})
    rs = await asyncio.gather(kg.reporter_post(ref, c["access_code"], "Svar"),
                              kg.act(JH_HANDLER, ref, "answer", {"body": "Slutligt svar"}),
                              kg.act(JH_HANDLER, ref, "counter-question", {"body": "Fråga 2"}))
    assert all(r.status < 500 for r in rs)
    history = await status_changes(kg, ref)
    state = "received"
    for a, b in history:
        assert a == state
        state = b
    assert state == (await kg.case_row(ref)).status


async def test_reassign_while_acting(kg):
    """A reassignment and an action of the old organisation at the same time: the old organisation never
    changes the case after it has left."""
    c = await kg.new_case(recipient="patient_board")
    ref = c["reference"]
    rs = await asyncio.gather(kg.act(PN_HANDLER, ref, "reassign", {"organisation_id": REGION_JH}),
                              *[kg.act(PN_RECEIVER, ref, "tags", {"tags": [f"t{i}"]}) for i in range(3)])
    assert rs[0].status == 200
    row = await kg.case_row(ref)
    assert row.recipient_org_id == REGION_JH
    events = await kg.rows(CaseEvent, CaseEvent.case_id == row.id)
    reassigned_at = next(e.id for e in events if e.kind == "reassigned")
    assert all(e.id < reassigned_at for e in events if e.kind == "tagged")
