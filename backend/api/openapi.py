"""The OpenAPI 3 document. A test compares it with the real routes; schemathesis fuzzes against it."""
from __future__ import annotations

from typing import Any

from aiohttp import web

from .. import catalogue
from .common import json_response

routes = web.RouteTableDef()

OBJ = {"type": "object"}
ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                   "fields": {"type": "object", "additionalProperties": {"type": "string"}}}}}}


def _resp(ok: dict[str, Any], codes: tuple[int, ...] = (200,), ctype: str = "application/json") -> dict[str, Any]:
    out: dict[str, Any] = {str(c): {"description": "OK", "content": {ctype: {"schema": ok}}} for c in codes}
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
BEARER = [{"bearer": []}]


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
                   "personal_data_consent": {"type": "boolean"}}}
    intake_out = {"type": "object", "required": ["reference", "access_code", "status"], "properties": {
        "reference": {"type": "string"}, "access_code": {"type": "string"}, "status": {"type": "string"},
        "answer_due": {"type": "string"}}}
    message_in = {"type": "object", "additionalProperties": False, "required": ["body"],
                  "properties": {"body": {"type": "string", "minLength": 1, "maxLength": 10000}}}
    message_multipart = {"multipart/form-data": {"schema": {"type": "object", "properties": {
        "body": {"type": "string"}, "file": {"type": "array", "items": {"type": "string", "format": "binary"}}}}}}
    stats_params = [_q("year", {"type": "integer", "minimum": 2000, "maximum": 2100}),
                    _q("month", {"type": "integer", "minimum": 1, "maximum": 12}),
                    _q("category", {"type": "string", "enum": cats}),
                    _q("verksamhetsomrade", {"type": "string", "enum": catalogue.codes("verksamhetsomraden")}),
                    _q("region", {"type": "string", "maxLength": 40}), _q("unit", {"type": "string", "maxLength": 40}),
                    _q("officer", {"type": "integer", "minimum": 1}),
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
            "200": {"description": "ok", "content": {"application/json": {"schema": OBJ}}},
            "503": {"description": "databasen nås inte", "content": {"application/json": {"schema": OBJ}}}}}},
        "/api/v1/openapi.json": {"get": {"operationId": "openapi", "responses": _resp(OBJ)}},
        "/api/v1/taxonomy": {"get": {"operationId": "taxonomy", "summary": "Kategorier, statusar, koder",
                                     "responses": _resp(OBJ)}},
        "/api/v1/regions": {"get": {"operationId": "regions", "responses": _resp(OBJ)}},
        "/api/v1/units": {"get": {"operationId": "searchUnits", "parameters": [
            _q("q", {"type": "string", "minLength": 1, "maxLength": 200}, True),
            _q("limit", {"type": "integer", "minimum": 1, "maximum": 20}), _q("region", {"type": "string", "maxLength": 40})],
            "responses": _resp({"type": "object", "required": ["results"],
                                "properties": {"results": {"type": "array", "items": OBJ}}})}},
        "/api/v1/units/{hsa_id}": {"get": {"operationId": "getUnit", "parameters": [_p("hsa_id")], "responses": _resp(OBJ)}},
        "/api/v1/cases": {"post": {
            "operationId": "createCase", "security": [{"service": []}],
            "parameters": [{"name": "Idempotency-Key", "in": "header", "required": True,
                            "schema": {"type": "string", "pattern": "^[A-Za-z0-9_\\-:.]{8,128}$"}}],
            "requestBody": _json_body(case_in), "responses": _resp(intake_out, (200, 201))}},
        "/api/v1/reporter/cases/{reference}": {"get": {"operationId": "reporterReadCase",
                                                       "parameters": [REF, access], "responses": _resp(OBJ)}},
        "/api/v1/reporter/cases/{reference}/messages": {"post": {
            "operationId": "reporterPostMessage", "parameters": [REF, access],
            "requestBody": {"required": True, "content": {"application/json": {"schema": message_in}, **message_multipart}},
            "responses": _resp(OBJ, (201,))}},
        "/api/v1/reporter/cases/{reference}/attachments/{attachment_id}": {"get": {
            "operationId": "reporterAttachment", "parameters": [REF, _p("attachment_id", r"^\d{1,9}$"), access],
            "responses": _resp({"type": "string", "format": "binary"}, ctype="application/octet-stream")}},
        "/api/v1/officer/login": {"post": {"operationId": "officerLogin", "requestBody": _json_body({
            "type": "object", "additionalProperties": False, "required": ["email", "password"],
            "properties": {"email": {"type": "string", "minLength": 3, "maxLength": 254},
                           "password": {"type": "string", "minLength": 1, "maxLength": 200}}}),
            "responses": _resp({"type": "object", "required": ["token"], "properties": {"token": {"type": "string"}}})}},
        "/api/v1/officer/logout": {"post": {"operationId": "officerLogout", "security": BEARER, "responses": _resp(OBJ)}},
        "/api/v1/officer/me": {"get": {"operationId": "officerMe", "security": BEARER, "responses": _resp(OBJ)}},
        "/api/v1/officer/cases": {"get": {"operationId": "officerListCases", "security": BEARER, "parameters": [
            _q("status", {"type": "string", "maxLength": 200}), _q("overdue", {"type": "boolean"}),
            _q("category", {"type": "string", "maxLength": 40}), _q("unit", {"type": "string", "maxLength": 40}),
            _q("from", {"type": "string", "format": "date"}), _q("to", {"type": "string", "format": "date"}),
            _q("q", {"type": "string", "maxLength": 20}),
            _q("sort", {"type": "string", "enum": ["received_at", "-received_at", "answer_due", "-answer_due",
                                                    "status", "reference"]}),
            _q("page", {"type": "integer", "minimum": 1, "maximum": 100000}),
            _q("per_page", {"type": "integer", "minimum": 1, "maximum": 100})],
            "responses": _resp({"type": "object", "required": ["items", "total"],
                                "properties": {"items": {"type": "array", "items": OBJ}, "total": {"type": "integer"}}})}},
        "/api/v1/officer/cases/{reference}": {"get": {"operationId": "officerGetCase", "security": BEARER,
                                                      "parameters": [REF], "responses": _resp(OBJ)}},
        "/api/v1/officer/cases/{reference}/attachments/{attachment_id}": {"get": {
            "operationId": "officerAttachment", "security": BEARER, "parameters": [REF, _p("attachment_id", r"^\d{1,9}$")],
            "responses": _resp({"type": "string", "format": "binary"}, ctype="application/octet-stream")}},
        "/api/v1/officer/export/tagged": {"get": {"operationId": "officerExportTagged", "security": BEARER, "parameters": [
            _q("tag", {"type": "string", "maxLength": 40}, True), _q("format", {"type": "string", "enum": ["json", "csv"]})],
            "responses": _resp(OBJ)}},
        "/api/v1/stats/categories": {"get": {"operationId": "statsCategories", "parameters": stats_params,
                                             "responses": _resp(OBJ)}},
        "/api/v1/stats/summary": {"get": {"operationId": "statsSummary", "parameters": stats_params,
                                          "responses": _resp(OBJ)}},
    }
    for action, schema in action_bodies.items():
        content: dict[str, Any] = {"application/json": {"schema": schema}}
        if action in ("answer", "partial-answer", "counter-question", "statement"):
            content.update(message_multipart)
        paths[f"/api/v1/officer/cases/{{reference}}/{action}"] = {"post": {
            "operationId": "officer_" + action.replace("-", "_"), "security": BEARER, "parameters": [REF],
            "requestBody": {"required": True, "content": content}, "responses": _resp(OBJ)}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Klagomålsguiden API", "version": "1.0.0",
                 "description": "Synpunkter och klagomål på vården: intag, anmälarens uppföljning, handläggning och statistik."},
        "paths": paths,
        "components": {"schemas": {"Error": ERROR},
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                                           "service": {"type": "http", "scheme": "bearer"}}},
    }


@routes.get("/api/v1/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    return json_response(document())
