//! One review (måling) of one case at one level: what a valid answer is, when a review may be
//! submitted, progress, the blinding between levels, where two levels differ, and which value
//! counts in reports.

use crate::calendar::Deadline;
use crate::cases::CaseRecord;
use crate::deadline::{Prefill, suggested};
use crate::template::rules::age_on;
use crate::template::{
    Answers, CANNOT_ASSESS, CaseFacts, Evaluation, Item, ScaleKind, TemplateContent,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Longest answer or remark kept (a remark is a few sentences, not a case file).
pub const MAX_TEXT: usize = 4000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewStatus {
    /// Being answered; drafts are saved on the server.
    Open,
    /// Handed in: read-only until the round's owner reopens it.
    Submitted,
}

impl ReviewStatus {
    pub fn code(self) -> &'static str {
        match self {
            ReviewStatus::Open => "open",
            ReviewStatus::Submitted => "submitted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [ReviewStatus::Open, ReviewStatus::Submitted]
            .into_iter()
            .find(|r| r.code() == s)
    }
}

/// One saved answer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub value: String,
    pub remark: String,
    /// The answer a date rule suggested, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefill: Option<String>,
    /// Why the reviewer answered otherwise than the date rule suggested.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub override_reason: String,
}

impl Entry {
    /// The reviewer chose something else than the suggestion.
    pub fn overrides_prefill(&self) -> bool {
        self.prefill
            .as_ref()
            .is_some_and(|p| !self.value.is_empty() && *p != self.value)
    }
}

/// Why an answer cannot be saved. Each variant has a catalogue key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(rename_all = "snake_case", tag = "problem")]
pub enum AnswerProblem {
    #[error("no such question")]
    UnknownItem,
    #[error("not one of the scale's answers")]
    NotAChoice,
    #[error("not a number")]
    NotANumber,
    #[error("not a date")]
    NotADate,
    #[error("text too long")]
    TooLong,
}

impl AnswerProblem {
    pub const KEYS: [&'static str; 5] = [
        "answer-unknown-item",
        "answer-not-a-choice",
        "answer-not-a-number",
        "answer-not-a-date",
        "answer-too-long",
    ];

    pub fn key(&self) -> &'static str {
        match self {
            AnswerProblem::UnknownItem => Self::KEYS[0],
            AnswerProblem::NotAChoice => Self::KEYS[1],
            AnswerProblem::NotANumber => Self::KEYS[2],
            AnswerProblem::NotADate => Self::KEYS[3],
            AnswerProblem::TooLong => Self::KEYS[4],
        }
    }
}

/// Checks one answer against its item's scale. An empty value (a cleared answer) is valid.
pub fn check_answer(
    content: &TemplateContent,
    item: &str,
    value: &str,
    remark: &str,
) -> Result<(), AnswerProblem> {
    let item = content.item(item).ok_or(AnswerProblem::UnknownItem)?;
    if value.chars().count() > MAX_TEXT || remark.chars().count() > MAX_TEXT {
        return Err(AnswerProblem::TooLong);
    }
    let value = value.trim();
    if value.is_empty() {
        return Ok(());
    }
    let Some(scale) = content.scale(&item.scale) else {
        return Err(AnswerProblem::UnknownItem);
    };
    match scale.kind {
        k if k.has_points() => {
            let ok =
                scale.point(value).is_some() || (content.cannot_assess && value == CANNOT_ASSESS);
            ok.then_some(()).ok_or(AnswerProblem::NotAChoice)
        }
        ScaleKind::Number => value
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(|_| ())
            .ok_or(AnswerProblem::NotANumber),
        ScaleKind::Date => NaiveDate::parse_from_str(value, "%Y-%m-%d")
            .map(|_| ())
            .map_err(|_| AnswerProblem::NotADate),
        _ => Ok(()),
    }
}

/// Free text is optional; every other applicable item needs an answer before submitting.
pub fn requires_answer(content: &TemplateContent, item: &Item) -> bool {
    content
        .scale(&item.scale)
        .is_some_and(|s| s.kind != ScaleKind::FreeText)
}

/// What stops a submit, per item. Each variant has a catalogue key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "problem")]
pub enum SubmitProblem {
    MissingAnswer { item: String },
    MissingRemark { item: String },
    MissingOverrideReason { item: String },
}

impl SubmitProblem {
    pub const KEYS: [&'static str; 3] = [
        "submit-missing-answer",
        "submit-missing-remark",
        "submit-missing-override-reason",
    ];

    pub fn key(&self) -> &'static str {
        match self {
            SubmitProblem::MissingAnswer { .. } => Self::KEYS[0],
            SubmitProblem::MissingRemark { .. } => Self::KEYS[1],
            SubmitProblem::MissingOverrideReason { .. } => Self::KEYS[2],
        }
    }

    pub fn item(&self) -> &str {
        match self {
            SubmitProblem::MissingAnswer { item }
            | SubmitProblem::MissingRemark { item }
            | SubmitProblem::MissingOverrideReason { item } => item,
        }
    }
}

/// The answer codes alone, as the applicability rules read them.
pub fn answer_values(entries: &BTreeMap<String, Entry>) -> Answers {
    entries
        .iter()
        .filter(|(_, e)| !e.value.trim().is_empty())
        .map(|(k, e)| (k.clone(), e.value.clone()))
        .collect()
}

/// Everything that must be fixed before the review can be submitted, in document order.
/// Items the rules exclude need nothing.
pub fn submit_problems(
    content: &TemplateContent,
    eval: &Evaluation,
    entries: &BTreeMap<String, Entry>,
) -> Vec<SubmitProblem> {
    let mut out = vec![];
    for (key, status) in &eval.items {
        if !status.applies() {
            continue;
        }
        let Some(item) = content.item(key) else {
            continue;
        };
        let entry = entries.get(key);
        let value = entry.map(|e| e.value.trim()).unwrap_or("");
        if value.is_empty() {
            if requires_answer(content, item) {
                out.push(SubmitProblem::MissingAnswer { item: key.clone() });
            }
            continue;
        }
        let remark = entry.map(|e| e.remark.trim()).unwrap_or("");
        if remark.is_empty() && item.remark_required_on.iter().any(|c| c == value) {
            out.push(SubmitProblem::MissingRemark { item: key.clone() });
        }
        if let Some(e) = entry
            && e.overrides_prefill()
            && e.override_reason.trim().is_empty()
        {
            out.push(SubmitProblem::MissingOverrideReason { item: key.clone() });
        }
    }
    out
}

/// Answered and applicable items: items the rules hide count in neither.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Progress {
    pub answered: usize,
    pub applicable: usize,
}

impl std::ops::Add for Progress {
    type Output = Progress;
    fn add(self, other: Progress) -> Progress {
        Progress {
            answered: self.answered + other.answered,
            applicable: self.applicable + other.applicable,
        }
    }
}

impl Progress {
    pub fn of(eval: &Evaluation, entries: &BTreeMap<String, Entry>) -> Progress {
        let mut p = Progress::default();
        for (key, status) in &eval.items {
            if status.applies() {
                p.applicable += 1;
                if entries.get(key).is_some_and(|e| !e.value.trim().is_empty()) {
                    p.answered += 1;
                }
            }
        }
        p
    }

    pub fn percent(self) -> u32 {
        if self.applicable == 0 {
            return 0;
        }
        u32::try_from(self.answered * 100 / self.applicable).unwrap_or(100)
    }
}

/// The facts the applicability rules read, from a case as registered. Age is counted at the
/// round's reference date.
pub fn case_facts(case: &CaseRecord, reference: NaiveDate) -> CaseFacts {
    CaseFacts {
        case_type: Some(case.case_type.clone()),
        area: case.area.map(|a| a.code().to_owned()),
        age: case
            .birth_date
            .and_then(|b| age_on(b, reference))
            .or(case.age.map(u32::from)),
        start: case.measure_start,
        attributes: case.attributes.clone(),
    }
}

/// What the case's dates say for the items with a date rule: the due date, and the answer they
/// suggest when the case has the date the step was done. Items the rules hide now get their
/// suggestion too: an earlier answer may bring them in (the BFU deadline once a BFU was
/// done), and a hidden item's answer counts for nothing while it is hidden.
pub fn prefills(content: &TemplateContent, case: &CaseRecord, today: NaiveDate) -> Vec<Prefill> {
    let mut out = vec![];
    for p in content.items() {
        let Some(rule) = &p.item.deadline else {
            continue;
        };
        let Some(scale) = content.scale(&p.item.scale) else {
            continue;
        };
        let codes: Vec<(String, bool)> = scale
            .points
            .iter()
            .map(|pt| (pt.code.clone(), pt.not_applicable))
            .collect();
        let outcome = rule.check(case, today);
        if outcome == Deadline::Unknown {
            continue;
        }
        let value = rule
            .done
            .on(case)
            .and_then(|_| suggested(outcome, &p.item.compliant, &codes));
        out.push(Prefill {
            item: p.item.key.clone(),
            value,
            deadline: outcome,
        });
    }
    out
}

/// The due date a prefill rests on, for "pre-filled from the dates: due 29-02-2024".
pub fn prefill_due(p: &Prefill) -> Option<NaiveDate> {
    match p.deadline {
        Deadline::Met { due } | Deadline::Missed { due } | Deadline::Open { due } => Some(due),
        Deadline::Unknown => None,
    }
}

/// How a person stands to one case of a round, for the blinding rule.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Standing {
    /// Levels at which the person reviews the case or takes part in its review.
    pub takes_part_at: BTreeSet<u8>,
    /// Plans and runs the round (its owner or a leader/coordinator over its units).
    pub runs_round: bool,
    /// The case-responsible caseworker (right of reply).
    pub is_caseworker: bool,
}

/// Whether a person may read the answers given at `level` for a case. Until every level of
/// the case has submitted, only the people taking part at that level may: neither level sees
/// the other's answers, and nor do the round's owner or the caseworker, who could pass them on.
pub fn may_read_answers(who: &Standing, level: u8, case_complete: bool) -> bool {
    who.takes_part_at.contains(&level)
        || (case_complete && (who.runs_round || who.is_caseworker || !who.takes_part_at.is_empty()))
}

/// Items on which two levels answered differently, in document order. An item counts when at
/// least one level answered it (one side blank is a difference too).
pub fn differences(
    content: &TemplateContent,
    first: &BTreeMap<String, Entry>,
    second: &BTreeMap<String, Entry>,
) -> Vec<String> {
    let value = |m: &BTreeMap<String, Entry>, k: &str| {
        m.get(k)
            .map(|e| e.value.trim().to_owned())
            .unwrap_or_default()
    };
    content
        .items()
        .into_iter()
        .map(|p| p.item.key.as_str())
        .filter(|k| {
            let (a, b) = (value(first, k), value(second, k));
            (!a.is_empty() || !b.is_empty()) && a != b
        })
        .map(str::to_owned)
        .collect()
}

/// Which value a report counts when the levels differ. Reports state the rule.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountingRule {
    /// The highest level's answer (the reference model: level 2 re-measures).
    #[default]
    HighestLevel,
    /// The reconciled answer where there is one, else the highest level's.
    Agreed,
    /// Each level reported on its own.
    EachLevel,
}

impl CountingRule {
    pub const ALL: [CountingRule; 3] = [
        CountingRule::HighestLevel,
        CountingRule::Agreed,
        CountingRule::EachLevel,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CountingRule::HighestLevel => "highest_level",
            CountingRule::Agreed => "agreed",
            CountingRule::EachLevel => "each_level",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == s)
    }

    pub fn label_key(self) -> String {
        format!("counting-{}", self.code().replace('_', "-"))
    }

    /// The single value that counts for an item, given each level's answer (level order) and
    /// the agreed one. `None` under `EachLevel`: every level counts on its own.
    pub fn counted<'a>(
        self,
        by_level: &[Option<&'a str>],
        agreed: Option<&'a str>,
    ) -> Option<&'a str> {
        let highest = by_level.iter().rev().flatten().copied().next();
        match self {
            CountingRule::HighestLevel => highest,
            CountingRule::Agreed => agreed.or(highest),
            CountingRule::EachLevel => None,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::cases::Area;

    /// A small template: two ja/nej items, the second only for 15-year-olds; one graded item;
    /// one free-text item; one date item; a BFU deadline.
    fn content() -> TemplateContent {
        let json = r#"{
          "key": "T", "title": {"da": "T"}, "kind": "compliance",
          "scales": [
            {"key": "jn", "kind": "compliance", "label": {"da": "ja/nej"}, "points": [
              {"code": "ja", "label": {"da": "Ja"}}, {"code": "nej", "label": {"da": "Nej"}},
              {"code": "ikke_relevant", "label": {"da": "Ikke relevant"}, "not_applicable": true}]},
            {"key": "g", "kind": "ordinal", "label": {"da": "grad"}, "points": [
              {"code": "lav", "label": {"da": "Lav"}}, {"code": "hoej", "label": {"da": "Høj"}}]},
            {"key": "txt", "kind": "free_text", "label": {"da": "tekst"}},
            {"key": "dato", "kind": "date", "label": {"da": "dato"}}
          ],
          "sections": [{"key": "S", "kind": "case_step", "title": {"da": "S"}, "items": [
            {"key": "A", "text": {"da": "A"}, "scale": "jn", "compliant": ["ja"], "remark_required_on": ["nej"],
             "deadline": {"from": ["underretning_received"], "done": "bfu_end", "within": {"unit": "months", "n": 4}}},
            {"key": "B", "text": {"da": "B"}, "scale": "jn", "compliant": ["ja"], "rule": {"age_at_least": 15}},
            {"key": "C", "text": {"da": "C"}, "scale": "g"},
            {"key": "D", "text": {"da": "D"}, "scale": "txt"},
            {"key": "E", "text": {"da": "E"}, "scale": "dato"}
          ]}]
        }"#;
        let c: TemplateContent = serde_json::from_str(json).unwrap();
        assert_eq!(c.check(), vec![], "the test template is valid");
        c
    }

    fn entry(v: &str) -> Entry {
        Entry {
            value: v.into(),
            ..Entry::default()
        }
    }

    fn young_case() -> CaseRecord {
        CaseRecord {
            case_type: "§ 32".into(),
            area: Some(Area::VulnerableChildren),
            birth_date: NaiveDate::from_ymd_opt(2015, 3, 1),
            underretning_received: NaiveDate::from_ymd_opt(2024, 1, 10),
            bfu_end: NaiveDate::from_ymd_opt(2024, 6, 1),
            ..CaseRecord::default()
        }
    }

    #[test]
    fn answers_are_checked_against_the_scale() {
        let c = content();
        assert_eq!(check_answer(&c, "A", "ja", ""), Ok(()));
        assert_eq!(check_answer(&c, "A", "", ""), Ok(()), "clearing is allowed");
        assert_eq!(
            check_answer(&c, "A", "måske", ""),
            Err(AnswerProblem::NotAChoice)
        );
        assert_eq!(
            check_answer(&c, "A", CANNOT_ASSESS, ""),
            Err(AnswerProblem::NotAChoice),
            "only where the template allows it"
        );
        assert_eq!(
            check_answer(&c, "Z", "ja", ""),
            Err(AnswerProblem::UnknownItem)
        );
        assert_eq!(
            check_answer(&c, "E", "2024-02-30", ""),
            Err(AnswerProblem::NotADate)
        );
        assert_eq!(check_answer(&c, "E", "2024-02-29", ""), Ok(()));
        assert_eq!(
            check_answer(&c, "D", "frit", &"x".repeat(MAX_TEXT + 1)),
            Err(AnswerProblem::TooLong)
        );
    }

    #[test]
    fn progress_and_submit_ignore_items_the_rules_hide() {
        let c = content();
        let case = young_case();
        let reference = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let facts = case_facts(&case, reference);
        assert_eq!(facts.age, Some(9));
        let mut entries = BTreeMap::new();
        let eval = c.evaluate(&facts, &answer_values(&entries), &BTreeMap::new());
        // B is hidden (age 9 < 15): A, C, D, E apply.
        assert_eq!(
            Progress::of(&eval, &entries),
            Progress {
                answered: 0,
                applicable: 4
            }
        );
        // D is free text: optional. A, C and E are missing.
        let missing: Vec<String> = submit_problems(&c, &eval, &entries)
            .iter()
            .map(|p| format!("{}:{}", p.key(), p.item()))
            .collect();
        assert_eq!(
            missing,
            [
                "submit-missing-answer:A",
                "submit-missing-answer:C",
                "submit-missing-answer:E"
            ]
        );
        entries.insert("A".into(), entry("nej"));
        entries.insert("B".into(), entry("ja"));
        entries.insert("C".into(), entry("lav"));
        entries.insert("E".into(), entry("2024-05-01"));
        // B's answer is kept but counts for nothing while B is hidden.
        assert_eq!(
            Progress::of(&eval, &entries),
            Progress {
                answered: 3,
                applicable: 4
            }
        );
        assert_eq!(
            submit_problems(&c, &eval, &entries),
            vec![SubmitProblem::MissingRemark { item: "A".into() }]
        );
        entries.get_mut("A").unwrap().remark = "Ingen undersøgelse fundet".into();
        assert_eq!(submit_problems(&c, &eval, &entries), vec![]);
        // An older child: B applies and is missing.
        let mut older = case.clone();
        older.birth_date = NaiveDate::from_ymd_opt(2008, 3, 1);
        entries.remove("B");
        let eval = c.evaluate(
            &case_facts(&older, reference),
            &answer_values(&entries),
            &BTreeMap::new(),
        );
        assert_eq!(
            Progress::of(&eval, &entries),
            Progress {
                answered: 3,
                applicable: 5
            }
        );
        assert_eq!(
            submit_problems(&c, &eval, &entries),
            vec![SubmitProblem::MissingAnswer { item: "B".into() }]
        );
    }

    #[test]
    fn a_section_marked_not_relevant_needs_nothing() {
        let c = content();
        let facts = case_facts(&young_case(), NaiveDate::from_ymd_opt(2025, 1, 1).unwrap());
        let marked = BTreeMap::from([("S".to_owned(), "Ingen BFU i sagen".to_owned())]);
        let eval = c.evaluate(&facts, &Answers::new(), &marked);
        let entries = BTreeMap::new();
        assert_eq!(
            Progress::of(&eval, &entries),
            Progress {
                answered: 0,
                applicable: 0
            }
        );
        assert_eq!(submit_problems(&c, &eval, &entries), vec![]);
    }

    #[test]
    fn a_date_rule_prefills_and_an_override_needs_a_reason() {
        let c = content();
        let case = young_case();
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let facts = case_facts(&case, today);
        let eval = c.evaluate(&facts, &Answers::new(), &BTreeMap::new());
        // 10 January + 4 months = 10 May; finished 1 June: missed → "nej".
        let p = prefills(&c, &case, today);
        assert_eq!(p.len(), 1);
        assert_eq!(
            (p[0].item.as_str(), p[0].value.as_deref()),
            ("A", Some("nej"))
        );
        assert_eq!(prefill_due(&p[0]), NaiveDate::from_ymd_opt(2024, 5, 10));
        let mut e = Entry {
            value: "ja".into(),
            remark: String::new(),
            prefill: Some("nej".into()),
            override_reason: String::new(),
        };
        assert!(e.overrides_prefill());
        let mut entries = BTreeMap::from([
            ("A".to_owned(), e.clone()),
            ("C".to_owned(), entry("lav")),
            ("E".to_owned(), entry("2024-01-01")),
        ]);
        assert_eq!(
            submit_problems(&c, &eval, &entries),
            vec![SubmitProblem::MissingOverrideReason { item: "A".into() }]
        );
        e.override_reason = "Udtrækket mangler forlængelsen".into();
        entries.insert("A".into(), e);
        assert_eq!(submit_problems(&c, &eval, &entries), vec![]);
        // Without the end date the due date shows, but no answer is suggested: the extract
        // may simply lack the column.
        let mut unfinished = case.clone();
        unfinished.bfu_end = None;
        let p = prefills(&c, &unfinished, today);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].value, None);
        assert_eq!(prefill_due(&p[0]), NaiveDate::from_ymd_opt(2024, 5, 10));
        // Without the start date nothing is said.
        let bare = CaseRecord {
            case_type: "§ 32".into(),
            ..CaseRecord::default()
        };
        assert_eq!(prefills(&c, &bare, today), vec![]);
        // In a section marked not relevant the suggestion is kept but counts for nothing.
        let hidden = c.evaluate(
            &facts,
            &Answers::new(),
            &BTreeMap::from([("S".to_owned(), "x".to_owned())]),
        );
        let filled = BTreeMap::from([("A".to_owned(), entry("nej"))]);
        assert_eq!(Progress::of(&hidden, &filled), Progress::default());
    }

    #[test]
    fn blinding_holds_until_every_level_has_submitted() {
        let level1 = Standing {
            takes_part_at: BTreeSet::from([1]),
            ..Standing::default()
        };
        let level2 = Standing {
            takes_part_at: BTreeSet::from([2]),
            ..Standing::default()
        };
        let owner = Standing {
            runs_round: true,
            ..Standing::default()
        };
        let caseworker = Standing {
            is_caseworker: true,
            ..Standing::default()
        };
        let stranger = Standing::default();
        for complete in [false, true] {
            assert!(may_read_answers(&level1, 1, complete));
            assert!(may_read_answers(&level2, 2, complete));
            assert_eq!(may_read_answers(&level1, 2, complete), complete);
            assert_eq!(may_read_answers(&level2, 1, complete), complete);
            assert_eq!(may_read_answers(&owner, 1, complete), complete);
            assert_eq!(may_read_answers(&caseworker, 1, complete), complete);
            assert!(!may_read_answers(&stranger, 1, complete));
        }
    }

    #[test]
    fn differences_list_items_the_levels_answered_apart() {
        let c = content();
        let l1 = BTreeMap::from([
            ("A".to_owned(), entry("ja")),
            ("C".to_owned(), entry("lav")),
            ("E".to_owned(), entry("2024-01-01")),
        ]);
        let l2 = BTreeMap::from([
            ("A".to_owned(), entry("nej")),
            ("C".to_owned(), entry("lav")),
            ("D".to_owned(), entry("note")),
            ("E".to_owned(), entry(" 2024-01-01")),
        ]);
        assert_eq!(differences(&c, &l1, &l2), ["A", "D"]);
        assert_eq!(differences(&c, &l1, &l1), Vec::<String>::new());
    }

    #[test]
    fn the_counting_rule_picks_the_value() {
        let levels = [Some("ja"), Some("nej")];
        assert_eq!(
            CountingRule::HighestLevel.counted(&levels, Some("ja")),
            Some("nej")
        );
        assert_eq!(
            CountingRule::Agreed.counted(&levels, Some("ja")),
            Some("ja")
        );
        assert_eq!(CountingRule::Agreed.counted(&levels, None), Some("nej"));
        assert_eq!(
            CountingRule::HighestLevel.counted(&[Some("ja"), None], None),
            Some("ja")
        );
        assert_eq!(CountingRule::EachLevel.counted(&levels, Some("ja")), None);
        for r in CountingRule::ALL {
            assert_eq!(CountingRule::parse(r.code()), Some(r));
        }
    }
}
