# Follow-up actions
action-status-planned = Planned
action-status-in_progress = In progress
action-status-done = Done
action-status-dropped = Dropped
report-follow-up = Follow-up on actions
report-follow-up-intro = Actions decided after
report-follow-up-counts = Status
report-col-action = Action
report-col-due = Due
report-col-status = Status
report-col-note = Reason / evidence
report-col-owner = Owner
report-action-overdue = overdue
actions-title = Actions
actions-intro = Actions from the review rounds: what is to change, who owns it, and by when. Overdue actions come first.
actions-mine = My actions
actions-of-rounds = Actions in rounds you run
actions-none = No actions yet.
actions-overdue-only = Overdue only
actions-all = All
action-col-round = Round or audit
action-col-links = Concerns
action-col-reaudit = Re-review
action-overdue-badge = Overdue
action-new = New action
action-description = Description
action-description-hint = What is to change, and how will one see that it has?
action-owner = Owner
action-due = Due date
action-items = Questions (optional)
action-sections = Sections (optional)
action-units = Units (optional)
action-recommendation = Recommendation (optional)
action-reaudit = Review the chosen questions again in a later round
action-create = Create action
action-created = The action has been created.
action-change-status = Change status
action-status = Status
action-reason = Reason
action-reason-hint = Required when an action is dropped or reopened.
action-evidence = Evidence
action-evidence-hint = What shows the action is done (minutes, a new procedure, a spot check)?
action-save-status = Save status
action-status-saved = The status has been saved.
action-history = Created { $created } by { $by }. Last changed { $updated }.
action-text-needed = Describe the action.
action-text-long = The text is too long (at most 2,000 characters).
action-due-past = The due date is before today. Choose today or a later date.
action-due-invalid = Write the due date as a date (yyyy-mm-dd).
action-unknown-item = One of the chosen questions is not in the round's framework.
action-unknown-section = One of the chosen sections is not in the round's framework.
action-reaudit-needs-items = Choose the questions or sections to review again.
action-reason-needed = Say why the action is dropped.
action-evidence-needed = Say what shows the action is done.
action-reopen-reason = Say why a finished action is reopened.
action-owner-unknown = Choose an owner from the list.
action-status-unknown = Choose a status from the list.
action-changed = Someone else changed the action after you opened the page. Your change was not saved; open the action again and retry.
round-actions = Actions
round-actions-intro = Actions decided on the basis of the round. Their status is shown in the next round's report.
round-reaudit = Reviewed again in this round
round-reaudit-intro = Actions from earlier rounds asked for these questions to be reviewed again.
dashboard-actions = Actions
dashboard-actions-overdue = { $n ->
    [one] 1 action is overdue
   *[other] { $n } actions are overdue
}
action-unknown-unit = One of the chosen units is not in the organisation.
nav-actions = Actions
action-cli-none = No actions.
action-cli-list-title = { $count ->
    [one] 1 action
   *[other] { $count } actions
}
action-cli-line = Round: { $round } · owner: { $owner } · due: { $due } · { $status }
yearwheel-title = Year wheel
yearwheel-title-year = Year wheel of management reviews { $year }
yearwheel-intro = The rounds and their milestones across the year. At least two rounds a year in every unit are recommended; units with fewer are marked.
yearwheel-years = Year
yearwheel-ics = Download the milestones as a calendar file (.ics)
yearwheel-units = Rounds per unit
yearwheel-unit = Unit
yearwheel-count = Rounds
yearwheel-rounds = Which
yearwheel-below = { $n ->
    [one] 1 unit has fewer than the recommended two rounds in the year.
   *[other] { $n } units have fewer than the recommended two rounds in the year.
}
yearwheel-below-badge = Below the recommendation
yearwheel-milestones = Milestones month by month
yearwheel-whole = The whole municipality
nav-yearwheel = Year wheel
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December
actions-more = { $count ->
    [one] See all actions (1 more)
   *[other] See all actions ({ $count } more)
}
yearwheel-others = { $n ->
    [one] 1 other round
   *[other] { $n } other rounds
}
