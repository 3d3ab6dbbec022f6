"""Safety first: recognise acute danger, suicidal thoughts and threats of violence in free text.

Used as a second net behind the NLU intents, in every free-text answer of the forms. Only
present-tense, ongoing situations count: "hon hade ont i bröstet i förra veckan" is part of a
complaint, "jag har ont i bröstet och kan inte andas" is an emergency.
"""
from __future__ import annotations

import re
from typing import Optional

EMERGENCY = re.compile(
    r"\b(har|får|fick precis) (jätte|väldigt |så )?ont i bröstet\b|\bbröstsmärt(a|or) (nu|just nu)\b"
    r"|\bkan inte andas\b|\bkan knappt andas\b|\bandas inte\b|\bfår ingen luft\b"
    r"|\b(är|blir) medvetslös\b|\bsvarar inte\b.*\b(nu|just nu)\b|\bgår inte att väcka\b"
    r"|\b(barnet|bebisen|min son|min dotter|babyn) är (helt )?slapp\b|\bslapp och svarar inte\b"
    r"|\bblöder (kraftigt|mycket|jättemycket)\b|\bslutar inte blöda\b"
    r"|\b(hänger|sluttar) i (ena )?mungipan\b|\bkan inte (lyfta|röra) (armen|ena armen)\b.*\b(nu|plötsligt)\b"
    r"|\bsluddrar\b.*\b(nu|plötsligt)\b|\bhar fått en stroke\b|\btror (att )?(jag|han|hon) har (en )?stroke\b"
    r"|\bhjärtinfarkt nu\b|\bkrampar (nu|fortfarande)\b",
    re.I)
SUICIDE = re.compile(
    r"\b(vill|tänker|ska|orkar inte) (inte )?(leva|dö|ta livet av mig|ta mitt liv)\b"
    r"|\bvill inte leva\b|\borkar inte leva\b|\bta livet av mig\b|\bsjälvmordstankar\b"
    r"|\btänker på självmord\b|\bvill dö\b|\bskada mig själv\b|\bmitt liv är slut\b",
    re.I)
VIOLENCE = re.compile(
    r"\b(ska|tänker|kommer att) (döda|slå ihjäl|skada|skjuta|knivhugga)\b"
    r"|\bhotar (att )?(döda|slå|skada|mig)\b|\bhotar mig\b|\bblir hotad (nu|just nu)\b"
    r"|\bnågon slår mig\b|\bär rädd att (han|hon|hen) ska (slå|döda|skada)\b",
    re.I)


def classify(text: str) -> Optional[str]:
    """``emergency`` | ``suicide`` | ``violence`` | None."""
    t = (text or "").lower()
    if SUICIDE.search(t):
        return "suicide"
    if EMERGENCY.search(t):
        return "emergency"
    if VIOLENCE.search(t):
        return "violence"
    return None


_PAST = re.compile(r"\b(hade|var|fick|kunde|blev|dog|skickades|igår|i går|förra|sedan|i (mån|tis|ons|tors|fre|lör|sön)dags)\b", re.I)


def looks_like_past_account(text: str) -> bool:
    """A story about something that already happened (a complaint), not an ongoing emergency."""
    return bool(_PAST.search(text or "")) and classify(text) is None
