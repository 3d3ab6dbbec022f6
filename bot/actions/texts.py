"""Swedish copy used by the custom actions (klarspråk: short, plain, warm).

Responses that rules and stories use directly live in bot/domain.yml; everything a custom
action says lives here, in one place. The form questions with fixed text are responses too
(``utter_ask_<slot>`` in bot/domain.yml).
"""

# -- who is filing ------------------------------------------------------------------------
ROLE_NOT_UNDERSTOOD = "Jag förstod inte riktigt. Välj det som passar bäst:"
ROLE_REPRESENTATIVE_NOTE = ("Bra att veta: den som handlägger ärendet kan be att få se din fullmakt. "
                            "Du kan skicka den senare, via sidan där du följer ärendet.")

CONSENT_NOT_UNDERSTOOD = "Jag förstod inte riktigt. Välj ett av alternativen:"
NOTE_DECEASED = "Patienten har avlidit."
CONDOLENCES = ("Jag beklagar sorgen. Du kan lämna synpunkter som närstående, och vården och patientnämnden "
               "tar emot dem. Jag behöver inte fråga om patientens samtycke.")
VARDGARANTI = ("Bra att veta: enligt vårdgarantin ska du få kontakt med vårdcentralen samma dag och en "
               "medicinsk bedömning inom tre dagar om det behövs. Efter en remiss ska du få ett besök i den "
               "specialiserade vården inom 90 dagar, och behandling inom 90 dagar efter beslutet. Inom barn- och "
               "ungdomspsykiatrin gäller en förstärkt vårdgaranti: 30 dagar till första besök, 30 till utredning "
               "och 30 till behandling. Om vårdgarantin inte uppfylls ska regionen hjälpa dig att få vård hos en "
               "annan vårdgivare, utan extra kostnad för dig. Nu fortsätter vi med dina synpunkter.")
CONSENT_DECEASED = ("Jag är ledsen att höra att patienten har avlidit. Du kan lämna synpunkter "
                    "som närstående, och vården och patientnämnden tar emot dem.")
CONSENT_CANNOT = ("Då kan du som närstående lämna synpunkterna. Jag noterar att patienten "
                  "inte kan ta ställning själv.")
CONSENT_STOPPED = ("Jag förstår. Jag har inte skickat något, och det du har skrivit här tas bort ur "
                   "chattens logg {within}. "
                   "Du är välkommen tillbaka om du ändrar dig, till exempel när du har pratat "
                   "med patienten.")

CHILD_AGE_INVALID = "Skriv barnets ålder med siffror, till exempel 9."
CHILD_AGE_13 = ("Eftersom barnet är 13 år eller äldre spelar barnets egen uppfattning roll. "
                "Prata gärna med barnet om att du lämnar synpunkter, och berätta vad barnet "
                "själv tycker. Vården kan ibland behöva barnets samtycke för att kunna svara dig.")
CHILD_ADULT = ("Om patienten är 18 år eller äldre lämnar du synpunkter som närstående. "
               "Då behöver jag fråga om samtycke.")

# -- unit --------------------------------------------------------------------------------
UNIT_MATCH = "Jag hittade {name}."
UNIT_NOT_CONNECTED = ("{name} tar inte emot synpunkter via den här tjänsten. Därför går ditt "
                      "ärende till {board}, som hjälper dig att få svar från mottagningen.")
UNIT_CANDIDATES = "Menar du någon av de här?"
UNIT_NONE_BUTTON = "Ingen av dessa"
UNIT_NOT_FOUND = ("Jag hittade ingen mottagning som heter så. Det gör inget: ärendet går då "
                  "till patientnämnden i din region, tillsammans med det du skrev "
                  "(\"{text}\"), och de tar reda på vilken mottagning det gäller.")
UNIT_LOOKUP_DOWN = ("Jag kan inte söka bland mottagningarna just nu. Jag sparar det du skrev, "
                    "och ärendet går till patientnämnden i din region.")
UNIT_PICK_NOT_UNDERSTOOD = "Jag förstod inte vilken du menar. Tryck på en av knapparna, eller skriv namnet igen."
ASK_REGION = "Vilken region gäller det?"
REGION_NOT_UNDERSTOOD = "Jag hittade inte den regionen. Välj en av knapparna:"
REGION_SET = "Ärendet går till {board}."

# -- date --------------------------------------------------------------------------------
DATE_FUTURE = "Datumet kan inte vara i framtiden. När hände det?"
DATE_INVALID = ("Jag förstod inte datumet. Skriv till exempel \"i tisdags\", \"3 mars\" eller "
                "\"2026-11-20\". Om du inte minns exakt går det bra med ungefär, till exempel "
                "\"i somras\".")
DATE_SET_APPROX = "Jag skriver ungefär {date}. Du kan ändra det i sammanfattningen."
DATE_CHANGED = "Jag har ändrat datumet till {date}."

# -- description ---------------------------------------------------------------------------
DESCRIPTION_TOO_SHORT = "Kan du berätta lite mer om vad som hände?"
DESCRIPTION_ADD_PROMPT = "Skriv det du vill lägga till, så sparar jag det."

# -- category ------------------------------------------------------------------------------
ASK_CATEGORY = ("Vilket av de här stämmer bäst med det du berättat? Det hjälper den som ska "
                "läsa ärendet, men det är frivilligt.")
ASK_CATEGORY_MAIN = "Vilket område gäller det?"
ASK_CATEGORY_SUB = "Vad passar bäst inom {main}?"
CATEGORY_NONE_BUTTON = "Inget av dessa"
CATEGORY_SKIP_BUTTON = "Hoppa över"
CATEGORY_NOT_UNDERSTOOD = "Tryck på det alternativ som passar bäst, eller på \"Hoppa över\"."
CATEGORY_UNAVAILABLE = "Jag kan inte visa kategorierna just nu, så vi hoppar över den frågan."

# -- outcome, reply, recipient ---------------------------------------------------------------
REPLY_BUTTONS = [("Ja, jag vill ha svar", "/affirm"), ("Nej, det behövs inte", "/deny")]
YES_NO_NOT_UNDERSTOOD = "Svara gärna ja eller nej."

ASK_RECIPIENT = (
    "Vem ska ta emot ärendet?\n"
    "• Vården: mottagningen ansvarar för sin vård och ska normalt få dina synpunkter först. "
    "De ska svara snarast, oftast inom ungefär fyra veckor.\n"
    "• Patientnämnden: är fristående från vården. Den hjälper dig att bli hörd och få svar, "
    "till exempel om du inte vill vända dig till mottagningen själv, inte har fått svar, "
    "eller inte är nöjd med svaret. Patientnämnden tar inte ställning till vem som gjort fel "
    "och beslutar inte om ersättning.")
RECOMMEND_PATIENT_BOARD = ("Eftersom du redan har vänt dig till vården utan att bli nöjd "
                           "rekommenderar jag patientnämnden.")
RECOMMEND_CARE_PROVIDER = "De flesta börjar med vården. Det rekommenderar jag om du inte har klagat där förut."
RECOMMEND_NO_CONSENT = ("Eftersom patienten inte har gett sitt samtycke rekommenderar jag vården: "
                        "patientnämnden behöver samtycke eller fullmakt för att kunna hjälpa till.")
RECIPIENT_BUTTONS = [("Vården (mottagningen)", "care_provider"), ("Patientnämnden", "patient_board")]
RECIPIENT_NOT_UNDERSTOOD = "Välj vården eller patientnämnden:"
PRAISE_TO_UNIT = "Vad roligt! Ditt beröm går direkt till mottagningen."

# -- personal details ----------------------------------------------------------------------
NAME_INVALID = "Skriv namnet med bokstäver, gärna både för- och efternamn."
CONTACT_INVALID = ("Jag hittar ingen e-postadress eller något telefonnummer i det du skrev. "
                   "Skriv till exempel namn@exempel.se eller 070-123 45 67.")
CONTACT_EMAIL_INVALID = "E-postadressen ser inte riktig ut. Kontrollera att den har ett @ och en domän, till exempel namn@exempel.se."
CONTACT_PHONE_INVALID = "Telefonnumret ser inte riktigt ut. Skriv det med riktnummer, till exempel 070-123 45 67."
CONTACT_SKIPPED = ("Det går bra. Du får inget svar skickat till dig, men du kan följa ärendet med "
                   "ärendenummer och kod, som du får när du har skickat in.")

# -- summary, consent, submit ------------------------------------------------------------------
SUMMARY_INTRO = "Här är en sammanfattning. Kontrollera att allt stämmer:"
SUMMARY_QUESTION = "Stämmer allt? Vill du skicka ärendet?"
SUMMARY_BUTTONS = [("Ja, skicka", "/affirm"), ("Ändra något", "/correct")]
ASK_FIELD = "Vad vill du ändra?"
FIELD_LABELS = {
    "reporter_role": "Vem det gäller",
    "care_unit_text": "Mottagning",
    "event_date": "Datum",
    "description": "Vad som hände",
    "category_sub": "Kategori",
    "desired_outcome": "Vad du vill uppnå",
    "reply_wanted": "Svar",
    "recipient": "Mottagare",
    "patient_name": "Patientens namn",
    "patient_personnummer": "Personnummer",
    "reporter_name": "Ditt namn",
    "contact_info": "Kontaktuppgifter",
}
# what GDPR art. 13 asks to be told when the data is collected, in plain words; the privacy page says the
# same at more length (/om-personuppgifter)
DATA_USE = (
    "Om dina uppgifter: {recipient} ansvarar för uppgifterna och använder dem för att utreda och besvara "
    "ärendet. Det är en uppgift av allmänt intresse inom hälso- och sjukvården (dataskyddsförordningen "
    "artikel 6.1 e och 9.2 h), så du behöver inte ge något samtycke. Uppgifterna skyddas av sekretess. "
    "Behöver ärendet ett yttrande från en annan vårdgivare, eller lämnas det över till en annan mottagare, "
    "får de se det som behövs för det. Namn, personnummer och det du har skrivit tas bort när ärendet har "
    "varit avslutat en tid. Du har rätt att få veta vilka uppgifter som finns om dig, att få fel rättade och "
    "att invända. Frågor om det besvarar dataskyddsombudet hos {recipient}, och du kan klaga hos "
    "Integritetsskyddsmyndigheten (IMY). Mer om det här: {privacy_url}")

SUBMIT_OK = ("Tack! Ditt ärende är skickat till {org}.\n"
             "Ärendenummer: {reference}\n"
             "Kod: {access_code}\n"
             "Spara numret och koden, de visas bara nu. Du följer ärendet på {url} "
             "eller här i chatten: skriv \"hur går det med mitt ärende\" och koden.\n"
             "Det du har skrivit här i chatten tas bort ur chattens logg {within}.")
SUBMIT_DUE = "Du kan räkna med ett svar senast omkring {date}."
SUBMIT_FAILED = ("Förlåt, ärendet kunde inte skickas just nu eftersom det blev ett tekniskt fel "
                 "hos oss. Ingenting har försvunnit: alla dina svar finns kvar. "
                 "Tryck på \"Försök igen\" om en liten stund.")
SUBMIT_REJECTED = ("Ärendet kunde inte skickas eftersom något behöver rättas: {why} "
                   "Dina övriga svar finns kvar.")
RETRY_BUTTON = ("Försök igen", "/retry_submit")
NOTHING_TO_SUBMIT = ("Det finns inget ärende att skicka just nu. Vill du lämna synpunkter kan du "
                     "skriva till exempel \"jag vill lämna ett klagomål\".")
ALREADY_SUBMITTED = "Ditt ärende är redan skickat. Ärendenummer: {reference}."

# -- status ---------------------------------------------------------------------------------
# ASK_REFERENCE and ASK_ACCESS_CODE are also the questions utter_ask_case_reference and
# utter_ask_access_code in bot/domain.yml: keep the two the same (tests/bot/test_questions.py)
ASK_REFERENCE = "Vilket är ärendenumret? Det ser ut så här: KG-2026-000123."
REFERENCE_INVALID = "Det ser inte ut som ett ärendenummer. Det ser ut så här: KG-2026-000123."
ASK_ACCESS_CODE = ("Skriv koden du fick när du skickade in ärendet. Den ser ut ungefär så här: "
                   "ABCD-EFGH-JKLM.")
STATUS_NOT_FOUND = ("Jag hittar inget ärende med det numret och den koden. Kontrollera att båda "
                    "är rätt skrivna och försök igen.")
STATUS_RATE_LIMITED = ("Det har blivit för många försök med fel kod. Vänta en kvart och försök "
                       "igen.")
STATUS_DOWN = "Jag kan inte hämta ärendet just nu på grund av ett tekniskt fel. Försök igen om en stund."
STATUS_LINE = "Ärende {reference}: {status}."
STATUS_RECIPIENT = "Det handläggs av {org}."
STATUS_RECEIVED = "Mottaget {date}."
STATUS_ANSWER_DUE = "Svar väntas senast omkring {date}."
STATUS_STATEMENT_DUE = "Vården ska lämna sitt yttrande senast {date}."
STATUS_CLOSED = "Ärendet avslutades {date}."
STATUS_NEWEST = "Senaste meddelandet ({kind}, {date}):\n\"{body}\""
STATUS_NO_MESSAGES = "Det finns inga svar ännu."
STATUS_COUNTER_QUESTION = ("Handläggaren väntar på svar från dig. Skriv ditt svar här, så "
                           "skickar jag det till ärendet. Skriv \"avbryt\" om du vill svara senare.")
REPLY_SENT = "Tack! Ditt svar är skickat och finns nu i ärendet {reference}."
REPLY_CODE_GONE = ("Jag har inte kvar koden till ärendet, eftersom jag bara sparar den en kort stund. "
                   "Skriv \"hur går det med mitt ärende\" och koden igen, så kan du svara sedan. Du kan "
                   "också svara på {url}.")
REPLY_FAILED = ("Ditt svar kunde inte skickas just nu på grund av ett tekniskt fel. Försök igen "
                "om en stund – du kan kopiera texten och skicka den igen.")

# -- interruptions, cancel, restart, fallback -----------------------------------------------------
CANCELLED = ("Okej, jag har avbrutit. Det du har skrivit här är inte skickat, och det tas bort ur "
             "chattens logg {within}. Du kan börja om när du vill.")
RESTARTED = "Okej, vi börjar om från början. Vad vill du göra?"
START_BUTTONS = [("Lämna synpunkter eller klagomål", "/file_complaint"),
                 ("Ge beröm", "/give_praise"),
                 ("Följa mitt ärende", "/check_status"),
                 ("Hur går det till?", "/ask_process")]
FALLBACK_ASK_AFFIRMATION = "Jag är inte säker på att jag förstod. Menar du något av det här?"
FALLBACK_OTHER_BUTTON = ("Nej, något annat", "/out_of_scope")
FALLBACK_REPHRASE = "Förlåt, jag förstod inte. Kan du säga det på ett annat sätt?"
FALLBACK_GIVE_UP = ("Förlåt, jag förstår inte. Jag kan hjälpa dig att lämna synpunkter eller "
                    "klagomål på vården, följa ett ärende eller berätta hur det går till.")
INTENT_LABELS = {
    "file_complaint": "Lämna synpunkter eller klagomål",
    "give_praise": "Ge beröm till vården",
    "complaint_already_filed": "Jag har redan klagat men inte fått svar",
    "check_status": "Följa ett ärende",
    "ask_process": "Hur går det till?",
    "ask_patient_board": "Vad gör patientnämnden?",
    "ask_ivo": "Anmäla till IVO",
    "ask_compensation": "Ersättning för en skada",
    "ask_dental": "Synpunkter på tandvård",
    "ask_personal_data": "Vad händer med mina uppgifter?",
    "ask_duration": "Hur lång tid tar det?",
    "ask_recipient": "Vem ska jag vända mig till?",
    "ask_capabilities": "Vad kan du hjälpa till med?",
    "ask_medical": "En medicinsk fråga",
    "ask_bot_identity": "Om jag är en människa",
    "ask_consequences": "Vad som händer när man klagar",
    "other_authority": "Något som inte gäller vården",
    "cancel": "Avbryta",
    "start_over": "Börja om",
    "greet": "Hälsa",
    "goodbye": "Avsluta samtalet",
    "thank": "Tacka",
}
WELCOME_BACK = ("Välkommen tillbaka! Du har ett påbörjat ärende. Skriv \"fortsätt\" för att "
                "fortsätta där du slutade, eller \"börja om\".")

ROLE_LABELS = {"patient": "Min egen vård", "relative": "Närstående", "guardian": "Vårdnadshavare",
               "representative": "Ombud med fullmakt"}
CONSENT_LABELS = {"yes": "Patienten går med på det", "no": "Patienten går inte med på det",
                  "unknown": "Vet inte om patienten går med på det",
                  "not_needed": "Behövs inte"}
RECIPIENT_LABELS = {"care_provider": "Vården (mottagningen)", "patient_board": "Patientnämnden"}
PREFERRED_LABELS = {"email": "e-post", "phone": "telefon", "none": "ingen kontakt"}
CONTACT_SKIP_NEEDS_REPLY = ("Du har sagt att du vill ha svar, och då behöver vi en e-postadress eller "
                            "ett telefonnummer. Skriv det här.")
CONTACT_CHANGED = "Jag har ändrat dina kontaktuppgifter."
PNR_CHANGED = "Jag har ändrat personnumret."
REPLY_CANCELLED = "Okej, jag skickar inget svar nu. Du kan svara senare, här eller på ärendesidan."

# -- leaving the form for a moment ---------------------------------------------------------------
BACK_TO_FORM = "Om du ändå har synpunkter på vården kan vi fortsätta med dem."
