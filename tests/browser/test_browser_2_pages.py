"""Server-rendered pages without the bot: the reporter page, the officer workspace and the statistics.

Cases are created through the JSON intake API (as the bot would); officers and reporters then work in the
browser. Every page is scanned with axe-core and photographed.
"""
from __future__ import annotations

import csv
import io
import re
import sqlite3
from datetime import date, timedelta
from urllib.parse import unquote

import pytest
from playwright.sync_api import expect

from .conftest import DEMO_PASSWORD, ROOT, assert_no_serious_axe, new_context, shot
from backend.swedish_time import local_date

JH_HANDLER = "handlaggare@regionjh.example"
JH_RECEIVER = "mottagare@regionjh.example"
PN_HANDLER = "handlaggare@pn.jamtland.example"
PERSONAL = ("191212121212", "19121212-1212", "Anna Andersson", "anna@example.se", "Karl Andersson")


def db_exec(backend, sql: str, *args) -> None:
    path = backend.db_url.split("sqlite:///", 1)[1]
    con = sqlite3.connect(path, timeout=30)
    try:
        con.execute(sql, args)
        con.commit()
    finally:
        con.close()


@pytest.fixture
def url_log(page):
    """Every URL the page requests; at the end, none may carry personal data or an access code."""
    urls: list[str] = []
    page.on("request", lambda r: urls.append(unquote(r.url)))
    yield urls
    for u in urls:
        for p in PERSONAL:
            assert p not in u, f"personal data in a URL: {u}"
        assert not re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{2,4}", u), f"access code in a URL: {u}"


def login(page, backend, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(backend.url + "/officer/login")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    expect(page.locator(".officer-who")).to_be_visible()


def flash(page):
    return page.locator(".flash")


# --- the reporter page ------------------------------------------------------------------------------------

def test_reporter_page(page, backend, url_log):
    created = backend.create_case()
    ref, code = created["reference"], created["access_code"]
    page.goto(backend.url + "/arende")
    expect(page.get_by_role("heading", level=1)).to_have_text("Följ ditt ärende")
    shot(page, "20-reporter-login")
    assert_no_serious_axe(page, "reporter login (/arende)")

    page.get_by_role("button", name="Visa ärendet").click()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Skriv ärendenumret")
    expect(summary).to_contain_text("Skriv koden")
    expect(page.get_by_label("Ärendenummer")).to_have_attribute("aria-invalid", "true")
    assert_no_serious_axe(page, "reporter login with errors")

    # a wrong code and an unknown reference get the same answer (nothing tells whether a reference exists)
    answers = []
    for r, c in ((ref, "AAAA-BBBB-CC"), ("KG-2020-999999", "AAAA-BBBB-CC")):
        page.get_by_label("Ärendenummer").fill(r)
        page.get_by_label("Kod", exact=True).fill(c)
        with page.expect_response(lambda resp: resp.url.endswith("/arende") and resp.request.method == "POST") as info:
            page.get_by_role("button", name="Visa ärendet").click()
        answers.append((info.value.status, page.locator(".error-summary").inner_text()))
    assert answers[0] == answers[1] and answers[0][0] == 404
    assert "Vi hittade inget ärende med det ärendenumret och den koden" in answers[0][1]

    page.get_by_label("Ärendenummer").fill(ref.lower())
    page.get_by_label("Kod", exact=True).fill(code)
    page.get_by_role("button", name="Visa ärendet").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(ref)
    expect(page.get_by_test_id("reporter-status")).to_have_text("Mottaget")
    expect(page.locator(".facts")).to_contain_text("Akutmottagning Östersunds sjukhus")
    expect(page.locator(".facts")).to_contain_text("Svar väntas senast")
    shot(page, "21-reporter-case-received")
    assert_no_serious_axe(page, "reporter case, received")

    # the officer asks a counter-question; the reporter sees it and answers here
    token = backend.officer_token(JH_HANDLER)
    backend.officer_action(token, ref, "counter-question", {"body": "Vilken tid på dygnet kom du till akuten?"})
    page.reload()
    expect(page.get_by_test_id("reporter-status")).to_have_text("Väntar på svar från dig")
    expect(page.locator(".callout-action")).to_contain_text("Handläggaren har en fråga till dig")
    expect(page.get_by_test_id("thread")).to_contain_text("Vilken tid på dygnet kom du till akuten?")
    expect(page.get_by_test_id("thread")).to_contain_text("Motfråga")
    shot(page, "22-reporter-case-counter-question")
    assert_no_serious_axe(page, "reporter case, counter-question")

    page.get_by_role("button", name="Skicka").click()
    expect(page.locator(".error-summary")).to_contain_text("Skriv ditt meddelande")
    page.get_by_label("Ditt meddelande").fill("Jag kom vid tiotiden på kvällen.")
    page.get_by_role("button", name="Skicka").click()
    expect(flash(page)).to_contain_text("Ditt meddelande är skickat")
    expect(page.get_by_test_id("reporter-status")).to_have_text("Under handläggning")
    expect(page.get_by_test_id("thread")).to_contain_text("Jag kom vid tiotiden på kvällen.")
    expect(page.locator(".callout-action")).to_have_count(0)
    shot(page, "23-reporter-case-replied")

    page.get_by_role("button", name="Logga ut").click()
    expect(flash(page)).to_contain_text("Du är utloggad")
    page.goto(backend.url + "/arende")
    expect(page.get_by_role("button", name="Visa ärendet")).to_be_visible()


def test_reporter_rate_limit(page, isolated_backend):
    """Five wrong codes: the sixth try is refused with 429, even with the right code."""
    backend = isolated_backend
    created = backend.create_case()
    page.goto(backend.url + "/arende")
    for i in range(5):
        page.get_by_label("Ärendenummer").fill(created["reference"])
        page.get_by_label("Kod", exact=True).fill(f"WRON-GCOD-E{i}")
        page.get_by_role("button", name="Visa ärendet").click()
        expect(page.locator(".error-summary")).to_contain_text("Vi hittade inget ärende")
    page.get_by_label("Ärendenummer").fill(created["reference"])
    page.get_by_label("Kod", exact=True).fill(created["access_code"])
    with page.expect_response(lambda r: r.request.method == "POST") as info:
        page.get_by_role("button", name="Visa ärendet").click()
    assert info.value.status == 429
    expect(page.locator(".error-summary")).to_contain_text("försökt för många gånger")
    # the JSON API shares the limit
    backend.api("GET", f"/api/v1/reporter/cases/{created['reference']}", None,
                {"X-Access-Code": created["access_code"]}, expect=(429,))


# --- the officer workspace ----------------------------------------------------------------------------------

def test_officer_login_logout_csrf_and_session_expiry(page, backend, url_log):
    page.goto(backend.url + "/officer")
    expect(page).to_have_url(re.compile(r"/officer/login\?next=%2Fofficer$"))
    shot(page, "30-officer-login")
    assert_no_serious_axe(page, "officer login (/officer/login)")

    page.get_by_label("E-postadress").fill(JH_HANDLER)
    page.get_by_label("Lösenord").fill("fel-losen")
    page.get_by_role("button", name="Logga in").click()
    expect(page.locator(".error-summary")).to_contain_text("Fel e-postadress eller lösenord")
    assert_no_serious_axe(page, "officer login with error")

    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ärenden")
    cookies = {c["name"]: c for c in page.context.cookies()}
    s = cookies["kg_session"]
    assert s["httpOnly"] and s["sameSite"] == "Lax" and not s["secure"]  # KG_COOKIE_SECURE=0 for http
    assert s["expires"] > 0  # a session cookie with an expiry, not forever
    assert cookies["kg_csrf"]["httpOnly"]

    # a POST without the form's CSRF token is refused, even with the session cookie
    resp = page.request.post(backend.url + "/officer/logout", form={"x": "1"})
    assert resp.status == 403
    resp = page.request.post(backend.url + "/officer/logout", form={"csrf_token": "forged"})
    assert resp.status == 403
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ärenden")

    # the session expires on the server
    db_exec(backend, "UPDATE officersession SET expires_at = datetime('now', '-1 hour')")
    page.reload()
    expect(page).to_have_url(re.compile("/officer/login"))
    expect(page.locator(".flash")).to_contain_text("Din inloggning har gått ut")

    login(page, backend, JH_HANDLER)
    page.get_by_role("button", name="Logga ut").click()
    expect(page.locator(".flash")).to_contain_text("Du är utloggad")
    assert "kg_session" not in {c["name"] for c in page.context.cookies()}
    page.goto(backend.url + "/officer")
    expect(page).to_have_url(re.compile("/officer/login"))


def test_officer_login_with_a_code_from_the_authenticator_app(page, backend, url_log):
    """An enrolled officer types the six digits on a second page after the password."""
    import subprocess
    import sys
    from urllib.parse import parse_qs, urlparse

    import pyotp
    email = "handlaggare@regionuppsala.example"  # used by no other browser test
    out = subprocess.run([sys.executable, "-m", "backend", "enrol-totp", "--email", email], cwd=ROOT,
                         env=backend.env, capture_output=True, text=True, check=True)
    uri = next(line.split("länk:", 1)[1].strip() for line in out.stdout.splitlines() if "länk:" in line)
    app = pyotp.TOTP(parse_qs(urlparse(uri).query)["secret"][0])
    page.goto(backend.url + "/officer/login")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Skriv koden från autentiseringsappen")
    assert "kg_session" not in {c["name"] for c in page.context.cookies()}
    shot(page, "31-officer-login-code")
    assert_no_serious_axe(page, "officer login, second step (/officer/login/kod)")
    import time
    valid = {app.at(time.time() + d) for d in (-60, -30, 0, 30, 60)}
    page.get_by_label("Kod").fill(next(c for c in ("000000", "111111", "222222") if c not in valid))
    page.get_by_role("button", name="Logga in").click()
    expect(page.locator(".error-summary")).to_contain_text("Koden stämmer inte")
    assert_no_serious_axe(page, "officer login, wrong code")
    page.get_by_label("Kod").fill(app.now())
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ärenden")
    expect(page.locator(".officer-who")).to_be_visible()


@pytest.fixture(scope="module")
def many_cases(backend):
    """30 cases at Region Jämtland Härjedalen, in several units and categories; one of them overdue."""
    units = ["SE2321000207-E2100", "SE2321000207-E1100", "SE2321000207-E2105"]
    cats = ["bemotande", "vantetider", "information", "diagnos", None]
    refs = []
    for i in range(30):
        c = backend.create_case(care_unit_hsa_id=units[i % 3], reporter_category=cats[i % 5],
                                description=f"Ärende nummer {i}: jag blev inte lyssnad på.")
        refs.append(c["reference"])
    overdue = refs[3]
    db_exec(backend, "UPDATE \"case\" SET answer_due = ?, received_at = ? WHERE reference = ?",
            (local_date() - timedelta(days=3)).isoformat(), (local_date() - timedelta(days=40)).isoformat() + " 09:00:00",
            overdue)
    return {"refs": refs, "overdue": overdue}


def rows(page):
    return page.locator("table.cases tbody tr")


def test_officer_case_list_filters_sort_paging_search(page, backend, many_cases, url_log):
    login(page, backend, JH_HANDLER)
    count = page.locator("#antal")
    expect(count).to_contain_text(re.compile(r"Visar 1–25 av \d+ ärenden"))
    total = int(re.search(r"av (\d+)", count.inner_text()).group(1))
    assert total >= 30
    expect(rows(page)).to_have_count(25)
    # the overdue case stands out: a row class, a red badge with text (not colour alone)
    page.get_by_label("Sortering").select_option("answer_due")
    page.get_by_role("button", name="Visa ärenden").click()
    first = rows(page).first
    expect(first).to_have_attribute("data-reference", many_cases["overdue"])
    expect(first).to_have_class(re.compile("is-overdue"))
    expect(first.locator(".badge-overdue")).to_have_text(re.compile("Försenat"))
    shot(page, "31-officer-case-list")
    assert_no_serious_axe(page, "officer case list (/officer)")

    page.get_by_role("link", name=re.compile("Sida 2")).click()
    expect(count).to_contain_text(f"Visar 26–{total} av {total} ärenden")
    expect(page.locator(".pager a[aria-current='page']")).to_contain_text("2")

    page.goto(backend.url + "/officer?overdue=true")
    expect(rows(page)).to_have_count(1)
    expect(page.get_by_label("Tidsfrist")).to_have_value("true")

    page.goto(backend.url + "/officer")
    page.get_by_label("Problemområde").select_option("bemotande")
    page.get_by_label("Mottagning").select_option("SE2321000207-E2100")
    page.get_by_role("button", name="Visa ärenden").click()
    n = rows(page).count()
    assert n >= 1
    for i in range(n):
        expect(rows(page).nth(i)).to_contain_text("Akutmottagning Östersunds sjukhus")
        expect(rows(page).nth(i)).to_contain_text("Bemötande")

    tomorrow = (local_date() + timedelta(days=1)).isoformat()
    page.goto(backend.url + f"/officer?from={tomorrow}")
    expect(count).to_have_text("Inga ärenden matchar filtret.")
    page.goto(backend.url + "/officer?status=received&per_page=10")
    expect(rows(page)).to_have_count(10)
    for i in range(10):
        expect(rows(page).nth(i)).to_contain_text("Mottaget")

    # sorting by clicking a column header toggles the direction and says so to screen readers
    page.goto(backend.url + "/officer")
    page.get_by_role("link", name="Ärende (sortera)").click()
    expect(page.locator("th[aria-sort='ascending']")).to_contain_text("Ärende")
    refs_sorted = [rows(page).nth(i).get_attribute("data-reference") for i in range(5)]
    assert refs_sorted == sorted(refs_sorted)

    # search by the full reference opens the case
    page.goto(backend.url + "/officer")
    page.get_by_label("Ärendenummer").fill(many_cases["refs"][7])
    page.get_by_role("button", name="Visa ärenden").click()
    expect(page).to_have_url(re.compile(f"/officer/arenden/{many_cases['refs'][7]}$"))


def test_officer_case_actions(page, backend, url_log):
    created = backend.create_case(reporter_category="bemotande",
                                  description="Läkaren var otrevlig och lyssnade inte på mig.")
    ref = created["reference"]
    login(page, backend, JH_HANDLER)
    page.goto(backend.url + f"/officer/arenden/{ref}")
    expect(page.get_by_test_id("case-status")).to_have_text("Mottaget")
    expect(page.get_by_test_id("case-description")).to_have_text("Läkaren var otrevlig och lyssnade inte på mig.")
    expect(page.locator("#s-anmalare").locator("..")).to_contain_text("19121212-1212")
    shot(page, "32-officer-case-received")
    assert_no_serious_axe(page, "officer case page, received")

    page.get_by_role("button", name="Ta ärendet").click()
    expect(flash(page)).to_contain_text("Du har tagit ärendet")
    expect(page.get_by_test_id("case-status")).to_have_text("Under handläggning")

    # a message needs a kind and a text
    page.get_by_role("button", name="Skicka till anmälaren").click()
    expect(page.locator(".error-summary").first).to_be_visible()
    page.get_by_label("Motfråga").check()
    page.get_by_label("Meddelande", exact=True).fill("Kan du berätta vilken läkare det var?")
    page.get_by_role("button", name="Skicka till anmälaren").click()
    expect(flash(page)).to_contain_text("Motfrågan är skickad")
    expect(page.get_by_test_id("case-status")).to_have_text("Väntar på svar från dig")
    expect(page.get_by_test_id("thread")).to_contain_text("Kan du berätta vilken läkare det var?")

    # the reporter answers (through the API, as the bot does)
    backend.api("POST", f"/api/v1/reporter/cases/{ref}/messages", {"body": "Det var jourläkaren."},
                {"X-Access-Code": created["access_code"]})
    page.reload()
    expect(page.get_by_test_id("case-status")).to_have_text("Under handläggning")
    expect(page.get_by_test_id("thread")).to_contain_text("Det var jourläkaren.")

    page.get_by_label("Delsvar").check()
    page.get_by_label("Meddelande", exact=True).fill("Vi har tagit emot ditt svar och pratar med läkaren.")
    page.get_by_role("button", name="Skicka till anmälaren").click()
    expect(flash(page)).to_contain_text("Delsvaret är skickat")

    # closing needs a category first
    page.get_by_role("button", name="Avsluta ärendet").click()
    expect(page.locator(".error-summary").first).to_contain_text("kategoriseras innan")
    expect(page.get_by_test_id("case-status")).to_have_text("Under handläggning")
    page.get_by_role("button", name="Spara kategorisering").click()
    expect(page.locator("#kategorisera .field-error")).to_contain_text("Välj minst ett delproblem")
    page.get_by_label("Bemötande").check()
    page.get_by_label("Information", exact=True).check()
    page.get_by_role("button", name="Spara kategorisering").click()
    expect(flash(page)).to_contain_text("Kategoriseringen är sparad")
    expect(page.get_by_test_id("officer-categories")).to_have_text(re.compile("Information, Bemötande|Bemötande, Information"))

    page.locator("#taggar summary").click()
    page.get_by_label("Cancer (RCC)").check()
    page.get_by_role("button", name="Spara taggar").click()
    expect(flash(page)).to_contain_text("Taggarna är sparade")
    expect(page.locator("#s-arendet").locator("..")).to_contain_text("Cancer (RCC)")

    page.get_by_label("Svar (besvara)").check()
    page.get_by_label("Meddelande", exact=True).fill("Vi beklagar bemötandet. Läkaren har fått återkoppling.")
    page.get_by_role("button", name="Skicka till anmälaren").click()
    expect(flash(page)).to_contain_text("Svaret är skickat")
    expect(page.get_by_test_id("case-status")).to_have_text("Besvarat")

    page.get_by_role("button", name="Avsluta ärendet").click()
    expect(flash(page)).to_contain_text("Ärendet är avslutat")
    expect(page.get_by_test_id("case-status")).to_have_text("Avslutat")
    expect(page.locator("[data-testid=audit]")).to_contain_text("Avslutade")
    expect(page.locator(".events")).to_contain_text("Kategoriserat")
    shot(page, "33-officer-case-closed")
    assert_no_serious_axe(page, "officer case page, closed")


def test_statement_extension_reassign_and_roles(browser, backend, url_log, page):
    # a case for the patient board: it asks the care provider for a statement (yttrande)
    pn_case = backend.create_case(recipient="patient_board", reporter_category="diagnos",
                                  description="Min pappas cancer upptäcktes för sent.")
    ref = pn_case["reference"]
    login(page, backend, PN_HANDLER)
    page.goto(backend.url + f"/officer/arenden/{ref}")
    expect(page.locator(".case-main")).to_contain_text("Patientnämnden Region Jämtland Härjedalen")
    page.locator("#begar-yttrande summary").click()
    page.get_by_label("Tid för yttrandet, i veckor").fill("3")
    page.get_by_role("button", name="Begär yttrande").click()
    expect(flash(page)).to_contain_text("Yttrande är begärt")
    expect(page.get_by_test_id("case-status")).to_have_text("Väntar på yttrande från vårdgivaren")
    due = (local_date() + timedelta(weeks=3)).isoformat()
    expect(page.locator(".events")).to_contain_text(due)
    page.get_by_role("button", name=re.compile("Förläng tiden för yttrandet")).click()
    expect(flash(page)).to_contain_text("Tiden för yttrandet är förlängd")
    expect(page.get_by_role("button", name=re.compile("Förläng tiden"))).to_have_count(0)
    shot(page, "34-officer-case-waiting-for-statement")
    assert_no_serious_axe(page, "officer case page, waiting for statement")

    # the care provider's handler sees the case and can only give the statement
    ctx = new_context(browser)
    cp = ctx.new_page()
    cp.on("dialog", lambda d: d.accept())
    try:
        login(cp, backend, JH_HANDLER)
        cp.goto(backend.url + f"/officer/arenden/{ref}")
        expect(cp.get_by_role("heading", name="Lämna yttrande")).to_be_visible()
        expect(cp.get_by_role("button", name="Skicka till anmälaren")).to_have_count(0)
        cp.get_by_label("Yttrande", exact=True).fill("Vi har gått igenom journalen och beklagar fördröjningen.")
        cp.get_by_role("button", name="Skicka yttrandet").click()
        expect(cp.locator(".flash")).to_contain_text("Yttrandet är skickat")
    finally:
        ctx.close()
    page.reload()
    expect(page.get_by_test_id("case-status")).to_have_text("Under handläggning")
    expect(page.get_by_test_id("thread")).to_contain_text("Vi har gått igenom journalen")
    expect(page.get_by_test_id("thread")).to_contain_text("Yttrande från vårdgivaren")

    # reassign another case to the care provider: it leaves this organisation's list
    other = backend.create_case(recipient="patient_board")["reference"]
    page.goto(backend.url + f"/officer/arenden/{other}")
    page.locator("#omfordela summary").click()
    page.get_by_label("Till", exact=True).select_option("SE2321000207")
    page.locator("#omfordela").get_by_label("Anledning").fill("Vården ska få svara först.")
    page.get_by_role("button", name="Omfördela ärendet").click()
    expect(flash(page)).to_contain_text("Ärendet är omfördelat")
    page.goto(backend.url + f"/officer/arenden/{other}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ärendet finns inte")
    assert_no_serious_axe(page, "officer case not found (404)")

    # a receiver (ärendemottagare) sees no answer or close actions
    ctx = new_context(browser)
    rp = ctx.new_page()
    try:
        login(rp, backend, JH_RECEIVER)
        rp.goto(backend.url + f"/officer/arenden/{other}")
        expect(rp.get_by_role("button", name="Ta ärendet")).to_be_visible()
        expect(rp.get_by_label("Svar (besvara)")).to_have_count(0)
        expect(rp.get_by_label("Delsvar")).to_have_count(1)
        expect(rp.get_by_role("button", name="Avsluta ärendet")).to_have_count(0)
        expect(rp.locator(".actions")).to_contain_text("Som ärendemottagare")
    finally:
        ctx.close()


def test_unit_not_found_goes_to_patient_board_and_officer_sets_it(page, backend, url_log):
    created = backend.create_case(care_unit_hsa_id=None, care_unit_text="vårdcentralen vid torget",
                                  region_code="jamtland")
    login(page, backend, PN_HANDLER)
    page.goto(backend.url + f"/officer/arenden/{created['reference']}")
    expect(page.locator("#s-arendet").locator("..")).to_contain_text("vårdcentralen vid torget")
    expect(page.locator("#s-arendet").locator("..")).to_contain_text("Inte vald")
    page.get_by_label("Mottagning", exact=True).select_option("SE2321000207-E1112")
    page.get_by_role("button", name="Spara mottagning").click()
    expect(flash(page)).to_contain_text("Mottagningen är sparad")
    expect(page.locator("#s-arendet").locator("..")).to_contain_text("Hälsocentralen Z-gränd")


def test_statistics_page_and_csv(page, backend, many_cases, url_log):
    login(page, backend, JH_HANDLER)
    page.goto(backend.url + "/officer/statistik")
    total = int(page.get_by_test_id("stats-total").inner_text().replace("\xa0", "").replace(" ", ""))
    table = page.get_by_test_id("problem-table")
    expect(table).to_contain_text("Anmälarens kategorisering")
    expect(table).to_contain_text("Handläggarens kategorisering")
    bemotande = table.locator("tr[data-code='bemotande']")
    reported = int(bemotande.locator("[data-col=reported]").inner_text())
    assert reported >= 6  # 30 seeded cases, every fifth "bemötande"
    assert int(page.get_by_test_id("table-total").inner_text().replace("\xa0", "")) == total
    expect(page.locator("svg.chart")).to_have_count(4)
    expect(page.locator("svg.chart").first).to_have_attribute("role", "img")
    shot(page, "40-officer-statistics")
    assert_no_serious_axe(page, "statistics (/officer/statistik)")

    page.get_by_label("Huvudproblem / delproblem").select_option("bemotande")
    page.get_by_role("button", name="Visa statistik").click()
    expect(page).to_have_url(re.compile("category=bemotande"))
    filtered = int(page.get_by_test_id("stats-total").inner_text().replace("\xa0", ""))
    assert filtered <= total and filtered >= reported

    with page.expect_download() as dl:
        page.get_by_role("link", name="Ladda ner tabellen som CSV").click()
    content = open(dl.value.path(), encoding="utf-8-sig").read()
    parsed = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert "problemområde" in parsed[0]
    row = next(r for r in parsed if len(r) > 1 and r[1] == "bemotande")
    assert int(row[3]) >= reported


def test_english_through_the_language_link(page, backend):
    page.goto(backend.url + "/officer/login")
    page.get_by_role("link", name="In English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name="På svenska")).to_be_visible()
    catalog = ROOT / "locales" / "en" / "LC_MESSAGES" / "messages.po"
    if catalog.exists() and 'msgstr "Log in as an officer"' in catalog.read_text(encoding="utf-8"):
        expect(page.get_by_role("heading", level=1)).to_have_text("Log in as an officer")
        expect(page.get_by_label("Password")).to_be_visible()
    page.get_by_role("link", name="På svenska").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.get_by_role("heading", level=1)).to_have_text("Logga in som handläggare")


def test_not_found_page(page, backend):
    resp = page.goto(backend.url + "/finns-inte")
    assert resp.status == 404
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_no_serious_axe(page, "not found (404)")


PNG_1PX = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def test_attachments_from_reporter_to_officer(page, backend, tmp_path, url_log):
    created = backend.create_case()
    ref = created["reference"]
    good = tmp_path / "kvitto.png"
    good.write_bytes(PNG_1PX)
    fake = tmp_path / "inte-en-bild.png"
    fake.write_text("det här är bara text")
    page.goto(backend.url + "/arende")
    page.get_by_label("Ärendenummer").fill(ref)
    page.get_by_label("Kod", exact=True).fill(created["access_code"])
    page.get_by_role("button", name="Visa ärendet").click()
    # a file that only pretends to be an image is refused (checked by content, not by name)
    page.get_by_label("Ditt meddelande").fill("Här är kvittot.")
    page.get_by_label("Bifoga filer (frivilligt)").set_input_files([str(fake)])
    page.get_by_role("button", name="Skicka").click()
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.get_by_test_id("thread")).to_have_count(0)
    page.get_by_label("Ditt meddelande").fill("Här är kvittot.")
    page.get_by_label("Bifoga filer (frivilligt)").set_input_files([str(good)])
    page.get_by_role("button", name="Skicka").click()
    expect(flash(page)).to_contain_text("Ditt meddelande är skickat")
    expect(page.get_by_test_id("thread").get_by_role("link", name="kvitto.png")).to_be_visible()
    with page.expect_download() as dl:
        page.get_by_test_id("thread").get_by_role("link", name="kvitto.png").click()
    assert open(dl.value.path(), "rb").read() == PNG_1PX

    login(page, backend, JH_HANDLER)
    page.goto(backend.url + f"/officer/arenden/{ref}")
    link = page.get_by_test_id("thread").get_by_role("link", name="kvitto.png")
    expect(link).to_be_visible()
    with page.expect_download() as dl:
        link.click()
    assert open(dl.value.path(), "rb").read() == PNG_1PX
    page.reload()
    page.locator("[data-testid=audit]").locator("..").locator("summary").click()
    expect(page.get_by_test_id("audit")).to_contain_text("Öppnade bilaga")
