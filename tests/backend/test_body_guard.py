"""Officer routes decide who is asking before reading the body: a request that announces 50 MB but sends
only its headers gets its answer at once. (If the server read first, it would wait for the 50 MB.)"""
from __future__ import annotations

import asyncio

import pytest
from kg_testkit import JH_HANDLER

BIG = 50 * 1024 * 1024


async def send_headers_only(kg, path: str, content_type: str, extra: str = "") -> tuple[int, str]:
    """POSTs headers that promise BIG bytes, sends 10 of them, and returns (status, head) of the answer."""
    server = kg.client.server
    reader, writer = await asyncio.open_connection(server.host, server.port)
    try:
        writer.write((f"POST {path} HTTP/1.1\r\nHost: {server.host}:{server.port}\r\n"
                      f"Content-Type: {content_type}\r\nContent-Length: {BIG}\r\n{extra}\r\n").encode()
                     + b"0123456789")
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5)
    finally:
        writer.close()
    text = head.decode("latin-1")
    return int(text.split(" ", 2)[1]), text


@pytest.mark.parametrize("path, content_type, status", [
    ("/api/v1/officer/login", "application/json", 413),
    ("/officer/login", "application/x-www-form-urlencoded", 413),
    ("/officer/logout", "multipart/form-data; boundary=x", 413),
    ("/api/v1/officer/cases/KG-2025-000001/answer", "multipart/form-data; boundary=x", 401),
    ("/officer/arenden/KG-2025-000001/answer", "multipart/form-data; boundary=x", 303),
])
async def test_no_body_is_read_without_a_session(kg, path, content_type, status):
    got, head = await send_headers_only(kg, path, content_type)
    assert got == status, head
    if status == 303:
        assert "Location: /officer/login" in head


async def test_a_json_body_without_a_length_is_read_no_further_than_the_limit(kg):
    """Chunked JSON (no Content-Length) to the open log-in: refused once it passes 1 MB."""
    async def chunks():
        for _ in range(40):
            yield b" " * (64 * 1024)
    r = await kg.client.post("/api/v1/officer/login", data=chunks(), headers={"Content-Type": "application/json"})
    assert r.status == 413


async def test_with_a_session_the_request_goes_through(kg):
    case = await kg.new_case()
    r = await kg.client.post(f"/api/v1/officer/cases/{case['reference']}/take", json={}, headers=kg.auth(JH_HANDLER))
    assert r.status == 200
    r = await kg.client.post("/api/v1/officer/login", json={"email": JH_HANDLER, "password": "fel"})
    assert r.status == 401
