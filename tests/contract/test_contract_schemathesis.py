"""Schemathesis against the document the running server serves, with valid credentials for every audience.

Checks: no 5xx, and every response conforms to the document (status code, content type, body schema).
Bounded (``KG_SCHEMATHESIS_EXAMPLES`` per operation and mode, 30 by default) so it runs in a few minutes.
"""
from __future__ import annotations

import os
import uuid

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from backend.api.openapi import document

MAX_EXAMPLES = int(os.environ.get("KG_SCHEMATHESIS_EXAMPLES", "30"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


# The document is built from `backend.api.openapi.document()` at collection time, which gives one pytest
# item per operation; test_contract_openapi.py asserts that the running server serves exactly this
# document. (schemathesis.pytest.from_fixture, which would load it from the server at run time, does not
# work with pytest 9.2: it writes Node._nodeid, which pytest no longer has.)
schema = schemathesis.openapi.from_dict(document())


def credentials(case, api) -> dict[str, str]:
    """Valid credentials for the operation's audience. In positive mode the path also names a real case
    (and a real attachment), so the fuzzing reaches the handlers behind the authorisation checks;
    negative cases keep whatever schemathesis generated."""
    path = case.operation.path
    positive = case.meta is None or case.meta.generation.mode == GenerationMode.POSITIVE
    if path == "/api/v1/cases":
        if positive:
            # a fresh key (schemathesis repeats generated keys, which only ever answers 409) and a personnummer
            # that passes the checksum, so the rest of the generated body is fuzzed all the way to the insert
            case.headers = {**(case.headers or {}), "Idempotency-Key": uuid.uuid4().hex}
            if isinstance(case.body, dict) and isinstance(case.body.get("patient"), dict):
                case.body["patient"]["personnummer"] = api.next_personnummer()
        return api.service_headers()
    if path == "/api/v1/units/{hsa_id}" and positive:
        case.path_parameters["hsa_id"] = api.next_unit()
        return {}
    if path.startswith("/api/v1/reporter/"):
        if positive:
            case.path_parameters["reference"] = api.reporter_reference
            if "attachment_id" in case.path_parameters:
                case.path_parameters["attachment_id"] = str(api.reporter_attachment_id)
            case.headers = {**(case.headers or {}), "X-Access-Code": api.reporter_code}
        headers = api.reporter_headers()
        if not positive:
            headers.pop("X-Access-Code")
        return headers
    if path == "/api/v1/officer/login":
        return {}
    if path == "/api/v1/officer/logout":
        return {"Authorization": f"Bearer {api.fresh_officer_token()}"}
    if path.startswith("/api/v1/officer/"):
        if positive and "reference" in (case.path_parameters or {}):
            if "attachment_id" in case.path_parameters:
                case.path_parameters["reference"] = api.reporter_reference
                case.path_parameters["attachment_id"] = str(api.reporter_attachment_id)
            else:
                case.path_parameters["reference"] = api.next_officer_reference()
        return api.officer_headers(admin=path == "/api/v1/officer/export/tagged")
    if path.startswith("/api/v1/integration/"):
        if positive:  # the officer's organisation's cases: the token's own
            case.path_parameters["reference"] = api.next_officer_reference()
        return api.integration_headers()
    if path.startswith("/api/v1/stats/"):
        # alternate between the public (suppressed) view and an officer's own organisation
        return api.officer_headers() if api.next_officer_reference() == api.reporter_reference else {}
    return {}


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=False,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_document(case, api) -> None:
    headers = credentials(case, api)
    case.call_and_validate(base_url=api.url, headers=headers, checks=CHECKS, timeout=60)
