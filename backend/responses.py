"""Response shapes of the case routes, for the OpenAPI document (api.openapi generates their schemas).

The handlers build plain dicts (services.cases: reporter_view, officer_view, list_cases); these models say
what those dicts hold. The contract tests check real answers against the generated schemas, so a kind,
status or action the code writes but the models lack fails there."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, Optional

from pydantic import BaseModel

from . import lifecycle
from .schemas import MessageKind

Status = Literal[lifecycle.STATUSES]  # type: ignore[valid-type]
OrgKind = Literal["care_provider", "patient_board"]
ReporterRole = Literal["patient", "relative", "guardian", "representative"]
FileType = Literal["application/pdf", "image/jpeg", "image/png"]  # what attachments.sniff accepts


class Attachment(BaseModel):
    id: int
    filename: str
    content_type: FileType
    size: int


class Message(BaseModel):
    id: int
    kind: MessageKind
    kind_label: str
    author: Literal["reporter", "officer"]
    body: Optional[str]
    created_at: datetime
    attachments: list[Attachment]


class NamedOrganisation(BaseModel):
    name: str


class NamedUnit(BaseModel):
    name: Optional[str]


class ReporterCase(BaseModel):
    reference: str
    status: Status
    status_label: str
    received_at: datetime
    answer_due: date
    statement_due: Optional[date]
    closed_at: Optional[datetime]
    recipient_organisation: NamedOrganisation
    care_unit: Optional[NamedUnit]
    awaiting_reply: bool
    thread: list[Message]


class OfficerRef(BaseModel):
    id: int
    name: str


class CaseListItem(BaseModel):
    reference: str
    status: Status
    status_label: str
    received_at: datetime
    answer_due: date
    statement_due: Optional[date]
    overdue: bool
    care_unit_name: Optional[str]
    reporter_category: Optional[str]
    officer_categories: list[str]
    reporter_role: ReporterRole
    channel: str
    assigned_officer: Optional[OfficerRef]  # who handles it ("Ta ärendet", or assigned by a colleague)


class CaseList(BaseModel):
    items: list[CaseListItem]
    total: int
    page: int
    per_page: int


class RecipientOrganisation(BaseModel):
    id: str
    name: str
    kind: OrgKind


class StatementOrganisation(BaseModel):
    id: str
    name: str


class CaseUnit(BaseModel):
    hsa_id: str
    name: str
    verksamhetsomrade: str
    connected: bool


class CaseReporter(BaseModel):
    role: ReporterRole
    name: Optional[str]
    email: Optional[str]
    phone: Optional[str]
    preferred_contact: Literal["email", "phone", "none"]
    verified: bool = False                  # e-ID at intake
    verified_at: Optional[datetime] = None


class CasePatient(BaseModel):
    name: Optional[str]
    personnummer: Optional[str]
    age: Optional[int]
    age_band: Optional[str]
    gender: Optional[str]


class CaseEvent(BaseModel):
    kind: str
    data: dict[str, Any]
    officer_id: Optional[int]
    created_at: datetime


class AuditEntry(BaseModel):
    at: datetime
    officer_email: Optional[str]
    action: str
    detail: Optional[str]


def officer_case_model(actions: tuple[str, ...]) -> type[BaseModel]:
    """The officer's view of a case; `allowed_actions` names the registry's actions (services.actions)."""
    action = Literal[actions]  # type: ignore[valid-type]

    class OfficerCase(BaseModel):
        reference: str
        channel: str
        status: Status
        status_label: str
        recipient_organisation: RecipientOrganisation
        statement_organisation: Optional[StatementOrganisation]
        region_code: str
        care_unit: Optional[CaseUnit]
        care_unit_text: Optional[str]
        event_date: Optional[date]
        received_at: datetime
        answered_at: Optional[datetime]
        closed_at: Optional[datetime]
        answer_due: date
        statement_due: Optional[date]
        statement_extended: bool
        statement_extended_at: Optional[datetime]
        statement_extended_by: Optional[OfficerRef]  # who gave the extension, or asked for it
        assigned_officer: Optional[OfficerRef]       # who handles the case
        overdue: bool
        reporter: CaseReporter
        patient: CasePatient
        patient_consent: str
        consent_note: Optional[str]
        child_age: Optional[int]
        description: Optional[str]
        desired_outcome: Optional[str]
        reply_wanted: bool
        reporter_category: Optional[str]
        reporter_category_label: str
        officer_categories: list[str]
        tags: list[str]
        anonymised: bool
        diary_number: Optional[str]  # set by the organisation's diary system (PUT …/diary-number)
        # what the requesting officer may do now (services.actions.refusal); the rest answers 403/409
        allowed_actions: list[action]  # type: ignore[valid-type]
        thread: list[Message]
        events: list[CaseEvent]
        audit: list[AuditEntry]

    return OfficerCase
