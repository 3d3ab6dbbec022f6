"""Officer case handling: list/filter/search, open (audit), every action, roles, statements, deadlines."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from kg_testkit import (AKUTEN_OSD, HC_BRUNFLO, JH_ADMIN, JH_HANDLER, JH_RECEIVER, ORTOPED_OSD, PN_HANDLER,
                        PN_JAMTLAND, PN_RECEIVER, PNR, REGION_JH, REGION_UPPSALA, SECRET_KEY, UPPSALA_HANDLER,
                        error_of)

from backend import pnr as pnr_mod
from backend.models import AuditEntry, CaseEvent, Message, Officer
from backend.swedish_time import utcnow, local_date
from backend.services import cases as cases_service


async def officer_id(kg, email: str) -> int:
    return (await kg.rows(Officer, Officer.email == email))[0].id


# --- list, filter, search ----------------------------------------------------------------------------------

@pytest.fixture
async def mixed(kg):
    """Three cases at Region JH, one at the patient board, one in Uppsala."""
    refs = {
        "akuten": (await kg.new_case(reporter_category="bemotande"))["reference"],
        "brunflo": (await kg.new_case(care_unit_hsa_id=HC_BRUNFLO, reporter_category="vantetider",
                                      patient={"name": "Greta Garbo"}, reporter={"name": "Åsa Öberg"},
                                      description="Det tog tre veckor att få en tid hos doktorn."))["reference"],
        "ortoped": (await kg.new_case(care_unit_hsa_id=ORTOPED_OSD, reporter_category=None,
                                      patient={"personnummer": "194107089809", "name": "Sven Svensson"}))["reference"],
        "board": (await kg.new_case(recipient="patient_board"))["reference"],
        "uppsala": (await kg.new_case(care_unit_hsa_id="SE2321000024-E4102"))["reference"],
    }
    return refs


async def refs_of(kg, email, **params) -> list[str]:
    return [i["reference"] for i in (await kg.list_cases(email, **params))["items"]]


async def test_list_shows_only_the_own_organisation(kg, mixed):
    data = await kg.list_cases(JH_HANDLER)
    assert data["total"] == 3 and data["page"] == 1 and data["per_page"] == 25
    assert {i["reference"] for i in data["items"]} == {mixed["akuten"], mixed["brunflo"], mixed["ortoped"]}
    item = next(i for i in data["items"] if i["reference"] == mixed["akuten"])
    assert item["status"] == "received" and item["status_label"] == "Mottaget"
    assert item["care_unit_name"] == "Akutmottagning Östersunds sjukhus"
    assert item["reporter_category"] == "bemotande" and item["officer_categories"] == []
    assert item["overdue"] is False
    assert set(await refs_of(kg, PN_HANDLER)) == {mixed["board"]}
    assert set(await refs_of(kg, UPPSALA_HANDLER)) == {mixed["uppsala"]}


async def test_list_is_newest_first_and_pages(kg, mixed):
    refs = await refs_of(kg, JH_HANDLER)
    assert refs == sorted(refs, reverse=True)
    page1 = await kg.list_cases(JH_HANDLER, per_page=2, page=1)
    page2 = await kg.list_cases(JH_HANDLER, per_page=2, page=2)
    assert page1["total"] == page2["total"] == 3
    assert len(page1["items"]) == 2 and len(page2["items"]) == 1
    assert not {i["reference"] for i in page1["items"]} & {i["reference"] for i in page2["items"]}
    assert await refs_of(kg, JH_HANDLER, sort="received_at") == sorted(refs)


async def test_filter_by_status(kg, mixed):
    await kg.ok(JH_HANDLER, mixed["akuten"], "take")
    assert await refs_of(kg, JH_HANDLER, status="in_progress") == [mixed["akuten"]]
    assert set(await refs_of(kg, JH_HANDLER, status="received")) == {mixed["brunflo"], mixed["ortoped"]}
    assert len(await refs_of(kg, JH_HANDLER, status="received,in_progress")) == 3
    assert await refs_of(kg, JH_HANDLER, status="closed") == []


async def test_filter_overdue(kg, mixed):
    await kg.update_case(mixed["brunflo"], answer_due=local_date() - timedelta(days=1))
    data = await kg.list_cases(JH_HANDLER, overdue="true")
    assert [i["reference"] for i in data["items"]] == [mixed["brunflo"]]
    assert data["items"][0]["overdue"] is True
    assert set(await refs_of(kg, JH_HANDLER, overdue="false")) == {mixed["akuten"], mixed["ortoped"]}
    # a statement deadline that passed counts as overdue too
    await kg.ok(JH_HANDLER, mixed["ortoped"], "request-statement", {"organisation_id": "SE5565301000"})
    await kg.update_case(mixed["ortoped"], statement_due=local_date() - timedelta(days=1))
    assert set(await refs_of(kg, JH_HANDLER, overdue="true")) == {mixed["brunflo"], mixed["ortoped"]}


async def test_filter_by_category(kg, mixed):
    assert await refs_of(kg, JH_HANDLER, category="bemotande") == [mixed["akuten"]]
    assert await refs_of(kg, JH_HANDLER, category="kommunikation") == [mixed["akuten"]]   # main code
    assert await refs_of(kg, JH_HANDLER, category="tillganglighet") == [mixed["brunflo"]]
    await kg.ok(JH_HANDLER, mixed["ortoped"], "categorise", {"subs": ["behandling", "information"]})
    assert set(await refs_of(kg, JH_HANDLER, category="kommunikation")) == {mixed["akuten"], mixed["ortoped"]}
    assert await refs_of(kg, JH_HANDLER, category="behandling") == [mixed["ortoped"]]
    assert await refs_of(kg, JH_HANDLER, category="diagnos") == []


async def test_filter_by_unit(kg, mixed):
    assert await refs_of(kg, JH_HANDLER, unit=HC_BRUNFLO) == [mixed["brunflo"]]
    assert await refs_of(kg, JH_HANDLER, unit="SE2321000024-E4102") == []  # another organisation's unit


async def test_filter_by_period(kg, mixed):
    from backend.swedish_time import local_date
    old = utcnow() - timedelta(days=60)
    await kg.update_case(mixed["ortoped"], received_at=old)
    d = local_date(old)  # periods are Swedish calendar days
    day = d.isoformat()
    assert await refs_of(kg, JH_HANDLER, **{"from": day, "to": day}) == [mixed["ortoped"]]
    assert set(await refs_of(kg, JH_HANDLER, **{"from": (d + timedelta(days=1)).isoformat()})) == \
        {mixed["akuten"], mixed["brunflo"]}
    assert await refs_of(kg, JH_HANDLER, to=(d - timedelta(days=1)).isoformat()) == []


async def test_period_days_are_swedish_days(kg, mixed):
    """Sent at 00:30 on 1 February in Sweden (23:30 UTC on 31 January): a 1 February case."""
    from datetime import datetime, timezone
    await kg.update_case(mixed["ortoped"], received_at=datetime(2026, 1, 31, 23, 30, tzinfo=timezone.utc))
    assert await refs_of(kg, JH_HANDLER, **{"from": "2026-02-01", "to": "2026-02-01"}) == [mixed["ortoped"]]
    assert await refs_of(kg, JH_HANDLER, **{"from": "2026-01-31", "to": "2026-01-31"}) == []


async def test_free_text_search(kg, mixed):
    assert await refs_of(kg, JH_HANDLER, q=mixed["brunflo"]) == [mixed["brunflo"]]
    assert await refs_of(kg, JH_HANDLER, q=mixed["brunflo"].lower()) == [mixed["brunflo"]]
    assert await refs_of(kg, JH_HANDLER, q="Greta Garbo") == [mixed["brunflo"]]        # patient name
    assert await refs_of(kg, JH_HANDLER, q="garbo") == [mixed["brunflo"]]              # any case
    assert await refs_of(kg, JH_HANDLER, q="GRETA") == [mixed["brunflo"]]
    assert await refs_of(kg, JH_HANDLER, q="Östersunds") == []                        # unit names: use ?unit=
    assert await refs_of(kg, JH_HANDLER, q="tre veckor") == [mixed["brunflo"]]         # description
    assert await refs_of(kg, JH_HANDLER, q="Åsa Öberg") == [mixed["brunflo"]]         # reporter name
    assert await refs_of(kg, JH_HANDLER, q="åsa öberg") == [mixed["brunflo"]]         # å, ä, ö in any case too
    assert await refs_of(kg, JH_HANDLER, q="ÅSA ÖBERG") == [mixed["brunflo"]]
    assert await refs_of(kg, JH_HANDLER, q="Nobody Atall") == []
    assert await refs_of(kg, JH_HANDLER, q="%") == []                                 # no wildcards
    assert await refs_of(kg, JH_HANDLER, q="_") == []
    # another organisation's case is not found by its reference
    assert await refs_of(kg, JH_HANDLER, q=mixed["board"]) == []


@pytest.mark.parametrize("params,field", [
    ({"status": "open-ish"}, "status"), ({"overdue": "kanske"}, "overdue"), ({"from": "igår"}, "from"),
    ({"page": "0"}, "page"), ({"per_page": "1000"}, "per_page"), ({"sort": "patient"}, "sort"),
    ({"colour": "blue"}, "colour"), ({"q": "x" * 50}, "q"),
])
async def test_bad_list_filters(kg, params, field):
    r = await kg.client.get("/api/v1/officer/cases", params=params, headers=kg.auth(JH_HANDLER))
    assert r.status == 422
    assert field in (await error_of(r))["fields"]


# --- opening a case is audit-logged ------------------------------------------------------------------------

async def test_open_case_shows_everything_and_is_audit_logged(kg):
    c = await kg.new_case()
    before = datetime.now(timezone.utc) - timedelta(seconds=5)
    r = await kg.officer_get(JH_HANDLER, c["reference"])
    assert r.status == 200
    case = await r.json()
    assert case["reporter"]["name"] == "Anna Andersson"
    assert case["patient"]["personnummer"] == "191212121212"
    assert case["description"].startswith("Min pappa")
    assert case["care_unit"]["hsa_id"] == AKUTEN_OSD
    assert {e["kind"] for e in case["events"]} == {"created"}
    entries = await kg.rows(AuditEntry, AuditEntry.case_reference == c["reference"])
    assert len(entries) == 1
    e = entries[0]
    assert e.action == "read"
    assert e.officer_id == await officer_id(kg, JH_HANDLER)                 # who
    assert e.officer_email == JH_HANDLER and e.organisation_id == REGION_JH
    at = e.at if e.at.tzinfo else e.at.replace(tzinfo=timezone.utc)        # when
    assert before <= at <= datetime.now(timezone.utc) + timedelta(seconds=5)
    assert e.unit_hsa_id == AKUTEN_OSD                                      # which unit
    assert e.patient_pseudonym == pnr_mod.pseudonym(SECRET_KEY, "191212121212")  # which patient
    assert "191212121212" not in e.model_dump_json() and PNR not in e.model_dump_json()
    # the officer view lists the audit trail
    case = await (await kg.officer_get(JH_HANDLER, c["reference"])).json()
    assert [a["action"] for a in case["audit"]][:2] == ["read", "read"]


async def test_every_change_is_audit_logged(kg):
    c = await kg.new_case()
    ref = c["reference"]
    await kg.ok(JH_HANDLER, ref, "take")
    await kg.ok(JH_HANDLER, ref, "tags", {"tags": ["cancer"]})
    await kg.ok(JH_HANDLER, ref, "categorise", {"subs": ["bemotande"]})
    await kg.ok(JH_HANDLER, ref, "answer", {"body": "Svar."})
    await kg.ok(JH_HANDLER, ref, "close")
    actions = [e.action for e in await kg.rows(AuditEntry, AuditEntry.case_reference == ref)]
    assert actions == ["take", "tags", "categorise", "answer", "close"]


async def test_listing_is_audit_logged(kg):
    await kg.new_case()
    await kg.list_cases(JH_HANDLER)
    entries = await kg.rows(AuditEntry, AuditEntry.action == "list")
    assert len(entries) == 1 and entries[0].officer_email == JH_HANDLER


async def test_refused_actions_write_nothing(kg):
    c = await kg.new_case()
    before = (await kg.count(AuditEntry), await kg.count(CaseEvent), await kg.count(Message))
    assert (await kg.act(JH_RECEIVER, c["reference"], "answer", {"body": "x"})).status == 403
    assert (await kg.act(JH_HANDLER, c["reference"], "close")).status == 409
    assert (await kg.act(JH_HANDLER, c["reference"], "categorise", {"subs": ["nope"]})).status == 422
    assert (await kg.count(AuditEntry), await kg.count(CaseEvent), await kg.count(Message)) == before
    assert (await kg.case_row(c["reference"])).status == "received"


# --- actions -----------------------------------------------------------------------------------------------

async def test_take(kg):
    c = await kg.new_case()
    case = await kg.ok(JH_RECEIVER, c["reference"], "take")
    assert case["status"] == "in_progress"
    r = await kg.act(JH_HANDLER, c["reference"], "take")
    assert r.status == 409
    assert (await error_of(r))["message"] == "Ärendet är redan under handläggning."


async def test_answer(kg, ):
    c = await kg.new_case()
    case = await kg.ok(JH_HANDLER, c["reference"], "answer", {"body": "Vi har pratat med personalen."})
    assert case["status"] == "answered" and case["answered_at"]
    assert [(m["kind"], m["body"]) for m in case["thread"]] == [("answer", "Vi har pratat med personalen.")]
    row = await kg.case_row(c["reference"])
    assert row.handled_by_officer_id == await officer_id(kg, JH_HANDLER)
    changes = [e["data"] for e in case["events"] if e["kind"] == "status_changed"]
    assert [(d["from"], d["to"]) for d in changes] == [("received", "in_progress"), ("in_progress", "answered")]


async def test_partial_answer_keeps_the_case_open(kg):
    c = await kg.new_case()
    case = await kg.ok(JH_RECEIVER, c["reference"], "partial-answer", {"body": "Vi har tagit emot ditt ärende."})
    assert case["status"] == "in_progress"
    assert case["thread"][0]["kind"] == "partial_answer"
    view = await kg.reporter_view(c["reference"], c["access_code"])
    assert view["thread"][0]["body"] == "Vi har tagit emot ditt ärende."


async def test_counter_question(kg):
    c = await kg.new_case()
    case = await kg.ok(JH_HANDLER, c["reference"], "counter-question", {"body": "Vilken tid var det?"})
    assert case["status"] == "waiting_for_reporter"
    assert case["thread"][0]["kind"] == "counter_question"


@pytest.mark.parametrize("action,payload", [
    ("answer", {"body": "x"}), ("counter-question", {"body": "x"}), ("categorise", {"subs": ["bemotande"]}),
    ("close", {}), ("request-statement", {"organisation_id": "SE5565301000"}),
])
async def test_receiver_may_not(kg, action, payload):
    c = await kg.new_case()
    r = await kg.act(JH_RECEIVER, c["reference"], action, payload)
    assert r.status == 403
    err = await error_of(r)
    assert err["code"] == "forbidden" and err["message"] == "Du har inte behörighet att göra det här."
    row = await kg.case_row(c["reference"])
    assert row.status == "received" and row.officer_categories == []
    assert await kg.count(Message) == 0


@pytest.mark.parametrize("action,payload", [
    ("take", {}), ("partial-answer", {"body": "Delsvar"}), ("tags", {"tags": ["cancer"]}),
    ("reassign", {"organisation_id": PN_JAMTLAND, "reason": "Fel mottagare"}),
    ("set-unit", {"hsa_id": HC_BRUNFLO}),
])
async def test_receiver_may(kg, action, payload):
    c = await kg.new_case()
    r = await kg.act(JH_RECEIVER, c["reference"], action, payload)
    assert r.status == 200, await r.json()


async def test_admin_may_do_everything_a_handler_may(kg):
    c = await kg.new_case()
    await kg.ok(JH_ADMIN, c["reference"], "categorise", {"subs": ["diagnos"]})
    await kg.ok(JH_ADMIN, c["reference"], "answer", {"body": "Svar"})
    assert (await kg.ok(JH_ADMIN, c["reference"], "close"))["status"] == "closed"


async def test_reassign_patient_board_to_care_provider(kg):
    c = await kg.new_case(recipient="patient_board")
    ref = c["reference"]
    await kg.ok(PN_HANDLER, ref, "take")
    case = await kg.ok(PN_HANDLER, ref, "reassign", {"organisation_id": REGION_JH, "reason": "Vårdgivaren ska svara"})
    assert case["recipient_organisation"]["id"] == REGION_JH
    assert case["status"] == "received"      # the new organisation receives it anew
    ev = [e for e in case["events"] if e["kind"] == "reassigned"][0]
    assert ev["data"]["from"] == PN_JAMTLAND and ev["data"]["to"] == REGION_JH
    # the patient board no longer sees it; the care provider does
    assert (await kg.officer_get(PN_HANDLER, ref)).status == 404
    assert ref not in await refs_of(kg, PN_HANDLER)
    assert (await kg.officer_get(JH_HANDLER, ref)).status == 200
    assert ref in await refs_of(kg, JH_HANDLER)
    view = await kg.reporter_view(ref, c["access_code"])
    assert view["recipient_organisation"]["name"] == "Region Jämtland Härjedalen"


async def test_reassign_to_another_region(kg):
    c = await kg.new_case(recipient="patient_board")
    case = await kg.ok(PN_RECEIVER, c["reference"], "reassign", {"organisation_id": "SE2321000024-PN01"})
    assert case["region_code"] == "uppsala"
    assert (await kg.officer_get("handlaggare@pn.uppsala.example", c["reference"])).status == 200


@pytest.mark.parametrize("payload,status,field", [
    ({"organisation_id": "SE0000000000"}, 422, "organisation_id"),
    ({"organisation_id": REGION_JH}, 422, "organisation_id"),        # already there
    ({}, 422, "organisation_id"),
    ({"organisation_id": PN_JAMTLAND, "reason": "r" * 1001}, 422, "reason"),
])
async def test_bad_reassign(kg, payload, status, field):
    c = await kg.new_case()
    r = await kg.act(JH_HANDLER, c["reference"], "reassign", payload)
    assert r.status == status
    assert field in (await error_of(r))["fields"]
    assert (await kg.case_row(c["reference"])).recipient_org_id == REGION_JH


async def test_reassign_refused_once_answered(kg):
    c = await kg.new_case()
    await kg.ok(JH_HANDLER, c["reference"], "answer", {"body": "Svar"})
    r = await kg.act(JH_HANDLER, c["reference"], "reassign", {"organisation_id": PN_JAMTLAND})
    assert r.status == 409


# --- statements and deadlines ---------------------------------------------------------------------------------

async def board_case_with_statement(kg, **payload):
    c = await kg.new_case(recipient="patient_board")
    case = await kg.ok(PN_HANDLER, c["reference"], "request-statement", {"organisation_id": REGION_JH, **payload})
    return c, case


async def test_request_statement_default_four_weeks(kg):
    c, case = await board_case_with_statement(kg)
    assert case["status"] == "waiting_for_statement"
    assert case["statement_due"] == (local_date() + timedelta(weeks=4)).isoformat()
    assert case["statement_organisation"]["id"] == REGION_JH
    assert case["statement_extended"] is False
    ev = [e for e in case["events"] if e["kind"] == "statement_requested"][0]
    assert ev["data"] == {"organisation_id": REGION_JH, "due": case["statement_due"]}
    view = await kg.reporter_view(c["reference"], c["access_code"])
    assert view["statement_due"] == case["statement_due"]


async def test_request_statement_with_weeks_or_deadline(kg):
    _c, case = await board_case_with_statement(kg, weeks=2)
    assert case["statement_due"] == (local_date() + timedelta(weeks=2)).isoformat()
    d = (local_date() + timedelta(days=10)).isoformat()
    _c, case = await board_case_with_statement(kg, deadline=d)
    assert case["statement_due"] == d


async def test_statement_weeks_are_configurable(make_kg):
    kg = await make_kg(statement_weeks=6)
    _c, case = await board_case_with_statement(kg)
    assert case["statement_due"] == (local_date() + timedelta(weeks=6)).isoformat()


async def test_request_statement_defaults_to_the_units_care_provider(kg):
    c = await kg.new_case(care_unit_hsa_id="SE5565301000-E0001")  # not connected → patient board
    case = await kg.ok(PN_HANDLER, c["reference"], "request-statement", {})
    assert case["statement_organisation"]["id"] == "SE5565301000"


@pytest.mark.parametrize("payload,field", [
    ({"organisation_id": PN_JAMTLAND}, "organisation_id"),      # the recipient itself
    ({"organisation_id": "SE0000000000"}, "organisation_id"),
    ({"organisation_id": REGION_JH, "deadline": local_date().isoformat()}, "deadline"),
    ({"organisation_id": REGION_JH, "weeks": 0}, "weeks"),
    ({"organisation_id": REGION_JH, "weeks": 13}, "weeks"),
])
async def test_bad_statement_requests(kg, payload, field):
    c = await kg.new_case(recipient="patient_board")
    r = await kg.act(PN_HANDLER, c["reference"], "request-statement", payload)
    assert r.status == 422
    assert field in (await error_of(r))["fields"]
    assert (await kg.case_row(c["reference"])).status == "received"


async def test_the_statement_organisation_reads_and_answers_only_with_a_statement(kg):
    c, _case = await board_case_with_statement(kg)
    ref = c["reference"]
    assert (await kg.officer_get(JH_RECEIVER, ref)).status == 200
    assert ref in await refs_of(kg, JH_HANDLER)
    for action, payload in [("answer", {"body": "x"}), ("close", {}), ("categorise", {"subs": ["diagnos"]}),
                            ("reassign", {"organisation_id": REGION_UPPSALA}), ("extend-statement", {}),
                            ("counter-question", {"body": "x"}), ("tags", {"tags": ["x"]})]:
        r = await kg.act(JH_HANDLER, ref, action, payload)
        assert r.status == 403, (action, r.status)
    case = await kg.ok(JH_RECEIVER, ref, "statement", {"body": "Yttrande: vi beklagar."})
    assert case["status"] == "in_progress"
    assert [m["kind"] for m in case["thread"]] == ["partial_answer", "statement"]  # the delsvar: the answer date moved
    # the recipient may not write the statement itself
    r = await kg.act(PN_HANDLER, ref, "statement", {"body": "x"})
    assert r.status == 403
    # no second statement when none is asked for
    assert (await kg.act(JH_HANDLER, ref, "statement", {"body": "igen"})).status == 409


async def test_one_extension_of_two_weeks(kg):
    c, case = await board_case_with_statement(kg)
    due = date.fromisoformat(case["statement_due"])
    case = await kg.ok(PN_HANDLER, c["reference"], "extend-statement")
    assert case["statement_due"] == (due + timedelta(weeks=2)).isoformat()
    assert case["statement_extended"] is True
    r = await kg.act(PN_HANDLER, c["reference"], "extend-statement")
    assert r.status == 409
    assert "redan förlängts" in (await error_of(r))["message"]
    assert (await kg.case_row(c["reference"])).statement_due == due + timedelta(weeks=2)


async def test_extension_on_the_last_day_is_allowed(kg):
    c, _case = await board_case_with_statement(kg)
    await kg.update_case(c["reference"], statement_due=local_date())
    case = await kg.ok(PN_HANDLER, c["reference"], "extend-statement")
    assert case["statement_due"] == (local_date() + timedelta(weeks=2)).isoformat()


async def test_no_extension_after_the_deadline_passed(kg):
    c, _case = await board_case_with_statement(kg)
    await kg.update_case(c["reference"], statement_due=local_date() - timedelta(days=1))
    r = await kg.act(PN_HANDLER, c["reference"], "extend-statement")
    assert r.status == 409
    assert "gått ut" in (await error_of(r))["message"]
    row = await kg.case_row(c["reference"])
    assert row.statement_extended is False and row.statement_due == local_date() - timedelta(days=1)


async def test_extension_needs_a_statement_request(kg):
    c = await kg.new_case()
    assert (await kg.act(JH_HANDLER, c["reference"], "extend-statement")).status == 409


async def test_passing_deadlines_create_events(kg):
    c, case = await board_case_with_statement(kg, weeks=1)
    ref = c["reference"]
    due = date.fromisoformat(case["statement_due"])
    answer_due = date.fromisoformat(case["answer_due"])

    async def check(at: date) -> int:
        async with kg.session() as s:
            return await cases_service.check_deadlines(s, now=datetime.combine(at, datetime.min.time(),
                                                                               tzinfo=timezone.utc))

    async def deadline_events() -> list[dict]:
        row = await kg.case_row(ref)
        return [e.data for e in await kg.rows(CaseEvent, CaseEvent.case_id == row.id,
                                              CaseEvent.kind == "deadline_passed")]

    assert await check(due) == 0                            # the last day itself: not passed yet
    assert await deadline_events() == []
    assert await check(due + timedelta(days=1)) == 1
    assert await deadline_events() == [{"deadline": "statement", "due": due.isoformat()}]
    assert await check(due + timedelta(days=2)) == 0        # once per deadline
    # while the statement is awaited only its deadline counts; the answer deadline counts once it has come
    assert await check(answer_due + timedelta(days=1)) == 0
    await kg.ok(JH_HANDLER, ref, "statement", {"body": "Vårt yttrande."})
    assert await check(answer_due + timedelta(days=1)) == 1
    assert {e["deadline"] for e in await deadline_events()} == {"statement", "answer"}
    # the officer sees it in the case's events
    events = (await (await kg.officer_get(PN_HANDLER, ref)).json())["events"]
    assert sum(1 for e in events if e["kind"] == "deadline_passed") == 2


async def test_no_deadline_events_for_closed_cases(kg):
    c = await kg.new_case()
    ref = c["reference"]
    await kg.ok(JH_HANDLER, ref, "categorise", {"subs": ["diagnos"]})
    await kg.ok(JH_HANDLER, ref, "answer", {"body": "Svar"})
    await kg.ok(JH_HANDLER, ref, "close")
    async with kg.session() as s:
        assert await cases_service.check_deadlines(s, now=utcnow() + timedelta(days=365)) == 0


async def test_check_deadlines_command(kg, monkeypatch):
    """`python -m backend check-deadlines` runs the same service against DATABASE_URL."""
    import asyncio

    from backend import __main__ as cli
    c = await kg.new_case()
    await kg.update_case(c["reference"], answer_due=local_date() - timedelta(days=3))
    monkeypatch.setenv("DATABASE_URL", kg.db_url)
    await asyncio.to_thread(cli.main, ["check-deadlines"])
    row = await kg.case_row(c["reference"])
    assert len(await kg.rows(CaseEvent, CaseEvent.case_id == row.id, CaseEvent.kind == "deadline_passed")) == 1


# --- categorise, tags, set unit, close -----------------------------------------------------------------

async def test_categorise_is_kept_apart_from_the_reporters_category(kg):
    c = await kg.new_case(reporter_category="bemotande")
    case = await kg.ok(JH_HANDLER, c["reference"], "categorise", {"subs": ["vantetider", "information", "vantetider"]})
    assert case["officer_categories"] == ["information", "vantetider"]
    assert case["reporter_category"] == "bemotande"
    row = await kg.case_row(c["reference"])
    assert row.reporter_category == "bemotande" and row.officer_categories == ["information", "vantetider"]


@pytest.mark.parametrize("payload", [{"subs": []}, {"subs": ["kommunikation"]}, {"subs": ["påhittad"]},
                                     {"subs": "bemotande"}, {}, {"subs": ["bemotande"], "x": 1}])
async def test_bad_categorise(kg, payload):
    c = await kg.new_case()
    r = await kg.act(JH_HANDLER, c["reference"], "categorise", payload)
    assert r.status == 422
    assert (await kg.case_row(c["reference"])).officer_categories == []


async def test_tags(kg):
    c = await kg.new_case()
    case = await kg.ok(JH_RECEIVER, c["reference"], "tags", {"tags": ["cancer", "primarvard", "cancer"]})
    assert case["tags"] == ["cancer", "primarvard"]
    assert (await kg.act(JH_RECEIVER, c["reference"], "tags", {"tags": ["Cancer!"]})).status == 422
    assert (await kg.ok(JH_RECEIVER, c["reference"], "tags", {"tags": []}))["tags"] == []


async def test_set_unit_for_a_case_reported_in_own_words(kg):
    c = await kg.new_case(care_unit_hsa_id=None, care_unit_text="hälsocentralen i brunflo", region_code="jamtland")
    case = await kg.ok(PN_HANDLER, c["reference"], "set-unit", {"hsa_id": HC_BRUNFLO})
    assert case["care_unit"]["hsa_id"] == HC_BRUNFLO
    r = await kg.act(PN_HANDLER, c["reference"], "set-unit", {"hsa_id": "SE2321000207-X0000"})
    assert r.status == 422 and "hsa_id" in (await error_of(r))["fields"]


async def test_close_requires_the_officers_category(kg):
    c = await kg.new_case(reporter_category="bemotande")
    await kg.ok(JH_HANDLER, c["reference"], "answer", {"body": "Svar"})
    r = await kg.act(JH_HANDLER, c["reference"], "close")
    assert r.status == 409
    assert (await error_of(r))["message"] == "Ärendet måste kategoriseras innan det kan avslutas."
    assert (await kg.case_row(c["reference"])).status == "answered"
    await kg.ok(JH_HANDLER, c["reference"], "categorise", {"subs": ["bemotande"]})
    case = await kg.ok(JH_HANDLER, c["reference"], "close")
    assert case["status"] == "closed" and case["closed_at"]
    view = await kg.reporter_view(c["reference"], c["access_code"])
    assert view["status"] == "closed" and view["closed_at"] == case["closed_at"]


@pytest.mark.parametrize("setup,action,payload", [
    ([], "close", {}),                                                            # received → closed
    (["answer"], "answer", {"body": "igen"}),                                     # answered → answered
    (["answer"], "counter-question", {"body": "?"}),
    (["answer", "close"], "answer", {"body": "x"}),
    (["answer", "close"], "close", {}),
    (["answer", "close"], "partial-answer", {"body": "x"}),
    (["answer", "close"], "categorise", {"subs": ["diagnos"]}),
    (["counter-question"], "counter-question", {"body": "?"}),
    (["counter-question"], "answer", {"body": "x"}),
    (["counter-question"], "request-statement", {"organisation_id": "SE5565301000"}),
    (["counter-question"], "close", {}),
    (["request-statement"], "answer", {"body": "x"}),
    (["request-statement"], "request-statement", {"organisation_id": "SE5565301000"}),
    (["request-statement"], "close", {}),
    (["take"], "take", {}),
])
async def test_illegal_transitions_are_refused(kg, setup, action, payload):
    c = await kg.new_case()
    ref = c["reference"]
    steps = {"answer": {"body": "Svar"}, "close": {}, "counter-question": {"body": "Fråga?"}, "take": {},
             "request-statement": {"organisation_id": "SE5565301000"}}
    await kg.ok(JH_HANDLER, ref, "categorise", {"subs": ["diagnos"]})
    for step in setup:
        await kg.ok(JH_HANDLER, ref, step, steps[step])
    before = await kg.case_row(ref)
    messages = await kg.count(Message)
    r = await kg.act(JH_HANDLER, ref, action, payload)
    assert r.status == 409, (setup, action, r.status, await r.text())
    err = await error_of(r)
    assert err["code"] == "conflict" and not err["message"].isascii()   # a Swedish sentence
    after = await kg.case_row(ref)
    assert after.status == before.status and await kg.count(Message) == messages


@pytest.mark.parametrize("action", ["nonsense", "delete", "TAKE"])
async def test_unknown_action_is_404(kg, action):
    c = await kg.new_case()
    r = await kg.act(JH_HANDLER, c["reference"], action)
    assert r.status == 404


async def test_unknown_case_is_404(kg):
    assert (await kg.officer_get(JH_HANDLER, "KG-2026-999999")).status == 404
    assert (await kg.act(JH_HANDLER, "KG-2026-999999", "take")).status == 404


@pytest.mark.parametrize("raw,ctype,status", [
    (b"{", "application/json", 400), (b"[]", "application/json", 400), (b"body=x", "text/plain", 415),
    (b'{"body": "x", "extra": 1}', "application/json", 422), (b'{"body": ""}', "application/json", 422),
])
async def test_bad_action_bodies(kg, raw, ctype, status):
    c = await kg.new_case()
    r = await kg.client.post(f"/api/v1/officer/cases/{c['reference']}/answer", data=raw,
                             headers={**kg.auth(JH_HANDLER), "Content-Type": ctype})
    assert r.status == status
    assert (await kg.case_row(c["reference"])).status == "received"


async def test_personnummer_search_is_a_post_and_is_audit_logged(kg, mixed):
    """The number goes in the body, never in a URL; the audit log says a search was made, not for whom."""
    from backend.models import AuditEntry
    for value in ("410708-9809", "194107089809", "19410708-9809"):
        r = await kg.client.post("/api/v1/officer/cases/search", json={"personnummer": value},
                                 headers=kg.auth(JH_HANDLER))
        assert r.status == 200
        assert [i["reference"] for i in (await r.json())["items"]] == [mixed["ortoped"]]
    entries = await kg.rows(AuditEntry, AuditEntry.action == "search_personnummer")
    assert len(entries) == 3 and entries[0].officer_email == JH_HANDLER
    assert all("sökning på personnummer" in e.detail and "9809" not in e.detail and "410708" not in e.detail
               for e in entries)
    # another organisation finds nothing
    r = await kg.client.post("/api/v1/officer/cases/search", json={"personnummer": "194107089809"},
                             headers=kg.auth(UPPSALA_HANDLER))
    assert (await r.json())["total"] == 0


async def test_personnummer_is_refused_in_the_query_string(kg, mixed):
    for value in ("410708-9809", "194107089809"):
        r = await kg.client.get("/api/v1/officer/cases", params={"q": value}, headers=kg.auth(JH_HANDLER))
        assert r.status == 422
        assert "POST" in (await error_of(r))["fields"]["q"]
    r = await kg.client.post("/api/v1/officer/cases/search", json={"personnummer": "19410708-0000"},
                             headers=kg.auth(JH_HANDLER))
    assert r.status == 422 and "personnummer" in (await error_of(r))["fields"]
    r = await kg.client.post("/api/v1/officer/cases/search", json={"personnummer": "194107089809"})
    assert r.status == 401
