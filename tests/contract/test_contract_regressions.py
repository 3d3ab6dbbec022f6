"""Fixed findings of the schemathesis run, pinned down so they stay fixed."""
from __future__ import annotations

import jsonschema_rs
import pytest
import requests

from backend.api.openapi import document

from .contract_helpers import PNG_1X1

BOUNDARY = "kgboundary"


def _multipart(*parts: str) -> bytes:
    return ("".join(f"--{BOUNDARY}\r\n{p}\r\n" for p in parts) + f"--{BOUNDARY}--\r\n").encode("utf-8")


BROKEN = {
    "no boundary": ("multipart/form-data", b'{"body": "0"}'),
    "invalid part header": (f"multipart/form-data; boundary={BOUNDARY}",
                            _multipart('Content-Disposition: form-data; name="P\x15\x9c"\r\n\r\nx')),
    "nested multipart": (f"multipart/form-data; boundary={BOUNDARY}",
                         _multipart('Content-Disposition: form-data; name="body"\r\n'
                                    'Content-Type: multipart/mixed; boundary=inner\r\n\r\n--inner--')),
    "unknown transfer encoding": (f"multipart/form-data; boundary={BOUNDARY}",
                                  _multipart('Content-Disposition: form-data; name="body"\r\n'
                                             'Content-Transfer-Encoding: rot13\r\n\r\nhej')),
    "truncated body": (f"multipart/form-data; boundary={BOUNDARY}",
                       f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="body"\r\n\r\nhej'.encode()),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_multipart_is_a_400_not_a_500(api, name: str) -> None:
    ctype, data = BROKEN[name]
    reporter = requests.post(f"{api.url}/api/v1/reporter/cases/{api.reporter_reference}/messages", data=data,
                             headers={**api.reporter_headers(), "Content-Type": ctype}, timeout=30)
    officer = requests.post(f"{api.url}/api/v1/officer/cases/{api.officer_references[-1]}/partial-answer", data=data,
                            headers={**api.officer_headers(), "Content-Type": ctype}, timeout=30)
    for r in (reporter, officer):
        assert r.status_code in (400, 422), (name, r.status_code, r.text)
        assert r.json()["error"]["code"] in ("malformed_multipart", "validation_error")


def test_a_good_multipart_message_still_works(api) -> None:
    files = [("body", (None, "En bild till.")), ("file", ("bild.png", PNG_1X1, "image/png"))]
    r = requests.post(f"{api.url}/api/v1/reporter/cases/{api.reporter_reference}/messages", files=files,
                      headers=api.reporter_headers(), timeout=30)
    assert r.status_code == 201, r.text
    assert [a["content_type"] for a in r.json()["attachments"]] == ["image/png"]


def _documented_types(path: str) -> set[str]:
    return set(document()["paths"][path]["get"]["responses"]["200"]["content"])


def test_attachments_are_served_with_a_documented_type(api) -> None:
    for url, headers, path in [
        (f"/api/v1/reporter/cases/{api.reporter_reference}/attachments/{api.reporter_attachment_id}",
         api.reporter_headers(), "/api/v1/reporter/cases/{reference}/attachments/{attachment_id}"),
        (f"/api/v1/officer/cases/{api.reporter_reference}/attachments/{api.reporter_attachment_id}",
         api.officer_headers(), "/api/v1/officer/cases/{reference}/attachments/{attachment_id}"),
    ]:
        r = requests.get(api.url + url, headers=headers, timeout=30)
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"].split(";")[0] in _documented_types(path)
        assert r.content == PNG_1X1


@pytest.mark.parametrize("path,params,admin", [
    ("/api/v1/stats/categories", {"format": "csv"}, False),
    ("/api/v1/officer/export/tagged", {"tag": "cancer", "format": "csv"}, True),
])
def test_csv_answers_are_documented(api, path: str, params: dict[str, str], admin: bool) -> None:
    r = requests.get(api.url + path, params=params, headers=api.officer_headers(admin=admin), timeout=30)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].split(";")[0] == "text/csv"
    assert "text/csv" in _documented_types(path)


def test_officer_case_matches_its_schema_after_every_kind_of_message(api) -> None:
    """The richest response, with a thread, events and audit entries, against its component schema."""
    ref = api.create_case()["reference"]
    h = api.officer_headers()
    for action, body in [("take", {}), ("partial-answer", {"body": "Vi tittar på det."}),
                         ("counter-question", {"body": "Vilken dag var det?"})]:
        assert requests.post(f"{api.url}/api/v1/officer/cases/{ref}/{action}", json=body, headers=h,
                             timeout=30).status_code == 200
    doc = document()
    case = requests.get(f"{api.url}/api/v1/officer/cases/{ref}", headers=h, timeout=30).json()
    jsonschema_rs.Draft202012Validator({"$ref": "#/components/schemas/OfficerCase",
                                        "components": doc["components"]}).validate(case)
    assert {m["kind"] for m in case["thread"]} == {"partial_answer", "counter_question"}
