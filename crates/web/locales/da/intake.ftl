# Indlæsning af sagsudtræk (crates/intake). Nøglerne er de samme i en/intake.ftl, og hver nøgle,
# intake-kassen bruger, skal stå her (en test i crates/intake holder øje).
# Variabler: $line er linjenummeret, som det ses i en teksteditor (i Excel: rækkenummeret),
# $column er kolonnens overskrift, $value er værdien (CPR-numre er skjult som xxxxxx-xxxx).

## Hele filen afvises

intake-io = Filen kunne ikke læses. Prøv at indlæse den igen. Sker det igen, så kontakt din administrator.
intake-too-large = Filen er for stor. Den må højst fylde { $max_mb } MB. Del udtrækket op i flere filer, eller tag kun de kolonner med, der skal bruges.
intake-empty = Filen er tom. Vælg den rigtige fil, eller lav udtrækket igen.
intake-header-only = Filen har kun en overskriftslinje og ingen sager. Lav udtrækket igen, og tjek, at sagerne kom med.
intake-not-csv-html = Filen er en webside (HTML), ikke en CSV-fil. Gem udtrækket fra fagsystemet som CSV eller Excel (xlsx), og indlæs den fil.
intake-not-csv-zip = Filen er en Excel-fil (xlsx) eller en zip-fil, ikke en CSV-fil. Vælg Excel (xlsx) som filtype, eller gem filen som CSV i Excel.
intake-not-csv-xls = Filen er i det gamle Excel-format (xls). Åbn den i Excel, gem den som «Excel-projektmappe (xlsx)» eller «CSV UTF-8», og indlæs igen.
intake-utf16 = Filen er gemt som «Unicode-tekst» (UTF-16), som ikke kan indlæses. Åbn den i Excel, gem den som «CSV UTF-8 (kommasepareret)», og indlæs igen.
intake-nul-byte = Linje { $line } indeholder tegn, som ikke findes i en tekstfil, så filen er ikke en CSV-fil. Tjek, at du har valgt den rigtige fil.
intake-mixed-encoding = Filen blander to slags tegnsæt: linje { $utf8_line } er gemt som UTF-8, men linje { $other_line } er ikke. Den første linje, der skiller sig ud, er linje { $line }. Gem hele filen igen som «CSV UTF-8», eller vælg selv tegnsættet, og indlæs igen.
intake-not-utf8 = Du har valgt tegnsættet UTF-8, men linje { $line } er ikke gemt som UTF-8. Vælg «Find selv» eller «Windows-1252», og indlæs igen.
intake-looks-utf8 = Du har valgt et andet tegnsæt end UTF-8, men filen er gemt som UTF-8 (se fx linje { $line }). Læst med det valgte tegnsæt ville æ, ø og å blive forkerte. Vælg «Find selv» (på kommandolinjen: udelad --encoding), og indlæs igen.
intake-no-delimiter = Overskriftslinjen har ikke noget skilletegn (semikolon, komma eller tabulator) mellem kolonnerne. Tjek, at filen er en CSV-fil med overskrifter i første linje.
intake-record-too-long = Linje { $line } er usædvanlig lang (over 4 MB). Måske mangler et afsluttende anførselstegn ("), så resten af filen er læst som ét felt. Ret linjen i filen, og indlæs igen.
intake-duplicate-header = Kolonnen «{ $column }» findes mere end én gang. Giv kolonnerne forskellige navne i filen, og indlæs igen.
intake-missing-columns = Der er ikke valgt en kolonne til disse felter, som skal udfyldes: { $fields }. Vælg en kolonne til hvert felt, eller lav udtrækket igen med de kolonner.
intake-mapped-column-absent = Kolonnen «{ $column }» er valgt til feltet { $field }, men den findes ikke i filen. Vælg en anden kolonne, eller ret kolonnens navn i filen.
intake-column-mapped-twice = Kolonnen «{ $column }» er valgt til flere felter ({ $fields }). Vælg én kolonne pr. felt.
intake-secret-missing = Der er valgt en CPR-kolonne, men systemet mangler den hemmelige nøgle, der skal skjule CPR-numrene. Kontakt din administrator.
intake-cpr-outside-person-key = Linje { $line }, kolonne «{ $column }»: der står et CPR-nummer. CPR-numre må kun stå i den kolonne, der er valgt som CPR-kolonne. Indlæsningen er stoppet. Fjern CPR-numrene fra kolonnen, eller vælg den som CPR-kolonne, og indlæs igen.
intake-xlsx-several-sheets = Excel-filen har flere ark: { $sheets }. Vælg det ark, der skal indlæses, og indlæs igen.
intake-xlsx-sheet-not-found = Excel-filen har ikke et ark med navnet «{ $sheet }». Arkene hedder: { $sheets }. Vælg et af dem, og indlæs igen.
intake-xlsx-merged-cells = Arket har flettede celler ({ $range }). Ophæv fletningen i Excel, så hver sag står på sin egen række med én værdi i hver celle, og indlæs igen.
intake-xlsx-formula = Arket indeholder formler (den første i celle { $cell }). Kopiér arket, indsæt det som «Værdier», gem, og indlæs igen.
intake-not-xlsx = Filen er ikke en Excel-fil (xlsx). Er det en CSV-fil, så vælg CSV som filtype, og indlæs igen.
intake-xlsx-unreadable = Excel-filen kunne ikke læses. Åbn den i Excel, gem den igen som «Excel-projektmappe (xlsx)», og indlæs igen.

## Fejl i en linje

intake-field-count = Linje { $line } har { $found } kolonner, men overskriften har { $expected }. Ret linjen i filen, og indlæs igen.
intake-field-count-quote = Linje { $line } har { $found } kolonner, men overskriften har { $expected }. Måske mangler et anførselstegn ("), så flere linjer er læst som én. Ret linjen i filen, og indlæs igen.
intake-value-missing = Linje { $line }, kolonne «{ $column }»: feltet er tomt, men skal udfyldes. Udfyld det i filen, og indlæs igen.
intake-duplicate-id = Linje { $line }, kolonne «{ $column }»: sagsnummeret «{ $value }» står også i linje { $first_line }. Hver sag må kun stå én gang. Fjern den ekstra linje, og indlæs igen.
intake-unit-outside-scope = Linje { $line }: enheden «{ $value }» er ikke en af dine enheder ({ $units }). Du kan kun indlæse sager fra dine egne enheder. Tag de andre sager ud af filen, eller bed en, der dækker hele kommunen, om at indlæse udtrækket.
intake-area-unknown = Linje { $line }, kolonne «{ $column }»: «{ $value }» er ikke et kendt område. Skriv «Udsatte børn» eller «Handicap», og indlæs igen.
intake-case-type-unknown = Linje { $line }, kolonne «{ $column }»: «{ $value }» er ikke en kendt paragraf i barnets lov. Skriv paragraffen som fx «§ 32», og indlæs igen. Paragraffer fra serviceloven kan ikke bruges.
intake-age-invalid = Linje { $line }, kolonne «{ $column }»: «{ $value }» er ikke en alder. Skriv alderen i hele år (fx 12), og indlæs igen.
intake-date-impossible = Linje { $line }, kolonne «{ $column }»: «{ $value }» er ikke en gyldig dato. Ret datoen i filen (dd-mm-åååå), og indlæs igen.
intake-date-invalid = Linje { $line }, kolonne «{ $column }»: «{ $value }» kan ikke læses som en dato. Skriv datoen som dd-mm-åååå (fx 31-12-2024), og indlæs igen.
intake-date-mixed-formats = Kolonne «{ $column }» har datoer skrevet på to måder: i linje { $first_line } som { $first_format }, men i linje { $other_line } som { $other_format }. Skriv alle datoer i kolonnen på samme måde, og indlæs igen.

## Datoer, der ikke hænger sammen (domænets regler, CaseRecord::date_problems)

case-date-end-before-start = Linje { $line }, kolonne «{ $column }»: slutdatoen { $value } ligger før startdatoen. Ret datoen i filen, og indlæs igen.
case-date-decision-before-underretning = Linje { $line }, kolonne «{ $column }»: afgørelsen ({ $value }) ligger før den dag, underretningen kom. Ret datoen i filen, og indlæs igen.
case-date-bfu-end-before-start = Linje { $line }, kolonne «{ $column }»: den børnefaglige undersøgelse er afsluttet ({ $value }), før den startede. Ret datoen i filen, og indlæs igen.
case-date-in-future = Linje { $line }, kolonne «{ $column }»: datoen { $value } ligger efter i dag. Ret datoen i filen, og indlæs igen.
case-date-birth-after-start = Linje { $line }, kolonne «{ $column }»: fødselsdatoen { $value } ligger efter, at indsatsen startede. Ret datoen i filen, og indlæs igen.

## Navne på felter og områder

area-udsatte = Udsatte børn og unge
area-handicap = Børn og unge med handicap
case-field-external-id = Sagsnummer
case-field-person-key = CPR-nummer (skjules)
case-field-caseworker = Rådgiver
case-field-unit = Team eller enhed
case-field-area = Område
case-field-case-type = Paragraf
case-field-measure-start = Startdato for indsatsen
case-field-measure-end = Slutdato for indsatsen
case-field-decision-date = Afgørelsesdato
case-field-underretning-received = Underretning modtaget
case-field-bfu-start = Børnefaglig undersøgelse startet
case-field-bfu-end = Børnefaglig undersøgelse afsluttet
case-field-plan-date = Barnets plan
case-field-follow-up-date = Opfølgning
case-field-birth-date = Fødselsdato
case-field-age = Alder
