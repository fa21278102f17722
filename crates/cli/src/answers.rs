//! `tilsyn answers import --round ROUND FILE`: answers given outside tilsyn (a paper or Excel
//! review) loaded into a round's reviews, all or nothing. Every line is checked before
//! anything is written: the case and level must be in the round, the reviewer a user, the
//! question in the round's template, the answer one its scale allows, each question once per
//! case and level, and each review complete enough to submit (remarks where the template asks
//! for them). Each problem names the line, the column and what to do. The imported reviews are
//! stored as submitted.

use crate::CliError;
use crate::admin::{actor, tr};
use crate::config::DbArgs;
use crate::round::find_round;
use crate::table::{self, Table};
use clap::{Args, Subcommand};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use tilsyn_domain::UserId;
use tilsyn_domain::review::{
    AnswerProblem, Entry, Progress, ReviewStatus, SubmitProblem, answer_values, case_facts,
    check_answer, submit_problems,
};
use tilsyn_domain::round::RoundState;
use tilsyn_domain::template::{CANNOT_ASSESS, ScaleKind, TemplateContent};
use tilsyn_intake::TextEncoding;
use tilsyn_intake::cpr::safe_text;
use tilsyn_store::rounds::{ImportedReview, Review, Round, RoundCase};
use tilsyn_web::i18n::Tr;

#[derive(Subcommand)]
pub enum AnswersCommand {
    /// Load answers (CSV or XLSX) into a round's reviews and submit them, all or nothing.
    /// Columns: case (SOURCE/ID or the case id), level (1-3), reviewer (username; optional),
    /// question (item key), answer, remark.
    Import(ImportArgs),
}

#[derive(Args)]
pub struct ImportArgs {
    /// The round: its id, or its name.
    #[arg(long)]
    round: String,
    /// The answers file: CSV (UTF-8 or windows-1252; ';', ',' or tab) or XLSX.
    file: PathBuf,
    /// The XLSX sheet to read (when the workbook has several).
    #[arg(long)]
    sheet: Option<String>,
    /// The CSV encoding (utf-8, windows-1252) when detection gets it wrong.
    #[arg(long)]
    encoding: Option<String>,
    /// Check the file and report, without writing anything.
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    db: DbArgs,
}

/// The columns of an answers file, and the headers each is known by (compared after
/// `normalise_header`: lower case, punctuation dropped).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Col {
    Case,
    Level,
    Reviewer,
    Item,
    Answer,
    Remark,
}

impl Col {
    const ALL: [Col; 6] = [
        Col::Case,
        Col::Level,
        Col::Reviewer,
        Col::Item,
        Col::Answer,
        Col::Remark,
    ];

    fn aliases(self) -> &'static [&'static str] {
        match self {
            Col::Case => &[
                "sag",
                "sagsnummer",
                "sagsnr",
                "sags id",
                "sagsid",
                "sagsnøgle",
                "case",
                "case id",
                "case key",
            ],
            Col::Level => &["niveau", "level"],
            Col::Reviewer => &["bedømmer", "måler", "brugernavn", "reviewer", "username"],
            Col::Item => &[
                "spørgsmål",
                "spørgsmålsnøgle",
                "spørgsmål nøgle",
                "item",
                "item key",
                "question",
            ],
            Col::Answer => &["svar", "answer", "value", "værdi"],
            Col::Remark => &["bemærkning", "remark", "kommentar", "comment"],
        }
    }

    /// The name used in messages when the file has no such column.
    fn label_key(self) -> &'static str {
        match self {
            Col::Case => "answers-cli-col-case",
            Col::Level => "answers-cli-col-level",
            Col::Reviewer => "answers-cli-col-reviewer",
            Col::Item => "answers-cli-col-item",
            Col::Answer => "answers-cli-col-answer",
            Col::Remark => "answers-cli-col-remark",
        }
    }

    fn required(self) -> bool {
        !matches!(self, Col::Reviewer | Col::Remark)
    }
}

/// Which file column holds each of ours.
struct Columns {
    index: BTreeMap<Col, usize>,
    headers: Vec<String>,
}

impl Columns {
    fn find(headers: &[String], tr: Tr) -> Result<Columns, CliError> {
        let mut index: BTreeMap<Col, usize> = BTreeMap::new();
        for (i, h) in headers.iter().enumerate() {
            let n = tilsyn_intake::normalise_header(h);
            if let Some(c) = Col::ALL
                .into_iter()
                .find(|c| c.aliases().contains(&n.as_str()))
            {
                if index.contains_key(&c) {
                    return Err(CliError::Usage(tr.targs(
                        "answers-cli-column-twice",
                        &[
                            ("column", safe_text(h)),
                            ("first", safe_text(headers[index[&c]].as_str())),
                        ],
                    )));
                }
                index.insert(c, i);
            }
        }
        let missing: Vec<String> = Col::ALL
            .into_iter()
            .filter(|c| c.required() && !index.contains_key(c))
            .map(|c| tr.t(c.label_key()))
            .collect();
        if !missing.is_empty() {
            let expected: Vec<String> = Col::ALL.into_iter().map(|c| tr.t(c.label_key())).collect();
            return Err(CliError::Usage(tr.targs(
                "answers-cli-missing-columns",
                &[
                    ("columns", missing.join(", ")),
                    ("expected", expected.join(", ")),
                ],
            )));
        }
        Ok(Columns {
            index,
            headers: headers.to_vec(),
        })
    }

    /// The column's header as the file writes it (or our name for a column it lacks).
    fn name(&self, c: Col, tr: Tr) -> String {
        self.index
            .get(&c)
            .and_then(|i| self.headers.get(*i))
            .map(|h| safe_text(h))
            .unwrap_or_else(|| tr.t(c.label_key()))
    }

    fn get<'a>(&self, c: Col, cells: &'a [String]) -> &'a str {
        self.index
            .get(&c)
            .and_then(|i| cells.get(*i))
            .map(|s| s.trim())
            .unwrap_or("")
    }
}

/// A problem on a line, already worded; sorted by line, then column.
struct LineError {
    line: u64,
    col: Col,
    message: String,
}

/// The lines of one review (case and level) in the file.
struct Group {
    first_line: u64,
    reviewer: Option<(UserId, String, u64)>,
    /// Item → answer and the line it is on.
    entries: BTreeMap<String, (Entry, u64)>,
    /// Item → the first line with it, valid or not (a bad answer is reported once, not also
    /// as missing; a second line for the item is a duplicate).
    seen: BTreeMap<String, u64>,
}

/// The answer as the template's code: codes and labels are taken without regard to case
/// ("Ja" and "I høj grad" are "ja" and "hoej").
fn normalise_answer(content: &TemplateContent, item: &str, value: &str) -> String {
    let v = value.trim();
    let Some(scale) = content.item(item).and_then(|i| content.scale(&i.scale)) else {
        return v.to_owned();
    };
    if !scale.kind.has_points() {
        return v.to_owned();
    }
    let lower = v.to_lowercase();
    for p in &scale.points {
        if p.code.to_lowercase() == lower
            || p.label.da.trim().to_lowercase() == lower
            || (!p.label.en.trim().is_empty() && p.label.en.trim().to_lowercase() == lower)
        {
            return p.code.clone();
        }
    }
    if content.cannot_assess && (lower == CANNOT_ASSESS || lower.replace(' ', "_") == CANNOT_ASSESS)
    {
        return CANNOT_ASSESS.to_owned();
    }
    v.to_owned()
}

/// The answers a scale allows, for "write one of these".
fn choices(content: &TemplateContent, item: &str) -> String {
    content
        .item(item)
        .and_then(|i| content.scale(&i.scale))
        .map(|s| s.choices(content.cannot_assess).join(", "))
        .unwrap_or_default()
}

/// Resolves the case column: the round's key ("DUBU/12345") or, when only one case in the
/// round has it, the case id alone.
enum CaseRef<'a> {
    Found(&'a RoundCase),
    Unknown,
    Ambiguous(Vec<&'a str>),
}

fn resolve_case<'a>(cases: &'a [RoundCase], s: &str) -> CaseRef<'a> {
    if let Some(c) = cases.iter().find(|c| c.key == s) {
        return CaseRef::Found(c);
    }
    if let Some(c) = cases.iter().find(|c| c.key.eq_ignore_ascii_case(s)) {
        return CaseRef::Found(c);
    }
    let hits: Vec<&RoundCase> = cases
        .iter()
        .filter(|c| c.record.external_id.trim().eq_ignore_ascii_case(s))
        .collect();
    match hits.as_slice() {
        [one] => CaseRef::Found(one),
        [] => CaseRef::Unknown,
        many => CaseRef::Ambiguous(many.iter().map(|c| c.key.as_str()).collect()),
    }
}

/// What the checks found: the reviews to write, or the problems.
struct Checked {
    reviews: Vec<ImportedReview>,
    errors: Vec<LineError>,
}

/// Everything the checks need from the store.
struct RoundData {
    round: Round,
    content: TemplateContent,
    cases: Vec<RoundCase>,
    reviews: Vec<Review>,
    /// Review id → items with an answer someone saved (not a date rule's suggestion).
    saved_answers: BTreeMap<uuid::Uuid, usize>,
    /// Lower-cased username → (id, username).
    users: BTreeMap<String, (UserId, String)>,
}

fn check(table: &Table, data: &RoundData, tr: Tr) -> Result<Checked, CliError> {
    let cols = Columns::find(&table.headers, tr)?;
    let content = &data.content;
    let mut errors: Vec<LineError> = vec![];
    let mut err = |line: u64, col: Col, key: &str, args: Vec<(&'static str, String)>| {
        let mut args = args;
        args.push(("line", line.to_string()));
        args.push(("column", cols.name(col, tr)));
        errors.push(LineError {
            line,
            col,
            message: tr.targs(key, &args),
        });
    };
    let round_name = data.round.name.clone();
    let example_item = content
        .items()
        .first()
        .map(|p| p.item.key.clone())
        .unwrap_or_default();
    let example_case = data
        .cases
        .first()
        .map(|c| c.key.clone())
        .unwrap_or_else(|| "DUBU/12345".into());
    let mut groups: BTreeMap<(String, u8), Group> = BTreeMap::new();
    for (line, cells) in &table.rows {
        let line = *line;
        let width = cols.headers.len();
        if cells.len() > width && cells[width..].iter().any(|c| !c.trim().is_empty()) {
            err(
                line,
                Col::Case,
                "intake-field-count",
                vec![
                    ("found", cells.len().to_string()),
                    ("expected", width.to_string()),
                ],
            );
            continue;
        }
        let v = |c: Col| cols.get(c, cells);
        // The case.
        let case = match v(Col::Case) {
            "" => {
                err(line, Col::Case, "intake-value-missing", vec![]);
                None
            }
            s => match resolve_case(&data.cases, s) {
                CaseRef::Found(c) => Some(c),
                CaseRef::Unknown => {
                    err(
                        line,
                        Col::Case,
                        "answers-cli-unknown-case",
                        vec![
                            ("value", safe_text(s)),
                            ("round", round_name.clone()),
                            ("example", example_case.clone()),
                        ],
                    );
                    None
                }
                CaseRef::Ambiguous(keys) => {
                    err(
                        line,
                        Col::Case,
                        "answers-cli-ambiguous-case",
                        vec![
                            ("value", safe_text(s)),
                            ("keys", keys.join(", ")),
                            ("example", keys.first().copied().unwrap_or("").to_owned()),
                        ],
                    );
                    None
                }
            },
        };
        // The level.
        let level = match v(Col::Level) {
            "" => {
                err(line, Col::Level, "intake-value-missing", vec![]);
                None
            }
            s => match s.parse::<u8>().ok().filter(|l| (1..=3).contains(l)) {
                None => {
                    err(
                        line,
                        Col::Level,
                        "answers-cli-bad-level",
                        vec![("value", safe_text(s))],
                    );
                    None
                }
                Some(l) => match case {
                    Some(c) if l > c.depth => {
                        err(
                            line,
                            Col::Level,
                            "answers-cli-level-not-in-case",
                            vec![
                                ("value", l.to_string()),
                                ("case", c.key.clone()),
                                ("depth", c.depth.to_string()),
                            ],
                        );
                        None
                    }
                    _ => Some(l),
                },
            },
        };
        // The reviewer (optional).
        let reviewer = match v(Col::Reviewer) {
            "" => None,
            s => match data.users.get(&s.to_lowercase()) {
                Some((id, name)) => Some((*id, name.clone())),
                None => {
                    err(
                        line,
                        Col::Reviewer,
                        "answers-cli-unknown-reviewer",
                        vec![("value", safe_text(s))],
                    );
                    None
                }
            },
        };
        // The question.
        let item = match v(Col::Item) {
            "" => {
                err(line, Col::Item, "intake-value-missing", vec![]);
                None
            }
            s => {
                let known = content
                    .items()
                    .into_iter()
                    .map(|p| p.item.key.clone())
                    .find(|k| k.eq_ignore_ascii_case(s));
                if known.is_none() {
                    err(
                        line,
                        Col::Item,
                        "answers-cli-unknown-item",
                        vec![
                            ("value", safe_text(s)),
                            ("template", content.key.clone()),
                            ("example", example_item.clone()),
                        ],
                    );
                }
                known
            }
        };
        let remark = v(Col::Remark).to_owned();
        // The answer, against the question's scale.
        let mut answer_ok = None;
        if let Some(item) = &item {
            let raw = v(Col::Answer);
            let free_text = content
                .item(item)
                .and_then(|i| content.scale(&i.scale))
                .is_some_and(|s| s.kind == ScaleKind::FreeText);
            if raw.is_empty() && !free_text {
                err(
                    line,
                    Col::Answer,
                    "answers-cli-answer-empty",
                    vec![("item", item.clone())],
                );
            } else {
                let value = normalise_answer(content, item, raw);
                match check_answer(content, item, &value, &remark) {
                    Ok(()) => answer_ok = Some(value),
                    Err(p) => {
                        let (col, key) = match p {
                            AnswerProblem::NotAChoice => (Col::Answer, "answers-cli-not-a-choice"),
                            AnswerProblem::NotANumber => (Col::Answer, "answers-cli-not-a-number"),
                            AnswerProblem::NotADate => (Col::Answer, "answers-cli-not-a-date"),
                            AnswerProblem::TooLong
                                if remark.chars().count() > tilsyn_domain::review::MAX_TEXT =>
                            {
                                (Col::Remark, "answers-cli-too-long")
                            }
                            AnswerProblem::TooLong => (Col::Answer, "answers-cli-too-long"),
                            AnswerProblem::UnknownItem => (Col::Item, "answers-cli-unknown-item"),
                        };
                        let shown: String = safe_text(raw).chars().take(80).collect();
                        err(
                            line,
                            col,
                            key,
                            vec![
                                ("value", shown),
                                ("item", item.clone()),
                                ("choices", choices(content, item)),
                                ("template", content.key.clone()),
                                ("example", example_item.clone()),
                                ("max", tilsyn_domain::review::MAX_TEXT.to_string()),
                            ],
                        );
                    }
                }
            }
        }
        let (Some(case), Some(level)) = (case, level) else {
            continue;
        };
        let group = groups
            .entry((case.key.clone(), level))
            .or_insert_with(|| Group {
                first_line: line,
                reviewer: None,
                entries: BTreeMap::new(),
                seen: BTreeMap::new(),
            });
        if let Some((id, name)) = reviewer {
            match &group.reviewer {
                None => group.reviewer = Some((id, name, line)),
                Some((first, first_name, first_line)) if *first != id => err(
                    line,
                    Col::Reviewer,
                    "answers-cli-reviewer-differs",
                    vec![
                        ("value", name),
                        ("first", first_name.clone()),
                        ("first_line", first_line.to_string()),
                    ],
                ),
                Some(_) => {}
            }
        }
        let Some(item) = item else { continue };
        if let Some(first) = group.seen.get(&item) {
            err(
                line,
                Col::Item,
                "answers-cli-duplicate",
                vec![
                    ("item", item.clone()),
                    ("case", case.key.clone()),
                    ("level", level.to_string()),
                    ("first_line", first.to_string()),
                ],
            );
            continue;
        }
        group.seen.insert(item.clone(), line);
        if let Some(value) = answer_ok {
            group.entries.insert(
                item,
                (
                    Entry {
                        value,
                        remark: remark.trim().to_owned(),
                        prefill: None,
                        override_reason: String::new(),
                    },
                    line,
                ),
            );
        }
    }
    // Per review: may it be written, and could it be submitted as it stands?
    let mut out = vec![];
    for ((key, level), g) in &groups {
        let Some(review) = data
            .reviews
            .iter()
            .find(|r| r.case_key == *key && r.level == *level)
        else {
            err(
                g.first_line,
                Col::Level,
                "answers-cli-level-not-in-case",
                vec![
                    ("value", level.to_string()),
                    ("case", key.clone()),
                    ("depth", (level - 1).to_string()),
                ],
            );
            continue;
        };
        let what = vec![("case", key.clone()), ("level", level.to_string())];
        if review.status == ReviewStatus::Submitted {
            err(
                g.first_line,
                Col::Case,
                "answers-cli-review-submitted",
                what,
            );
            continue;
        }
        if let Some(n) = data.saved_answers.get(&review.id).filter(|n| **n > 0) {
            let mut args = what;
            args.push(("count", n.to_string()));
            err(g.first_line, Col::Case, "answers-cli-review-started", args);
            continue;
        }
        let reviewer = g.reviewer.as_ref().map(|r| r.0).or(review.reviewer);
        let Some(reviewer) = reviewer else {
            err(
                g.first_line,
                Col::Reviewer,
                "answers-cli-reviewer-missing",
                what,
            );
            continue;
        };
        // Never the same person on two levels of one case (domain: may_review).
        if *level > 1 {
            let lower: BTreeSet<UserId> = data
                .reviews
                .iter()
                .filter(|r| r.case_key == *key && r.level < *level)
                .flat_map(|r| {
                    let from_file = groups
                        .get(&(key.clone(), r.level))
                        .and_then(|lg| lg.reviewer.as_ref().map(|x| x.0));
                    from_file
                        .or(r.reviewer)
                        .into_iter()
                        .chain(r.participants.iter().copied())
                })
                .collect();
            if lower.contains(&reviewer) {
                let name = data
                    .users
                    .values()
                    .find(|u| u.0 == reviewer)
                    .map(|u| u.1.clone())
                    .unwrap_or_default();
                let line = g.reviewer.as_ref().map_or(g.first_line, |r| r.2);
                let mut args = what;
                args.push(("value", name));
                err(line, Col::Reviewer, "answers-cli-not-independent", args);
                continue;
            }
        }
        let case = data
            .cases
            .iter()
            .find(|c| c.key == *key)
            .ok_or_else(|| CliError::Runtime(format!("case {key} vanished from the round")))?;
        let entries: BTreeMap<String, Entry> = g
            .entries
            .iter()
            .map(|(k, (e, _))| (k.clone(), e.clone()))
            .collect();
        let facts = case_facts(&case.record, data.round.plan.reference_date);
        let eval = content.evaluate(&facts, &answer_values(&entries), &review.marks);
        let problems = submit_problems(content, &eval, &entries);
        for p in &problems {
            match p {
                SubmitProblem::MissingRemark { item } => {
                    let (e, line) = &g.entries[item];
                    err(
                        *line,
                        Col::Remark,
                        "answers-cli-remark-missing",
                        vec![("value", e.value.clone()), ("item", item.clone())],
                    );
                }
                // Its line is already reported.
                SubmitProblem::MissingAnswer { item } if g.seen.contains_key(item) => {}
                SubmitProblem::MissingAnswer { item } => {
                    let mut args = what.clone();
                    args.push(("item", item.clone()));
                    err(g.first_line, Col::Item, "answers-cli-answer-missing", args);
                }
                // Imported answers carry no date rule's suggestion to override.
                SubmitProblem::MissingOverrideReason { .. } => {}
            }
        }
        if problems.is_empty() {
            out.push(ImportedReview {
                case_key: key.clone(),
                level: *level,
                reviewer: Some(reviewer),
                progress: Progress::of(&eval, &entries),
                answers: entries,
            });
        }
    }
    errors.sort_by_key(|e| (e.line, e.col));
    Ok(Checked {
        reviews: out,
        errors,
    })
}

/// Reviews whose answers someone saved in tilsyn (a date rule's untouched suggestion does not
/// count): those the store refuses to overwrite.
async fn saved_answers(
    store: &tilsyn_store::Store,
    reviews: &[Review],
) -> Result<BTreeMap<uuid::Uuid, usize>, CliError> {
    let mut out = BTreeMap::new();
    for r in reviews.iter().filter(|r| r.status == ReviewStatus::Open) {
        let n = store
            .answers(r.id)
            .await?
            .values()
            .filter(|a| a.entry.prefill.is_none() || a.version > 1)
            .count();
        out.insert(r.id, n);
    }
    Ok(out)
}

/// Problems printed before "… and N more".
const SHOWN_ERRORS: usize = 200;

pub async fn run(cmd: AnswersCommand) -> Result<(), CliError> {
    let AnswersCommand::Import(a) = cmd;
    let tr = tr();
    let encoding =
        match &a.encoding {
            Some(l) => Some(TextEncoding::from_label(l).ok_or_else(|| {
                CliError::Usage(tr.t1("import-cli-unknown-encoding", "encoding", l))
            })?),
            None => None,
        };
    if !a.file.is_file() {
        return Err(CliError::Usage(tr.t1(
            "import-cli-no-file",
            "path",
            a.file.display(),
        )));
    }
    let store = a.db.open().await?;
    let res = import(&store, &a, encoding, tr).await;
    store.close().await;
    res
}

async fn import(
    store: &tilsyn_store::Store,
    a: &ImportArgs,
    encoding: Option<TextEncoding>,
    tr: Tr,
) -> Result<(), CliError> {
    let round = find_round(store, &a.round).await?;
    if !matches!(
        round.state,
        RoundState::Sampled | RoundState::Reviewing | RoundState::Analysing
    ) {
        return Err(CliError::Runtime(tr.targs(
            "answers-cli-round-state",
            &[
                ("round", round.name.clone()),
                ("state", crate::round::state_label(tr, round.state)),
            ],
        )));
    }
    let table = table::read(&a.file, encoding, a.sheet.as_deref())
        .map_err(|e| CliError::Usage(tilsyn_web::case_import::intake_message(tr, &e)))?;
    let content = store
        .template_version_by_id(round.template_version_id)
        .await?
        .content;
    let cases = store.round_cases(round.id).await?;
    let reviews = store.round_reviews(round.id).await?;
    let saved = saved_answers(store, &reviews).await?;
    let users = store
        .list_users()
        .await?
        .into_iter()
        .filter(|u| !u.disabled)
        .map(|u| (u.username.to_lowercase(), (u.id, u.username)))
        .collect();
    let data = RoundData {
        round,
        content,
        cases,
        reviews,
        saved_answers: saved,
        users,
    };
    let checked = check(&table, &data, tr)?;
    if !checked.errors.is_empty() {
        for e in checked.errors.iter().take(SHOWN_ERRORS) {
            eprintln!("{}", e.message);
        }
        if checked.errors.len() > SHOWN_ERRORS {
            eprintln!(
                "{}",
                tr.t1(
                    "import-cli-more-errors",
                    "count",
                    checked.errors.len() - SHOWN_ERRORS
                )
            );
        }
        return Err(CliError::Usage(tr.t1(
            "import-cli-refused",
            "count",
            checked.errors.len(),
        )));
    }
    let answers: usize = checked.reviews.iter().map(|r| r.answers.len()).sum();
    let counts = [
        ("round", data.round.name.clone()),
        (
            "reviews",
            tr.t1("answers-cli-n-reviews", "count", checked.reviews.len()),
        ),
        ("answers", tr.t1("answers-cli-n-answers", "count", answers)),
        ("rows", table.rows.len().to_string()),
    ];
    if a.dry_run {
        println!("{}", tr.targs("answers-cli-dry-run", &counts));
        return Ok(());
    }
    let file_name = a
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let who = actor();
    let by = who.username.clone().unwrap_or_else(|| "cli".into());
    store
        .import_answers(&who, &by, data.round.id, &checked.reviews, &file_name)
        .await
        .map_err(|e| match e {
            tilsyn_store::StoreError::Conflict(_) => {
                CliError::Runtime(tr.t("answers-cli-changed-meanwhile"))
            }
            other => other.into(),
        })?;
    println!("{}", tr.targs("answers-cli-done", &counts));
    Ok(())
}
