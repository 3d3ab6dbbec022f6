"""The OpenAPI 3 document. A test compares it with the real routes; schemathesis fuzzes against it."""
from __future__ import annotations

from typing import Any

from aiohttp import web

from .. import catalogue
from ..services.cases import ACTION_ROLES
from .common import json_response

routes = web.RouteTableDef()

ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                   "fields": {"type": "object", "additionalProperties": {"type": "string"}}}}}}


STR = {"type": "string"}
NSTR = {"type": ["string", "null"]}
INT = {"type": "integer"}
NINT = {"type": ["integer", "null"]}
BOOL = {"type": "boolean"}
DATE = {"type": "string", "format": "date"}
NDATE = {"type": ["string", "null"], "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
NDATETIME = {"type": ["string", "null"], "format": "date-time"}
FILE_TYPES = ("application/pdf", "image/jpeg", "image/png")   # what attachments.sniff accepts
CSV = {"type": "string"}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    """An object with these properties, all required unless `required` says otherwise."""
    return {"type": "object", "required": list(props) if required is None else required, "properties": props}


def _arr(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def _resp(ok: dict[str, Any], codes: tuple[int, ...] = (200,), ctype: str | tuple[str, ...] = "application/json",
          also: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """2xx answers with `ok` as `ctype` (plus `also`: further media types and their schemas), and the error."""
    ctypes = (ctype,) if isinstance(ctype, str) else ctype
    content = {t: {"schema": ok} for t in ctypes} | {t: {"schema": sch} for t, sch in (also or {}).items()}
    out: dict[str, Any] = {str(c): {"description": "OK", "content": content} for c in codes}
    out["default"] = {"description": "Fel (svenska, fält för fält)",
                      "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return out


def _json_body(schema: dict[str, Any], required: bool = True) -> dict[str, Any]:
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def _q(name: str, schema: dict[str, Any], required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema}


def _p(name: str, pattern: str | None = None) -> dict[str, Any]:
    s: dict[str, Any] = {"type": "string"}
    if pattern:
        s["pattern"] = pattern
    return {"name": name, "in": "path", "required": True, "schema": s}


REF = _p("reference", r"^KG-\d{4}-\d{6}$")
# the intake example: a relative writes about a long wait at the emergency unit (19121212-1212: Skatteverket's test person)
CASE_EXAMPLE = {
    "channel": "chat", "recipient": "care_provider", "care_unit_hsa_id": "SE2321000207-E2100",
    "care_unit_text": "akuten i Östersund", "region_code": "jamtland", "event_date": "2025-11-20",
    "reporter": {"role": "relative", "name": "Anna Andersson", "email": "anna@example.se", "phone": "0701234567",
                 "preferred_contact": "email"},
    "patient": {"name": "Karl Andersson", "personnummer": "19121212-1212"}, "patient_consent": "yes",
    "description": "Pappa fick vänta sju timmar på akuten utan att någon förklarade varför.",
    "reporter_category": "vantetider", "desired_outcome": "En förklaring", "reply_wanted": True, "tags": [],
    "personal_data_consent": True,
}
BEARER = [{"bearer": []}]


def response_schemas() -> dict[str, Any]:
    """The shapes the handlers answer with (backend.services.*: *_view, list_cases, stats, exports)."""
    from .. import lifecycle
    status = {"type": "string", "enum": list(lifecycle.STATUSES)}
    org_kind = {"type": "string", "enum": ["care_provider", "patient_board"]}
    role = {"type": "string", "enum": ["patient", "relative", "guardian", "representative"]}
    coded = _obj({"code": STR, "label": STR})
    count_row = _obj({"code": STR, "label": STR, "count": NINT})
    attachment = _obj({"id": INT, "filename": STR, "content_type": {"type": "string", "enum": list(FILE_TYPES)},
                       "size": INT})
    unit_props = {"hsa_id": STR, "name": STR,
                  "care_provider": {"oneOf": [_obj({"id": STR, "name": STR}), {"type": "null"}]},
                  "region": {"oneOf": [_obj({"code": STR, "name": STR}), {"type": "null"}]},
                  "verksamhetsomrade": STR, "verksamhetsomrade_label": STR, "connected": BOOL, "municipality": NSTR}
    share = {"type": ["number", "null"], "minimum": 0}
    return {
        "Error": ERROR,
        "Taxonomy": {"type": "object", "required": ["categories", "statuses", "verksamhetsomraden"], "properties": {
            "categories": _arr(_obj({"code": STR, "label": STR, "subs": _arr(
                _obj({"code": STR, "label": STR, "explanation": STR}))})),
            "statuses": _arr(coded), "verksamhetsomraden": _arr(coded), "reporter_roles": _arr(coded),
            "consent_values": _arr(coded), "message_kinds": _arr(coded), "focus_tags": _arr(coded),
            "channels": _arr(STR)}},
        "Regions": _obj({"regions": _arr(_obj({"code": STR, "name": STR, "patient_board": {
            "oneOf": [_obj({"id": STR, "name": STR}), {"type": "null"}]}}))}),
        "Unit": _obj(unit_props),
        "UnitSearch": _obj({"results": _arr(_obj({**unit_props, "score": {"type": "number", "minimum": 0,
                                                                           "maximum": 100}}))}),
        "CaseCreated": _obj({
            "reference": {"type": "string", "pattern": r"^KG-\d{4}-\d{6}$"},
            "access_code": {"type": "string", "pattern": r"^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$"},
            "status": status, "status_label": STR,
            "recipient_organisation": _obj({"id": STR, "name": STR, "kind": org_kind}),
            "received_at": DATETIME, "answer_due": DATE, "follow_url": STR,
            # e-ID: the intake carried a valid identity token (an expired one files the case unverified)
            "identity_verified": BOOL}),
        "IdentityExchanged": _obj({"personnummer": {"type": "string", "pattern": r"^\d{12}$"}, "given_name": STR,
                                   "family_name": STR, "identity_token": STR}),
        "Attachment": attachment,
        "Message": _obj({"id": INT, "kind": {"type": "string", "enum": [
            "answer", "partial_answer", "counter_question", "reporter_message", "statement"]},
            "kind_label": STR, "author": {"type": "string", "enum": ["reporter", "officer"]},
            "body": NSTR, "created_at": DATETIME, "attachments": _arr(_ref("Attachment"))}),
        "ReporterCase": _obj({
            "reference": STR, "status": status, "status_label": STR, "received_at": DATETIME, "answer_due": DATE,
            "statement_due": NDATE, "closed_at": NDATETIME, "recipient_organisation": _obj({"name": STR}),
            "care_unit": {"oneOf": [_obj({"name": NSTR}), {"type": "null"}]}, "awaiting_reply": BOOL,
            "thread": _arr(_ref("Message"))}),
        "Officer": _obj({"id": INT, "name": STR, "email": STR,
                         "role": {"type": "string", "enum": ["receiver", "handler", "admin"]},
                         "organisation": _obj({"id": STR, "name": STR, "kind": org_kind, "region_code": STR})}),
        "Login": _obj({"token": STR, "expires_at": DATETIME, "officer": _ref("Officer")}),
        "Ok": _obj({"status": {"const": "ok"}}),
        "CaseList": _obj({"items": _arr(_obj({
            "reference": STR, "status": status, "status_label": STR, "received_at": DATETIME, "answer_due": DATE,
            "statement_due": NDATE, "overdue": BOOL, "care_unit_name": NSTR, "reporter_category": NSTR,
            "officer_categories": _arr(STR), "reporter_role": role, "channel": STR})),
            "total": INT, "page": INT, "per_page": INT}),
        "OfficerCase": _obj({
            "reference": STR, "channel": STR, "status": status, "status_label": STR,
            "recipient_organisation": _obj({"id": STR, "name": STR, "kind": org_kind}),
            "statement_organisation": {"oneOf": [_obj({"id": STR, "name": STR}), {"type": "null"}]},
            "region_code": STR,
            "care_unit": {"oneOf": [_obj({"hsa_id": STR, "name": STR, "verksamhetsomrade": STR, "connected": BOOL}),
                                    {"type": "null"}]},
            "care_unit_text": NSTR, "event_date": NDATE, "received_at": DATETIME, "answered_at": NDATETIME,
            "closed_at": NDATETIME, "answer_due": DATE, "statement_due": NDATE, "statement_extended": BOOL,
            "overdue": BOOL,
            "reporter": _obj({"role": role, "name": NSTR, "email": NSTR, "phone": NSTR,
                              "preferred_contact": {"type": "string", "enum": ["email", "phone", "none"]},
                              "verified": BOOL, "verified_at": NDATETIME}),  # e-ID at intake
            "patient": _obj({"name": NSTR, "personnummer": NSTR, "age": NINT, "age_band": NSTR, "gender": NSTR}),
            "patient_consent": STR, "consent_note": NSTR, "child_age": NINT, "description": NSTR,
            "desired_outcome": NSTR, "reply_wanted": BOOL, "reporter_category": NSTR, "reporter_category_label": STR,
            "officer_categories": _arr(STR), "tags": _arr(STR), "anonymised": BOOL,
            "diary_number": NSTR,  # set by the organisation's diary system (PUT …/diary-number)
            # what the requesting officer may do now (services.cases.refusal); the rest answers 403/409
            "allowed_actions": _arr({"type": "string", "enum": list(ACTION_ROLES)}),
            "thread": _arr(_ref("Message")),
            "events": _arr(_obj({"kind": STR, "data": {"type": "object"}, "officer_id": NINT,
                                 "created_at": DATETIME})),
            "audit": _arr(_obj({"at": DATETIME, "officer_email": NSTR, "action": STR, "detail": NSTR}))}),
        "DiaryNumber": _obj({"reference": STR, "diary_number": STR}),
        "TaggedExport": _obj({"tag": STR, "cases": _arr(_obj({
            "reference": STR, "received_at": DATE, "closed_at": NDATE, "event_date": NDATE, "status": status,
            "unit_hsa_id": NSTR, "unit_name": NSTR, "verksamhetsomrade": NSTR, "region": STR, "age_band": NSTR,
            "gender": NSTR, "reporter_role": role, "reporter_category": NSTR, "officer_categories": _arr(STR),
            "tags": _arr(STR), "description": NSTR, "desired_outcome": NSTR}))}),
        "StatsCategories": _obj({"rows": _arr(_obj({
            "level": {"type": "string", "enum": ["main", "sub"]}, "code": STR, "main": STR, "label": STR,
            "reported": NINT, "handled": NINT, "reported_share": share, "handled_share": share})),
            "total": NINT, "suppressed": BOOL}),
        "StatsSummary": _obj({
            "total": NINT, "per_unit": _arr(count_row), "per_care_provider": _arr(count_row),
            "per_region": _arr(count_row), "per_verksamhetsomrade": _arr(count_row), "per_month": _arr(count_row),
            "per_age_band": _arr(count_row), "per_gender": _arr(count_row),
            "handling_days": _obj({"n": NINT, "median": {"type": ["number", "null"]}, "p90": {"type": ["number", "null"]},
                                   "distribution": _arr(_obj({"label": STR, "count": NINT}))})}),
    }


def document() -> dict[str, Any]:
    subs = catalogue.sub_codes()
    cats = catalogue.main_codes() + subs
    reporter = {"type": "object", "additionalProperties": False, "required": ["role"], "properties": {
        "role": {"type": "string", "enum": ["patient", "relative", "guardian", "representative"]},
        "name": {"type": ["string", "null"], "maxLength": 200},
        "email": {"type": ["string", "null"], "maxLength": 254},
        "phone": {"type": ["string", "null"], "maxLength": 30},
        "preferred_contact": {"type": "string", "enum": ["email", "phone", "none"]}}}
    case_in = {"type": "object", "additionalProperties": False,
               "required": ["recipient", "reporter", "patient", "description", "personal_data_consent"],
               "properties": {
                   "channel": {"type": "string", "enum": catalogue.codes("channels")},
                   "recipient": {"type": "string", "enum": ["care_provider", "patient_board"]},
                   "care_unit_hsa_id": {"type": ["string", "null"], "maxLength": 40},
                   "care_unit_text": {"type": ["string", "null"], "maxLength": 300},
                   "region_code": {"type": ["string", "null"], "maxLength": 40},
                   "event_date": {"type": ["string", "null"], "format": "date"},
                   "reporter": reporter,
                   "patient": {"type": "object", "additionalProperties": False, "required": ["name", "personnummer"],
                               "properties": {"name": {"type": "string", "minLength": 1, "maxLength": 200},
                                              "personnummer": {"type": "string", "maxLength": 20}}},
                   "patient_consent": {"type": "string", "enum": ["yes", "no", "unknown", "not_needed"]},
                   "consent_note": {"type": ["string", "null"], "maxLength": 500},
                   "child_age": {"type": ["integer", "null"], "minimum": 0, "maximum": 17},
                   "description": {"type": "string", "minLength": 1, "maxLength": 10000},
                   "reporter_category": {"type": ["string", "null"], "enum": subs + [None]},
                   "desired_outcome": {"type": ["string", "null"], "maxLength": 2000},
                   "reply_wanted": {"type": "boolean"},
                   "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 10},
                   "personal_data_consent": {"type": "boolean"},
                   "identity_token": {"type": ["string", "null"], "maxLength": 100}}}
    message_in = {"type": "object", "additionalProperties": False, "required": ["body"],
                  "properties": {"body": {"type": "string", "minLength": 1, "maxLength": 10000}}}
    message_multipart = {"multipart/form-data": {"schema": {"type": "object", "properties": {
        "body": {"type": "string"}, "file": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}
    stats_params = [_q("year", {"type": "integer", "minimum": 2000, "maximum": 2100}),
                    _q("month", {"type": "integer", "minimum": 1, "maximum": 12}),
                    _q("category", {"type": "string", "enum": cats}),
                    _q("verksamhetsomrade", {"type": "string", "enum": catalogue.codes("verksamhetsomraden")}),
                    _q("region", {"type": "string", "maxLength": 40}), _q("unit", {"type": "string", "maxLength": 40}),
                    {**_q("officer", {"type": "integer", "minimum": 1}),
                     "description": "Logged-in officers only; without a login it is refused (422)."},
                    _q("format", {"type": "string", "enum": ["json", "csv"]})]
    access = {"name": "X-Access-Code", "in": "header", "required": True, "schema": {"type": "string", "maxLength": 40}}
    action_bodies = {
        "take": {"type": "object", "additionalProperties": False},
        "answer": message_in, "partial-answer": message_in, "counter-question": message_in, "statement": message_in,
        "reassign": {"type": "object", "additionalProperties": False, "required": ["organisation_id"],
                     "properties": {"organisation_id": {"type": "string", "maxLength": 40},
                                    "reason": {"type": ["string", "null"], "maxLength": 1000}}},
        "request-statement": {"type": "object", "additionalProperties": False, "properties": {
            "organisation_id": {"type": ["string", "null"], "maxLength": 40},
            "weeks": {"type": ["integer", "null"], "minimum": 1, "maximum": 12},
            "deadline": {"type": ["string", "null"], "format": "date"},
            "body": {"type": ["string", "null"], "maxLength": 10000}}},
        "extend-statement": {"type": "object", "additionalProperties": False},
        "categorise": {"type": "object", "additionalProperties": False, "required": ["subs"], "properties": {
            "subs": {"type": "array", "minItems": 1, "maxItems": 10, "items": {"type": "string", "enum": subs}}}},
        "tags": {"type": "object", "additionalProperties": False, "required": ["tags"], "properties": {
            "tags": {"type": "array", "maxItems": 10, "items": {"type": "string", "pattern": "^[a-z0-9_]{1,40}$"}}}},
        "close": {"type": "object", "additionalProperties": False},
        "set-unit": {"type": "object", "additionalProperties": False, "required": ["hsa_id"],
                     "properties": {"hsa_id": {"type": "string", "maxLength": 40}}},
    }
    paths: dict[str, Any] = {
        "/health": {"get": {"operationId": "health", "summary": "Databasen nåbar?", "responses": {
            "200": {"description": "ok", "content": {"application/json": {"schema": _obj({"status": {"const": "ok"}})}}},
            "503": {"description": "databasen nås inte", "content": {"application/json": {
                "schema": _obj({"status": {"const": "unavailable"}})}}}}}},
        "/api/v1/openapi.json": {"get": {"operationId": "openapi", "responses": _resp(
            {"type": "object", "required": ["openapi", "info", "paths"]})}},
        "/api/v1/taxonomy": {"get": {"operationId": "taxonomy", "summary": "Kategorier, statusar, koder",
                                     "responses": _resp(_ref("Taxonomy"))}},
        "/api/v1/regions": {"get": {"operationId": "regions", "responses": _resp(_ref("Regions"))}},
        "/api/v1/units": {"get": {"operationId": "searchUnits", "parameters": [
            _q("q", {"type": "string", "minLength": 1, "maxLength": 200}, True),
            _q("limit", {"type": "integer", "minimum": 1, "maximum": 20}), _q("region", {"type": "string", "maxLength": 40})],
            "responses": _resp(_ref("UnitSearch"))}},
        "/api/v1/units/{hsa_id}": {"get": {"operationId": "getUnit", "parameters": [_p("hsa_id")],
                                           "responses": _resp(_ref("Unit"))}},
        "/api/v1/cases": {"post": {
            "operationId": "createCase", "security": [{"service": []}],
            "parameters": [{"name": "Idempotency-Key", "in": "header", "required": True,
                            "schema": {"type": "string", "pattern": "^[A-Za-z0-9_\\-:.]{8,128}$"}}],
            "requestBody": {"required": True, "content": {"application/json": {"schema": case_in, "example": CASE_EXAMPLE}}},
            "responses": _resp(_ref("CaseCreated"), (200, 201))}},
        "/api/v1/identity/tickets/exchange": {"post": {
            "operationId": "exchangeIdentityTicket", "security": [{"service": []}],
            "summary": "e-legitimation: the widget's one-time ticket for the verified name and personnummer",
            "requestBody": _json_body({"type": "object", "additionalProperties": False, "required": ["ticket"],
                                       "properties": {"ticket": {"type": "string", "minLength": 1, "maxLength": 100}}}),
            "responses": _resp(_ref("IdentityExchanged"))}},
        "/api/v1/reporter/cases/{reference}": {"get": {"operationId": "reporterReadCase",
                                                       "parameters": [REF, access],
                                                       "responses": _resp(_ref("ReporterCase"))}},
        "/api/v1/reporter/cases/{reference}/messages": {"post": {
            "operationId": "reporterPostMessage", "parameters": [REF, access],
            "requestBody": {"required": True, "content": {"application/json": {"schema": message_in}, **message_multipart}},
            "responses": _resp(_ref("Message"), (201,))}},
        "/api/v1/reporter/cases/{reference}/attachments/{attachment_id}": {"get": {
            "operationId": "reporterAttachment", "parameters": [REF, _p("attachment_id", r"^\d{1,9}$"), access],
            "responses": _resp({"type": "string", "format": "binary"}, ctype=FILE_TYPES)}},
        "/api/v1/officer/login": {"post": {"operationId": "officerLogin", "requestBody": _json_body({
            "type": "object", "additionalProperties": False, "required": ["email", "password"],
            "properties": {"email": {"type": "string", "minLength": 3, "maxLength": 254},
                           "password": {"type": "string", "minLength": 1, "maxLength": 200}}}),
            "responses": _resp(_ref("Login"))}},
        "/api/v1/officer/logout": {"post": {"operationId": "officerLogout", "security": BEARER,
                                            "responses": _resp(_ref("Ok"))}},
        "/api/v1/officer/me": {"get": {"operationId": "officerMe", "security": BEARER,
                                       "responses": _resp(_ref("Officer"))}},
        "/api/v1/officer/cases": {"get": {"operationId": "officerListCases", "security": BEARER, "parameters": [
            _q("status", {"type": "string", "maxLength": 200}), _q("overdue", {"type": "boolean"}),
            _q("category", {"type": "string", "maxLength": 40}), _q("unit", {"type": "string", "maxLength": 40}),
            _q("from", {"type": "string", "format": "date"}), _q("to", {"type": "string", "format": "date"}),
            _q("q", {"type": "string", "maxLength": 20}),
            _q("sort", {"type": "string", "enum": ["received_at", "-received_at", "answer_due", "-answer_due",
                                                    "status", "reference"]}),
            _q("page", {"type": "integer", "minimum": 1, "maximum": 100000}),
            _q("per_page", {"type": "integer", "minimum": 1, "maximum": 100})],
            "responses": _resp(_ref("CaseList"))}},
        "/api/v1/officer/cases/search": {"post": {
            "operationId": "officerSearchPersonnummer", "security": BEARER,
            "description": "Cases of one patient by personnummer, sent in the body so it is never in a URL; "
                           "audit-logged (without the number).",
            "requestBody": _json_body({
                "type": "object", "additionalProperties": False, "required": ["personnummer"],
                "properties": {"personnummer": {"type": "string", "minLength": 1, "maxLength": 20},
                               "page": {"type": "integer", "minimum": 1, "maximum": 100000},
                               "per_page": {"type": "integer", "minimum": 1, "maximum": 100}}}),
            "responses": _resp(_ref("CaseList"))}},
        "/api/v1/officer/cases/{reference}": {"get": {"operationId": "officerGetCase", "security": BEARER,
                                                      "parameters": [REF], "responses": _resp(_ref("OfficerCase"))}},
        "/api/v1/officer/cases/{reference}/attachments/{attachment_id}": {"get": {
            "operationId": "officerAttachment", "security": BEARER, "parameters": [REF, _p("attachment_id", r"^\d{1,9}$")],
            "responses": _resp({"type": "string", "format": "binary"}, ctype=FILE_TYPES)}},
        "/api/v1/officer/export/tagged": {"get": {"operationId": "officerExportTagged", "security": BEARER, "parameters": [
            _q("tag", {"type": "string", "maxLength": 40}, True), _q("format", {"type": "string", "enum": ["json", "csv"]})],
            "responses": _resp(_ref("TaggedExport"), also={"text/csv": CSV})}},
        "/api/v1/integration/cases/{reference}/diary-number": {"put": {
            "operationId": "integrationSetDiaryNumber", "security": [{"integration": []}],
            "summary": "Diariesystemet sätter sitt diarienummer på ärendet",
            "parameters": [REF], "requestBody": _json_body({
                "type": "object", "additionalProperties": False, "required": ["diary_number"],
                "properties": {"diary_number": {"type": "string", "minLength": 1, "maxLength": 100}}}),
            "responses": _resp(_ref("DiaryNumber"))}},
        "/api/v1/stats/categories": {"get": {"operationId": "statsCategories", "parameters": stats_params,
                                             "responses": _resp(_ref("StatsCategories"), also={"text/csv": CSV})}},
        "/api/v1/stats/summary": {"get": {"operationId": "statsSummary", "parameters": stats_params,
                                          "responses": _resp(_ref("StatsSummary"), also={"text/csv": CSV})}},
    }
    for action, schema in action_bodies.items():
        content: dict[str, Any] = {"application/json": {"schema": schema}}
        if action in ("answer", "partial-answer", "counter-question", "statement"):
            content.update(message_multipart)
        paths[f"/api/v1/officer/cases/{{reference}}/{action}"] = {"post": {
            "operationId": "officer_" + action.replace("-", "_"), "security": BEARER, "parameters": [REF],
            "requestBody": {"required": True, "content": content}, "responses": _resp(_ref("OfficerCase"))}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Klagomålsguiden API", "version": "1.0.0",
                 "description": "Synpunkter och klagomål på vården: intag, anmälarens uppföljning, handläggning och statistik."},
        "paths": paths,
        "components": {"schemas": response_schemas(),
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                                           "service": {"type": "http", "scheme": "bearer"},
                                           "integration": {"type": "http", "scheme": "bearer"}}},
    }


@routes.get("/api/v1/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    return json_response(document())
