"""The closed lists the document publishes (message kinds, statuses, actions, every Literal of a model) are the
ones the Python code uses, and a real case with a statement request — the kind the published Message.kind
once lacked — validates against the served document."""
from __future__ import annotations

import types
from typing import Any, Literal, Union, get_args, get_origin

import jsonschema_rs
import pytest
import requests
from pydantic import BaseModel

from backend import catalogue, lifecycle
from backend.api.openapi import document, request_models, response_models
from backend.schemas import MESSAGE_KINDS
from backend.services.actions import REGISTRY

DENTIST_AB = "SE5565301000"  # a care provider of the demo catalogue in another organisation than the officer's


def _literal_values(annotation: Any) -> list[Any] | None:
    """The values of a Literal, also inside Optional[...] and list[...]; None if there is no Literal."""
    if get_origin(annotation) is Literal:
        return list(get_args(annotation))
    if get_origin(annotation) in (Union, types.UnionType, list):
        for arg in get_args(annotation):
            if (values := _literal_values(arg)) is not None:
                return values
    return None


def _enum(schema: dict[str, Any]) -> list[Any] | None:
    """The enum of a property schema, also inside anyOf (Optional) and items (lists)."""
    if "enum" in schema:
        return [v for v in schema["enum"] if v is not None]
    for sub in schema.get("anyOf", []) + ([schema["items"]] if "items" in schema else []):
        if (found := _enum(sub)) is not None:
            return found
    return None


def _models() -> list[type[BaseModel]]:
    seen: dict[type[BaseModel], None] = {}

    def visit(m: type[BaseModel]) -> None:
        if m in seen:
            return
        seen[m] = None
        for f in m.model_fields.values():
            for arg in [f.annotation, *get_args(f.annotation), *[a for x in get_args(f.annotation) for a in get_args(x)]]:
                if isinstance(arg, type) and issubclass(arg, BaseModel):
                    visit(arg)
    for m in request_models() + response_models():
        visit(m)
    return list(seen)


@pytest.mark.parametrize("model", _models(), ids=lambda m: m.__name__)
def test_every_literal_of_a_model_is_the_documented_enum(model: type[BaseModel]) -> None:
    component = document()["components"]["schemas"][model.__name__]
    for name, f in model.model_fields.items():
        values = _literal_values(f.annotation)
        if values is not None:
            assert _enum(component["properties"][name]) == [v for v in values if v is not None], (model.__name__, name)


def test_message_kinds_are_the_python_type_and_the_taxonomy() -> None:
    doc = document()
    assert doc["components"]["schemas"]["Message"]["properties"]["kind"]["enum"] == list(MESSAGE_KINDS)
    # every kind has a label for the pages and the API's kind_label
    assert set(catalogue.codes("message_kinds")) == set(MESSAGE_KINDS)


def test_statuses_and_actions_are_the_python_ones() -> None:
    doc = document()
    officer_case = doc["components"]["schemas"]["OfficerCase"]["properties"]
    assert _enum(officer_case["allowed_actions"]) == list(REGISTRY)
    found = 0
    for name, schema in doc["components"]["schemas"].items():
        status = schema.get("properties", {}).get("status")
        if status and _enum(status) is not None and name != "Ok":
            assert _enum(status) == list(lifecycle.STATUSES), name
            found += 1
    assert found >= 4
    paths = {p.rsplit("/", 1)[-1] for p in doc["paths"] if p.startswith("/api/v1/officer/cases/{reference}/")}
    assert paths - {"{attachment_id}"} == set(REGISTRY)


def _validator(doc: dict[str, Any], name: str) -> jsonschema_rs.Validator:
    return jsonschema_rs.Draft202012Validator({"$ref": f"#/components/schemas/{name}",
                                               "components": doc["components"]})


def test_a_case_with_a_statement_request_matches_the_served_document(api) -> None:
    created = api.create_case()
    ref, code = created["reference"], created["access_code"]
    h = api.officer_headers()
    r = requests.post(f"{api.url}/api/v1/officer/cases/{ref}/request-statement", headers=h, timeout=30,
                      json={"organisation_id": DENTIST_AB, "body": "Beskriv hur besöket gick till."})
    assert r.status_code == 200, r.text
    doc = requests.get(api.url + "/api/v1/openapi.json", timeout=30).json()
    case = requests.get(f"{api.url}/api/v1/officer/cases/{ref}", headers=h, timeout=30).json()
    # the request, and the delsvar that tells the reporter the answer now comes after the statement
    assert [m["kind"] for m in case["thread"]] == ["statement_request", "partial_answer"]
    _validator(doc, "OfficerCase").validate(case)
    listed = requests.get(f"{api.url}/api/v1/officer/cases", params={"status": "waiting_for_statement"},
                          headers=h, timeout=30).json()
    assert ref in [c["reference"] for c in listed["items"]]
    _validator(doc, "CaseList").validate(listed)
    reporter = requests.get(f"{api.url}/api/v1/reporter/cases/{ref}", headers={**api.reporter_headers(),
                                                                                 "X-Access-Code": code}, timeout=30)
    assert reporter.status_code == 200, reporter.text
    _validator(doc, "ReporterCase").validate(reporter.json())
    # the request is between the organisations
    assert [m["kind"] for m in reporter.json()["thread"]] == ["partial_answer"]
