"""The OpenAPI 3 document. A test compares it with the real routes; schemathesis fuzzes against it."""
from __future__ import annotations

from typing import Any

from aiohttp import web

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from .. import catalogue, responses
from ..schemas import CaseIn, DiaryNumberIn, LoginIn, MessageIn, PnrSearchIn
from ..services.actions import REGISTRY
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
        "Officer": _obj({"id": INT, "name": STR, "email": STR,
                         "role": {"type": "string", "enum": ["receiver", "handler", "admin"]},
                         "organisation": _obj({"id": STR, "name": STR, "kind": org_kind, "region_code": STR})}),
        "Login": _obj({"token": STR, "expires_at": DATETIME, "officer": _ref("Officer")}),
        "Ok": _obj({"status": {"const": "ok"}}),
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


REF_TEMPLATE = "#/components/schemas/{model}"


def request_models() -> list[type[BaseModel]]:
    """Every request body: the intake, the reporter's message, the log-ins and searches, each officer action."""
    return list(dict.fromkeys([CaseIn, MessageIn, LoginIn, PnrSearchIn, DiaryNumberIn,
                               *(a.payload for a in REGISTRY.values())]))


def response_models() -> list[type[BaseModel]]:
    return [responses.ReporterCase, responses.CaseList, responses.officer_case_model(tuple(REGISTRY))]


def model_schemas() -> tuple[dict[type[BaseModel], dict[str, Any]], dict[str, Any]]:
    """Request and response models as components (pydantic's JSON Schema, 2020-12 as OpenAPI 3.1 wants):
    ({model: its $ref}, {component name: schema})."""
    refs, top = models_json_schema([(m, "validation") for m in request_models()]
                                   + [(m, "serialization") for m in response_models()], ref_template=REF_TEMPLATE)
    return {m: ref for (m, _mode), ref in refs.items()}, top.get("$defs", {})


def document() -> dict[str, Any]:
    subs = catalogue.sub_codes()
    cats = catalogue.main_codes() + subs
    refs, model_components = model_schemas()
    case_in, message_in = refs[CaseIn], refs[MessageIn]
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
        "/api/v1/officer/login": {"post": {"operationId": "officerLogin", "requestBody": _json_body(refs[LoginIn]),
            "description": "With a second factor (required outside development) `code` holds the six digits of "
                           "the authenticator app; without it the answer is 401 second_factor_required. An "
                           "officer with none enrolled gets 403 second_factor_missing.",
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
            {**_q("assigned", {"type": "string", "enum": ["me", "none"]}),
             "description": "me: the cases assigned to me; none: the cases no one has taken"},
            _q("sort", {"type": "string", "enum": ["received_at", "-received_at", "answer_due", "-answer_due",
                                                    "status", "reference"]}),
            _q("page", {"type": "integer", "minimum": 1, "maximum": 100000}),
            _q("per_page", {"type": "integer", "minimum": 1, "maximum": 100})],
            "responses": _resp(_ref("CaseList"))}},
        "/api/v1/officer/cases/search": {"post": {
            "operationId": "officerSearchPersonnummer", "security": BEARER,
            "description": "Cases of one patient by personnummer, sent in the body so it is never in a URL; "
                           "audit-logged (without the number).",
            "requestBody": _json_body(refs[PnrSearchIn]),
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
            "parameters": [REF], "requestBody": _json_body(refs[DiaryNumberIn]),
            "responses": _resp(_ref("DiaryNumber"))}},
        "/api/v1/stats/categories": {"get": {"operationId": "statsCategories", "parameters": stats_params,
                                             "responses": _resp(_ref("StatsCategories"), also={"text/csv": CSV})}},
        "/api/v1/stats/summary": {"get": {"operationId": "statsSummary", "parameters": stats_params,
                                          "responses": _resp(_ref("StatsSummary"), also={"text/csv": CSV})}},
    }
    for act in REGISTRY.values():
        content: dict[str, Any] = {"application/json": {"schema": refs[act.payload]}}
        if act.files:
            assert act.payload is MessageIn, act.name  # the multipart form is `body` and files
            content.update(message_multipart)
        paths[f"/api/v1/officer/cases/{{reference}}/{act.name}"] = {"post": {
            "operationId": "officer_" + act.name.replace("-", "_"), "summary": act.summary, "security": BEARER,
            "parameters": [REF], "requestBody": {"required": True, "content": content},
            "responses": _resp(_ref("OfficerCase")),
            # the registry's rules, for whoever builds a client (services.actions)
            "x-roles": sorted(act.roles), "x-acting-organisation": act.side,
            "x-notifies-reporter": act.notifies_reporter}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Klagomålsguiden API", "version": "1.0.0",
                 "description": "Synpunkter och klagomål på vården: intag, anmälarens uppföljning, handläggning och statistik."},
        "paths": paths,
        "components": {"schemas": {**response_schemas(), **model_components},
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                                           "service": {"type": "http", "scheme": "bearer"},
                                           "integration": {"type": "http", "scheme": "bearer"}}},
    }


@routes.get("/api/v1/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    return json_response(document())
