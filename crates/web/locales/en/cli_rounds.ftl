# cli_rounds messages (en)
# The command line: tilsyn round list/show and tilsyn answers import (crates/cli/src/round.rs
# and answers.rs). The keys are the same as in da/cli_rounds.ftl.

## Rounds

round-cli-not-found = There is no round «{ $round }». See the rounds with «tilsyn round list», and give the round's id or name.
round-cli-ambiguous = Several rounds are called «{ $round }» ({ $ids }). Give the round's id instead of its name.
round-cli-none = There are no rounds yet.
round-cli-list-title = Rounds ({ $count }), newest first:
round-cli-list-line = { $kind }, { $state }: { $cases } cases, { $reviews } reviews, { $submitted } submitted (created { $created })
round-cli-title = Round «{ $name }» ({ $id })
round-cli-f-state = State:
round-cli-f-kind = Kind:
round-cli-f-template = Template:
round-cli-f-themes = Themes:
round-cli-f-theme-spots = Theme spots:
round-cli-f-reference = Reference date:
round-cli-f-start-point = Starting point:
round-cli-f-counting = Counting:
round-cli-f-rules = Rules:
round-cli-f-baseline = Baseline:
round-cli-f-scope = Units:
round-cli-f-created = Created:
round-cli-template = { $key } version { $number } ({ $title })
round-cli-reference = { $date }; cases are read { $months } months back
round-cli-rules = peer review: { $peer }; level 2 from another unit: { $other_unit }
round-cli-created = { $date } by { $by }
round-cli-whole-register = the whole case register
round-cli-none-given = none
round-cli-yes = yes
round-cli-no = no
round-cli-levels = Levels:
round-cli-level = Level { $level }: planned { $planned }, drawn { $drawn }; { $reviews } reviews, { $assigned } assigned, { $submitted } submitted; { $answered } of { $applicable } applicable questions answered ({ $percent } %)
round-cli-schedule = Schedule:
round-cli-group = Working group:
round-cli-warnings = Plan warnings:
round-cli-no-warnings = None: the plan follows the recommendations.

## Answers import: the whole file

answers-cli-col-case = Case
answers-cli-col-level = Level
answers-cli-col-reviewer = Reviewer
answers-cli-col-item = Question
answers-cli-col-answer = Answer
answers-cli-col-remark = Remark
answers-cli-missing-columns = The file has no column { $columns }. The headers must be: { $expected } (Reviewer and Remark may be left out). Correct the headers in the first line, and import again.
answers-cli-column-twice = The columns «{ $first }» and «{ $column }» mean the same. Delete one of them, and import again.
answers-cli-round-state = The round «{ $round }» is in the state «{ $state }». Answers can only be imported when the round is sampled, under review or in analysis.
answers-cli-changed-meanwhile = Reviews of the round were changed in tilsyn while the file was imported. Nothing was saved. Import the file again.
answers-cli-n-reviews = { $count ->
    [one] one review
   *[other] { $count } reviews
}
answers-cli-n-answers = { $count ->
    [one] one answer
   *[other] { $count } answers
}
answers-cli-done = The answers are imported into the round «{ $round }»: { $reviews } with { $answers } in all saved and submitted.
answers-cli-dry-run = Dry run: the file is fine ({ $reviews } with { $answers } in all for the round «{ $round }»). Nothing was saved.

## Answers import: problems on a line

answers-cli-unknown-case = Line { $line }, column «{ $column }»: the case «{ $value }» is not in the round «{ $round }». Write the case's key as the round has it (e.g. «{ $example }»), and import again.
answers-cli-ambiguous-case = Line { $line }, column «{ $column }»: the case id «{ $value }» is in the round from several case systems ({ $keys }). Write the whole key with the case system (e.g. «{ $example }»), and import again.
answers-cli-bad-level = Line { $line }, column «{ $column }»: «{ $value }» is not a level. Write 1, 2 or 3, and import again.
answers-cli-level-not-in-case = Line { $line }, column «{ $column }»: the case { $case } is not drawn for level { $value } in the round (only up to level { $depth }). Correct the level, or take the line out of the file, and import again.
answers-cli-unknown-reviewer = Line { $line }, column «{ $column }»: there is no user with the username «{ $value }». Write the reviewer's username in tilsyn (e.g. «leder»), or leave the cell empty if the review is already assigned, and import again.
answers-cli-reviewer-differs = Line { $line }, column «{ $column }»: the reviewer «{ $value }» differs from line { $first_line } («{ $first }») for the same case and level. A review has one reviewer. Correct the reviewer, and import again.
answers-cli-reviewer-missing = Line { $line }, column «{ $column }»: the review of the case { $case } at level { $level } has no reviewer. Write the reviewer's username in the column, or assign the review in tilsyn first, and import again.
answers-cli-not-independent = Line { $line }, column «{ $column }»: { $value } took part in reviewing the case { $case } at a lower level and may not review it at level { $level }. Choose another reviewer, and import again.
answers-cli-unknown-item = Line { $line }, column «{ $column }»: the question «{ $value }» is not in the round's template { $template }. Write the question's key (e.g. «{ $example }»), and import again.
answers-cli-answer-empty = Line { $line }, column «{ $column }»: there is no answer to the question { $item }. Write the answer, or take the line out of the file, and import again.
answers-cli-not-a-choice = Line { $line }, column «{ $column }»: «{ $value }» is not one of the answers to the question { $item }. Write one of these: { $choices }, and import again.
answers-cli-not-a-number = Line { $line }, column «{ $column }»: «{ $value }» is not a number. Write the answer to the question { $item } as a number (e.g. 3 or 2.5), and import again.
answers-cli-not-a-date = Line { $line }, column «{ $column }»: «{ $value }» is not a date. Write the answer to the question { $item } as yyyy-mm-dd (e.g. 2026-03-31), and import again.
answers-cli-too-long = Line { $line }, column «{ $column }»: the text is too long (over { $max } characters). Shorten it, and import again.
answers-cli-duplicate = Line { $line }, column «{ $column }»: the question { $item } for the case { $case } at level { $level } is also on line { $first_line }. Each question may be answered once per case and level. Take one of the lines out, and import again.
answers-cli-remark-missing = Line { $line }, column «{ $column }»: the answer «{ $value }» to the question { $item } needs a remark. Write the remark in the column, and import again.
answers-cli-answer-missing = Line { $line }, column «{ $column }»: the review of the case { $case } at level { $level } has no answer to the question { $item }, which applies to this case. Add a line with the answer, and import again.
answers-cli-review-submitted = Line { $line }, column «{ $column }»: the review of the case { $case } at level { $level } is already submitted and cannot be overwritten. Take the case's lines for level { $level } out of the file, or ask the round's owner to reopen the review, and import again.
answers-cli-review-started = Line { $line }, column «{ $column }»: the review of the case { $case } at level { $level } is already under way in tilsyn ({ $count } answers saved) and cannot be overwritten. Take the case's lines for level { $level } out of the file, or finish the review in tilsyn.
