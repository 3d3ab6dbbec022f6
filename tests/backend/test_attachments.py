"""Attachments: PDF/JPEG/PNG by content, at most 5 per reporter message, 20 MB each, stored as files
outside the database rows, readable only by the reporter (with the code) and the owning organisation."""
from __future__ import annotations

import hashlib
import io
import os
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from kg_testkit import JH_HANDLER, PN_HANDLER, REGION_JH, error_of

from backend.models import Attachment, Message
from backend.swedish_time import utcnow

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32
MB20 = 20 * 1024 * 1024


def form(body: str | None, files: list[tuple[str, bytes]], quote: bool = False) -> aiohttp.FormData:
    """multipart/form-data as a browser sends it: file names as raw UTF-8 (quote=False); aiohttp's own
    default (quote=True) percent-encodes them."""
    f = aiohttp.FormData(quote_fields=quote)
    if body is not None:
        f.add_field("body", body)
    for name, data in files:
        f.add_field("file", io.BytesIO(data), filename=name, content_type="application/octet-stream")
    return f


async def post_files(kg, ref: str, code: str, files, body: str | None = "Se bifogade filer.", quote: bool = False):
    return await kg.client.post(f"/api/v1/reporter/cases/{ref}/messages", data=form(body, files, quote),
                                headers={"X-Access-Code": code})


def stored_files(kg) -> list[Path]:
    root = Path(kg.attachments_dir)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


async def test_pdf_jpeg_png_are_accepted_by_content(kg):
    c = await kg.new_case()
    # the names lie; the content decides the type
    r = await post_files(kg, c["reference"], c["access_code"],
                         [("journal.pdf", PDF), ("foto.jpg", JPEG), ("skärmbild.pdf", PNG)])
    assert r.status == 201, await r.text()
    msg = await r.json()
    assert [(a["filename"], a["content_type"]) for a in msg["attachments"]] == [
        ("journal.pdf", "application/pdf"), ("foto.jpg", "image/jpeg"), ("skärmbild.pdf", "image/png")]
    assert [a["size"] for a in msg["attachments"]] == [len(PDF), len(JPEG), len(PNG)]


@pytest.mark.parametrize("name,data", [
    ("intyg.pdf", "Det här är bara text som heter .pdf\n".encode()),
    ("bild.png", b"GIF89a\x01\x00\x01\x00"),
    ("program.pdf", b"MZ\x90\x00\x03\x00\x00\x00"),
    ("arkiv.pdf", b"PK\x03\x04\x14\x00"),
    ("sida.pdf", b"<html><script>alert(1)</script></html>"),
    ("tom.pdf", b""),
])
async def test_other_content_is_refused_whatever_the_name(kg, name, data):
    c = await kg.new_case()
    r = await post_files(kg, c["reference"], c["access_code"], [("ok.pdf", PDF), (name, data)])
    assert r.status == 422, await r.text()
    err = await error_of(r)
    assert "file.1" in err["fields"] and "PDF, JPEG och PNG" in err["fields"]["file.1"]
    assert await kg.count(Message) == 0 and await kg.count(Attachment) == 0
    assert stored_files(kg) == []


async def test_at_most_five_files_per_reporter_message(kg):
    c = await kg.new_case()
    r = await post_files(kg, c["reference"], c["access_code"], [(f"f{i}.pdf", PDF) for i in range(6)])
    assert r.status == 422
    assert "högst 5" in (await error_of(r))["fields"]["file"]
    assert await kg.count(Message) == 0 and stored_files(kg) == []
    r = await post_files(kg, c["reference"], c["access_code"], [(f"f{i}.pdf", PDF) for i in range(5)])
    assert r.status == 201
    assert len((await r.json())["attachments"]) == 5


async def test_twenty_megabytes_each(kg):
    c = await kg.new_case()
    exactly = PDF + b"\x00" * (MB20 - len(PDF))
    r = await post_files(kg, c["reference"], c["access_code"], [("stor.pdf", exactly + b"\x00")])
    assert r.status == 422
    assert "20 MB" in str((await error_of(r))["fields"])
    assert await kg.count(Message) == 0 and stored_files(kg) == []
    r = await post_files(kg, c["reference"], c["access_code"], [("precis.pdf", exactly)])
    assert r.status == 201, await r.text()
    assert (await r.json())["attachments"][0]["size"] == MB20


async def test_a_request_is_not_read_past_its_size_limit(kg):
    """request.multipart() streams past aiohttp's client_max_size: the reader counts itself, so six files
    of almost 20 MB (over the 110 MB a message may carry) end in 413 at the limit, not in memory."""
    c = await kg.new_case()
    almost = PDF + b"\x00" * (MB20 - 1024 - len(PDF))
    r = await post_files(kg, c["reference"], c["access_code"], [(f"{i}.pdf", almost) for i in range(6)])
    assert r.status == 413
    assert (await error_of(r))["code"] == "too_large"
    # a text field is read up to 1 MB only
    r = await post_files(kg, c["reference"], c["access_code"], [("a.pdf", PDF)], body="å" * (600 * 1024))
    assert r.status == 413
    assert await kg.count(Message) == 0 and stored_files(kg) == []


async def test_files_are_stored_outside_the_database_rows(kg):
    c = await kg.new_case()
    r = await post_files(kg, c["reference"], c["access_code"], [("journal.pdf", PDF)])
    a = (await kg.rows(Attachment))[0]
    assert "data" not in Attachment.model_fields and "content" not in Attachment.model_fields
    path = Path(kg.attachments_dir) / a.storage_key
    assert path.read_bytes() == PDF
    assert a.sha256 == hashlib.sha256(PDF).hexdigest()
    assert a.size == len(PDF) and a.filename == "journal.pdf"
    # the file name on disk is not the uploaded name
    assert "journal" not in a.storage_key
    assert r.status == 201


async def test_no_file_is_left_behind_when_the_message_is_refused(kg):
    c = await kg.new_case()
    await kg.ok(JH_HANDLER, c["reference"], "categorise", {"subs": ["diagnos"]})
    await kg.ok(JH_HANDLER, c["reference"], "answer", {"body": "Svar"})
    await kg.ok(JH_HANDLER, c["reference"], "close")
    await kg.update_case(c["reference"], closed_at=utcnow() - timedelta(days=60))
    r = await post_files(kg, c["reference"], c["access_code"], [("sen.pdf", PDF)])
    assert r.status == 409
    assert stored_files(kg) == [] and await kg.count(Attachment) == 0
    r = await post_files(kg, c["reference"], c["access_code"], [("utan-text.pdf", PDF)], body=None)
    assert r.status == 422 and stored_files(kg) == []


async def test_reporter_reads_own_attachments_with_the_code(kg):
    c = await kg.new_case()
    r = await post_files(kg, c["reference"], c["access_code"], [("läkarintyg åäö \"x\".pdf", PDF)])
    att = (await r.json())["attachments"][0]
    url = f"/api/v1/reporter/cases/{c['reference']}/attachments/{att['id']}"
    ok = await kg.client.get(url, headers={"X-Access-Code": c["access_code"]})
    assert ok.status == 200
    assert await ok.read() == PDF
    assert ok.headers["Content-Type"] == "application/pdf"
    assert ok.headers["Content-Disposition"].startswith("attachment")
    assert '"x"' not in ok.headers["Content-Disposition"]     # no header injection through the name
    assert (await kg.client.get(url, headers={"X-Access-Code": "AAAA-BBBB-CCCC"})).status == 404
    assert (await kg.client.get(url)).status == 404
    # the thread lists it too
    view = await kg.reporter_view(c["reference"], c["access_code"])
    assert view["thread"][0]["attachments"][0]["id"] == att["id"]


async def test_another_reporter_cannot_read_it(kg):
    a, b = await kg.new_case(), await kg.new_case()
    att = (await (await post_files(kg, a["reference"], a["access_code"], [("a.pdf", PDF)])).json())["attachments"][0]
    r = await kg.client.get(f"/api/v1/reporter/cases/{b['reference']}/attachments/{att['id']}",
                            headers={"X-Access-Code": b["access_code"]})
    assert r.status == 404
    # nor through the web page, signed in as the other reporter
    br = kg.browser()
    token = await br.csrf("/arende")
    login = await br.post("/arende", {"csrf_token": token, "reference": b["reference"], "access_code": b["access_code"]})
    assert login.status == 303
    assert (await br.get(f"/arende/bilagor/{att['id']}")).status == 404
    # while the right reporter can
    br2 = kg.browser()
    token = await br2.csrf("/arende")
    await br2.post("/arende", {"csrf_token": token, "reference": a["reference"], "access_code": a["access_code"]})
    r = await br2.get(f"/arende/bilagor/{att['id']}")
    assert r.status == 200 and await r.read() == PDF


async def test_officers_of_the_owning_organisation_read_it(kg):
    c = await kg.new_case()
    att = (await (await post_files(kg, c["reference"], c["access_code"], [("a.pdf", PDF)])).json())["attachments"][0]
    url = f"/api/v1/officer/cases/{c['reference']}/attachments/{att['id']}"
    r = await kg.client.get(url, headers=kg.auth(JH_HANDLER))
    assert r.status == 200 and await r.read() == PDF
    assert (await kg.client.get(url, headers=kg.auth(PN_HANDLER))).status == 404
    # reading an attachment is audit-logged
    from backend.models import AuditEntry
    entries = await kg.rows(AuditEntry, AuditEntry.action == "read_attachment")
    assert len(entries) == 1 and entries[0].case_reference == c["reference"]


async def test_officer_attachments_reach_the_reporter_but_statements_do_not(kg):
    c = await kg.new_case(recipient="patient_board")
    ref = c["reference"]
    r = await kg.client.post(f"/api/v1/officer/cases/{ref}/partial-answer", data=form("Se bilaga.", [("svar.png", PNG)]),
                             headers=kg.auth(PN_HANDLER))
    assert r.status == 200, await r.text()
    answer_att = [m for m in (await r.json())["thread"] if m["kind"] == "partial_answer"][0]["attachments"][0]
    await kg.ok(PN_HANDLER, ref, "request-statement", {"organisation_id": REGION_JH})
    r = await kg.client.post(f"/api/v1/officer/cases/{ref}/statement", data=form("Yttrande.", [("intern.pdf", PDF)]),
                             headers=kg.auth(JH_HANDLER))
    assert r.status == 200, await r.text()
    statement_att = [m for m in (await r.json())["thread"] if m["kind"] == "statement"][0]["attachments"][0]
    base = f"/api/v1/reporter/cases/{ref}/attachments"
    h = {"X-Access-Code": c["access_code"]}
    assert (await kg.client.get(f"{base}/{answer_att['id']}", headers=h)).status == 200
    assert (await kg.client.get(f"{base}/{statement_att['id']}", headers=h)).status == 404


async def test_unsafe_file_names_are_cleaned(kg):
    c = await kg.new_case()
    r = await post_files(kg, c["reference"], c["access_code"], [("../../etc/passwd.pdf", PDF),
                                                                ("<script>x;y</script>.pdf", PDF)])
    assert r.status == 201
    names = [a["filename"] for a in (await r.json())["attachments"]]
    assert names[0] == "passwd.pdf"
    assert not set("<>;/") & set(names[1])
    for p in stored_files(kg):
        assert Path(kg.attachments_dir) in p.parents
    assert not os.path.exists(Path(kg.attachments_dir).parent / "etc")


def test_uploads_are_spooled_not_held_in_memory():
    """A received file over 1 MB lives in an unnamed temporary file (nothing to clean up if the request
    is refused); size, first bytes and SHA-256 are counted on the way in."""
    from backend.services.attachments import SPOOL_IN_MEMORY, Upload, UploadWriter
    big = PDF + os.urandom(2 * SPOOL_IN_MEMORY)
    w = UploadWriter("stor.pdf")
    for i in range(0, len(big), 65536):
        w.write(big[i:i + 65536])
    up = w.finish()
    assert up.file._rolled  # type: ignore[attr-defined]  # on disk, not in memory
    assert (up.size, up.head, up.sha256) == (len(big), big[:16], hashlib.sha256(big).hexdigest())
    assert up.file.read() == big
    small = Upload.from_bytes("liten.png", PNG)
    assert not small.file._rolled and small.size == len(PNG)  # type: ignore[attr-defined]
