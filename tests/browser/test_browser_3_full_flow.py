"""The whole journey against the running stack (backend + action server + Rasa, the real trained bot):

a person files a complaint through the chat widget, clicking buttons and typing; an officer logs in,
finds the case and asks a counter-question; the person answers on /arende; the officer answers,
categorises and closes; the statistics page counts the case. Then the same complaint keyboard-only at
360 px. Skipped while the bot is not built (no .venv-bot or no trained model).

The conversation driver reads the bot's latest question and answers it from a table of
(question pattern -> answer), so small changes in the bot's wording or order do not break it.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import expect

from .conftest import assert_no_serious_axe, new_context, shot
from .test_browser_2_pages import JH_HANDLER, login

pytestmark = pytest.mark.needs_bot
HOST = "div.klagomalsguiden-host"
DESCRIPTION = ("Jag kom till akuten med svår magsmärta och fick vänta i sju timmar. Ingen berättade "
               "varför det dröjde och personalen var otrevlig när jag frågade.")
PATIENT = "Karl Andersson"
PNR = "19121212-1212"
EMAIL = "karl.andersson@example.se"


@dataclass
class Step:
    pattern: str                 # regex on the bot's latest turn (all its messages since the person spoke)
    click: str | None = None     # a button whose text matches this regex
    type: str | None = None      # or text to type
    first_choice: bool = False   # or the first answer button that is not "none of these"/"skip"


CONVERSATION = [
    Step(r"Vad vill du göra\?", click=r"^Lämna synpunkter eller klagomål"),
    Step(r"Vem gäller det\?", click=r"^Min egen vård"),
    Step(r"Vilken mottagning", type="akuten i Östersund"),
    Step(r"Menar du någon av", click=r"Akutmottagning Östersunds sjukhus"),
    Step(r"Stämmer det|Menade du|Är det rätt", click=r"^Ja"),
    Step(r"När hände det\?", type="i måndags"),
    Step(r"Berätta med egna ord", type=DESCRIPTION),
    Step(r"Vill du (lägga till något|berätta) mer", click=r"^Nej, det var allt"),
    Step(r"Vilket av de här stämmer bäst|Vilket område gäller det|Vad passar bäst inom", first_choice=True),
    Step(r"Vad vill du uppnå", click=r"^En förklaring"),
    Step(r"Vem ska ta emot ärendet", click=r"^Vården \(mottagningen\)"),
    Step(r"personnummer\?", type=PNR),
    Step(r"Vad heter du, och vilket är ditt personnummer", type=f"{PATIENT} {PNR}"),  # later steps win
    Step(r"Vill du ha svar\?", type=EMAIL),
    Step(r"Hur vill du helst bli kontaktad", click=r"^E-post"),
    Step(r"Stämmer allt\? Vill du skicka ärendet\?", click=r"^Ja, skicka"),
]
DONE = re.compile(r"Ärendenummer:\s*(KG-\d{4}-\d{6}).*?Kod:\s*([A-Z0-9]{4}(?:-[A-Z0-9]{2,4}){2})", re.S)


@dataclass
class ChatDriver:
    page: object
    keyboard_only: bool = False
    transcript: list[str] = field(default_factory=list)

    def bot_turn(self, quiet: float = 1.2) -> str:
        """The bot's messages since the person last spoke, once the bot has been quiet for `quiet` s."""
        page = self.page
        last_count, stable_since = -1, time.monotonic()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            typing = page.locator(HOST).get_attribute("data-typing") == "true"
            count = page.locator(f"{HOST} li").count()
            if count != last_count or typing:
                last_count, stable_since = count, time.monotonic()
            elif time.monotonic() - stable_since > quiet:
                break
            time.sleep(0.15)
        texts = page.evaluate(f"""() => {{
            const items = [...document.querySelector('{HOST}').shadowRoot.querySelectorAll('li')];
            const out = [];
            for (let i = items.length - 1; i >= 0 && items[i].dataset.from === 'bot'; i--)
                out.unshift(items[i].innerText);
            return out; }}""")
        return "\n".join(texts)

    def choices(self) -> list[str]:
        return self.page.evaluate(f"""() => [...document.querySelector('{HOST}').shadowRoot
            .querySelectorAll('.kg-choices button')].map(b => b.textContent.trim())""")

    def answer_by_typing(self, text: str) -> None:
        box = self.page.get_by_label("Ditt meddelande")
        if self.keyboard_only:
            self.focus_input()
            self.page.keyboard.type(text)
        else:
            box.fill(text)
        box.press("Enter")
        self.transcript.append(f"> {text}")

    def focus_input(self) -> None:
        # keyboard only: Tab until the message box has focus (it is reached from anywhere in the page)
        for _ in range(60):
            if self.active() == ("TEXTAREA", ""):
                return
            self.page.keyboard.press("Tab")
        raise AssertionError("the message box cannot be reached with Tab")

    def active(self) -> tuple[str, str]:
        return tuple(self.page.evaluate("""() => { let el = document.activeElement;
            while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
            return [el.tagName, el.tagName === 'BUTTON' ? el.textContent.trim() : '']; }"""))

    def answer_by_choice(self, title: str) -> None:
        if self.keyboard_only:
            self.focus_input()
            for _ in range(15):  # Shift+Tab walks back from the message box through the answer buttons
                self.page.keyboard.press("Shift+Tab")
                tag, text = self.active()
                if tag == "BUTTON" and text == title:
                    self.page.keyboard.press("Enter")
                    break
            else:
                raise AssertionError(f"could not reach the button {title!r} with Shift+Tab")
        else:
            self.page.locator(f"{HOST} .kg-choices button", has_text=title).first.click()
        self.transcript.append(f"> [{title}]")

    def reload_and_check(self, question: str) -> None:
        """Reload the page while the bot waits for an answer: the log comes back and the
        conversation goes on with the same Rasa session (socket.io session persistence)."""
        self.page.reload()
        expect(self.page.locator(HOST)).to_have_attribute("data-connection", "ok", timeout=30_000)
        again = self.bot_turn()
        assert question.strip().splitlines()[-1] in again, f"after reload: {again!r}"
        self.transcript.append("(reloaded)")

    def run(self, steps: list[Step], max_turns: int = 40, reload_at: str | None = None) -> tuple[str, str]:
        for _ in range(max_turns):
            step = None
            for quiet in (1.2, 3.0, 6.0):  # a slow action server may pause between two messages of a turn
                turn = self.bot_turn(quiet)
                done = DONE.search(turn)
                if done:
                    self.transcript.append(turn)
                    return done.group(1), done.group(2)
                step = next((s for s in reversed(steps) if re.search(s.pattern, turn)), None)
                if step is not None:
                    break
            self.transcript.append(turn)
            assert step is not None, "the bot asked something the test does not know:\n" + "\n".join(self.transcript[-6:])
            if reload_at is not None and step.pattern == reload_at:
                reload_at = None
                self.reload_and_check(turn)
            if step.type is not None:
                self.answer_by_typing(step.type)
                continue
            options = self.choices()
            if step.first_choice:
                pick = next(o for o in options if not re.match(r"Inget av dessa|Hoppa över", o))
            else:
                pick = next((o for o in options if re.search(step.click, o)), None)
                assert pick, f"no button like {step.click!r} among {options}\n" + "\n".join(self.transcript)
            self.answer_by_choice(pick)
        raise AssertionError("the complaint was not submitted:\n" + "\n".join(self.transcript))


def start_chat(page, backend):
    page.goto(backend.url + "/")
    expect(page.locator(HOST)).to_have_attribute("data-connection", "ok", timeout=30_000)
    expect(page.locator(f"{HOST} li[data-from='bot']").first).to_be_visible(timeout=60_000)


def stats_total(page) -> int:
    return int(page.get_by_test_id("stats-total").inner_text().replace("\xa0", "").replace(" ", ""))


def test_complaint_from_chat_to_closed_case(browser, backend, rasa_stack):
    ctx = new_context(browser)
    page = ctx.new_page()
    page.on("dialog", lambda d: d.accept())
    try:
        # the statistics before
        login(page, backend, JH_HANDLER)
        page.goto(backend.url + "/officer/statistik")
        before = stats_total(page)
        page.get_by_role("button", name="Logga ut").click()

        start_chat(page, backend)
        driver = ChatDriver(page)
        reference, code = driver.run(CONVERSATION, reload_at=r"Berätta med egna ord")
        assert "(reloaded)" in driver.transcript
        shot(page, "50-chat-complaint-submitted")
        assert_no_serious_axe(page, "chat page after a complete complaint")
        # typed and clicked answers look the same in the log
        classes = page.evaluate(f"""() => [...document.querySelector('{HOST}').shadowRoot
            .querySelectorAll("li[data-from='user']")].map(li => li.className)""")
        assert len(set(classes)) == 1, classes

        # the officer finds the case by its reference and asks a counter-question
        login(page, backend, JH_HANDLER)
        page.get_by_label("Ärendenummer").fill(reference)
        page.get_by_role("button", name="Visa ärenden").click()
        expect(page.get_by_test_id("case-reference")).to_have_text(reference)
        expect(page.get_by_test_id("case-description")).to_contain_text(DESCRIPTION)
        expect(page.locator(".case-main")).to_contain_text("Akutmottagning Östersunds sjukhus")
        expect(page.locator(".case-main")).to_contain_text(PNR)
        expect(page.locator(".case-main")).to_contain_text(EMAIL)
        expect(page.locator(".case-main")).to_contain_text("Chatt")
        page.get_by_label("Motfråga").check()
        page.get_by_label("Meddelande", exact=True).fill("Vilken tid kom du till akuten?")
        page.get_by_role("button", name="Skicka till anmälaren").click()
        expect(page.get_by_test_id("case-status")).to_have_text("Väntar på svar från dig")
        page.get_by_role("button", name="Logga ut").click()

        # the person answers on the reporter page
        page.goto(backend.url + "/arende")
        page.get_by_label("Ärendenummer").fill(reference)
        page.get_by_label("Kod", exact=True).fill(code)
        page.get_by_role("button", name="Visa ärendet").click()
        expect(page.locator(".callout-action")).to_contain_text("Handläggaren har en fråga till dig")
        page.get_by_label("Ditt meddelande").fill("Jag kom strax efter klockan sex på kvällen.")
        page.get_by_role("button", name="Skicka").click()
        expect(page.locator(".flash")).to_contain_text("Ditt meddelande är skickat")
        shot(page, "51-reporter-answered-counter-question")
        page.get_by_role("button", name="Logga ut").click()

        # the officer answers, categorises and closes
        login(page, backend, JH_HANDLER)
        page.goto(backend.url + f"/officer/arenden/{reference}")
        expect(page.get_by_test_id("thread")).to_contain_text("strax efter klockan sex")
        page.get_by_label("Svar (besvara)").check()
        page.get_by_label("Meddelande", exact=True).fill(
            "Tack för att du hörde av dig. Vi beklagar väntetiden och bemötandet och har tagit upp det "
            "med personalen.")
        page.get_by_role("button", name="Skicka till anmälaren").click()
        expect(page.get_by_test_id("case-status")).to_have_text("Besvarat")
        page.get_by_label("Väntetider i vården").check()
        page.get_by_label("Bemötande").check()
        page.get_by_role("button", name="Spara kategorisering").click()
        expect(page.locator(".flash")).to_contain_text("Kategoriseringen är sparad")
        page.get_by_role("button", name="Avsluta ärendet").click()
        expect(page.get_by_test_id("case-status")).to_have_text("Avslutat")
        shot(page, "52-officer-case-closed-after-chat")

        # the statistics count it
        page.goto(backend.url + "/officer/statistik")
        assert stats_total(page) == before + 1
        handled = page.get_by_test_id("problem-table").locator("tr[data-code='vantetider'] [data-col=handled]")
        assert int(handled.inner_text()) >= 1
        shot(page, "53-statistics-after-chat-case")
    except Exception:
        shot(page, "failure-full-flow")
        print("page at failure:", page.url, page.locator("main").inner_text()[:1500])
        raise
    finally:
        ctx.close()


def test_complaint_keyboard_only_at_360px(browser, backend, rasa_stack):
    ctx = new_context(browser, width=360, height=740, is_mobile=True, has_touch=True, device_scale_factor=2)
    page = ctx.new_page()
    try:
        start_chat(page, backend)
        driver = ChatDriver(page, keyboard_only=True)
        reference, _code = driver.run(CONVERSATION)
        assert reference.startswith("KG-")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 360, f"horizontal scroll at 360 px: {width}"
        shot(page, "54-chat-keyboard-only-360px-submitted")
        assert_no_serious_axe(page, "chat page, 360 px, keyboard-only complaint")
    finally:
        ctx.close()
