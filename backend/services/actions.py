"""Officer actions: one registry says, for each action, who may do it, what it takes, whether files come
with it, whether the reporter hears of it, and what it does. The JSON API (api.officer), the officer page
(web.pages_officer) and the OpenAPI document (api.openapi) all read `REGISTRY`; nothing else lists actions.

`refusal` is the one place the rules on who and when live: `perform` raises what it returns, and the case
view offers (`allowed_actions`) exactly the actions for which it returns None."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Awaitable, Callable, Literal

from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from .. import catalogue, lifecycle as lc
from ..errors import ApiError, conflict, forbidden, not_found, validation_error
from ..i18n import fmt_date, gettext as _, locale_as
from ..models import CareUnit, Case, CaseEvent, Message, Officer, Organisation
from ..schemas import (AssignIn, CategoriseIn, EmptyIn, MessageIn, MoveAnswerDateIn, ReassignIn, RequestStatementIn, SetUnitIn,
                       TagsIn)
from ..swedish_time import local_date, utcnow
from . import attachments as att
from . import audit, webhooks
from .cases import (NOTIFY_KINDS, Deps, _add_message, _lock, _transition, case_for_officer, iso, officer_view,
                    visible_to)

RECEIVER, HANDLER, ADMIN = "receiver", "handler", "admin"
ALL_ROLES = frozenset({RECEIVER, HANDLER, ADMIN})
HANDLERS = frozenset({HANDLER, ADMIN})

# which organisation acts: the one the case is with, the one asked for a statement (while it is asked), or either
Side = Literal["recipient", "statement_org", "either"]


@dataclass
class Ctx:
    """What a handler works with. Handlers change `case` and add rows; `perform` commits once."""

    session: AsyncSession
    deps: Deps
    officer: Officer
    case: Case
    now: datetime
    uploads: list[att.Upload]
    types: list[str]
    stored: list[att.StoredFile] = field(default_factory=list)
    reporter_messages: int = 0  # messages the reporter is notified of

    @property
    def today(self) -> date:
        return local_date(self.now)

    async def message(self, kind: str, body: str | None, with_files: bool = False) -> Message:
        msg = Message(case_id=self.case.id, kind=kind, author="officer", officer_id=self.officer.id,
                      organisation_id=self.officer.organisation_id, body=body, created_at=self.now)
        files = self.uploads if with_files else []
        self.stored += await _add_message(self.session, self.deps.settings, self.case, msg, files,
                                          self.types if with_files else [])
        if kind in NOTIFY_KINDS:
            self.reporter_messages += 1
        return msg

    def take(self) -> None:
        """A received case that an officer starts on is under handling, and theirs if no one has it yet."""
        if self.case.status == lc.RECEIVED:
            _transition(self.session, self.case, lc.IN_PROGRESS, self.officer, reason="taken")
        if self.case.assigned_officer_id is None and acting_side(self.case, self.officer) == "recipient":
            self.assign(self.officer)

    def assign(self, to: Officer) -> None:
        self.event("assigned", **{"from": self.case.assigned_officer_id, "to": to.id})
        self.case.assigned_officer_id = to.id

    def event(self, kind: str, **data: Any) -> None:
        self.session.add(CaseEvent(case_id=self.case.id, kind=kind, officer_id=self.officer.id, data=data))


Handler = Callable[[Ctx, Any], Awaitable[None]]
Check = Callable[[Case, date], "ApiError | None"]


@dataclass(frozen=True)
class Action:
    name: str                     # the last part of the URL: /api/v1/officer/cases/{reference}/{name}
    roles: frozenset[str]
    payload: type[BaseModel]
    handler: Handler
    summary: str                  # for the OpenAPI document (English, like the rest of it)
    files: bool = False           # multipart with `file` parts is accepted
    notifies_reporter: bool = False  # may send the reporter a message (and so an e-mail)
    side: Side = "recipient"
    check: Check | None = None    # when, by the case's state (who: roles and side)


REGISTRY: dict[str, Action] = {}


def action(name: str, roles: frozenset[str], payload: type[BaseModel], summary: str, *, files: bool = False,
           notifies_reporter: bool = False, side: Side = "recipient",
           check: Check | None = None) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        assert name not in REGISTRY, name
        REGISTRY[name] = Action(name, roles, payload, handler, summary, files, notifies_reporter, side, check)
        return handler
    return register


# --- when: the case's state --------------------------------------------------------------------------------

def _wrong_status(case: Case) -> ApiError:
    return conflict(_("Det går inte att göra så när ärendet har status ”{status}”.").format(
        status=catalogue.label("statuses", case.status)))


def _unassigned(case: Case, on: date) -> ApiError | None:
    if case.status not in lc.OPEN_STATUSES:
        return _wrong_status(case)
    return None if case.assigned_officer_id is None else conflict(_("Ärendet är redan under handläggning."))


def _not_waiting(case: Case, on: date) -> ApiError | None:
    return None if case.status in (lc.RECEIVED, lc.IN_PROGRESS) else _wrong_status(case)


def _not_closed(case: Case, on: date) -> ApiError | None:
    return conflict(_("Ärendet är avslutat.")) if case.status == lc.CLOSED else None


def _statement_asked(case: Case, on: date) -> ApiError | None:
    if case.status != lc.WAITING_FOR_STATEMENT or case.statement_due is None:
        return conflict(_("Inget yttrande är begärt i ärendet just nu."))
    return None


def _extendable(case: Case, on: date) -> ApiError | None:
    if (refused := _statement_asked(case, on)) is not None:
        return refused
    if case.statement_extended:
        return conflict(_("Tiden för yttrandet har redan förlängts en gång."))
    if on > case.statement_due:
        return conflict(_("Tiden har redan gått ut. Förlängning måste begäras innan sista dagen har passerat."))
    return None


def _open(case: Case, on: date) -> ApiError | None:
    return None if case.status in lc.OPEN_STATUSES else _wrong_status(case)


def _closable(case: Case, on: date) -> ApiError | None:
    if not case.officer_categories:
        return conflict(_("Ärendet måste kategoriseras innan det kan avslutas."))
    return None if lc.can(case.status, lc.CLOSED) else _wrong_status(case)


# --- the answer date -----------------------------------------------------------------------------------------

async def move_answer_date(ctx: Ctx, to: date, cause: str, reason: str = "") -> None:
    """Moves the answer date and tells the reporter in a delsvar (in Swedish, whatever the officer's page
    language): the date the reporter sees is never one we already know we will not keep."""
    case = ctx.case
    old = case.answer_due
    case.answer_due = to
    ctx.event("answer_date_moved", **{"from": old.isoformat(), "to": to.isoformat(), "cause": cause,
                                      "reason": reason})
    with locale_as("sv"):
        when = fmt_date(to)
        if cause == "statement_requested":
            body = _("Vi har bett vårdgivaren om ett yttrande i ditt ärende. Därför dröjer vårt svar. "
                     "Du får svar senast {date}.").format(date=when)
        elif cause == "statement_extended":
            body = _("Vårdgivaren behöver lite mer tid för sitt yttrande. Därför dröjer vårt svar. "
                     "Du får svar senast {date}.").format(date=when)
        else:
            body = _("Vi behöver mer tid för att besvara ditt ärende. Du får svar senast {date}.\n\n{reason}").format(
                date=when, reason=reason)
    await ctx.message("partial_answer", body)


async def answer_after_statement(ctx: Ctx, cause: str) -> None:
    """The answer is due some time after the statement is (KG_ANSWER_AFTER_STATEMENT_DAYS): a case that waits
    for a statement, as it should, never shows the reporter an answer date that has passed."""
    case = ctx.case
    due = case.statement_due + timedelta(days=ctx.deps.settings.answer_after_statement_days)
    if due > case.answer_due:
        await move_answer_date(ctx, due, cause)


async def _extend(ctx: Ctx) -> None:
    """The one extension of the statement deadline; who gave it (or asked for it) and when is kept."""
    case = ctx.case
    old = case.statement_due
    case.statement_due = old + timedelta(weeks=ctx.deps.settings.extension_weeks)
    case.statement_extended = True
    case.statement_extended_at = ctx.now
    case.statement_extended_by_officer_id = ctx.officer.id
    ctx.event("statement_extended", **{"from": old.isoformat(), "to": case.statement_due.isoformat(),
                                       "organisation_id": ctx.officer.organisation_id})
    await answer_after_statement(ctx, "statement_extended")


# --- the actions ---------------------------------------------------------------------------------------------

@action("take", ALL_ROLES, EmptyIn, "Take the case: it is assigned to me (and in_progress)", check=_unassigned)
async def take(ctx: Ctx, payload: EmptyIn) -> None:
    ctx.take()


@action("assign", ALL_ROLES, AssignIn, "Assign the case to an officer of my organisation (me too)", check=_open)
async def assign(ctx: Ctx, payload: AssignIn) -> None:
    to = await ctx.session.get(Officer, payload.officer_id)
    if to is None or not to.active or to.organisation_id != ctx.officer.organisation_id:
        raise validation_error({"officer_id": _("Välj en kollega i din organisation.")})
    if to.id == ctx.case.assigned_officer_id:
        raise validation_error({"officer_id": _("Ärendet är redan tilldelat {name}.").format(name=to.name)})
    if ctx.case.status == lc.RECEIVED:
        _transition(ctx.session, ctx.case, lc.IN_PROGRESS, ctx.officer, reason="assigned")
    ctx.assign(to)


@action("note", ALL_ROLES, MessageIn,
        "Write an internal note: only my organisation sees it, never the reporter or the other organisation",
        side="either")
async def note(ctx: Ctx, payload: MessageIn) -> None:
    await ctx.message("internal_note", payload.body)


@action("answer", HANDLERS, MessageIn, "Answer the reporter (status answered)", files=True,
        notifies_reporter=True, check=_not_waiting)
async def answer(ctx: Ctx, payload: MessageIn) -> None:
    ctx.take()
    _transition(ctx.session, ctx.case, lc.ANSWERED, ctx.officer, reason="answered")
    ctx.case.answered_at = ctx.now
    ctx.case.handled_by_officer_id = ctx.officer.id
    await ctx.message("answer", payload.body, with_files=True)


@action("partial-answer", ALL_ROLES, MessageIn, "Send the reporter a partial answer (delsvar)", files=True,
        notifies_reporter=True, check=_not_closed)
async def partial_answer(ctx: Ctx, payload: MessageIn) -> None:
    ctx.take()
    await ctx.message("partial_answer", payload.body, with_files=True)


@action("counter-question", HANDLERS, MessageIn, "Ask the reporter a question (status waiting_for_reporter)",
        files=True, notifies_reporter=True, check=_not_waiting)
async def counter_question(ctx: Ctx, payload: MessageIn) -> None:
    ctx.take()
    _transition(ctx.session, ctx.case, lc.WAITING_FOR_REPORTER, ctx.officer, reason="counter_question")
    await ctx.message("counter_question", payload.body, with_files=True)


@action("statement", ALL_ROLES, MessageIn, "Give the statement asked for (the organisation asked)", files=True,
        side="statement_org", check=_statement_asked)
async def statement(ctx: Ctx, payload: MessageIn) -> None:
    case = ctx.case
    _transition(ctx.session, case, lc.IN_PROGRESS, ctx.officer, reason="statement_received")
    await ctx.message("statement", payload.body, with_files=True)
    webhooks.record(ctx.session, case, "case.statement_given", {"statement_organisation_id": case.statement_org_id},
                    [case.recipient_org_id, case.statement_org_id])


@action("reassign", ALL_ROLES, ReassignIn, "Move the case to another organisation", check=_not_waiting)
async def reassign(ctx: Ctx, payload: ReassignIn) -> None:
    case = ctx.case
    target = await ctx.session.get(Organisation, payload.organisation_id)
    if target is None:
        raise validation_error({"organisation_id": _("Okänd organisation.")})
    if target.id == case.recipient_org_id:
        raise validation_error({"organisation_id": _("Ärendet finns redan hos den organisationen.")})
    if case.status == lc.IN_PROGRESS:
        _transition(ctx.session, case, lc.RECEIVED, ctx.officer, reason="reassigned")
    ctx.event("reassigned", **{"from": case.recipient_org_id, "to": target.id, "reason": payload.reason or ""})
    webhooks.record(ctx.session, case, "case.reassigned", {"from_organisation_id": case.recipient_org_id,
                                                           "to_organisation_id": target.id, "status": case.status},
                    [case.recipient_org_id, target.id])
    case.recipient_org_id, case.recipient_kind, case.region_code = target.id, target.kind, target.region_code
    # the new organisation starts afresh: an earlier statement organisation no longer has the case
    # (the statement itself stays in the thread, the request in the events)
    case.statement_org_id = case.statement_due = case.statement_requested_at = None
    case.statement_extended, case.statement_extended_at, case.statement_extended_by_officer_id = False, None, None
    case.assigned_officer_id = None  # nobody there has it yet


@action("request-statement", HANDLERS, RequestStatementIn,
        "Ask a care provider for a statement (a later answer date is sent to the reporter)", notifies_reporter=True,
        check=_not_waiting)
async def request_statement(ctx: Ctx, payload: RequestStatementIn) -> None:
    case, session = ctx.case, ctx.session
    target_id = payload.organisation_id
    if not target_id and case.care_unit_hsa_id:
        unit = await session.get(CareUnit, case.care_unit_hsa_id)
        target_id = unit.care_provider_id if unit else None
    target = await session.get(Organisation, target_id) if target_id else None
    if target is None or target.id == case.recipient_org_id:
        raise validation_error({"organisation_id": _("Välj vårdgivaren som ska yttra sig.")})
    due = payload.deadline or (ctx.today + timedelta(weeks=payload.weeks or ctx.deps.settings.statement_weeks))
    if due <= ctx.today:
        raise validation_error({"deadline": _("Sista dag för yttrandet måste ligga i framtiden.")})
    ctx.take()
    _transition(session, case, lc.WAITING_FOR_STATEMENT, ctx.officer, reason="statement_requested")
    case.statement_org_id, case.statement_due, case.statement_extended = target.id, due, False
    case.statement_requested_at = ctx.now
    ctx.event("statement_requested", organisation_id=target.id, due=due.isoformat())
    webhooks.record(session, case, "case.statement_requested", {"statement_organisation_id": target.id,
                                                                "statement_due": due.isoformat()},
                    [case.recipient_org_id, target.id])
    if payload.body and payload.body.strip():
        # what the care provider is asked to answer: in the thread for both organisations, not the reporter
        await ctx.message("statement_request", payload.body)
    await answer_after_statement(ctx, "statement_requested")


@action("extend-statement", HANDLERS, EmptyIn,
        "Give the organisation asked two more weeks for its statement (once)", notifies_reporter=True,
        check=_extendable)
async def extend_statement(ctx: Ctx, payload: EmptyIn) -> None:
    await _extend(ctx)


@action("request-extension", ALL_ROLES, EmptyIn,
        "The organisation asked takes the two more weeks for its statement (once, before the deadline)",
        notifies_reporter=True, side="statement_org", check=_extendable)
async def request_extension(ctx: Ctx, payload: EmptyIn) -> None:
    await _extend(ctx)


@action("move-answer-date", HANDLERS, MoveAnswerDateIn,
        "Move the date the reporter can expect the answer; the reporter gets a delsvar with the reason",
        notifies_reporter=True, check=_open)
async def move_answer_date_action(ctx: Ctx, payload: MoveAnswerDateIn) -> None:
    if payload.answer_due <= ctx.today:
        raise validation_error({"answer_due": _("Välj ett datum efter i dag.")})
    if payload.answer_due == ctx.case.answer_due:
        raise validation_error({"answer_due": _("Svaret är redan utlovat till det datumet. Välj ett annat datum.")})
    await move_answer_date(ctx, payload.answer_due, "officer", payload.reason)


@action("categorise", HANDLERS, CategoriseIn, "Set the officer's categories", check=_not_closed)
async def categorise(ctx: Ctx, payload: CategoriseIn) -> None:
    ctx.case.officer_categories = list(payload.subs)
    ctx.case.officer_category_index = "," + ",".join(payload.subs) + ","
    ctx.event("categorised", subs=payload.subs)


@action("tags", ALL_ROLES, TagsIn, "Set the focus-area tags")
async def tags(ctx: Ctx, payload: TagsIn) -> None:
    ctx.case.tags = list(payload.tags)
    ctx.event("tagged", tags=payload.tags)


@action("set-unit", ALL_ROLES, SetUnitIn, "Set the care unit from the catalogue")
async def set_unit(ctx: Ctx, payload: SetUnitIn) -> None:
    unit = await ctx.session.get(CareUnit, payload.hsa_id)
    if unit is None:
        raise validation_error({"hsa_id": _("Mottagningen finns inte i vår katalog.")})
    ctx.case.care_unit_hsa_id = unit.hsa_id
    ctx.event("unit_set", hsa_id=unit.hsa_id)


@action("close", HANDLERS, EmptyIn, "Close the case (it must be categorised)", check=_closable)
async def close(ctx: Ctx, payload: EmptyIn) -> None:
    case = ctx.case
    _transition(ctx.session, case, lc.CLOSED, ctx.officer, reason="closed")
    case.closed_at = ctx.now
    webhooks.record(ctx.session, case, "case.closed", {"closed_at": iso(ctx.now)})
    # the organisation that gave a statement is done with the case: if the reporter reopens it, it
    # stays with the recipient (the statement stays in the thread, the request in the events)
    case.statement_org_id = None
    case.handled_by_officer_id = case.handled_by_officer_id or ctx.officer.id


# --- who and when, and doing it ----------------------------------------------------------------------------

def acting_side(case: Case, officer: Officer) -> Side:
    asked = officer.organisation_id == case.statement_org_id and officer.organisation_id != case.recipient_org_id
    return "statement_org" if asked else "recipient"


def refusal(case: Case, officer: Officer, name: str, on: date) -> ApiError | None:
    """Why `officer` may not do action `name` on `case` now (the error the API answers), or None if they may.
    Payload checks (a valid organisation, a date in the future) come after, in the handler."""
    act = REGISTRY.get(name)
    if act is None or officer.role not in act.roles or act.side not in ("either", acting_side(case, officer)):
        return forbidden()
    if case.anonymised_at is not None:
        return conflict(_("Ärendet är gallrat och kan inte ändras."))
    return act.check(case, on) if act.check else None


def allowed_actions(case: Case, officer: Officer, on: date | None = None) -> list[str]:
    on = on or local_date()
    return [name for name in REGISTRY if refusal(case, officer, name, on) is None]


async def perform(session: AsyncSession, deps: Deps, officer: Officer, reference: str, name: str,
                  payload: BaseModel, uploads: list[att.Upload] | None = None) -> dict[str, Any]:
    """Does action `name`, all of it or nothing, and answers with the case as the officer now sees it."""
    act = REGISTRY.get(name)
    if act is None:
        raise not_found()
    case = await case_for_officer(session, officer, reference)
    if officer.role not in act.roles:
        raise forbidden()
    await _lock(session, case)
    if not visible_to(case, officer.organisation_id):
        raise not_found()  # reassigned away (or closed) while this request waited for the lock
    now = utcnow()
    refused = refusal(case, officer, name, local_date(now))
    if refused is not None:
        raise refused
    settings = deps.settings
    uploads = (uploads or []) if act.files else []
    types = att.check(uploads, settings.max_officer_files, settings.max_attachment_bytes) if uploads else []
    ctx = Ctx(session, deps, officer, case, now, uploads, types)
    try:
        await act.handler(ctx, payload)
        case.updated_at = now
        session.add(case)
        audit.record(session, officer, name.replace("-", "_"), case)
        await session.commit()
    except Exception:
        await session.rollback()
        att.remove(settings.attachments_dir, [s.storage_key for s in ctx.stored])
        raise
    assert act.notifies_reporter or not ctx.reporter_messages, name
    if ctx.reporter_messages and case.reporter_email and case.preferred_contact != "none":
        deps.notify(case)  # "none": does not want to be contacted
    return await officer_view(session, case, officer)
