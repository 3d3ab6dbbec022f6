"""The reporter page's sign-in in the database (services.reporter_sessions): the access code is stored
nowhere, the expiry slides while the page is used, and a new code or an anonymised case ends the session."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from backend.models import ReporterWebSession
from backend.services import reporter_sessions
from backend.swedish_time import utcnow
from backend.web.security import REPORTER_TTL_S

from test_web_flows import reporter_login


async def _expire_all(kg, by: timedelta) -> None:
    async with kg.session() as s:
        await s.exec(update(ReporterWebSession).values(expires_at=utcnow() - by))
        await s.commit()


async def test_the_session_row_holds_no_code_and_slides(kg):
    c = await kg.new_case()
    b, r = await reporter_login(kg, c["reference"], c["access_code"])
    assert r.status == 303
    [row] = await kg.rows(ReporterWebSession)
    assert c["access_code"] not in (row.token_hash + row.code_hash)
    assert row.token_hash != b.cookie("kg_reporter")
    # used again after 20 minutes: the expiry moves on to 30 minutes from now
    async with kg.session() as s:
        await s.exec(update(ReporterWebSession).values(expires_at=utcnow() + timedelta(minutes=10)))
        await s.commit()
    assert c["reference"] in await (await b.get("/arende")).text()
    [row] = await kg.rows(ReporterWebSession)
    assert row.expires_at - utcnow() > timedelta(seconds=REPORTER_TTL_S - 60)


async def test_an_expired_session_signs_out_and_is_cleared_away(kg):
    c = await kg.new_case()
    b, _r = await reporter_login(kg, c["reference"], c["access_code"])
    other, _r = await reporter_login(kg, c["reference"], c["access_code"])
    await _expire_all(kg, timedelta(seconds=1))
    page = await (await b.get("/arende")).text()
    assert c["reference"] not in page and 'name="access_code"' in page
    assert len(await kg.rows(ReporterWebSession)) == 1  # b's row went on use; the other's is left for the purge
    async with kg.session() as s:
        assert await reporter_sessions.purge_expired(s) == 1
    assert await kg.rows(ReporterWebSession) == []
    assert c["reference"] not in await (await other.get("/arende")).text()


async def test_a_new_access_code_or_anonymisation_ends_the_session(kg):
    c, d = await kg.new_case(), await kg.new_case()
    b, _r = await reporter_login(kg, c["reference"], c["access_code"])
    e, _r = await reporter_login(kg, d["reference"], d["access_code"])
    await kg.update_case(c["reference"], access_code_hash="0" * 64)
    assert c["reference"] not in await (await b.get("/arende")).text()
    await kg.update_case(d["reference"], anonymised_at=utcnow())
    assert d["reference"] not in await (await e.get("/arende")).text()
    assert await kg.rows(ReporterWebSession) == []
