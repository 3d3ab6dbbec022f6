"""The second net behind the triage classifier: high-recall patterns for people in crisis.

Each sentence is checked on its folded form (lower case, å/ä → a, ö → o), so "kan inte andas" and
"ja kan inte andas" match alike.  A sentence that only tells of the past ("fick en hjärtinfarkt
förra året", "för två år sedan försökte jag ta mitt liv") is not a present crisis: it is part of a
complaint.  The trained classifier decides everything else; these patterns only ever *raise* an
alarm, they never silence one.
"""

from __future__ import annotations

import re
from typing import List, Optional

from nlu.text_features import fold

_SENTENCES = re.compile(r"(?<=[.!?…\n])\s+|\n+")


def _rx(*parts: str) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in parts))


# Swedish puts the verb second: "nu kan jag inte andas", "nu står jag på bron" — the subject may follow it
_S = r"( jag| ja| han| hon| hen| vi| pappa| mamma| barnet| bebisen| min man| min fru| min son| min dotter)?"
# a person, not an office ("skatteverket svarar inte" is not an emergency)
_WHO = r"\b(han|hon|hen|pappa|mamma|farfar|farmor|morfar|mormor|barnet|bebisen|babyn|min (man|fru|sambo|son|dotter|bror|syster|van|gubbe|gumma)|maken|makan|frun|mannen)"
_KID = r"(barnet|bebisen|babyn|sonen|dottern|min son|min dotter|var son|var dotter|lillen|ungen|min bebis)"

EMERGENCY = _rx(
    r"\b(kan|kn|kann|formar)" + _S + r" (inte|int|knappt|ej|icke) (andas|fa luft)\b", r"\bfar" + _S + r" (ingen|inte|knappt) luft\b",
    r"\b(andas|andades) (inte|knappt)\b", r"\b(slutat|slutar) andas\b", r"\bandningen (har )?stannat\b",
    r"(ont|tryck|smarta|smartor|kramp|hugg) i (brostet|brost|hjartat)\b.*\b(nu|just nu|stralar|igen|armen|kaken|kallsvett|domnar)",
    r"\b(nu|just nu)\b.*(ont|tryck|smarta|smartor|hugg) i (brostet|brost|hjartat)\b",
    r"\bstralar (ut |upp |ner )?(i|mot|till|ut i|upp i|ut mot) (vanster|hoger|armen|kaken|kaklen|ryggen|halsen|axeln)\b",
    r"\bkallsvett\w*\b.*\b(brost|kaken|armen|smarta|illa|ont)\b|\b(brost|kaken|armen|smarta|ont)\b.*\bkallsvett",
    r"\b(brostsmarta|brostsmartor)\b.*\b(nu|just nu|stralar|igen)\b",
    r"\b(ar|blev|blir|ligger) (helt )?medvetslos", r"\bmedvetslos\b.*\b(nu|ligger|har)\b",
    r"\b(gar|gick) inte att vacka\b", r"\b(vaknar|reagerar) inte\b.*\b(nu|alls|pa tilltal)\b",
    _WHO + r" (vaknar|reagerar|svarar) (inte|ej|icke)\b.{0,30}\b(nu|alls|pa tilltal)\b",
    r"\b(nu|alls) (vaknar|reagerar|svarar)" + _S + r" (inte|ej|icke)\b", r"\bsvarar (inte|ej) pa tilltal\b",
    _KID + r" (ar|blir|har blivit) (helt |jatte |sa )?(slapp|bla|gra|kall och blek)",
    r"\bslapp och (svarar|reagerar) inte\b",
    r"\b(bloder|blodet) (kraftigt|mycket|jattemycket|massor|som fan|ohejdat|och slutar inte)\b",
    r"\b(slutar|stoppar) inte (att )?blo(da|dningen)\b", r"\bblodet (sprutar|forsar)\b", r"\b(forsar|sprutar|pumpar) (det )?(ut )?blod\b",
    r"\b(kanner|marker) (inga|inte nagra|inte langre nagra) (sparkar|fosterrorelser|rorelser)\b",
    # AKUT (stroke): Ansikte, Kroppsdel, Uttal — in any tense that is still now
    r"\bmungipa(n)? (hanger|sjunker|har sjunkit|har borjat hanga|har hangt|ar sned|sluttar)\b",
    r"\bhanger i (ena )?mungipan\b", r"\bsluddrar\b", r"\bsned i ansiktet\b",
    r"\b(forlorat|tappat|mist) (talet|talformagan|sprakformagan|formagan att prata)\b",
    r"\b(kan|kunde)" + _S + r" (plotsligt )?(inte|knappt) (prata|tala|fa fram (orden|ett ord)|hitta orden)\b.*\b(plotsligt|nyss)\b",
    r"\bplotsligt\b.*\b(forlamad|domnad i (ena|hela)|kan inte (rora|lyfta)|tappar (greppet|allt)|sned)\b",
    r"\bkan inte (lyfta|rora) (armen|ena armen|benet|ena sidan)\b",
    r"\b(kan|formar|orkar)" + _S + r" (inte|ej|icke)( langre)? (lyfta|rora|kanna|anvanda) (min |mitt |den |ena |hoger |vanster )?"
    r"(hogra|vanstra|ena|hoger|vanster)? ?(armen|arm|benet|ben|handen|hand|sidan|sida|ansiktshalvan)\b",
    r"\b(inte|ej|icke) (formar|kan|orkar) (lyfta|rora|kanna|anvanda) (min |mitt |den |ena |hoger |vanster )?"
    r"(hogra|vanstra|ena|hoger|vanster)? ?(armen|arm|benet|ben|handen|hand|sidan|sida|ansiktshalvan)\b",
    r"\b(talet|rosten) (inte|ej|icke) (lyder|fungerar|funkar)\b",
    r"\b(handen|armen|benet|foten|hogra \w+|vanstra \w+|ena \w+) (lyder|lyssnar|fungerar|funkar|vill) (mig )?(inte|ej|icke)( langre)?\b",
    r"\bmunnen (hanger|sjunker|ar sned|sluttar|drar)\b", r"\b(hanger|sned) (pa|at) ena sidan\b",
    r"\b(talet|rosten|sprak\w*) (lyder|fungerar|funkar|vill) (mig )?(inte|ej|icke)\b",
    r"\b(kan|formar)" + _S + r" (inte|ej|icke) (forma|fa fram|uttala) (orden|ord|meningar)\b",
    r"\b(har|fatt|far) (en )?(stroke|hjartinfarkt|hjartattack|hjartstopp)\b.*\b(nu|tror|just)\b",
    r"\btror (att )?(jag|han|hon|hen|pappa|mamma|min man|min fru) (har |fatt |far )?(en )?(stroke|hjartinfarkt|hjartattack|propp)\b",
    r"\b(krampar|kramper|krampanfall)\b.*\b(nu|fortfarande|slutar inte)\b",
    r"\b(svullnar|svullen|svaller|svullnat) (upp )?i (halsen|svalget|tungan|ansiktet)\b", r"\banafylaxi|allergisk chock\b",
    r"\b(tungan|tunga|halsen|svalget|lapparna|lappar|ansiktet|ogonen) (svullnar|svaller|har svullnat|borjar svullna)\b",
    r"\b(ligger|sitter|hittade (honom|henne|hen)|hittat (honom|henne|hen))\b.*\b(ror sig inte|svarar inte|reagerar inte|vaknar inte|andas inte)\b",
    r"\b(ror sig inte|ar alldeles gra|ar helt gra|ar bla om lapparna|ar kall och svarar inte)\b",
    r"\b(ring|ringer|skicka|skickar|behover|vill ha) (en )?ambulans\b", r"\bambulans (nu|direkt|fort)\b",
    r"\b(rakat|av misstag|fel burk|tagit fel)\b.{0,40}\b(\d{2,}|for manga|dubbla|hela)\b",
    r"\b(\d{2,}) (st |stycken )?(alvedon|panodil|paracetamol|ipren|ibuprofen|treo|tabletter|piller)\b.{0,40}\b(rakat|av misstag|fel|nyss|idag|ikvall)",
    r"\b(har tagit|tog|tagit|svalt|svalde|atit|fatt i sig) (en )?(massa|hela|alla|for manga|en hel|massor|typ \d+|\d{2,})\b.*"
    r"\b(tabletter|piller|tabl|mediciner|burk|kartan|somntabletter|paracetamol|alvedon|panodil|ipren|ibuprofen|treo"
    r"|sobril|insulin|morfin|oxikodon|tramadol|stesolid|imovane|propavan|theralen|lergigan)\w*\b(?! (som )?(de|han|hon|lakaren|doktorn|vc|vardcentralen|jag fick|jag fatt|enligt|ordinerade|utskrivna|utskrivet|foreskrivna|pa recept|de sagt|som ordinerats))",
    r"\b(kollapsat|kollapsade|svimmat|svimmade)\b.*\b(nu|ligger|vaknar inte|svarar inte)\b",
    r"\bvarsta (huvudvarken|huvudvark)\b.*\b(nu|plotsligt)\b",
    r"\bkan (bara|knappt) (saga|prata|fa fram|fa ur mig) (nagra|ett par|ett|enstaka) ord\b",
    r"\b(vaser|pipande andning|pip i brostet|andnod)\b.*\b(nu|slut|igen|vaerre|varre)\b",
    r"\b(bleeding|cant breathe|can t breathe|cannot breathe|not breathing|unconscious|chest pain|heart attack|having a stroke"
    r"|seizure|overdose|choking|call an ambulance|need an ambulance|emergency now|not waking up|wont wake up|won t wake up"
    r"|(can|could) ?not wake|cant wake|can t wake|not responding|no pulse|(vomit|vomiting|throwing up|coughing) blood"
    r"|turning blue|lips are blue|passed out)\b",
    r"\bhjalp (mig )?(nu|snabbt|fort)\b.*\b(andas|blod|brost|medvetslos|doende)\b",
    r"\b(hon|han|hen|jag|pappa|mamma) (haller pa att|kommer att) do\b.*\b(nu|hjalp)",
)

SUICIDE = _rx(
    r"\b(ta|tar|tagit|ska ta) livet av (mig|mej|mig sjalv|sig)\b", r"\bta mitt (eget )?liv\b",
    r"\bsjalvmord(?!sforsok)|suicid", r"\bsjalvmordsforsok\w*\b.*\b(nu|nyss|precis|ikvall|i natt|inatt|idag)\b|\b(nu|nyss|precis|ikvall|i natt|inatt|idag)\b.*\bsjalvmordsforsok", r"(^|\bjag |\bja )(vill|tanker|ska)( bara)? (inte )?(leva|do|doe)\b(?! av (skam|tristess|langtraktan))",
    r"\bvill" + _S + r" inte (leva|finnas)\b", r"\borkar" + _S + r" inte (leva|finnas)\b",
    r"\b(vill|ska)" + _S + r" (bara )?forsvinna\b",
    r"\bsta(r|endes)?" + _S + r" (pa|vid|uppe pa) (bron|taket|perrongen|sparet|kanten|stupet|balkongracket|klippan)\b",
    r"\b(ar|sitter|star|gatt upp)" + _S + r" (pa|uppe pa|ute pa) (taket|bron|kanten|balkongracket)\b",
    r"\b(kommer|ska|tanker|vagar)" + _S + r" (att )?hoppa\b(?! (over|in|pa|av|till|fram))",
    r"\b(kill myself|end my life|suicide|suicidal|want to die|going to jump|(standing|sitting) on the (roof|bridge|edge|ledge)"
    r"|(took|taken|swallowed) (all|all my|a lot of|too many|many) (pills|tablets)|can t go on|cant go on|say goodbye)\b",
    r"\b(hoppa|hoppar|kasta mig) (fran|ner fran|framfor|ut|ifran)\b",
    r"\bavskedsbrev\b", r"\bskrivit (brev|ett brev|avsked) till (alla|mina|familjen|barnen)\b",
    r"\bingen (kommer|skulle|kommer att) sakna mig\b", r"\b(battre|lattare) (for alla )?om jag (var|vore|inte fanns)",
    r"\b(skar|skara|skadar|skada) mig( sjalv)?\b(?! (i|pa) (fingret|fingrarna|tummen|handen|foten|tan|en|ett|glas|kniven|burken|papper))",
    r"\bskurit mig\b(?! (i|pa) (fingret|fingrarna|tummen|handen|foten|tan|en|ett|glas|kniven|burken|papper))",
    r"\b(har|har kopt|har skaffat) (ett )?rep\b", r"\bsnaran\b",
    r"\b(hangt upp|satt upp|knutit|fast) (ett |en |mitt |min )?(balte|baltet|rep|repet|snara|sladd|kabel|lakan|halsduk)\b",
    r"\b(tagit|tog|tar) (alla|hela) (mina )?(tabletter|piller|sobril|somntabletter|burken)\b(?! (som )?(de|han|hon|lakaren|doktorn|vc|vardcentralen|jag fick|jag fatt|enligt|ordinerade|utskrivna|utskrivet|foreskrivna|pa recept|de sagt|som ordinerats))",
    r"^(jag )?(har )?(tagit|tog|svalde|svalt) (en )?(massa|massor|for manga|en hel|hela|alla|typ \d+|\d+)\b.*\b(tabletter|piller|tabl|burk|kartan|karta)",
    r"\b(samlat|sparat) (pa mig )?(tabletter|piller)\b", r"\bsova for alltid\b", r"\binte vakna (mer|igen)\b",
    r"\bhur manga\b.{0,40}\b(for att|sa att|innan) (man |jag )?(inte vaknar|inte vakna|dor|do|somnar for alltid)\b",
    r"\b(gora|gor) slut pa (allt|mitt liv|mig sjalv|det har|livet)\b",
    r"\b(gor jag|ska jag|jag ska|jag gor|jag tanker) (gora )?slut pa (det|allt|mig|livet)\b", r"\bavsluta (mitt liv|allt|det har nu)\b",
    r"\bdet (far|ska) bli slut (ikvall|i natt|idag|nu)\b", r"\bsista gangen (jag skriver|ni hor|nagon hor)\b",
    r"\b(min|mitt) sista (dag|kvall|natt)\b", r"\bsjalvskad",
    r"\b(gett|gav|ger) bort (katten|hunden|mina saker|allt jag|mina grejer)\b", r"\b(har )?planerat allt\b",
    r"\bdatum(et)? ar (idag|ikvall|bestamt|satt)\b", r"\bdet ar dags nu$",
    r"\b(\d{2,}|hela (burken|kartan|paketet|dosetten)|alla) (st |stycken )?(\w+ )?(tabletter|piller|tabl|sobril|alvedon|panodil"
    r"|paracetamol|ipren|treo|stesolid|imovane|oxikodon|tramadol|morfin|insulin|somntabletter)\b.{0,40}\b(pa en gang|samtidigt|pa en och samma gang)\b"
    r".*\b(tanker|ska|kommer att|planerar) (gora|ta)\b",
    r"\b(tabletter|piller|dosett\w*|sobril|somntabletter|stesolid|imovane|oxikodon|tramadol|morfin)\b.{0,40}"
    r"\b(vodka|sprit|alkohol|whisky|vin|brannvin|flaskan)\b.{0,40}\b(ikvall|i kvall|i natt|inatt|nu)\b",
    r"\bingen mening (med|att|i att) (att )?(leva|fortsatta|finnas|orka)\b",
    r"\b(kommer|ska)" + _S + r" inte (att )?(leva|finnas kvar|vara kvar|vara har) (om|till|efter|nar|pa|i morgon|imorgon|nasta)\b",
    r"\b(samlat|sparat|gomt) (ihop )?(pa mig )?(mina |alla )?(\w+)?(tabletter|piller|mediciner|medicin)\b", r"\borkar inte (mer|langre)\b.*\b(leva|livet|finnas|slut)\b",
)

THREAT = _rx(
    r"\b(ska|tanker|kommer att|kommer|ska fan|vill) (doda|drapa|mord|morda|skjuta|knivhugga|hugga|sla ihjal|"
    r"sla ner|spranga|branna ner|tanda eld pa|satta eld pa|misshandla|skada|ge igen pa|hamnas pa) "
    r"(honom|henne|hen|dem|dom|er|dig|den|det|personalen|lakaren|doktorn|skoterskan|alla|nagon|stallet|"
    r"vardcentralen|sjukhuset|akuten|avdelningen|mottagningen|kliniken)\b",
    r"\b(doda|drapa|morda|skjuta|knivhugga|sla ihjal|spranga|branna ner) (den dar|den javeln|honom|henne|er|alla)\b",
    r"\b(tar|ta) med (mig )?(kniven|en kniv|kniv|pistol|vapen|ett vapen|yxa|nagot vasst|bensin|hagelbossan)\b",
    r"\bvet (var|vart) (hon|han|hen|ni|dom|de|lakaren|doktorn|skoterskan) bor\b",
    r"\bni (kommer|ska) (att )?(angra|fa se|fa betala)\b", r"\b(hon|han|hen|dom|de|ni) ska (fa|fa fan) (betala|lida|se|smaka)\b",
    r"\bska (hon|han|hen|dom|de|ni) (fa|fa fan) (betala|lida|se|smaka pa)\b", r"\bfa smaka pa (samma|sin egen|egen) (sak|medicin)\b",
    r"\b(i will|i ll|gonna|going to|will|wants to|want to) (kill|hurt|shoot|stab|beat|attack)\b",
    r"\b(doktorn|lakaren|skoterskan|ni|du|han|hon|dom|de) (dor|ska do|kommer att do|kommer do) (ocksa|med|da)\b",
    r"\bwith (a |his |my )?(knife|gun|weapon|axe)\b", r"\b(they|you|he|she|staff|all of you|doctors|nurses) (should|better) be (scared|afraid)\b",
    r"\b(borde|ska|bor|kan) (vara|bli) (radda|radd|rad|ranslig\w*)\b",
    r"\b(har|lagger|placerar|placera|lagga|tar med|byggt|bygga|spranga) (en |ett |mina )?(bomb|bomber|sprangmedel|sprangladdning)\b",
    r"\bskjuta (ihjal|ner|pa)\b", r"\bga loss pa\b",
    r"\b(kunna|kan|ska) (doda|drapa|sla ihjal|morda|skada)\b.*\b(menar allvar|vet vem|pa riktigt|inget skamt)\b",
    r"\b(lakare|overlakare|doktor\w*|skoterska\w*|personal\w*|barnmorska\w*|verksamhetschef\w*|chef\w*|vardcentral\w*"
    r"|sjukhus\w*|mottagning\w*|akuten|avdelning\w*|ni|er)\b.*\b(jaktbossa|jaktgevar\w*|hagelbossa\w*|bossa(n)?|gevar(et)?"
    r"|pistol(en)?|revolver(n)?|ammunition(en)?|patroner(na)?|kulor(na)?)\b",
    r"\b(sparat|kopt|skaffat|laddat|har kvar|tar med|medfor|medtar) (min |mitt |mina |lite )?(gamla )?(\w+ )?(ammunition|patroner|kulor"
    r"|jaktbossa|gevar|hagelbossa|bossa|pistol|revolver|vapen)\b",
    r"\bvant(ar|a|ar jag)\b.{0,20}\b(pa|in) (honom|henne|hen|dig|er|dem|dom|lakaren|doktorn|skoterskan)\b.{0,30}"
    r"\b(personalingang\w*|parkering\w*|utanfor|utgang\w*|efter (jobbet|passet|skiftet)|nar (han|hon|hen) (gar|slutar))",
    r"\bvet (nar|vilken tid|var) (hans|hennes|hens|ert|era|doktorns|lakarens) (pass|skift|arbetsdag|bil) (slutar|ar slut|star)\b",
    r"\b(laser|lasa|las) in er\b", r"\bleka gud med (era|ert|er|dig|ditt)\b",
    r"\b(jaktbossa|bossan|bossa|geva(r|ret)|hagelgevar|vapen|pistol|revolver)\b.*\b(lakare|overlakare|doktor\w*|skoterska\w*"
    r"|personal\w*|barnmorska\w*|i atanke|tanka sig for|akta sig|se upp)\b",
    r"\b(borde|ska|bor|far) (nog )?(tanka sig for|se sig om|passa sig|akta sig|se upp)\b.*\b(mork|hem|natt|kvall|parkering|gar hem|jobbet)",
    r"\binte (att )?(ga|gar|komma) (darifran|harifran|hem|ut) pa egna ben\b",
    r"\bhotar (mig|oss|personalen|barnen|min \w+)\b(?! med (?!kniv|vapen|pistol|yxa|stryk|vald))",
    r"\bhotar (att|med att) (doda|sla|skada|skjuta|morda|knivhugga|spranga|branna)",
    r"\bhotar med (kniv|vapen|pistol|yxa|stryk|vald)\b", r"\b(blir|blev just) hotad\b.*\b(nu|just nu)",
    r"\b(har|med) (en )?(kniv|pistol|vapen|yxa)\b.*\b(nu|utanfor|hotar|star|har inne|dorren)\b",
    r"\bstar utanfor (dorren|huset|lagenheten)\b", r"\b(slar|sparkar|stryper|misshandlar) (mig|oss|henne|barnen)\b",
    r"\bbryta sig in\b", r"\b(ar|vi ar) inte (saker|trygg|trygga) (hemma|har)\b",
)

# poisoning and swallowed objects: what a child got into, or an adult by mistake (with ACCIDENT in the
# same sentence: "jag har ätit samma medicin i tio år" is not a poisoning)
POISON = re.compile(
    r"\b(druckit|svalt|svalde|atit|at upp|fatt i sig|slickat|stoppat i munnen)\b.{0,60}\b(rent|klorin|tvattmedel"
    r"|lampolja|diskmedel|avloppsrens|frostskydd|tabletter|tabletterna|piller|medicin|hjartmedicin|blodtrycksmedicin"
    r"|\w*batteri|magnet|magneter|svamp|svampar|ograsmedel|maskindiskmedel)")
ACCIDENT = re.compile(
    r"\b(barn\w*|bebis\w*|\d+ ?-? ?aring\w*|\d+ ar gammal|sonen|dottern|min son|min dotter|lillen|ungen|nyss|precis"
    r"|av misstag|rakat|for en (stund|timme|kvart|halvtimme) (sedan|sen))\b")
# reported, not said: "i journalen står det att jag är suicidal" is a complaint about the record
REPORTED = re.compile(r"\b(journal\w*|anteckning\w*|star det|stod det|skrivit|skrev att|remiss\w*)\b")
REPORTED_WORDS = re.compile(r"\b(sjalvmord\w*|suicid\w*|sjalvskad\w*)")

# the past: a sentence that only tells what happened is part of a complaint ("år" folds to "ar", like
# "är", so the time phrases are taken out before the present is looked for)
PAST_TIME = re.compile(
    r"\b(forra (aret|manaden|veckan|varen|sommaren|hosten|vintern|gangen)|i fjol|i forrfjol"
    r"|for (\w+ )?(ar|manader|manad|veckor|vecka|dagar|aren|artionden) (sedan|sen)|i (varas|somras|hostas|vintras|julas)"
    r"|(ar|aret|sommaren|hosten|varen|vintern) (19|20)\d\d|tidigare i (ar|host|var|somras)|som barn|nar jag var (liten|ung|\w+ ar)"
    r"|(i|pa|under|sedan) (januari|februari|mars|april|maj|juni|juli|augusti|september|oktober|november|december)"
    r"|i (mandags|tisdags|onsdags|torsdags|fredags|lordags|sondags)|forra helgen)\b")
PAST_VERB = re.compile(r"\b(hade|fick|blev|var|kom|dog|forsokte|gjorde|holl|kunde|sa|trodde|ville|skrev|tidigare|forr"
                       r"|forut|haft|en gang i tiden)\b")
# "har tidigare haft", "har haft … för tre år sedan": the perfect tense of a past state is not the present
# ("jag har haft självmordstankar hela veckan" is, and stays present)
EARLIER = re.compile(r"\b(tidigare|forut|en gang i tiden|flera ar|manga ar|for lange sedan)\b")
PERFECT = re.compile(r"\bhar (tidigare |en gang |ocksa )?(haft|varit|forsokt|tankt|gjort)\b")
# "det är över nu", "jag mår bättre nu": the present tense of a crisis that has passed
RESOLVED = re.compile(r"\b(det ar over|ar over nu|har gatt over|gick over|mar (mycket |lite )?(battre|bra) (nu|idag)"
                      r"|har fatt (bra )?hjalp|det ar bakom mig|ar hemma (nu|igen)|(nu )?ar (han|hon|hen|jag|vi|pappa|mamma) hemma( igen| nu)?|klarar sig|det loste sig|gick bra till slut|(jag|han|hon|hen) lever (idag|i dag|nu)|har matt (mycket |lite )?battre|ar stabil|lever ett bra liv|har kommit hem|kom hem|ar utskriven|blev utskriven)\b")
PRESENT = re.compile(
    r"\b(nu|just nu|fortfarande|igen|ikvall|i kvall|i natt|inatt|idag|i dag|har|ar|kan|ska|kommer|star|ligger"
    r"|sitter|vill|tanker|far|gor|hjalp|nyss|precis|alldeles|for (en|ett par|nagra|\w+) (timme|timmar|minut|minuter|stund) (sedan|sen))\b")
# figurative: "höll på att dö av tristess", "dödstrött" (the word boundary keeps that out)
FIGURATIVE = re.compile(r"\b(do|doo|dor) av (skam|tristess|langtraktan|skratt|nyfikenhet|trotthet)\b|\bhoppa (over|in)\b")

DEATH = re.compile(
    r"\b(dog|doog|avled|avlidit|avliden|avlidne|gick bort|gatt bort|har dott|dott|dodsfall|omkom|somnade in"
    r"|dodsbud|begravning|begravningen|ar dod|var dod|doden|avsomnade|forolyckades)\b")
DEATH_FIGURATIVE = re.compile(r"\b(holl pa att|trodde (att )?(jag|han|hon) skulle|kunde ha) do\b")


DATED = re.compile(r"(det|detta|allt det|det har) (var|hande|skedde|ar (\w+ )?(ar|manader|veckor) sedan)\b")


def sentences(text: str) -> List[str]:
    return [s for s in (fold(x.strip().lower()) for x in _SENTENCES.split(text or "")) if s]


def _only_past(sentence: str) -> bool:
    """A sentence with a marker of the past and none of the present."""
    if not (PAST_TIME.search(sentence) or PAST_VERB.search(sentence)):
        return False
    if RESOLVED.search(sentence):
        return True
    rest = PAST_TIME.sub(" ", sentence)
    if PAST_TIME.search(sentence) or EARLIER.search(sentence):
        rest = PERFECT.sub(" ", rest)
    return not PRESENT.search(rest)


# "…försökte ta mitt liv för två år sen, och idag mår jag bra": the clause around the words decides
_CLAUSES = re.compile(r"[,;:]|\b(och|men|fast|eftersom|att|som)\b")
# "snarkar och slutar andas på natten ibland": what happens sometimes is not happening now
_HABITUAL = re.compile(r"\b(ibland|brukar|ofta|snarkar|snarkning|somnapne|apne|pa natterna|varje natt)\b")


def _clause(sentence: str, pos: int) -> str:
    start, end = 0, len(sentence)
    for m in _CLAUSES.finditer(sentence):
        if m.end() <= pos:
            start = m.end()
        elif m.start() > pos:
            end = m.start()
            break
    return sentence[start:end]


def critical(text: str) -> Optional[str]:
    """``emergency`` | ``suicide`` | ``threat`` when a sentence of ``text`` signals a present crisis.

    A veiled threat or plan often takes two sentences ("Jag har kvar min jaktbössa. Det bör doktorn ha i
    åtanke.", "Är det farligt att ta 40 sobril på en gång? Jag tänker göra det"), so the suicide and
    threat patterns also read each pair of neighbouring sentences."""
    cleaned = [re.sub(r"\s+", " ", re.sub(r"[^\w\s,;:]", " ", s)).strip() for s in sentences(text)]
    cleaned = [s for s in cleaned if s]
    denied = any(SUICIDE_DENIED.search(s) for s in cleaned)
    for k, s in enumerate(cleaned):
        # "… sa att jag tänkt ta livet av mig. Det var för ett år sen.": the next sentence dates it
        if k + 1 < len(cleaned) and DATED.match(cleaned[k + 1]) and _only_past(cleaned[k + 1]):
            continue
        if FIGURATIVE.search(s) and not SUICIDE.search(FIGURATIVE.sub(" ", s)):
            continue
        said = REPORTED_WORDS.sub(" ", s) if REPORTED.search(s) else s
        for label, rx, t in (("suicide", SUICIDE, said), ("emergency", EMERGENCY, s), ("threat", THREAT, s)):
            if label == "suicide" and denied:
                continue
            if _present(t, rx, habitual_ok=label != "emergency"):
                return label
        if ACCIDENT.search(s) and _present(s, POISON, habitual_ok=False):
            return "emergency"
    for a, b in zip(cleaned, cleaned[1:]):
        for label, rx in (("suicide", SUICIDE), ("threat", THREAT)):
            if label == "suicide" and denied:
                continue
            if _present_across(a, b, rx):
                return label
    return None


# "jag har aldrig varit självmordsbenägen": denied, not said
_DENIED = re.compile(r"\b(aldrig|inte|ej) (nagonsin )?(varit|haft|kant mig|tankt pa|sagt)\b")
# "jag är INTE suicidal, men …": the writer says so outright; the words later in the message are about
# the complaint (a form about suicidal thoughts), so the suicide patterns stand down (the model does not)
SUICIDE_DENIED = re.compile(r"\b(ar|kanner mig|har varit) (inte|aldrig|ej|icke) (alls )?(suicidal|sjalvmordsbenagen|sjalvmordsnara)"
                            r"|\b(har|hade) (inga|aldrig haft nagra) (sadana |sjalvmords)?tankar\b"
                            r"|\b(tanker|kommer|ska|vill) (inte|aldrig) (att )?(skada mig|ta livet av mig|ta mitt liv)"
                            r"|\b(inte|aldrig|ej|icke) (ar|varit|kanner mig) (alls )?(suicidal|sjalvmordsbenagen|sjalvmordsnara)")


def _present(s: str, rx: re.Pattern, habitual_ok: bool = True) -> bool:
    if _only_past(s) or not habitual_ok and _HABITUAL.search(s):
        return False
    for m in rx.finditer(s):
        clause = _clause(s, m.start())
        if not _only_past(clause) and not _DENIED.search(clause):
            return True
    return False


def _present_across(a: str, b: str, rx: re.Pattern) -> bool:
    """A match that needs both sentences (what each says alone was already judged on its own)."""
    pair = a + " , " + b
    if _only_past(a) or _only_past(b) or RESOLVED.search(a) or RESOLVED.search(b):
        return False
    return any(m.start() < len(a) < m.end() and not _DENIED.search(pair) for m in rx.finditer(pair))


def resolved(text: str) -> bool:
    """The story ends in a crisis that has passed ("hon är hemma nu", "jag mår bra idag")."""
    return bool(RESOLVED.search(fold((text or "").lower())))


# where a story switches to what is happening now ("… Nu har jag jätteont i bröstet igen")
PRESENT_SWITCH = re.compile(
    r"\b(nu|just nu|idag|i dag|i natt|inatt|ikvall|i kvall|nyss|precis|i detta ogonblick|medan jag skriver"
    r"|for en (kvart|halvtimme|stund|timme) (sedan|sen)|sedan en (halv)?timme)\b")


def present_tail(text: str) -> str | None:
    """The part of a longer story from its last switch to the present, when there is a story before it.

    A present emergency told at the end of a long complaint is diluted in the whole text; the tail is
    triaged on its own as well."""
    parts = [p for p in re.split(r"(?<=[.!?…\n])\s+|,\s*(?=(?:men |och )?(?:nu|just nu|idag|ikväll|i kväll)\b)",
                                  text or "") if p and p.strip()]
    if len(parts) < 2:
        return None
    last = max((i for i, p in enumerate(parts) if PRESENT_SWITCH.search(fold(p.lower()))), default=None)
    if not last:
        return None
    return " ".join(parts[last:])


def mentions_death(text: str) -> bool:
    """A death is mentioned (a patient died), not a figure of speech."""
    t = fold((text or "").lower())
    t = re.sub(r"[^\w\s]", " ", t)
    return bool(DEATH.search(t)) and not DEATH_FIGURATIVE.search(t)
