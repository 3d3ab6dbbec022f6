"""The actions a case view offers (`allowed_actions`, which the officer page shows) are exactly the ones the
API accepts: for every status, role and organisation, each offered action succeeds and each other one is
refused with 403 or 409 — the page never shows a button that would only lead to an error."""
from __future__ import annotations

from datetime import timedelta

import pytest
from kg_testkit import (DENTIST_AB, JH_HANDLER, JH_RECEIVER, ORTOPED_OSD, PN_HANDLER, PN_JAMTLAND, PN_RECEIVER,
                        REGION_JH)

from backend.swedish_time import utcnow, local_date
from backend.services.actions import REGISTRY as ACTION_ROLES

TODAY = local_date()
STATEMENT = {"statement_org_id": REGION_JH, "statement_due": TODAY + timedelta(days=10),
             "statement_extended": False, "statement_requested_at": utcnow()}
NO_STATEMENT = {"statement_org_id": None, "statement_due": None, "statement_extended": False,
                "statement_requested_at": None}
STATES = {
    "received": {"status": "received", **NO_STATEMENT},
    "in_progress": {"status": "in_progress", **NO_STATEMENT},
    "in_progress_categorised": {"status": "in_progress", "officer_categories": ["bemotande"], **NO_STATEMENT},
    "waiting_for_reporter": {"status": "waiting_for_reporter", **NO_STATEMENT},
    "waiting_for_statement": {"status": "waiting_for_statement", **STATEMENT},
    "statement_extended": {"status": "waiting_for_statement", **STATEMENT, "statement_extended": True},
    "statement_overdue": {"status": "waiting_for_statement", **STATEMENT, "statement_due": TODAY - timedelta(days=1)},
    "answered": {"status": "answered", **NO_STATEMENT},
    "answered_categorised": {"status": "answered", "officer_categories": ["bemotande"], **NO_STATEMENT},
    "closed": {"status": "closed", "officer_categories": ["bemotande"], **NO_STATEMENT},
    "anonymised": {"status": "closed", "officer_categories": ["bemotande"], "anonymised_at": utcnow(), **NO_STATEMENT},
}
PAYLOADS = {
    "take": {}, "answer": {"body": "Svar."}, "partial-answer": {"body": "Delsvar."},
    "counter-question": {"body": "En fråga."}, "statement": {"body": "Vårt yttrande."},
    "reassign": {"organisation_id": REGION_JH, "reason": "Rätt vårdgivare"},
    "request-statement": {"organisation_id": DENTIST_AB}, "extend-statement": {}, "request-extension": {},
    "assign": "self",  # the acting officer's own id: a colleague of theirs whatever the organisation
    "note": {"body": "Ring vårdenheten på måndag."},
    "move-answer-date": {"answer_due": (TODAY + timedelta(days=60)).isoformat(), "reason": "Vi väntar på journalen."},
    "categorise": {"subs": ["bemotande"]}, "tags": {"tags": ["cancer"]}, "set-unit": {"hsa_id": ORTOPED_OSD},
    "close": {},
}
# the patient board receives the case; the region (care provider) is asked for a statement in some states
OFFICERS = (PN_RECEIVER, PN_HANDLER, JH_HANDLER, JH_RECEIVER)


def test_every_action_has_a_payload_here():
    assert set(PAYLOADS) == set(ACTION_ROLES)


@pytest.mark.parametrize("state", list(STATES))
async def test_offered_actions_are_exactly_the_accepted_ones(kg, state):
    c = await kg.new_case(recipient="patient_board")
    ref = c["reference"]
    assert (await kg.case_row(ref)).recipient_org_id == PN_JAMTLAND
    base = {"officer_categories": [], "officer_category_index": "", "anonymised_at": None,
            "recipient_org_id": PN_JAMTLAND, "recipient_kind": "patient_board", "care_unit_hsa_id": None,
            "assigned_officer_id": None}
    seen_any = False
    for email in OFFICERS:
        for action in ACTION_ROLES:
            await kg.update_case(ref, **{**base, **STATES[state]})
            view = await kg.officer_get(email, ref)
            if view.status == 404:      # not this officer's organisation's case in this state
                assert email.endswith("regionjh.example") and STATES[state]["statement_org_id"] is None
                continue
            offered = (await view.json())["allowed_actions"]
            payload = PAYLOADS[action]
            if payload == "self":
                me = await (await kg.client.get("/api/v1/officer/me", headers=kg.auth(email))).json()
                payload = {"officer_id": me["id"]}
            r = await kg.act(email, ref, action, payload)
            body = await r.json()
            if action in offered:
                assert r.status == 200, (state, email, action, r.status, body)
                seen_any = True
            else:
                assert r.status in (403, 409), (state, email, action, r.status, body)
    assert seen_any or state == "anonymised"


async def test_the_case_page_shows_only_offered_actions(kg):
    """The page renders a form per offered action and none for the others (an answered case: no answer
    or counter-question form, but partial answer, categorise and close are there)."""
    c = await kg.new_case()
    await kg.ok(JH_HANDLER, c["reference"], "answer", {"body": "Svar."})
    b = kg.logged_in(JH_HANDLER)
    html = await (await b.get(f"/officer/arenden/{c['reference']}")).text()
    assert 'value="partial-answer"' in html and 'value="answer"' not in html
    assert 'value="counter-question"' not in html
    assert f"/officer/arenden/{c['reference']}/categorise" in html
    assert f"/officer/arenden/{c['reference']}/close" in html
    assert f"/officer/arenden/{c['reference']}/reassign" not in html
    assert f"/officer/arenden/{c['reference']}/request-statement" not in html
    assert f"/officer/arenden/{c['reference']}/take" not in html


def test_every_registry_action_has_its_page_texts():
    """The officer page reads the registry: each action has a confirmation text and an audit-log label."""
    from backend.web.pages_officer import audit_labels, done_messages
    assert set(ACTION_ROLES) <= set(done_messages())
    assert {a.replace("-", "_") for a in ACTION_ROLES} <= set(audit_labels())
