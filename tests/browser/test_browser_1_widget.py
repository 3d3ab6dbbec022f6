"""The chat widget on the chat page, against a fake Rasa socket.io server (no trained bot needed).

Covers: bot text, buttons and links; typed and clicked answers look the same; "skriver…"; safety answers
stand out (by text and by the custom payload {"kind": "safety"}); the same conversation after a reload;
reconnecting after a network drop without losing anything; keyboard-only use; 360 px; 200 % zoom;
embedding with one script tag on another site; the page's CSP; axe-core.
"""
from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from .conftest import assert_no_serious_axe, new_context, shot

HOST = "div.klagomalsguiden-host"


def open_chat(page, backend):
    page.goto(backend.url + "/")
    widget = page.locator(HOST)
    expect(widget).to_have_attribute("data-connection", "ok", timeout=15_000)
    expect(bot_messages(page).first).to_contain_text("Hej! Jag är Klagomålsguiden")
    return widget


def bot_messages(page):
    return page.locator(f"{HOST} li[data-from='bot']")


def user_messages(page):
    return page.locator(f"{HOST} li[data-from='user']")


def send(page, text: str) -> None:
    box = page.get_by_label("Ditt meddelande")
    box.fill(text)
    box.press("Enter")


def test_greeting_buttons_and_clicked_equals_typed(page, backend, fake_rasa):
    open_chat(page, backend)
    choices = page.locator(f"{HOST} .kg-choices button")
    expect(choices).to_have_count(2)
    page.get_by_role("button", name="Lämna synpunkter eller klagomål").click()
    expect(user_messages(page).nth(0)).to_contain_text("Lämna synpunkter eller klagomål")
    # the buttons of an answered question go away; the next question brings its own
    expect(bot_messages(page).nth(1)).to_contain_text("Vem lämnar synpunkterna?")
    expect(page.get_by_role("button", name="Jag är patienten")).to_be_visible()
    expect(page.get_by_role("button", name="Lämna synpunkter eller klagomål")).to_have_count(0)
    send(page, "Jag är närstående")
    expect(user_messages(page)).to_have_count(2)
    clicked, typed = user_messages(page).nth(0), user_messages(page).nth(1)
    style = "el => { const s = getComputedStyle(el); return [el.className, s.backgroundColor, s.color, " \
            "s.fontSize, s.textAlign, s.alignSelf, s.borderRadius].join('|'); }"
    assert clicked.evaluate(style) == typed.evaluate(style)
    expect(typed).to_contain_text("Jag är närstående")
    shot(page, "01-chat-page-desktop")


def test_typing_indicator_while_waiting(page, backend, fake_rasa):
    widget = open_chat(page, backend)
    send(page, "Hej där")
    expect(widget).to_have_attribute("data-typing", "true")
    expect(page.locator(f"{HOST} .kg-typing")).to_contain_text("Klagomålsguiden skriver…")
    expect(bot_messages(page).nth(1)).to_contain_text("Du skrev: Hej där")
    expect(widget).to_have_attribute("data-typing", "false")
    expect(page.locator(f"{HOST} .kg-typing")).not_to_contain_text("skriver")


def test_safety_answers_stand_out(page, backend, fake_rasa):
    open_chat(page, backend)
    send(page, "jag har bröstsmärtor och kan inte andas")
    safety = page.locator(f"{HOST} li[data-kind='safety']")
    expect(safety).to_have_count(1)
    expect(safety).to_contain_text("Ring 112 nu")
    expect(safety.get_by_role("link", name="Ring 112")).to_have_attribute("href", "tel:112")
    normal_bg = bot_messages(page).first.evaluate("el => getComputedStyle(el).backgroundColor")
    safety_bg = safety.evaluate("el => getComputedStyle(el).backgroundColor")
    border = safety.evaluate("el => getComputedStyle(el).borderLeftWidth")
    assert safety_bg != normal_bg and float(border.rstrip("px")) >= 6
    # the custom payload {"kind": "safety"} marks a text without 112/90101 too
    send(page, "jag orkar inte leva längre")
    expect(safety).to_have_count(2)
    expect(safety.nth(1)).to_contain_text("väldigt tungt")
    expect(safety.nth(1)).to_contain_text("Viktigt")
    shot(page, "02-chat-safety-answer")


def test_links_are_rendered_safely(page, backend, fake_rasa):
    open_chat(page, backend)
    send(page, "ge mig en länk")
    msg = bot_messages(page).nth(1)
    link = msg.get_by_role("link", name=re.compile("1177.se"))
    expect(link).to_have_attribute("href", "https://www.1177.se/")
    expect(link).to_have_attribute("target", "_blank")
    expect(msg.get_by_role("link", name=re.compile("ivo.se"))).to_have_attribute("rel", "noopener noreferrer")
    # a message is never HTML: markup typed by the person shows as text
    send(page, "<img src=x onerror=alert(1)> <b>fet</b>")
    expect(user_messages(page).last).to_contain_text("<b>fet</b>")
    assert page.locator(f"{HOST} li img").count() == 0


def test_same_conversation_after_reload(page, backend, fake_rasa):
    open_chat(page, backend)
    send(page, "första meddelandet, personnummer 19410708-9804")
    expect(bot_messages(page).nth(1)).to_contain_text("meddelande 2 i samma samtal")
    page.reload()
    expect(page.locator(HOST)).to_have_attribute("data-connection", "ok")
    expect(user_messages(page)).to_have_count(1)
    expect(bot_messages(page)).to_have_count(2)
    # the stored copy never holds the personnummer
    stored = page.evaluate("() => JSON.stringify(Object.assign({}, window.sessionStorage))")
    assert "9804" not in stored and "194107" in stored
    send(page, "andra meddelandet")
    expect(bot_messages(page).nth(2)).to_contain_text("meddelande 3 i samma samtal")
    # no second greeting after the reload
    expect(page.locator(f"{HOST} li", has_text="Hej! Jag är Klagomålsguiden")).to_have_count(1)


def test_reconnects_after_network_drop(page, backend, fake_rasa, chat_proxy):
    widget = open_chat(page, backend)
    send(page, "innan avbrottet")
    expect(bot_messages(page).nth(1)).to_contain_text("meddelande 2 i samma samtal")
    chat_proxy.go_offline()
    expect(widget).to_have_attribute("data-connection", "down", timeout=15_000)
    expect(page.locator(f"{HOST} .kg-conn")).to_contain_text("Anslutningen bröts")
    send(page, "skrivet under avbrottet")
    pending = user_messages(page).last
    expect(pending).to_contain_text("Skickas när anslutningen är tillbaka")
    shot(page, "03-chat-offline")
    chat_proxy.go_online()
    expect(widget).to_have_attribute("data-connection", "ok", timeout=20_000)
    expect(bot_messages(page).last).to_contain_text("meddelande 3 i samma samtal")
    expect(bot_messages(page).last).to_contain_text("skrivet under avbrottet")
    expect(pending).not_to_contain_text("Skickas när")
    expect(user_messages(page)).to_have_count(2)


def test_keyboard_only(page, backend, fake_rasa):
    open_chat(page, backend)
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused == "Gå direkt till innehållet"
    # Tab through the page to the message box; every stop has a visible focus indicator
    seen = []
    for _ in range(40):
        page.keyboard.press("Tab")
        info = page.evaluate("""() => { let el = document.activeElement;
            while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
            const s = getComputedStyle(el);
            return {tag: el.tagName, label: el.getAttribute('aria-label') || el.id || el.textContent.trim().slice(0, 40),
                    outline: s.outlineStyle + ' ' + s.outlineWidth, shadow: s.boxShadow}; }""")
        seen.append(info)
        assert info["outline"].split()[0] != "none" or info["shadow"] != "none", info
        if info["tag"] == "TEXTAREA":
            break
    assert seen[-1]["tag"] == "TEXTAREA", seen
    page.keyboard.type("klaga på akuten")
    page.keyboard.press("Enter")
    expect(bot_messages(page).nth(1)).to_contain_text("Vem lämnar synpunkterna?")
    # from the message box, Shift+Tab reaches the answer buttons; Enter chooses one
    page.keyboard.press("Shift+Tab")
    chosen = page.evaluate("() => document.activeElement.shadowRoot ? "
                           "document.activeElement.shadowRoot.activeElement.textContent : ''")
    assert chosen == "Jag är närstående"
    page.keyboard.press("Enter")
    expect(user_messages(page).last).to_have_text(re.compile("Jag är närstående"))
    # focus went back to the message box, ready for the next answer
    tag = page.evaluate("() => document.activeElement.shadowRoot.activeElement.tagName")
    assert tag == "TEXTAREA"
    shot(page, "04-chat-keyboard")


def test_narrow_360px(browser, backend, fake_rasa):
    ctx = new_context(browser, width=360, height=740, is_mobile=True, has_touch=True, device_scale_factor=2)
    page = ctx.new_page()
    try:
        open_chat(page, backend)
        page.get_by_role("button", name="Lämna synpunkter eller klagomål").tap()
        expect(bot_messages(page).nth(1)).to_contain_text("Vem lämnar synpunkterna?")
        send(page, "Jag är patienten och jag vill berätta något ganska långt som måste radbrytas snyggt")
        expect(bot_messages(page).nth(2)).to_be_visible()
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 360, f"horizontal scroll at 360 px: {width}"
        send_box = page.get_by_role("button", name="Skicka")
        box = send_box.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 360 and box["height"] >= 44
        shot(page, "05-chat-360px")
        assert_no_serious_axe(page, "chat page, 360 px")
    finally:
        ctx.close()


def test_zoom_200_percent(browser, backend, fake_rasa):
    # 200 % zoom of a 1280 x 800 window is a 640 x 400 CSS-pixel viewport at device scale 2
    ctx = new_context(browser, width=640, height=400, device_scale_factor=2)
    page = ctx.new_page()
    try:
        open_chat(page, backend)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 640, f"horizontal scroll at 200 % zoom: {width}"
        page.get_by_label("Ditt meddelande").scroll_into_view_if_needed()
        expect(page.get_by_label("Ditt meddelande")).to_be_in_viewport()
        send(page, "zoomad")
        expect(bot_messages(page).nth(1)).to_contain_text("Du skrev: zoomad")
        shot(page, "06-chat-zoom-200")
    finally:
        ctx.close()


def test_embedded_on_another_site_with_one_script_tag(browser, backend, fake_rasa, chat_proxy):
    ctx = new_context(browser, bypass_csp=False)
    page = ctx.new_page()
    url = (f"{fake_rasa.url}/region-1177?backend={backend.url}&socket={chat_proxy.url}")
    try:
        page.goto(url)  # another origin, with its own CSP, that loads the widget with one script tag
        launcher = page.get_by_role("button", name="Chatta med Klagomålsguiden")
        expect(launcher).to_be_visible()   # the host's "button {display:none}" cannot reach into the widget
        launcher.click()
        expect(page.get_by_label("Ditt meddelande")).to_be_focused()
        expect(bot_messages(page).first).to_contain_text("Hej! Jag är Klagomålsguiden")
        colour = bot_messages(page).first.evaluate("el => getComputedStyle(el).color")
        assert colour == "rgb(27, 27, 27)"
        link = page.get_by_role("link", name=re.compile("Följ ett ärende"))
        expect(link).to_have_attribute("href", backend.url + "/arende")
        shot(page, "07-widget-embedded-floating")
        page.keyboard.press("Escape")
        expect(launcher).to_be_focused()
    finally:
        ctx.close()


def test_chat_page_csp_and_axe(browser, backend, fake_rasa):
    ctx = new_context(browser, bypass_csp=False)
    page = ctx.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        resp = page.goto(backend.url + "/")
        csp = resp.headers.get("content-security-policy", "")
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        open_chat(page, backend)
        page.get_by_role("button", name="Lämna synpunkter eller klagomål").click()
        expect(page.get_by_role("button", name="Jag är patienten")).to_be_visible()
        send(page, "jag har bröstsmärtor")
        expect(page.locator(f"{HOST} li[data-kind='safety']")).to_have_count(1)
        assert not violations, violations
    finally:
        ctx.close()
    # axe needs its script injected, so the scan runs in a context that bypasses the CSP
    ctx = new_context(browser)
    page = ctx.new_page()
    try:
        open_chat(page, backend)
        page.get_by_role("button", name="Lämna synpunkter eller klagomål").click()
        expect(page.get_by_role("button", name="Jag är patienten")).to_be_visible()
        send(page, "jag har bröstsmärtor")
        expect(page.locator(f"{HOST} li[data-kind='safety']")).to_have_count(1)
        assert_no_serious_axe(page, "chat page (/)")
    finally:
        ctx.close()


def test_privacy_note_before_personal_data(page, backend, fake_rasa):
    open_chat(page, backend)
    note = page.locator(f"{HOST} .kg-privacy")
    expect(note).to_be_visible()
    expect(note).to_contain_text("Vi frågar efter namn och personnummer först när det behövs")
    # the note comes before the conversation in reading order
    order = page.evaluate(f"""() => {{ const r = document.querySelector('{HOST}').shadowRoot;
        const n = r.querySelector('.kg-privacy'), l = r.querySelector('.kg-log');
        return n.compareDocumentPosition(l) & Node.DOCUMENT_POSITION_FOLLOWING; }}""")
    assert order
    page.get_by_role("link", name="Så hanterar vi dina personuppgifter").first.click()
    expect(page).to_have_url(re.compile("/om-personuppgifter$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Så hanterar vi dina personuppgifter")
    shot(page, "08-privacy-page")
    assert_no_serious_axe(page, "privacy page (/om-personuppgifter)")


def test_clear_and_start_over(page, backend, fake_rasa):
    page.on("dialog", lambda d: d.accept())
    open_chat(page, backend)
    send(page, "något jag vill ta bort")
    expect(bot_messages(page).nth(1)).to_contain_text("meddelande 2 i samma samtal")
    before = page.evaluate("() => Object.keys(window.sessionStorage).map(k => sessionStorage.getItem(k)).join('')")
    page.get_by_role("button", name="Avsluta och rensa").click()
    expect(user_messages(page)).to_have_count(0)
    # a new conversation (a new session id on the server) with a fresh greeting
    expect(bot_messages(page)).to_have_count(1)
    expect(bot_messages(page).first).to_contain_text("Hej! Jag är Klagomålsguiden")
    send(page, "nytt samtal")
    expect(bot_messages(page).nth(1)).to_contain_text("meddelande 2 i samma samtal")
    after = page.evaluate("() => Object.keys(window.sessionStorage).map(k => sessionStorage.getItem(k)).join('')")
    assert "något jag vill ta bort" in before and "något jag vill ta bort" not in after


STORED = "() => JSON.stringify([Object.assign({}, window.sessionStorage), Object.assign({}, window.localStorage)])"


def test_shared_computer_storage(page, backend, fake_rasa):
    """On a library computer: the transcript lives in this tab only (sessionStorage, nothing in
    localStorage), the code is masked in it, and after the hand-over nothing written before is kept."""
    open_chat(page, backend)
    expect(page.get_by_role("button", name="Avsluta och rensa")).to_be_visible()
    send(page, "Jag heter Karin Lind, 19410708-9804, karin@example.se, 070-123 45 67")
    expect(bot_messages(page).nth(1)).to_contain_text("meddelande 2 i samma samtal")
    send(page, "koden är ABCD-EFGH-JKLM")
    expect(bot_messages(page).nth(2)).to_contain_text("meddelande 3 i samma samtal")
    session, local = json.loads(page.evaluate(STORED))
    assert local == {} and "Karin Lind" in json.dumps(session, ensure_ascii=False)
    assert "ABCD-EFGH-JKLM" not in json.dumps(session) and "****-****-****" in json.dumps(session)
    send(page, "skicka ärendet")
    expect(bot_messages(page).nth(3)).to_contain_text("KG-2026-000042")
    # the screen still shows everything in this tab, and the code once
    expect(bot_messages(page).nth(3)).to_contain_text("N5AS-D3HC-TGQF")
    page.wait_for_function("() => JSON.stringify(Object.assign({}, window.sessionStorage)).includes('KG-2026-000042')")
    page.wait_for_timeout(300)  # the marker comes right after the message
    stored = page.evaluate(STORED)
    for secret in ("Karin", "Lind", "9804", "194107", "karin@example.se", "070-123", "N5AS-D3HC-TGQF", "ABCD-EFGH-JKLM"):
        assert secret not in stored, secret
    assert "KG-2026-000042" in stored
    # a reload in the same tab shows only what was kept
    page.reload()
    expect(page.locator(HOST)).to_have_attribute("data-connection", "ok")
    expect(user_messages(page)).to_have_count(0)
    expect(bot_messages(page).last).to_contain_text("KG-2026-000042")
    expect(bot_messages(page).last).not_to_contain_text("N5AS")
    # a new tab (the next person) starts with nothing
    other = page.context.new_page()
    try:
        other.goto(backend.url + "/")
        expect(other.locator(HOST)).to_have_attribute("data-connection", "ok", timeout=15_000)
        expect(other.locator(f"{HOST} li[data-from='user']")).to_have_count(0)
        expect(other.locator(f"{HOST} li", has_text="KG-2026-000042")).to_have_count(0)
    finally:
        other.close()
