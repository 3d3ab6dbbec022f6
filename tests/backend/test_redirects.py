"""The language switch (/sprak/…?next=) and the officer log-in only send the browser to paths on this site."""
from __future__ import annotations

import pytest

OFF_SITE = ["//evil.example/", "/\t/evil.example/", "/\n/evil.example", "/\r//evil.example", "/\\evil.example",
            "https://evil.example/", "javascript:alert(1)", "\t//evil.example", " //evil.example", "evil.example",
            "/" + "a" * 400]


@pytest.mark.parametrize("nxt", OFF_SITE)
async def test_language_switch_never_leaves_the_site(kg, nxt):
    r = await kg.client.get("/sprak/en", params={"next": nxt}, allow_redirects=False)
    assert r.status == 303
    assert r.headers["Location"] == "/"


async def test_language_switch_keeps_a_local_path(kg):
    r = await kg.client.get("/sprak/en", params={"next": "/arende?steg=2"}, allow_redirects=False)
    assert r.status == 303 and r.headers["Location"] == "/arende?steg=2"
    assert r.cookies["kg_lang"].value == "en"


def test_local_path_and_safe_next():
    from backend.web.common import local_path, safe_next
    for bad in OFF_SITE + ["/\x00/evil.example", "/\x7f/evil.example"]:
        assert local_path(bad) is None, repr(bad)
        assert safe_next(bad) == "/officer"
    assert local_path("/om-personuppgifter") == "/om-personuppgifter"
    assert safe_next("/officer/arenden?q=Anna Berg") == "/officer/arenden?q=Anna Berg"
    assert safe_next("/officer/\t/evil.example") == "/officer" and safe_next("/arende") == "/officer"
