"""The OpenAPI document is true to the routes the app really registers, and valid OpenAPI 3.1."""
from __future__ import annotations

import os
import re
from typing import Any

import requests
import jsonschema_rs
import pytest
from aiohttp import web
from pydantic import BaseModel

from backend.api.openapi import document
from backend.app import create_app
from backend.services.actions import REGISTRY
from backend.schemas import CaseIn, LoginIn, MessageIn, PatientIn, ReporterIn
from backend.settings import Settings

pytestmark = pytest.mark.filterwarnings("ignore::aiohttp.web_exceptions.NotAppKeyWarning")
METHODS = {"get", "put", "post", "delete", "patch", "options", "head", "trace"}
# the officer actions share one aiohttp route; the document lists each action as its own path
ACTION_ROUTE = "/api/v1/officer/cases/{reference}/{action}"


def _is_api_path(path: str) -> bool:
    return path == "/health" or path.startswith("/api/")


def app_routes() -> tuple[set[tuple[str, str]], list[tuple[str, str, str]]]:
    """(documentable operations, routes left out on purpose with the module that serves them)."""
    saved = os.environ.get("KG_WEB")
    os.environ["KG_WEB"] = "1"  # mount the pages too, so the test sees everything the server can serve
    try:
        app = create_app(Settings(database_url="sqlite+aiosqlite:///:memory:", env="dev"))
    finally:
        if saved is None:
            os.environ.pop("KG_WEB", None)
        else:
            os.environ["KG_WEB"] = saved
    ops: set[tuple[str, str]] = set()
    left_out: list[tuple[str, str, str]] = []
    for route in app.router.routes():
        resource = route.resource
        assert resource is not None
        path = re.sub(r"\{(\w+):[^}]*\}", r"{\1}", resource.canonical)   # {id:\d+} -> {id}
        method = route.method.lower()
        if method == "head":  # aiohttp adds HEAD beside every GET
            continue
        if isinstance(resource, web.StaticResource) or not _is_api_path(path):
            left_out.append((method, path, getattr(route.handler, "__module__", "")))
            continue
        if path == ACTION_ROUTE:
            ops |= {(method, f"/api/v1/officer/cases/{{reference}}/{a}") for a in REGISTRY}
        else:
            ops.add((method, path))
    return ops, left_out


def doc_operations(doc: dict[str, Any]) -> set[tuple[str, str]]:
    return {(m, p) for p, item in doc["paths"].items() for m in item if m in METHODS}


def test_every_route_is_documented_and_every_operation_exists() -> None:
    ops, _ = app_routes()
    documented = doc_operations(document())
    assert ops - documented == set(), "routes missing from the OpenAPI document"
    assert documented - ops == set(), "documented operations the app does not serve"


def test_routes_outside_the_document_are_the_web_pages() -> None:
    """Only the server-rendered pages and their static files are deliberately outside the API."""
    _, left_out = app_routes()
    assert left_out, "expected the web pages to be mounted (KG_WEB)"
    strays = [(m, p, mod) for m, p, mod in left_out if not (mod.startswith("backend.web") or p.startswith("/static"))]
    assert strays == [], "non-API routes that are not web pages"
    assert not any(p.startswith("/api/") for _m, p, _mod in left_out)


def test_document_is_valid_openapi_31() -> None:
    from schemathesis.specs.openapi.definitions import OPENAPI_31_VALIDATOR
    doc = document()
    assert doc["openapi"].startswith("3.1")
    errors = [f"{'/'.join(map(str, e.instance_path))}: {e.message}" for e in OPENAPI_31_VALIDATOR.iter_errors(doc)]
    assert errors == []


def _schemas(node: Any, where: str = "#") -> list[tuple[str, dict[str, Any]]]:
    """Every JSON Schema object in the document (parameter, request and response schemas, components)."""
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "schema" and isinstance(v, dict):
                found.append((f"{where}/{k}", v))
            elif k == "schemas" and where == "#/components":
                found += [(f"{where}/schemas/{n}", s) for n, s in v.items()]
            else:
                found += _schemas(v, f"{where}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            found += _schemas(v, f"{where}/{i}")
    return found


def test_every_schema_is_valid_json_schema_2020_12() -> None:
    doc = document()
    schemas = _schemas(doc)
    assert len(schemas) > 40
    bad = []
    for where, schema in schemas:
        try:
            jsonschema_rs.meta.validate(schema)
        except jsonschema_rs.ValidationError as exc:
            bad.append(f"{where}: {exc.message}")
    assert bad == []


def test_operation_ids_are_unique_and_path_parameters_declared() -> None:
    doc = document()
    ids = [op["operationId"] for item in doc["paths"].values() for m, op in item.items() if m in METHODS]
    assert len(ids) == len(set(ids))
    for path, item in doc["paths"].items():
        for m, op in item.items():
            if m not in METHODS:
                continue
            declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert declared == set(re.findall(r"\{(\w+)\}", path)), f"{m.upper()} {path}"


def test_security_schemes_match_the_handlers() -> None:
    doc = document()
    for path, item in doc["paths"].items():
        for m, op in item.items():
            if m not in METHODS:
                continue
            sec = {k for req in op.get("security", []) for k in req}
            if path in ("/api/v1/cases", "/api/v1/identity/tickets/exchange"):  # the assistant's
                assert sec == {"service"}
            elif path.startswith("/api/v1/integration/"):
                assert sec == {"integration"}, f"{m.upper()} {path}"
            elif path.startswith("/api/v1/officer/") and path != "/api/v1/officer/login":
                assert sec == {"bearer"}, f"{m.upper()} {path}"
            else:
                assert sec == set(), f"{m.upper()} {path}"


def _props(model: type[BaseModel]) -> tuple[set[str], set[str]]:
    return set(model.model_fields), {n for n, f in model.model_fields.items() if f.is_required()}


def _schema_props(schema: dict[str, Any]) -> tuple[set[str], set[str]]:
    return set(schema.get("properties", {})), set(schema.get("required", []))


def _deref(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _json_schema(doc: dict[str, Any], path: str) -> dict[str, Any]:
    return _deref(doc, doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"])


@pytest.mark.parametrize("path,model", [
    ("/api/v1/cases", CaseIn), ("/api/v1/officer/login", LoginIn),
    ("/api/v1/reporter/cases/{reference}/messages", MessageIn),
    *[(f"/api/v1/officer/cases/{{reference}}/{a.name}", a.payload) for a in REGISTRY.values()],
])
def test_request_bodies_match_the_pydantic_models(path: str, model: type[BaseModel]) -> None:
    """Same field names, same required fields, unknown fields refused on both sides."""
    doc = document()
    schema = _json_schema(doc, path)
    assert _schema_props(schema) == _props(model)
    assert schema.get("additionalProperties") is False
    assert model.model_config.get("extra") == "forbid"
    if model is CaseIn:
        for name, sub in (("reporter", ReporterIn), ("patient", PatientIn)):
            assert _schema_props(_deref(doc, schema["properties"][name])) == _props(sub), name


def test_the_served_document_is_this_document(server) -> None:
    r = requests.get(server.url + "/api/v1/openapi.json", timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    assert r.json() == document()
