# cli_rounds messages (da)
# Kommandolinjen: tilsyn round list/show og tilsyn answers import (crates/cli/src/round.rs og
# answers.rs). Nøglerne er de samme i en/cli_rounds.ftl.
# Variabler i answers-cli-*: $line er linjenummeret, som det ses i en teksteditor (i Excel:
# rækkenummeret), $column er kolonnens overskrift i filen, $value er værdien fra filen.

## Runder

round-cli-not-found = Runden «{ $round }» findes ikke. Se runderne med «tilsyn round list», og skriv rundens id eller navn.
round-cli-ambiguous = Flere runder hedder «{ $round }» ({ $ids }). Skriv rundens id i stedet for navnet.
round-cli-none = Der er ingen tilsynsrunder endnu.
round-cli-list-title = Tilsynsrunder ({ $count }), nyeste først:
round-cli-list-line = { $kind }, { $state }: { $cases } sager, { $reviews } målinger, { $submitted } indsendt (oprettet { $created })
round-cli-title = Runde «{ $name }» ({ $id })
round-cli-f-state = Fase:
round-cli-f-kind = Type:
round-cli-f-template = Skabelon:
round-cli-f-themes = Temaer:
round-cli-f-theme-spots = Temanedslag:
round-cli-f-reference = Referencedato:
round-cli-f-start-point = Startpunkt:
round-cli-f-counting = Optælling:
round-cli-f-rules = Regler:
round-cli-f-baseline = Baseline (nulpunkt):
round-cli-f-scope = Enheder:
round-cli-f-created = Oprettet:
round-cli-template = { $key } version { $number } ({ $title })
round-cli-reference = { $date }; sagerne læses { $months } måneder tilbage
round-cli-rules = kollegabedømmelse: { $peer }; niveau 2 fra en anden enhed: { $other_unit }
round-cli-created = { $date } af { $by }
round-cli-whole-register = hele sagsregistret
round-cli-none-given = ingen
round-cli-yes = ja
round-cli-no = nej
round-cli-levels = Niveauer:
round-cli-level = Niveau { $level }: planlagt { $planned }, udtrukket { $drawn }; { $reviews } målinger, { $assigned } tildelt, { $submitted } indsendt; { $answered } af { $applicable } relevante spørgsmål besvaret ({ $percent } %)
round-cli-schedule = Tidsplan:
round-cli-group = Arbejdsgruppe:
round-cli-warnings = Advarsler til planen:
round-cli-no-warnings = Ingen: planen følger anbefalingerne.

## Indlæsning af svar: hele filen

answers-cli-col-case = Sag
answers-cli-col-level = Niveau
answers-cli-col-reviewer = Bedømmer
answers-cli-col-item = Spørgsmål
answers-cli-col-answer = Svar
answers-cli-col-remark = Bemærkning
answers-cli-missing-columns = Filen mangler kolonnen { $columns }. Overskrifterne skal være: { $expected } (Bedømmer og Bemærkning kan udelades). Ret overskrifterne i første linje, og indlæs igen.
answers-cli-column-twice = Kolonnerne «{ $first }» og «{ $column }» betyder det samme. Slet den ene, og indlæs igen.
answers-cli-round-state = Runden «{ $round }» er i fasen «{ $state }». Svar kan kun indlæses, når runden er udtrukket, mens målingerne er i gang, eller i analysen.
answers-cli-changed-meanwhile = Målingerne i runden blev ændret i tilsyn, mens filen blev indlæst. Intet er gemt. Indlæs filen igen.
answers-cli-n-reviews = { $count ->
    [one] én måling
   *[other] { $count } målinger
}
answers-cli-n-answers = { $count ->
    [one] ét svar
   *[other] { $count } svar
}
answers-cli-done = Svarene er indlæst i runden «{ $round }»: { $reviews } med i alt { $answers } er gemt og indsendt.
answers-cli-dry-run = Prøvekørsel: filen er i orden ({ $reviews } med i alt { $answers } til runden «{ $round }»). Intet er gemt.

## Indlæsning af svar: fejl i en linje

answers-cli-unknown-case = Linje { $line }, kolonne «{ $column }»: sagen «{ $value }» er ikke med i runden «{ $round }». Skriv sagens nøgle, som den står i runden (fx «{ $example }»), og indlæs igen.
answers-cli-ambiguous-case = Linje { $line }, kolonne «{ $column }»: sagsnummeret «{ $value }» findes i runden fra flere fagsystemer ({ $keys }). Skriv hele nøglen med fagsystemet (fx «{ $example }»), og indlæs igen.
answers-cli-bad-level = Linje { $line }, kolonne «{ $column }»: «{ $value }» er ikke et niveau. Skriv 1, 2 eller 3, og indlæs igen.
answers-cli-level-not-in-case = Linje { $line }, kolonne «{ $column }»: sagen { $case } er ikke udtrukket til niveau { $value } i runden (kun til og med niveau { $depth }). Ret niveauet, eller tag linjen ud af filen, og indlæs igen.
answers-cli-unknown-reviewer = Linje { $line }, kolonne «{ $column }»: der er ingen bruger med brugernavnet «{ $value }». Skriv bedømmerens brugernavn i tilsyn (fx «leder»), eller lad feltet stå tomt, hvis målingen allerede er tildelt, og indlæs igen.
answers-cli-reviewer-differs = Linje { $line }, kolonne «{ $column }»: bedømmeren «{ $value }» er en anden end i linje { $first_line } («{ $first }») for samme sag og niveau. En måling har én bedømmer. Ret bedømmeren, og indlæs igen.
answers-cli-reviewer-missing = Linje { $line }, kolonne «{ $column }»: målingen af sagen { $case } på niveau { $level } har ingen bedømmer. Skriv bedømmerens brugernavn i kolonnen, eller tildel målingen i tilsyn først, og indlæs igen.
answers-cli-not-independent = Linje { $line }, kolonne «{ $column }»: { $value } har været med til at måle sagen { $case } på et lavere niveau og må ikke måle den på niveau { $level }. Vælg en anden bedømmer, og indlæs igen.
answers-cli-unknown-item = Linje { $line }, kolonne «{ $column }»: spørgsmålet «{ $value }» findes ikke i rundens skabelon { $template }. Skriv spørgsmålets nøgle (fx «{ $example }»), og indlæs igen.
answers-cli-answer-empty = Linje { $line }, kolonne «{ $column }»: der står intet svar på spørgsmålet { $item }. Skriv svaret, eller tag linjen ud af filen, og indlæs igen.
answers-cli-not-a-choice = Linje { $line }, kolonne «{ $column }»: «{ $value }» er ikke et af svarene på spørgsmålet { $item }. Skriv et af disse: { $choices }, og indlæs igen.
answers-cli-not-a-number = Linje { $line }, kolonne «{ $column }»: «{ $value }» er ikke et tal. Skriv svaret på spørgsmålet { $item } som et tal (fx 3 eller 2,5), og indlæs igen.
answers-cli-not-a-date = Linje { $line }, kolonne «{ $column }»: «{ $value }» er ikke en dato. Skriv svaret på spørgsmålet { $item } som åååå-mm-dd (fx 2026-03-31), og indlæs igen.
answers-cli-too-long = Linje { $line }, kolonne «{ $column }»: teksten er for lang (over { $max } tegn). Forkort den, og indlæs igen.
answers-cli-duplicate = Linje { $line }, kolonne «{ $column }»: spørgsmålet { $item } for sagen { $case } på niveau { $level } står også i linje { $first_line }. Hvert spørgsmål må kun besvares én gang pr. sag og niveau. Tag den ene linje ud, og indlæs igen.
answers-cli-remark-missing = Linje { $line }, kolonne «{ $column }»: svaret «{ $value }» på spørgsmålet { $item } skal have en bemærkning. Skriv bemærkningen i kolonnen, og indlæs igen.
answers-cli-answer-missing = Linje { $line }, kolonne «{ $column }»: målingen af sagen { $case } på niveau { $level } mangler svar på spørgsmålet { $item }, som skal besvares for denne sag. Tilføj en linje med svaret, og indlæs igen.
answers-cli-review-submitted = Linje { $line }, kolonne «{ $column }»: målingen af sagen { $case } på niveau { $level } er allerede indsendt og kan ikke overskrives. Tag sagens linjer for niveau { $level } ud af filen, eller bed rundens ansvarlige om at genåbne målingen, og indlæs igen.
answers-cli-review-started = Linje { $line }, kolonne «{ $column }»: målingen af sagen { $case } på niveau { $level } er allerede i gang i tilsyn ({ $count } svar gemt) og kan ikke overskrives. Tag sagens linjer for niveau { $level } ud af filen, eller gør målingen færdig i tilsyn.
