//! A report as a frozen snapshot: the figures of one round for one audience, with small cells
//! already hidden where the audience calls for it, and every text the outputs print. PDF,
//! DOCX, XLSX, CSV, JSON and the pages all render from this, so a stored snapshot reproduces
//! the report exactly.

use crate::action::{ActionStatus, StatusCounts};
use crate::analysis::{Analysis, Dimension, Tally, Trends};
use crate::review::CountingRule;
use crate::suppression;
use crate::template::{Bearing, ScaleKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Format name and version of a stored report snapshot.
pub const SCHEMA: &str = "tilsyn-report/1";

/// Cells with fewer cases are hidden in reports for the committee and management.
pub const DEFAULT_THRESHOLD: u64 = suppression::DEFAULT_THRESHOLD;

/// Every text a report prints, by message key; resolved into [`Report::texts`] when the report
/// is made (`report-hidden-note` with the threshold as `$threshold`).
pub const TEXT_KEYS: &[&str] = &[
    "report-title-committee",
    "report-title-management",
    "report-title-analyst",
    "report-title-caseworker",
    "report-summary",
    "report-key-figures",
    "report-charts",
    "report-overall",
    "report-cases",
    "report-questions",
    "report-best",
    "report-worst",
    "report-by-section",
    "report-by-bearing",
    "report-by-item",
    "report-graded",
    "report-breakdowns",
    "report-heatmap",
    "report-agreement",
    "report-agreement-intro",
    "report-trends",
    "report-trends-intro",
    "report-other-template",
    "report-references",
    "report-references-note",
    "report-follow-up",
    "report-follow-up-intro",
    "report-follow-up-counts",
    "report-col-action",
    "report-col-due",
    "report-col-status",
    "report-col-note",
    "report-col-owner",
    "report-action-overdue",
    "action-status-planned",
    "action-status-in_progress",
    "action-status-done",
    "action-status-dropped",
    "report-method",
    "report-method-kind",
    "report-method-template",
    "report-method-levels",
    "report-method-frame",
    "report-method-period",
    "report-method-reference-date",
    "report-method-look-back",
    "report-method-seed",
    "report-method-counting",
    "report-method-share",
    "report-method-tests",
    "report-method-suppression",
    "report-hidden-mark",
    "report-hidden-note",
    "report-no-suppression",
    "report-significant",
    "report-significant-note",
    "report-generated",
    "report-generated-by",
    "report-fingerprint",
    "report-page",
    "report-page-of",
    "report-level",
    "report-baseline",
    "report-previous",
    "report-now",
    "report-no-data",
    "report-feedback",
    "report-feedback-intro",
    "report-col-number",
    "report-col-question",
    "report-col-section",
    "report-col-bearing",
    "report-col-n",
    "report-col-share",
    "report-col-interval",
    "report-col-low",
    "report-col-high",
    "report-col-mean",
    "report-col-distribution",
    "report-col-change",
    "report-col-p",
    "report-col-kappa",
    "report-col-se",
    "report-col-agreement",
    "report-col-group",
    "report-col-total",
    "report-col-answer",
    "report-col-remark",
    "report-col-agreed",
    "report-col-case",
    "report-col-case-type",
    "report-col-unit",
    "report-col-value",
    "report-col-counted",
    "report-col-ja",
    "report-col-nej",
    "report-col-not-relevant",
    "report-col-cannot-assess",
    "report-col-weighted",
    "report-col-measure",
    "report-col-year",
    "report-col-source",
    "report-col-round",
    "report-sheet-overview",
    "report-sheet-items",
    "report-sheet-sections",
    "report-sheet-units",
    "report-sheet-agreement",
    "report-sheet-trends",
    "report-sheet-raw",
    "report-raw-note",
    "report-chart-sections",
    "report-chart-items",
    "report-chart-trend",
    "report-chart-heatmap",
    "report-chart-radar",
    "report-chart-distribution",
    "dimension-unit",
    "dimension-team",
    "dimension-case-type",
    "dimension-area",
    "dimension-level",
    "dimension-caseworker",
    "audience-committee",
    "audience-management",
    "audience-analyst",
    "audience-caseworker",
    "counting-highest-level",
    "counting-agreed",
    "counting-each-level",
    "bearing-involvement",
    "bearing-assessment",
    "bearing-choice-of-measure",
    "bearing-follow-up",
    "area-udsatte",
    "area-handicap",
];

/// Who a report is for; it decides suppression and what is in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Audience {
    /// The political committee: aggregated, small cells hidden, no case and no person.
    Committee,
    /// Management above team level: as the committee, with more breakdowns.
    Management,
    /// The round's owners and analysts: every figure, the caseworker breakdown and the raw
    /// answers with pseudonymised case ids.
    Analyst,
    /// One caseworker's own feedback.
    Caseworker { username: String, name: String },
}

impl Audience {
    pub fn code(&self) -> String {
        match self {
            Audience::Committee => "committee".into(),
            Audience::Management => "management".into(),
            Audience::Analyst => "analyst".into(),
            Audience::Caseworker { username, .. } => format!("caseworker:{username}"),
        }
    }

    /// `committee`, `management`, `analyst` or `caseworker:USERNAME` (the name is filled in
    /// by the caller).
    pub fn parse(s: &str) -> Option<Audience> {
        match s.trim() {
            "committee" => Some(Audience::Committee),
            "management" => Some(Audience::Management),
            "analyst" => Some(Audience::Analyst),
            other => other
                .strip_prefix("caseworker:")
                .filter(|u| !u.trim().is_empty())
                .map(|u| Audience::Caseworker {
                    username: u.trim().to_owned(),
                    name: String::new(),
                }),
        }
    }

    /// Whether small cells are hidden. Only the analysts' report shows every figure.
    pub fn suppressed(&self) -> bool {
        !matches!(self, Audience::Analyst)
    }

    pub fn label_key(&self) -> &'static str {
        match self {
            Audience::Committee => "audience-committee",
            Audience::Management => "audience-management",
            Audience::Analyst => "audience-analyst",
            Audience::Caseworker { .. } => "audience-caseworker",
        }
    }

    fn dimensions(&self) -> &'static [Dimension] {
        match self {
            Audience::Committee => &[Dimension::Unit, Dimension::CaseType, Dimension::Area],
            Audience::Management => &[
                Dimension::Unit,
                Dimension::Team,
                Dimension::CaseType,
                Dimension::Area,
                Dimension::Level,
            ],
            Audience::Analyst => &Dimension::ALL,
            Audience::Caseworker { .. } => &[],
        }
    }
}

/// One published figure. Hidden figures carry no numbers at all. Without `detail` (the
/// suppressed audiences) only the denominator, shares and interval are published, not the
/// counts behind them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
    pub n: Option<u64>,
    pub share: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub mean: Option<f64>,
    /// Shares per graded point (scale order).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub distribution: Vec<f64>,
    /// Counts (analysts and caseworkers only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counts: Option<Counts>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub compliant: u64,
    pub non_compliant: u64,
    pub not_relevant: u64,
    pub cannot_assess: u64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub points: Vec<u64>,
}

impl Figure {
    fn of(t: &Tally, detail: bool) -> Figure {
        let n = t.n();
        let interval = t.interval();
        Figure {
            hidden: false,
            n: Some(n),
            share: t.share(),
            low: interval.map(|i| i.low),
            high: interval.map(|i| i.high),
            mean: t.mean(),
            distribution: if n > 0 {
                t.points.iter().map(|p| *p as f64 / n as f64).collect()
            } else {
                vec![]
            },
            counts: detail.then(|| Counts {
                compliant: t.compliant,
                non_compliant: t.non_compliant,
                not_relevant: t.not_relevant,
                cannot_assess: t.cannot_assess,
                points: t.points.clone(),
            }),
        }
    }

    fn hidden() -> Figure {
        Figure {
            hidden: true,
            ..Figure::default()
        }
    }
}

/// A labelled figure: a section, a pejlemærke, a group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub key: String,
    pub number: String,
    pub label: String,
    pub figure: Figure,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemRow {
    pub key: String,
    pub number: String,
    pub section: String,
    pub text: String,
    pub kind: ScaleKind,
    /// Labels of the graded points (empty for ja/nej).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub points: Vec<String>,
    pub figure: Figure,
}

/// A breakdown: rows (sections, then ja/nej questions) × groups.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Breakdown {
    pub dimension: Dimension,
    pub title: String,
    pub groups: Vec<String>,
    pub rows: Vec<BreakdownRow>,
    /// Every ja/nej question of each group.
    pub totals: Vec<Figure>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BreakdownRow {
    pub key: String,
    pub number: String,
    pub label: String,
    /// A section row (sum of its questions) rather than a question.
    pub section: bool,
    pub cells: Vec<Figure>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgreementTable {
    pub lower: u8,
    pub upper: u8,
    pub cases: u64,
    pub percent: Option<f64>,
    pub kappa: Option<f64>,
    pub se: Option<f64>,
    pub rows: Vec<AgreementRow>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgreementRow {
    pub key: String,
    pub number: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
    pub n: Option<u64>,
    pub percent: Option<f64>,
    pub kappa: Option<f64>,
    pub se: Option<f64>,
    /// Weighted (ordinal and score questions).
    pub weighted: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrendTable {
    pub rounds: Vec<TrendRoundRow>,
    pub baseline: Option<usize>,
    pub rows: Vec<TrendRow>,
    /// Per section: the share in each earlier round and now over the questions both had.
    pub sections: Vec<TrendSectionRow>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrendRoundRow {
    pub name: String,
    pub reference_date: chrono::NaiveDate,
    pub baseline: bool,
    pub template: String,
    pub other_template: bool,
    pub matched: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrendRow {
    pub key: String,
    pub number: String,
    pub text: String,
    /// One per earlier round.
    pub history: Vec<Option<Figure>>,
    pub now: Figure,
    pub vs_baseline: Option<TrendChange>,
    pub vs_previous: Option<TrendChange>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrendChange {
    pub diff: f64,
    pub p_value: f64,
    pub method: crate::stats::TestMethod,
    pub significant: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrendSectionRow {
    pub key: String,
    pub number: String,
    pub label: String,
    pub history: Vec<Option<(Figure, Figure)>>,
}

/// The status of the actions decided after an earlier round (normally the one before), as the
/// next round's report prints it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FollowUp {
    /// The round whose actions these are.
    pub round: String,
    pub counts: StatusCounts,
    pub actions: Vec<FollowUpAction>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FollowUpAction {
    pub description: String,
    pub due: chrono::NaiveDate,
    pub status: ActionStatus,
    pub overdue: bool,
    /// Why it was dropped or reopened, or what shows it was done.
    pub note: String,
    /// Who owns it; left out of committee-like reports (no person there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
}

/// A national reference value (Ankestyrelsen's Børnesagsbarometer), matched on item key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReferenceValue {
    pub item: String,
    pub measure: String,
    pub year: i32,
    /// "2020-22" for a combined period.
    pub period: String,
    pub share: f64,
    pub source: String,
}

/// One answer of one level, for analysts: the case is named by its pseudonym only.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RawAnswer {
    pub case: String,
    pub case_type: String,
    pub unit: String,
    pub level: u8,
    pub item: String,
    pub number: String,
    pub value: String,
    pub remark: String,
    /// The value that counts under the round's rule (on the counted level's row).
    pub counted: bool,
}

/// A caseworker's own cases with every level's answers, remarks and the reconciled value.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Feedback {
    pub caseworker: String,
    pub cases: Vec<FeedbackCase>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeedbackCase {
    /// The case system's case number: the caseworker's own case.
    pub case: String,
    pub case_type: String,
    pub compliant: u64,
    pub assessed: u64,
    pub answers: Vec<FeedbackAnswer>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FeedbackAnswer {
    pub number: String,
    pub text: String,
    /// (level, answer label, remark).
    pub levels: Vec<(u8, String, String)>,
    /// The reconciled answer and its note.
    pub agreed: Option<(String, String)>,
    /// The answer that counts under the round's rule.
    #[serde(default)]
    pub counted: Option<String>,
    /// Whether the counted answer is compliant (ja/nej questions only).
    pub compliant: Option<bool>,
}

/// Facts about the round and its plan, for the front page and the method section.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RoundFacts {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub municipality: String,
    pub template: String,
    pub template_version: String,
    /// (level, planned, drawn, submitted reviews).
    pub levels: Vec<(u8, u64, u64, u64)>,
    pub frame: String,
    pub period: String,
    pub reference_date: Option<chrono::NaiveDate>,
    pub look_back_months: u32,
    pub seed: Option<String>,
    pub fingerprint: Option<String>,
    pub baseline: bool,
    pub themes: Vec<String>,
    pub counting: CountingRule,
    pub cases: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema: String,
    pub audience: Audience,
    pub english: bool,
    pub generated_at: chrono::DateTime<chrono::Utc>,
    pub generated_by: String,
    pub round: RoundFacts,
    /// The threshold when small cells are hidden, else None.
    pub threshold: Option<u64>,
    /// How many published figures were hidden.
    pub hidden: usize,
    /// Every ja/nej question.
    pub overall: Figure,
    pub sections: Vec<Row>,
    pub bearings: Vec<Row>,
    pub items: Vec<ItemRow>,
    pub breakdowns: Vec<Breakdown>,
    pub agreement: Vec<AgreementTable>,
    pub trends: Option<TrendTable>,
    pub references: Vec<ReferenceValue>,
    /// The earlier round's actions; absent in snapshots made before actions existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<FollowUp>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub raw: Vec<RawAnswer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feedback: Option<Feedback>,
    /// Every text the outputs print, resolved when the report was made.
    pub texts: BTreeMap<String, String>,
}

impl Report {
    /// A text by key; the key itself if the snapshot lacks it (never empty on a page).
    pub fn text<'a>(&'a self, key: &'a str) -> &'a str {
        self.texts.get(key).map(String::as_str).unwrap_or(key)
    }

    /// The section's label "2 Inddragelse".
    pub fn section_label(&self, key: &str) -> String {
        self.sections
            .iter()
            .find(|s| s.key == key)
            .map(|s| format!("{} {}", s.number, s.label))
            .unwrap_or_else(|| key.to_owned())
    }

    /// Every count a reader could see: denominators of visible figures, group sizes and
    /// agreement pairs. What the suppression tests scan.
    pub fn published_counts(&self) -> Vec<(String, u64)> {
        let mut out = vec![];
        let fig = |out: &mut Vec<(String, u64)>, at: String, f: &Figure| {
            if let Some(n) = f.n {
                out.push((at.clone(), n));
            }
            if let Some(c) = &f.counts {
                for (k, v) in [
                    ("ja", c.compliant),
                    ("nej", c.non_compliant),
                    ("ir", c.not_relevant),
                    ("kiv", c.cannot_assess),
                ] {
                    out.push((format!("{at}/{k}"), v));
                }
                for (i, v) in c.points.iter().enumerate() {
                    out.push((format!("{at}/p{i}"), *v));
                }
            }
        };
        fig(&mut out, "overall".into(), &self.overall);
        for r in self.sections.iter().chain(&self.bearings) {
            fig(&mut out, format!("row {}", r.key), &r.figure);
        }
        for i in &self.items {
            fig(&mut out, format!("item {}", i.key), &i.figure);
        }
        for b in &self.breakdowns {
            for r in &b.rows {
                for (g, c) in b.groups.iter().zip(&r.cells) {
                    fig(&mut out, format!("{:?} {} {}", b.dimension, r.key, g), c);
                }
            }
            for (g, c) in b.groups.iter().zip(&b.totals) {
                fig(&mut out, format!("{:?} total {}", b.dimension, g), c);
            }
        }
        for a in &self.agreement {
            out.push((format!("agreement {}-{} cases", a.lower, a.upper), a.cases));
            for r in &a.rows {
                if let Some(n) = r.n {
                    out.push((format!("agreement {}", r.key), n));
                }
            }
        }
        if let Some(t) = &self.trends {
            for r in &t.rows {
                fig(&mut out, format!("trend {} now", r.key), &r.now);
                for (i, h) in r.history.iter().enumerate() {
                    if let Some(h) = h {
                        fig(&mut out, format!("trend {} {i}", r.key), h);
                    }
                }
            }
            for s in &t.sections {
                for (i, h) in s.history.iter().enumerate() {
                    if let Some((a, b)) = h {
                        fig(&mut out, format!("trend section {} {i} then", s.key), a);
                        fig(&mut out, format!("trend section {} {i} now", s.key), b);
                    }
                }
            }
        }
        out
    }
}

/// What a report is built from, besides the analysis.
pub struct ReportInput<'a> {
    pub audience: Audience,
    pub english: bool,
    pub generated_at: chrono::DateTime<chrono::Utc>,
    pub generated_by: String,
    pub round: RoundFacts,
    pub threshold: u64,
    pub analysis: &'a Analysis,
    pub trends: Option<&'a Trends>,
    pub references: Vec<ReferenceValue>,
    pub follow_up: Option<FollowUp>,
    pub raw: Vec<RawAnswer>,
    pub feedback: Option<Feedback>,
    pub texts: BTreeMap<String, String>,
}

/// Builds the report for its audience, hiding small cells where the audience calls for it.
pub fn build(input: ReportInput<'_>) -> Report {
    let a = input.analysis;
    let en = input.english;
    let suppressed = input.audience.suppressed();
    let detail = !suppressed;
    let t = if suppressed { input.threshold } else { 0 };
    let overall = &a.overall;
    let mut hidden = 0usize;

    // The headline tables: questions within sections, sections within the total. One set of
    // lines so a hidden question cannot be recovered from its section, nor a section from the
    // total.
    let mut cells = Cells::default();
    let total = cells.add(a.compliance_tally(overall).n());
    let mut section_ids = vec![];
    let mut item_ids = vec![None; a.items.len()];
    for s in &a.sections {
        let sid = cells.add(a.section_tally(overall, &s.key).n());
        let mut parts = vec![];
        for (i, m) in a.items.iter().enumerate() {
            if m.section == s.key && m.kind == ScaleKind::Compliance {
                let id = cells.add(overall.items[i].n());
                item_ids[i] = Some(id);
                parts.push(id);
            }
        }
        cells.line(sid, parts);
        section_ids.push(sid);
    }
    cells.line(total, section_ids.clone());
    // Graded questions stand alone (no total includes them).
    for (i, m) in a.items.iter().enumerate() {
        if m.kind != ScaleKind::Compliance {
            item_ids[i] = Some(cells.add(overall.items[i].n()));
        }
    }
    // Pejlemærker: each is the sum of its questions, and together (when every question has
    // one) they make up the total.
    let present: Vec<Bearing> = Bearing::ALL
        .into_iter()
        .filter(|b| a.items.iter().any(|m| m.bearing == Some(*b)))
        .collect();
    let mut bearing_ids = vec![];
    for b in &present {
        let id = cells.add(a.bearing_tally(overall, *b).n());
        let parts = a
            .items
            .iter()
            .enumerate()
            .filter(|(_, m)| m.bearing == Some(*b) && m.kind == ScaleKind::Compliance)
            .filter_map(|(i, _)| item_ids[i])
            .collect();
        cells.line(id, parts);
        bearing_ids.push(id);
    }
    let covered = a
        .items
        .iter()
        .filter(|m| m.kind == ScaleKind::Compliance)
        .all(|m| m.bearing.is_some());
    if covered {
        cells.line(total, bearing_ids.clone());
    }
    let ids = Headline {
        sections: section_ids.clone(),
        items: item_ids.clone(),
    };
    // Breakdowns and trends publish the same questions again (the round figure of a row, this
    // round in a trend), so they go into the same system of sums: a figure hidden in one table
    // is hidden in all, and no table gives away what another hides. First every count and sum
    // is registered, then the system is solved once, then the tables are drawn with the same
    // ids (the second pass adds its cells in the same order).
    let base = cells.counts.len();
    let dims: Vec<(Dimension, &[crate::analysis::Group])> = input
        .audience
        .dimensions()
        .iter()
        .filter_map(|d| a.breakdowns.get(d).map(|g| (*d, g.as_slice())))
        .collect();
    for (dim, groups) in &dims {
        breakdown(
            a,
            *dim,
            groups,
            &input.texts,
            en,
            detail,
            &mut cells,
            &ids,
            &[],
        );
    }
    if let Some(tr) = input.trends {
        trend_table(a, tr, en, detail, &mut cells, &ids, &[]);
    }
    let hide = cells.solve(t);
    let mut again = Cells {
        counts: cells.counts[..base].to_vec(),
        lines: vec![],
    };
    hidden += hide.iter().take(base).filter(|h| **h).count();
    let fig = |tally: &Tally, id: Option<usize>| match id {
        Some(id) if hide[id] => Figure::hidden(),
        _ => Figure::of(tally, detail),
    };
    let overall_fig = fig(&a.compliance_tally(overall), Some(total));
    let sections: Vec<Row> = a
        .sections
        .iter()
        .zip(&section_ids)
        .map(|(s, id)| Row {
            key: s.key.clone(),
            number: s.number.clone(),
            label: s.title.get(en).to_owned(),
            figure: fig(&a.section_tally(overall, &s.key), Some(*id)),
        })
        .collect();
    let items: Vec<ItemRow> = a
        .items
        .iter()
        .enumerate()
        .map(|(i, m)| ItemRow {
            key: m.key.clone(),
            number: m.number.clone(),
            section: m.section.clone(),
            text: m.text.get(en).to_owned(),
            kind: m.kind,
            points: m
                .points
                .iter()
                .map(|p| p.label.get(en).to_owned())
                .collect(),
            figure: fig(&overall.items[i], item_ids[i]),
        })
        .collect();

    let bearings = present
        .iter()
        .zip(&bearing_ids)
        .map(|(b, id)| Row {
            key: b.code().to_owned(),
            number: String::new(),
            label: input
                .texts
                .get(&b.label_key())
                .cloned()
                .unwrap_or_else(|| b.code().to_owned()),
            figure: fig(&a.bearing_tally(overall, *b), Some(*id)),
        })
        .collect();

    let mut breakdowns = vec![];
    for (dim, groups) in &dims {
        let (b, h) = breakdown(
            a,
            *dim,
            groups,
            &input.texts,
            en,
            detail,
            &mut again,
            &ids,
            &hide,
        );
        hidden += h;
        breakdowns.push(b);
    }

    let agreement = if matches!(input.audience, Audience::Caseworker { .. }) {
        vec![]
    } else {
        a.agreement
            .iter()
            .map(|p| AgreementTable {
                lower: p.lower,
                upper: p.upper,
                cases: p.cases,
                percent: p.overall_percent,
                kappa: p.overall.and_then(|k| k.kappa),
                se: p.overall.and_then(|k| k.se),
                rows: p
                    .items
                    .iter()
                    .filter_map(|x| {
                        let m = a.items.iter().find(|m| m.key == x.item)?;
                        let small = x.n > 0 && x.n < t;
                        if small {
                            hidden += 1;
                        }
                        Some(AgreementRow {
                            key: m.key.clone(),
                            number: m.number.clone(),
                            text: m.text.get(en).to_owned(),
                            hidden: small,
                            n: (!small).then_some(x.n),
                            percent: x.percent.filter(|_| !small),
                            kappa: x.kappa.and_then(|k| k.kappa).filter(|_| !small),
                            se: x.kappa.and_then(|k| k.se).filter(|_| !small),
                            weighted: x.weights != crate::stats::Weights::Unweighted,
                        })
                    })
                    .collect(),
            })
            .collect()
    };

    let trends = input.trends.map(|tr| {
        let (table, h) = trend_table(a, tr, en, detail, &mut again, &ids, &hide);
        hidden += h;
        table
    });

    let is_committee_like = suppressed && !matches!(input.audience, Audience::Caseworker { .. });
    Report {
        schema: SCHEMA.to_owned(),
        audience: input.audience.clone(),
        english: en,
        generated_at: input.generated_at,
        generated_by: input.generated_by,
        round: input.round,
        threshold: suppressed.then_some(input.threshold),
        hidden,
        overall: overall_fig,
        sections,
        bearings,
        items,
        breakdowns,
        agreement,
        trends,
        references: input.references,
        // A caseworker's feedback is about their cases; elsewhere, no person is named where
        // cells are suppressed.
        follow_up: match &input.audience {
            Audience::Caseworker { .. } => None,
            _ => input.follow_up.map(|mut f| {
                if suppressed {
                    for a in &mut f.actions {
                        a.owner = None;
                    }
                }
                f
            }),
        },
        // Case-level rows never reach a suppressed audience.
        raw: if suppressed { vec![] } else { input.raw },
        feedback: if is_committee_like {
            None
        } else {
            input.feedback
        },
        texts: input.texts,
    }
}

/// The ids of the headline figures in the report's one system of sums.
struct Headline {
    sections: Vec<usize>,
    items: Vec<Option<usize>>,
}

/// Registers a breakdown's counts and sums in `cells` and draws it with `hide` (empty on the
/// registering pass).
#[allow(clippy::too_many_arguments)]
fn breakdown(
    a: &Analysis,
    dim: Dimension,
    groups: &[crate::analysis::Group],
    texts: &BTreeMap<String, String>,
    en: bool,
    detail: bool,
    cells: &mut Cells,
    head: &Headline,
    hide: &[bool],
) -> (Breakdown, usize) {
    // Lines: per group, questions within their section and sections within the group total;
    // per question (and section), the groups within the round figure, which is published in
    // the headline tables. Level is not a partition of cases (a case has several levels), so
    // its groups form no line with the round figure.
    let partition = dim != Dimension::Level;
    let hidden_at = |id: usize| hide.get(id).copied().unwrap_or(false);
    let mut rows_meta: Vec<(String, String, String, bool, Vec<usize>)> = vec![];
    let ng = groups.len();
    let mut total_ids = vec![];
    let mut section_cells: Vec<Vec<usize>> = vec![];
    for g in groups {
        total_ids.push(cells.add(a.compliance_tally(g).n()));
    }
    for (k, s) in a.sections.iter().enumerate() {
        let ids: Vec<usize> = groups
            .iter()
            .map(|g| cells.add(a.section_tally(g, &s.key).n()))
            .collect();
        let round = head.sections[k];
        if partition {
            cells.line(round, ids.clone());
        }
        rows_meta.push((
            s.key.clone(),
            s.number.clone(),
            s.title.get(en).to_owned(),
            true,
            ids.clone(),
        ));
        section_cells.push(ids.clone());
        let mut per_group_items: Vec<Vec<usize>> = vec![vec![]; ng];
        for (i, m) in a.items.iter().enumerate() {
            if m.section != s.key || m.kind != ScaleKind::Compliance {
                continue;
            }
            let ids: Vec<usize> = groups.iter().map(|g| cells.add(g.items[i].n())).collect();
            if let (true, Some(round)) = (partition, head.items[i]) {
                cells.line(round, ids.clone());
            }
            for (gi, id) in ids.iter().enumerate() {
                per_group_items[gi].push(*id);
            }
            rows_meta.push((
                m.key.clone(),
                m.number.clone(),
                m.text.get(en).to_owned(),
                false,
                ids,
            ));
        }
        for (gi, parts) in per_group_items.into_iter().enumerate() {
            cells.line(section_cells.last().map(|v| v[gi]).unwrap_or(0), parts);
        }
    }
    for (gi, tid) in total_ids.iter().enumerate() {
        cells.line(*tid, section_cells.iter().map(|v| v[gi]).collect());
    }
    let mut hidden = 0;
    let mut rows = vec![];
    for (key, number, label, section, ids) in rows_meta {
        let cells_out = ids
            .iter()
            .zip(groups)
            .map(|(id, g)| {
                if hidden_at(*id) {
                    hidden += 1;
                    Figure::hidden()
                } else if section {
                    Figure::of(&a.section_tally(g, &key), detail)
                } else {
                    let i = a.item_index(&key).unwrap_or(0);
                    Figure::of(&g.items[i], detail)
                }
            })
            .collect();
        rows.push(BreakdownRow {
            key,
            number,
            label,
            section,
            cells: cells_out,
        });
    }
    let totals = total_ids
        .iter()
        .zip(groups)
        .map(|(id, g)| {
            if hidden_at(*id) {
                hidden += 1;
                Figure::hidden()
            } else {
                Figure::of(&a.compliance_tally(g), detail)
            }
        })
        .collect();
    let group_label = |g: &str| match dim {
        Dimension::Area => texts
            .get(&format!("area-{g}"))
            .cloned()
            .unwrap_or_else(|| g.to_owned()),
        Dimension::Level => format!(
            "{} {g}",
            texts
                .get("report-level")
                .map(String::as_str)
                .unwrap_or("Niveau")
        ),
        _ => g.to_owned(),
    };
    (
        Breakdown {
            dimension: dim,
            title: texts
                .get(&dim.label_key())
                .cloned()
                .unwrap_or_else(|| dim.code().to_owned()),
            groups: groups.iter().map(|g| group_label(&g.label)).collect(),
            rows,
            totals,
        },
        hidden,
    )
}

/// Registers the trend table's counts and sums in `cells` and draws it with `hide` (empty on
/// the registering pass). This round's figure of a question is the headline's.
fn trend_table(
    a: &Analysis,
    tr: &Trends,
    en: bool,
    detail: bool,
    cells: &mut Cells,
    head: &Headline,
    hide: &[bool],
) -> (TrendTable, usize) {
    let mut hidden = 0;
    // Per earlier round and section: the questions asked then within the section's figure
    // for that round; now: the same questions within this round's section figure.
    struct Slot {
        then: Vec<Option<usize>>,
        now: usize,
    }
    let mut slots: BTreeMap<String, Slot> = BTreeMap::new();
    let mut sec_ids: BTreeMap<String, Vec<Option<(usize, usize)>>> = BTreeMap::new();
    for it in &tr.items {
        let i = a.item_index(&it.item).unwrap_or(0);
        let now = match head.items[i] {
            Some(id) => id,
            None => cells.add(a.overall.items[i].n()),
        };
        let then = it
            .history
            .iter()
            .map(|h| h.as_ref().map(|x| cells.add(x.n())))
            .collect();
        slots.insert(it.item.clone(), Slot { then, now });
    }
    for s in &tr.sections {
        let mut per_round = vec![];
        for (r, h) in s.history.iter().enumerate() {
            let Some((then, now)) = h else {
                per_round.push(None);
                continue;
            };
            let (tid, nid) = (cells.add(then.n()), cells.add(now.n()));
            let (mut tp, mut np) = (vec![], vec![]);
            for it in &tr.items {
                let Some(m) = a.items.iter().find(|m| m.key == it.item) else {
                    continue;
                };
                if m.section != s.section {
                    continue;
                }
                if let (Some(Some(x)), Some(slot)) = (
                    slots.get(&it.item).map(|sl| sl.then[r]),
                    slots.get(&it.item),
                ) {
                    tp.push(x);
                    np.push(slot.now);
                }
            }
            cells.line(tid, tp);
            cells.line(nid, np);
            per_round.push(Some((tid, nid)));
        }
        sec_ids.insert(s.section.clone(), per_round);
    }
    let mut f = |tally: &Tally, id: usize| {
        if hide.get(id).copied().unwrap_or(false) {
            hidden += 1;
            Figure::hidden()
        } else {
            Figure::of(tally, detail)
        }
    };
    let change = |c: &Option<crate::analysis::Change>, now_hidden: bool, then_hidden: bool| {
        c.as_ref()
            .filter(|_| !now_hidden && !then_hidden)
            .map(|c| TrendChange {
                diff: c.test.diff,
                p_value: c.test.p_value,
                method: c.test.method,
                significant: c.significant,
            })
    };
    let mut rows = vec![];
    for it in &tr.items {
        let Some(i) = a.item_index(&it.item) else {
            continue;
        };
        let m = &a.items[i];
        let Some(slot) = slots.get(&it.item) else {
            continue;
        };
        let now = f(&a.overall.items[i], slot.now);
        let history: Vec<Option<Figure>> = it
            .history
            .iter()
            .zip(&slot.then)
            .map(|(h, id)| match (h, id) {
                (Some(x), Some(id)) => Some(f(x, *id)),
                _ => None,
            })
            .collect();
        let hid = |idx: Option<usize>| {
            idx.and_then(|k| history.get(k).cloned().flatten())
                .is_some_and(|x| x.hidden)
        };
        rows.push(TrendRow {
            key: m.key.clone(),
            number: m.number.clone(),
            text: m.text.get(en).to_owned(),
            vs_baseline: change(&it.vs_baseline, now.hidden, hid(tr.baseline)),
            vs_previous: change(
                &it.vs_previous,
                now.hidden,
                hid(tr.rounds.len().checked_sub(1)),
            ),
            history,
            now,
        });
    }
    let sections = tr
        .sections
        .iter()
        .map(|s| {
            let meta = a.sections.iter().find(|x| x.key == s.section);
            TrendSectionRow {
                key: s.section.clone(),
                number: meta.map(|m| m.number.clone()).unwrap_or_default(),
                label: meta.map(|m| m.title.get(en).to_owned()).unwrap_or_default(),
                history: s
                    .history
                    .iter()
                    .zip(sec_ids.get(&s.section).cloned().unwrap_or_default())
                    .map(|(h, ids)| match (h, ids) {
                        (Some((then, now)), Some((tid, nid))) => Some((f(then, tid), f(now, nid))),
                        _ => None,
                    })
                    .collect(),
            }
        })
        .collect();
    (
        TrendTable {
            rounds: tr
                .rounds
                .iter()
                .map(|r| TrendRoundRow {
                    name: r.name.clone(),
                    reference_date: r.reference_date,
                    baseline: r.baseline,
                    template: r.template.clone(),
                    other_template: r.other_template,
                    matched: r.matched,
                })
                .collect(),
            baseline: tr.baseline,
            rows,
            sections,
        },
        hidden,
    )
}

/// Published counts and the sums among them, for [`suppression::suppress_lines`].
#[derive(Default)]
struct Cells {
    counts: Vec<u64>,
    lines: Vec<(usize, Vec<usize>)>,
}

impl Cells {
    fn add(&mut self, n: u64) -> usize {
        self.counts.push(n);
        self.counts.len() - 1
    }

    fn line(&mut self, total: usize, parts: Vec<usize>) {
        if !parts.is_empty() {
            self.lines.push((total, parts));
        }
    }

    fn solve(&self, threshold: u64) -> Vec<bool> {
        suppression::suppress_lines(&self.counts, &self.lines, threshold)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
