"""Request bodies. Unknown fields are refused; every message is Swedish through gettext."""
from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal, Optional, get_args

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, field_validator
from pydantic_core import PydanticCustomError

from . import catalogue, pnr
from .hsa import is_hsa_id
from .swedish_time import local_date
from .i18n import gettext as _

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[A-Za-z]{2,}$")
PHONE_RE = re.compile(r"^\+?[0-9][0-9 \-]{5,18}[0-9]$")
TAG_RE = re.compile(r"^[a-z0-9_]{1,40}$")

# every kind of message a case's thread can hold (models.Message.kind); the API documents exactly these
MessageKind = Literal["answer", "partial_answer", "counter_question", "reporter_message", "statement_request",
                      "statement", "internal_note"]
MESSAGE_KINDS: tuple[str, ...] = get_args(MessageKind)

MAX_DESCRIPTION = 10_000
MAX_MESSAGE = 10_000
MAX_SHORT = 200


def err(code: str, message: str) -> PydanticCustomError:
    return PydanticCustomError("kg_" + code, message)


# --- what the OpenAPI document says beyond the Python types (the validators check the same) ------------------

def _optional_sub_category(schema: dict[str, Any]) -> None:
    schema.pop("anyOf", None)
    schema.update({"type": ["string", "null"], "enum": [*catalogue.sub_codes(), None]})


def _sub_category_items(schema: dict[str, Any]) -> None:
    schema["items"] = {"type": "string", "enum": catalogue.sub_codes()}


def _tag_items(schema: dict[str, Any]) -> None:
    schema["items"] = {"type": "string", "pattern": TAG_RE.pattern}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, v):
        # PostgreSQL text cannot hold NUL: refuse it here (the same on SQLite) instead of failing in the database
        if isinstance(v, str) and "\x00" in v:
            raise err("nul", _("Ogiltigt värde."))
        return v


class ReporterIn(Strict):
    role: Literal["patient", "relative", "guardian", "representative"]
    name: Optional[str] = Field(default=None, max_length=MAX_SHORT)
    email: Optional[str] = Field(default=None, max_length=254)
    phone: Optional[str] = Field(default=None, max_length=30)
    preferred_contact: Literal["email", "phone", "none"] = "email"

    @field_validator("email")
    @classmethod
    def _email(cls, v: Optional[str]) -> Optional[str]:
        if v in (None, ""):
            return None
        if not EMAIL_RE.match(v):
            raise err("email", _("E-postadressen ser inte rätt ut. Skriv den som namn@exempel.se."))
        return v

    @field_validator("phone")
    @classmethod
    def _phone(cls, v: Optional[str]) -> Optional[str]:
        if v in (None, ""):
            return None
        if not PHONE_RE.match(v) or sum(c.isdigit() for c in v) < 7:
            raise err("phone", _("Telefonnumret ser inte rätt ut. Skriv bara siffror, till exempel 070-123 45 67."))
        return re.sub(r"[ \-]", "", v)


class PatientIn(Strict):
    name: str = Field(min_length=1, max_length=MAX_SHORT)
    personnummer: str = Field(max_length=20)

    @field_validator("personnummer")
    @classmethod
    def _pnr(cls, v: str) -> str:
        try:
            return pnr.parse(v).normalised
        except ValueError:
            raise err("personnummer", _("Personnumret stämmer inte. Kontrollera siffrorna, till exempel ÅÅÅÅMMDD-NNNN. "
                                          "Samordningsnummer går också bra.")) from None


class CaseIn(Strict):
    channel: Literal["chat", "web", "phone", "letter", "integration"] = "chat"
    recipient: Literal["care_provider", "patient_board"]
    care_unit_hsa_id: Optional[str] = Field(default=None, max_length=40)
    care_unit_text: Optional[str] = Field(default=None, max_length=300)
    region_code: Optional[str] = Field(default=None, max_length=40)
    event_date: Optional[date] = None  # an ISO date string (a number is refused, see _date_is_text)
    reporter: ReporterIn
    patient: PatientIn
    patient_consent: Literal["yes", "no", "unknown", "not_needed"] = "not_needed"
    consent_note: Optional[str] = Field(default=None, max_length=500)
    child_age: Optional[StrictInt] = Field(default=None, ge=0, le=17)
    description: str = Field(min_length=1, max_length=MAX_DESCRIPTION)
    reporter_category: Optional[str] = Field(default=None, max_length=40, json_schema_extra=_optional_sub_category)
    desired_outcome: Optional[str] = Field(default=None, max_length=2000)
    reply_wanted: StrictBool = True
    tags: list[str] = Field(default_factory=list, max_length=10, json_schema_extra=_tag_items)
    personal_data_consent: StrictBool  # only JSON true is consent: never "on", 1 or "yes"
    # e-ID: the intake token the assistant got for the widget's identity ticket (services.identities)
    identity_token: Optional[str] = Field(default=None, max_length=100)

    @field_validator("event_date", mode="before")
    @classmethod
    def _date_is_text(cls, v: Any) -> Any:
        if v is not None and not isinstance(v, (str, date)):
            raise err("date_type", _("Ange ett datum som ÅÅÅÅ-MM-DD."))
        return v

    @field_validator("care_unit_hsa_id")
    @classmethod
    def _hsa(cls, v: Optional[str]) -> Optional[str]:
        if v in (None, ""):
            return None
        if not is_hsa_id(v):
            raise err("hsa", _("HSA-id:t har fel format (till exempel SE2321000207-E1100)."))
        return v

    @field_validator("event_date")
    @classmethod
    def _date(cls, v: Optional[date]) -> Optional[date]:
        if v is not None and v > local_date():
            raise err("future", _("Datumet kan inte vara i framtiden."))
        if v is not None and v.year < 1900:
            raise err("past", _("Datumet är för långt bak i tiden."))
        return v

    @field_validator("reporter_category")
    @classmethod
    def _cat(cls, v: Optional[str]) -> Optional[str]:
        if v in (None, "", "none"):
            return None
        if v not in catalogue.sub_to_main():
            raise err("category", _("Okänd kategori."))
        return v

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: list[str]) -> list[str]:
        for t in v:
            if not TAG_RE.match(t):
                raise err("tag", _("Taggar får bara innehålla a–z, siffror och understreck."))
        return sorted(set(v))

    @field_validator("personal_data_consent")
    @classmethod
    def _consent(cls, v: bool) -> bool:
        if v is not True:
            raise err("consent", _("Vi behöver ditt samtycke till att uppgifterna behandlas för att kunna ta emot ärendet."))
        return v

    def cross_field_problems(self) -> dict[str, str]:
        """Checks that span several fields; reported together with the per-field errors."""
        problems: dict[str, str] = {}
        if not self.care_unit_hsa_id:
            if not self.care_unit_text:
                problems["care_unit_text"] = _("Ange mottagningen, eller beskriv den med egna ord.")
            if not self.region_code:
                problems["region_code"] = _("Ange region när mottagningen inte är vald ur listan.")
        r = self.reporter
        if r.role != "patient" and not r.name:
            problems["reporter.name"] = _("Skriv ditt eget namn när du lämnar synpunkter för någon annan.")
        if not r.email and not r.phone and (self.reply_wanted or r.preferred_contact != "none"):
            problems["reporter.email"] = _("Ange e-post eller telefon så att vi kan nå dig.")
        if r.preferred_contact == "email" and not r.email and r.phone:
            problems["reporter.preferred_contact"] = _("Du valde e-post men har inte angett någon e-postadress.")
        if r.preferred_contact == "phone" and not r.phone:
            problems["reporter.preferred_contact"] = _("Du valde telefon men har inte angett något telefonnummer.")
        if r.role == "relative" and self.patient_consent == "not_needed" and not self.consent_note:
            problems["patient_consent"] = _("Ange om patienten samtycker, eller varför samtycke inte behövs.")
        if r.role == "guardian" and self.child_age is None:
            problems["child_age"] = _("Ange barnets ålder.")
        return problems


class MessageIn(Strict):
    body: str = Field(min_length=1, max_length=MAX_MESSAGE)


class PnrSearchIn(Strict):
    """An officer's search on personnummer: in a POST body, so the number is never in a URL."""
    personnummer: str = Field(min_length=1, max_length=20)
    page: int = Field(default=1, ge=1, le=100000)
    per_page: int = Field(default=25, ge=1, le=100)


class LoginIn(Strict):
    # a password is taken exactly as typed (as on the web log-in form): no whitespace stripping
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=200)
    # the six digits of the authenticator app, when the account has a second factor (required outside dev)
    code: str | None = Field(default=None, max_length=20)

    @field_validator("email")
    @classmethod
    def _strip_email(cls, v: str) -> str:
        return v.strip()


class ReassignIn(Strict):
    organisation_id: str = Field(min_length=1, max_length=40)
    reason: Optional[str] = Field(default=None, max_length=1000)


class RequestStatementIn(Strict):
    organisation_id: Optional[str] = Field(default=None, max_length=40)
    weeks: Optional[int] = Field(default=None, ge=1, le=12)
    deadline: Optional[date] = None
    body: Optional[str] = Field(default=None, max_length=MAX_MESSAGE)


class MoveAnswerDateIn(Strict):
    answer_due: date
    # sent to the reporter in the delsvar that tells them of the new date
    reason: str = Field(min_length=1, max_length=1000)


class AssignIn(Strict):
    officer_id: int = Field(ge=1, le=2**31 - 1)  # the page's select sends it as text


class CategoriseIn(Strict):
    subs: list[str] = Field(min_length=1, max_length=10, json_schema_extra=_sub_category_items)

    @field_validator("subs")
    @classmethod
    def _subs(cls, v: list[str]) -> list[str]:
        for s in v:
            if s not in catalogue.sub_to_main():
                raise err("category", _("Okänd kategori: {code}.").format(code=s[:40]))
        return sorted(set(v))


class TagsIn(Strict):
    tags: list[str] = Field(max_length=10, json_schema_extra=_tag_items)

    @field_validator("tags")
    @classmethod
    def _tags(cls, v: list[str]) -> list[str]:
        for t in v:
            if not TAG_RE.match(t):
                raise err("tag", _("Taggar får bara innehålla a–z, siffror och understreck."))
        return sorted(set(v))


class SetUnitIn(Strict):
    hsa_id: str = Field(max_length=40)


class EmptyIn(Strict):
    pass


class DiaryNumberIn(Strict):
    diary_number: str = Field(min_length=1, max_length=100)


class TicketIn(Strict):
    ticket: str = Field(min_length=1, max_length=100)
