# Follow-up actions (tiltag)
action-status-planned = Planlagt
action-status-in_progress = I gang
action-status-done = Udført
action-status-dropped = Opgivet
report-follow-up = Opfølgning på tiltag
report-follow-up-intro = Tiltag besluttet efter
report-follow-up-counts = Status
report-col-action = Tiltag
report-col-due = Frist
report-col-status = Status
report-col-note = Begrundelse / dokumentation
report-col-owner = Ansvarlig
report-action-overdue = overskredet
actions-title = Tiltag
actions-intro = Tiltag fra tilsynsrunderne: hvad der skal ændres, hvem der har ansvaret, og hvornår det skal være gjort. Overskredne tiltag står øverst.
actions-mine = Mine tiltag
actions-of-rounds = Tiltag i runder, du står for
actions-none = Ingen tiltag endnu.
actions-overdue-only = Kun overskredne
actions-all = Alle
action-col-round = Runde eller audit
action-col-links = Vedrører
action-col-reaudit = Genmåles
action-overdue-badge = Overskredet
action-new = Nyt tiltag
action-description = Beskrivelse
action-description-hint = Hvad skal ændres, og hvordan ser man, at det er sket?
action-owner = Ansvarlig
action-due = Frist
action-items = Spørgsmål (valgfrit)
action-sections = Afsnit (valgfrit)
action-units = Enheder (valgfrit)
action-recommendation = Anbefaling (valgfrit)
action-reaudit = Genmål de valgte spørgsmål i en senere runde
action-create = Opret tiltag
action-created = Tiltaget er oprettet.
action-change-status = Skift status
action-status = Status
action-reason = Begrundelse
action-reason-hint = Skal udfyldes, når et tiltag opgives eller genåbnes.
action-evidence = Dokumentation
action-evidence-hint = Hvad viser, at tiltaget er udført (fx referat, ny procedure, stikprøve)?
action-save-status = Gem status
action-status-saved = Status er gemt.
action-history = Oprettet { $created } af { $by }. Senest ændret { $updated }.
action-text-needed = Skriv en beskrivelse af tiltaget.
action-text-long = Teksten er for lang (højst 2.000 tegn).
action-due-past = Fristen ligger før i dag. Vælg en dato fra i dag og frem.
action-due-invalid = Skriv fristen som en dato (åå-mm-dd).
action-unknown-item = Et af de valgte spørgsmål findes ikke i rundens spørgeramme.
action-unknown-section = Et af de valgte afsnit findes ikke i rundens spørgeramme.
action-reaudit-needs-items = Vælg de spørgsmål eller afsnit, der skal genmåles.
action-reason-needed = Skriv hvorfor tiltaget opgives.
action-evidence-needed = Skriv hvad der viser, at tiltaget er udført.
action-reopen-reason = Skriv hvorfor et afsluttet tiltag genåbnes.
action-owner-unknown = Vælg en ansvarlig fra listen.
action-status-unknown = Vælg en status fra listen.
action-changed = Tiltaget er ændret af en anden, siden du åbnede siden. Dine ændringer er ikke gemt; åbn tiltaget igen og prøv på ny.
round-actions = Tiltag
round-actions-intro = Tiltag besluttet på baggrund af runden. Status for dem vises i næste rundes rapport.
round-reaudit = Genmåles i denne runde
round-reaudit-intro = Tiltag fra tidligere runder har bedt om, at disse spørgsmål måles igen.
dashboard-actions = Tiltag
dashboard-actions-overdue = { $n ->
    [one] 1 tiltag har overskredet fristen
   *[other] { $n } tiltag har overskredet fristen
}
action-unknown-unit = En af de valgte enheder findes ikke i organisationen.
nav-actions = Tiltag
action-cli-none = Ingen tiltag.
action-cli-list-title = { $count ->
    [one] 1 tiltag
   *[other] { $count } tiltag
}
action-cli-line = Runde: { $round } · ansvarlig: { $owner } · frist: { $due } · { $status }
yearwheel-title = Årshjul
yearwheel-title-year = Årshjul for ledelsestilsyn { $year }
yearwheel-intro = Runderne og deres milepæle hen over året. Det anbefales at gennemføre ledelsestilsyn mindst to gange om året i hver enhed; enheder med færre er markeret.
yearwheel-years = År
yearwheel-ics = Hent milepæle som kalenderfil (.ics)
yearwheel-units = Runder pr. enhed
yearwheel-unit = Enhed
yearwheel-count = Runder
yearwheel-rounds = Hvilke
yearwheel-below = { $n ->
    [one] 1 enhed har færre end de anbefalede to runder i året.
   *[other] { $n } enheder har færre end de anbefalede to runder i året.
}
yearwheel-below-badge = Under anbefalingen
yearwheel-milestones = Milepæle måned for måned
yearwheel-whole = Hele kommunen
nav-yearwheel = Årshjul
month-1 = Januar
month-2 = Februar
month-3 = Marts
month-4 = April
month-5 = Maj
month-6 = Juni
month-7 = Juli
month-8 = August
month-9 = September
month-10 = Oktober
month-11 = November
month-12 = December
actions-more = { $count ->
    [one] Se alle tiltag (1 mere)
   *[other] Se alle tiltag ({ $count } flere)
}
yearwheel-others = { $n ->
    [one] 1 anden runde
   *[other] { $n } andre runder
}
