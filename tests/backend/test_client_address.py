"""Rate limits behind a reverse proxy: the client address comes from X-Forwarded-For only when the
direct peer is one of our trusted proxies (KG_TRUSTED_PROXIES), and a forged header never helps."""
from __future__ import annotations

import pytest

from backend.services.ratelimit import FailureLimiter, client_address, parse_trusted_proxies
from backend.settings import Settings

from kg_testkit import DEMO_PASSWORD, JH_HANDLER

PROXY = parse_trusted_proxies("10.0.0.0/8, 127.0.0.1")


@pytest.mark.parametrize("remote, xff, expected", [
    # no proxy in front: the peer, whatever the header says
    ("203.0.113.7", ["198.51.100.1"], "203.0.113.7"),
    # our proxy: the address it added (rightmost)
    ("127.0.0.1", ["198.51.100.1"], "198.51.100.1"),
    # a client forging a leftmost entry does not get to choose its bucket
    ("127.0.0.1", ["1.2.3.4, 198.51.100.1"], "198.51.100.1"),
    # two of our proxies in a row are skipped
    ("10.1.2.3", ["198.51.100.1, 10.9.9.9"], "198.51.100.1"),
    # several headers are read as one list
    ("10.1.2.3", ["6.6.6.6", "198.51.100.1"], "198.51.100.1"),
    # ports and IPv6 brackets
    ("127.0.0.1", ["198.51.100.1:4431"], "198.51.100.1"),
    ("127.0.0.1", ["[2001:db8::1]:443"], "2001:db8::1"),
    # garbage stops the walk at the last address we could read (here our own proxy)
    ("127.0.0.1", ["not-an-ip"], "127.0.0.1"),
    # only proxies in the chain: the outermost proxy stands for the client
    ("127.0.0.1", ["10.0.0.5"], "10.0.0.5"),
    # no header at all
    ("127.0.0.1", [], "127.0.0.1"),
])
def test_client_address(remote, xff, expected):
    assert client_address(remote, xff, PROXY) == expected


def test_without_trusted_proxies_the_header_is_ignored():
    assert client_address("127.0.0.1", ["198.51.100.1"], ()) == "127.0.0.1"


def test_bad_trusted_proxies_setting_names_the_entry(monkeypatch):
    monkeypatch.setenv("KG_TRUSTED_PROXIES", "10.0.0.0/8, nginx")
    with pytest.raises(ValueError, match="'nginx'"):
        Settings.from_env()
    monkeypatch.setenv("KG_TRUSTED_PROXIES", " 10.0.0.0/8 ; ::1 ")
    assert [str(n) for n in Settings.from_env().trusted_proxies] == ["10.0.0.0/8", "::1/128"]


@pytest.mark.parametrize("where", ["memory", "database"])
async def test_caps_per_key_prefix(kg, where):
    from backend.services.ratelimit import DatabaseFailures, MemoryFailures
    store = MemoryFailures() if where == "memory" else DatabaseFailures(kg.app["sessionmaker"], "t", "secret")
    lim = FailureLimiter(2, 60, caps={"ip:": 4}, store=store)
    for _ in range(2):
        await lim.fail("login:a", "ip:x")
    assert await lim.blocked("login:a")
    assert not await lim.blocked("login:b", "ip:x")
    for _ in range(2):
        await lim.fail("login:b", "ip:x")
    assert await lim.blocked("ip:x")
    await lim.reset()
    assert not await lim.blocked("login:a", "ip:x")


async def test_failed_attempts_leave_the_window_and_are_stored_only_hashed(kg):
    """The sliding window on the database store: attempts older than the window no longer count and are
    cleared away; the e-mail and address in the keys are nowhere in the table."""
    from datetime import timedelta

    from sqlalchemy import update
    from sqlmodel import select

    from backend.models import FailedAttempt
    from backend.services.ratelimit import DatabaseFailures, purge_failures
    from backend.swedish_time import utcnow
    lim = FailureLimiter(2, 60, store=DatabaseFailures(kg.app["sessionmaker"], "login", "secret"))
    for _ in range(2):
        await lim.fail("login:anna@example.se", "ip:198.51.100.7")
    assert await lim.blocked("login:anna@example.se")
    async with kg.session() as s:
        rows = (await s.exec(select(FailedAttempt))).all()
        assert len(rows) == 4 and not any("anna" in r.key_hash or "198.51" in r.key_hash for r in rows)
        await s.exec(update(FailedAttempt).values(at=utcnow() - timedelta(seconds=61)))
        await s.commit()
    assert not await lim.blocked("login:anna@example.se", "ip:198.51.100.7")
    async with kg.session() as s:
        assert await purge_failures(s, 60) == 4


async def test_behind_a_trusted_proxy_each_client_has_its_own_bucket(make_kg):
    kg = await make_kg(trusted_proxies=parse_trusted_proxies("127.0.0.1"))
    cases = [await kg.new_case() for _ in range(7)]
    for c in cases[:5]:
        r = await kg.reporter_get(c["reference"], "WRNG-WRNG-WRNG", **{"X-Forwarded-For": "198.51.100.1"})
        assert r.status == 404
    # that client is now limited …
    r = await kg.reporter_get(cases[5]["reference"], cases[5]["access_code"], **{"X-Forwarded-For": "198.51.100.1"})
    assert r.status == 429
    # … also when it puts another address in front of the header …
    r = await kg.reporter_get(cases[5]["reference"], cases[5]["access_code"],
                              **{"X-Forwarded-For": "192.0.2.99, 198.51.100.1"})
    assert r.status == 429
    # … while a neighbour behind the same proxy is not
    r = await kg.reporter_get(cases[6]["reference"], cases[6]["access_code"], **{"X-Forwarded-For": "198.51.100.2"})
    assert r.status == 200


async def test_without_trusted_proxies_a_forged_header_does_not_dodge_the_limit(kg):
    cases = [await kg.new_case() for _ in range(6)]
    for i, c in enumerate(cases[:5]):
        r = await kg.reporter_get(c["reference"], "WRNG-WRNG-WRNG", **{"X-Forwarded-For": f"198.51.100.{i}"})
        assert r.status == 404
    r = await kg.reporter_get(cases[5]["reference"], cases[5]["access_code"], **{"X-Forwarded-For": "192.0.2.1"})
    assert r.status == 429


async def test_one_account_locks_but_colleagues_on_the_same_address_can_log_in(kg):
    for _ in range(10):
        r = await kg.client.post("/api/v1/officer/login", json={"email": "ingen@example.se", "password": "fel"})
        assert r.status == 401
    assert (await kg.client.post("/api/v1/officer/login",
                                 json={"email": "ingen@example.se", "password": "fel"})).status == 429
    r = await kg.client.post("/api/v1/officer/login", json={"email": JH_HANDLER, "password": DEMO_PASSWORD})
    assert r.status == 200
