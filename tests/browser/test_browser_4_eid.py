"""The chat widget's e-ID button, against the fake Rasa (tests/browser/fake_rasa.mjs): "Logga in med
e-legitimation" opens /e-legitimation/logga-in?for=chat in a window of its own; the result page's message
(backend/web/static/js/eid.js) is taken only from the service's own origin, and its ticket goes to the
assistant as message metadata, never as text in the log or in the browser's storage."""
from __future__ import annotations

from playwright.sync_api import expect

from .test_browser_1_widget import bot_messages, open_chat, send, user_messages

POST_RESULT = """([origin, ticket]) => window.dispatchEvent(new MessageEvent('message', {
    data: {type: 'kg-eid', ok: true, ticket}, origin}))"""


def test_the_eid_button_opens_the_log_in_window_and_sends_the_ticket_as_metadata(page, backend, fake_rasa):
    open_chat(page, backend)
    send(page, "jag vill logga in med e-legitimation")
    login = page.get_by_role("button", name="Logga in med e-legitimation")
    expect(login).to_be_visible()
    expect(page.get_by_role("button", name="Fortsätt utan")).to_be_visible()
    with page.expect_popup() as popup_info:
        login.click()
    popup = popup_info.value
    assert popup.url.startswith(backend.url + "/e-legitimation/logga-in?for=chat"), popup.url
    assert popup.evaluate("() => window.opener !== null")  # eid.js needs the opener to hand the ticket back
    popup.close()

    users = user_messages(page).count()
    # a message from another origin is ignored
    page.evaluate(POST_RESULT, ["http://evil.example", "stolen-ticket"])
    page.wait_for_timeout(500)
    expect(user_messages(page)).to_have_count(users)
    # the result page's message, from the service's own origin: the ticket goes as metadata
    page.evaluate(POST_RESULT, [backend.url, "tkt-0123456789"])
    expect(user_messages(page).last).to_contain_text("Inloggad med e-legitimation")
    expect(bot_messages(page).last).to_contain_text("Biljett mottagen: tkt-0123456789 (web-widget)")
    expect(page.get_by_role("button", name="Fortsätt utan")).to_have_count(0)  # the question is answered
    # the browser's copy of the conversation keeps the person's line, never the metadata
    stored = page.evaluate("() => JSON.stringify(Object.assign({}, window.sessionStorage, window.localStorage))")
    assert "Inloggad med e-legitimation" in stored
    assert "kg_identity_ticket" not in stored and "tkt-0123456789" not in stored
    # a second message from the window (a reload of the result page) sends nothing more
    page.evaluate(POST_RESULT, [backend.url, "tkt-0123456789"])
    page.wait_for_timeout(500)
    expect(user_messages(page)).to_have_count(users + 1)
