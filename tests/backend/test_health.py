"""GET /health: 200 with a reachable database, 503 without one."""
from __future__ import annotations

from conftest import base_settings, free_port


async def test_health_ok(kg):
    r = await kg.client.get("/health")
    assert r.status == 200
    assert await r.json() == {"status": "ok"}


async def test_health_503_when_database_unreachable(aiohttp_client, tmp_path):
    from backend.app import create_app
    # nothing listens on this port: every connection attempt is refused
    url = f"postgresql+asyncpg://nobody@127.0.0.1:{free_port()}/nothing"
    app = create_app(base_settings(url, str(tmp_path / "att")))
    client = await aiohttp_client(app)
    r = await client.get("/health")
    assert r.status == 503
    assert (await r.json())["status"] != "ok"


async def test_health_503_when_database_goes_away(kg, tmp_path):
    """The same app: fine first, then its database disappears (engine pointed at a dead server)."""
    from backend.db import make_engine, make_sessionmaker
    assert (await kg.client.get("/health")).status == 200
    dead = make_engine(f"postgresql+asyncpg://nobody@127.0.0.1:{free_port()}/nothing")
    kg.app["sessionmaker"] = make_sessionmaker(dead)
    try:
        r = await kg.client.get("/health")
        assert r.status == 503
    finally:
        await dead.dispose()
