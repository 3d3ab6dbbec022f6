"""Where to turn when the matter is not a complaint about health care: one table.

Each row was checked against the responsible body's own pages or the statute (the researched
table with sources and how sure each row is: ``../shared/domain/hanvisningar.md``, late 2026).
Rule kept from that table: a deadline or phone number appears only where it was verified;
otherwise the text says "det står i beslutet" or points to the body's website.  The keys are the
triage's ``body`` labels (``nlu/data/triage``); a test checks that both use the same set.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict


@dataclass(frozen=True)
class Referral:
    name: str      # appears in the reply (the triage evaluation checks it)
    text: str
    source: str
    row: str       # the row in hanvisningar.md


REFERRALS: Dict[str, Referral] = {
    "skatteverket": Referral(
        "Skatteverket",
        "Det här gäller Skatteverket och inte vården. Du kan begära omprövning eller överklaga beslutet hos "
        "Skatteverket – hur du gör och vilken tid du har står i beslutet. Är du missnöjd med hur ärendet har "
        "skötts kan du vända dig till JO.",
        "skatteverket.se; jo.se/jo-anmalan", "1a, 1b"),
    "forsakringskassan": Referral(
        "Försäkringskassan",
        "Försäkringskassans beslut kan du inte klaga på hos vården. Begär omprövning hos Försäkringskassan inom "
        "två månader från att du fick beslutet. Är du fortfarande missnöjd kan du sedan överklaga till "
        "förvaltningsrätten. Gäller det läkarens intyg, till exempel vad som står i det, kan jag däremot hjälpa "
        "dig att lämna synpunkter på vården.",
        "forsakringskassan.se/om-forsakringskassan/om-du-inte-ar-nojd", "2"),
    "migrationsverket": Referral(
        "Migrationsverket",
        "Beslut från Migrationsverket överklagar du till migrationsdomstolen, men du skickar överklagandet till "
        "Migrationsverket. Hur lång tid du har står i beslutet, ofta tre veckor. Har du ett offentligt biträde "
        "kan hen hjälpa dig.",
        "migrationsverket.se (Om du vill överklaga)", "3"),
    "arbetsformedlingen": Referral(
        "Arbetsförmedlingen",
        "Är du missnöjd med ett beslut från Arbetsförmedlingen kan du begära omprövning hos dem – i beslutet står "
        "hur. Gäller det hur ditt ärende har skötts kan du vända dig till JO.",
        "arbetsformedlingen.se (request reconsideration)", "4a"),
    "csn": Referral(
        "CSN",
        "Beslut från CSN överklagar du skriftligt inom tre veckor från att du fick beslutet, och du skickar "
        "överklagandet till CSN. I beslutet står vart det ska prövas.",
        "csn.se (appealing against a decision)", "4b"),
    "kronofogden": Referral(
        "Kronofogden",
        "Beslut från Kronofogden överklagar du genom att skicka överklagandet till Kronofogden, som sedan lämnar "
        "det till tingsrätten. Hur och när står i beslutet.",
        "domstol.se (överklaga beslut från Kronofogden)", "4c"),
    "skola": Referral(
        "Skolinspektionen",
        "Det här gäller skolan. Prata först med rektorn och vänd dig sedan till huvudmannen (kommunen eller "
        "skolans ägare). Hjälper inte det kan du kontakta Skolinspektionen, och gäller det kränkningar eller "
        "mobbning finns Barn- och elevombudet (BEO).",
        "skolinspektionen.se (missförhållanden i skolan)", "5"),
    "socialtjanst": Referral(
        "kommunen",
        "Det du beskriver gäller socialtjänsten i kommunen, inte vården. Beslut kan du överklaga – hur står i "
        "beslutet. Missnöje med hur hjälpen utförs tar du upp med verksamheten eller din handläggare i "
        "kommunen, och vid allvarliga brister kan du kontakta IVO. Gäller det sjuksköterska, läkemedel eller "
        "annan sjukvård i hemmet eller på boendet kan jag däremot hjälpa dig vidare här.",
        "ivo.se/privatpersoner/klaga-pa-socialtjansten; lag (2017:372) 1 §", "6"),
    "apotek": Referral(
        "apoteket",
        "Börja med att prata med apoteket, till exempel den läkemedelsansvariga farmaceuten. Gäller det hur "
        "apoteket hanterar läkemedel kan du vända dig till Läkemedelsverket, gäller det en enskild farmaceut "
        "till IVO, och gäller det pris eller utbyte av läkemedel till TLV.",
        "lakemedelsverket.se; ivo.se; tlv.se", "7"),
    "veterinar": Referral(
        "Ansvarsnämnden för djurens hälso- och sjukvård",
        "Djursjukvård ligger utanför det jag hjälper till med. Ta först upp det med kliniken eller veterinären. "
        "Tror du att djuret har fått fel behandling kan du anmäla till Ansvarsnämnden för djurens hälso- och "
        "sjukvård (vetansvar.se).",
        "vetansvar.se", "8"),
    "hyresvard": Referral(
        "hyresnämnden",
        "Det här gäller ditt boende och inte vården. Ta först upp det skriftligt med hyresvärden. Kommer ni inte "
        "överens kan du vända dig till hyresnämnden, som är gratis, och är du medlem i Hyresgästföreningen kan "
        "de ge dig råd.",
        "domstol.se (hyresnämnden)", "9"),
    "arbetsgivare": Referral(
        "Arbetsmiljöverket",
        "Det här gäller din arbetsplats, inte vården du har fått. Ta upp det med din chef eller ditt skyddsombud, "
        "och kontakta ditt fackförbund om det gäller lön eller anställning. Risker i arbetsmiljön kan du tipsa "
        "Arbetsmiljöverket om, och diskriminering kan anmälas till Diskrimineringsombudsmannen (DO).",
        "av.se; do.se", "10"),
    "polisen": Referral(
        "Polisen",
        "Det här gäller polisen. Tror du att en polis har begått ett brott kan du anmäla det via 114 14, och det "
        "utreds då av en särskild avdelning. Är du missnöjd med hur polisen har skött ditt ärende kan du också "
        "vända dig till JO. Är någon i fara just nu: ring 112.",
        "polisen.se (särskilda utredningar); jo.se", "11"),
    "konsument": Referral(
        "Hallå konsument",
        "Det här är en konsumentfråga och inte vården. Klaga först till företaget, gärna skriftligt. Hallå "
        "konsument (Konsumentverket) ger dig information om vad som gäller, och säger företaget nej kan du "
        "anmäla tvisten till Allmänna reklamationsnämnden (ARN), som är gratis.",
        "hallakonsument.se; arn.se", "12a"),
    "bank_forsakring": Referral(
        "Konsumenternas",
        "Klaga först hos banken eller försäkringsbolaget och be att få tala med deras klagomålsansvarige. Du kan "
        "få gratis och opartiska råd av Konsumenternas Bank- och finansbyrå eller Försäkringsbyrå "
        "(konsumenternas.se), och sedan kan du anmäla tvisten till ARN.",
        "konsumenternas.se; arn.se", "12b"),
    "parkering": Referral(
        "Polisen",
        "Titta på lappen: står det ”parkeringsanmärkning” bestrider du den hos Polisen, står det ”kontrollavgift” "
        "bestrider du den direkt hos parkeringsbolaget som satte upp den. Kommunens konsumentvägledning kan ge "
        "råd.",
        "polisen.se; kommunernas sidor om kontrollavgift", "13"),
    "kommun": Referral(
        "kommunen",
        "Det här sköts av kommunen. Gör en felanmälan eller lämna en synpunkt via kommunens webbplats eller "
        "kundtjänst – tänk på att vissa vägar sköts av Trafikverket eller en vägförening. Beslut, till exempel "
        "om bygglov, överklagar du enligt det som står i beslutet.",
        "kommunernas sidor om felanmälan och synpunkter", "14"),
}

FALLBACK = ("Det här verkar inte gälla vården, så jag kan inte ta emot det som ett klagomål. Jag hjälper dig "
            "att lämna synpunkter och klagomål på hälso- och sjukvård och tandvård. Gäller det ändå vården kan "
            "du berätta vad som hände.")
