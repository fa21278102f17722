//! The results of a round: which answer counts per case and question (the round's counting
//! rule), tallies per question, section and pejlemærke, breakdowns, agreement between levels and
//! trends against earlier rounds. Pure: the adapters load the answers and hand them in.

use crate::cases::Area;
use crate::review::CountingRule;
use crate::stats::{self, Interval, Kappa, TwoProportions, Weights};
use crate::template::{Bearing, CANNOT_ASSESS, ScaleKind, TemplateContent, Text};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One case of the round as the analysis sees it: the groups it belongs to and the submitted
/// answers of each level. Reviews that are not submitted are left out by the adapter.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CaseInput {
    pub key: String,
    /// The unit above the case's team (or the case's unit when it is not a team).
    pub unit: Option<String>,
    pub team: Option<String>,
    pub case_type: String,
    pub area: Option<Area>,
    /// The case-responsible caseworker as the extract names them.
    pub caseworker: Option<String>,
    /// Level → item key → answer code.
    pub levels: BTreeMap<u8, BTreeMap<String, String>>,
    /// Item key → the reconciled answer.
    pub agreed: BTreeMap<String, String>,
}

/// The ways results are broken down. The caseworker breakdown is for that caseworker and
/// their leaders only (see `report`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Unit,
    Team,
    CaseType,
    Area,
    Level,
    Caseworker,
}

impl Dimension {
    pub const ALL: [Dimension; 6] = [
        Dimension::Unit,
        Dimension::Team,
        Dimension::CaseType,
        Dimension::Area,
        Dimension::Level,
        Dimension::Caseworker,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Dimension::Unit => "unit",
            Dimension::Team => "team",
            Dimension::CaseType => "case_type",
            Dimension::Area => "area",
            Dimension::Level => "level",
            Dimension::Caseworker => "caseworker",
        }
    }

    pub fn label_key(self) -> String {
        format!("dimension-{}", self.code().replace('_', "-"))
    }
}

/// How an answer to a question counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Class {
    Compliant,
    NonCompliant,
    NotRelevant,
    CannotAssess,
    /// A graded point, by its position among the scale's graded points.
    Point(usize),
}

/// Counts behind one cell: one question (or a sum of questions) in one group.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    pub compliant: u64,
    pub non_compliant: u64,
    pub not_relevant: u64,
    pub cannot_assess: u64,
    /// Answers per graded point in scale order ("ikke relevant" excluded); empty for ja/nej.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub points: Vec<u64>,
    /// Sum of the points' values (the quality model's 1–5), for the mean.
    #[serde(default)]
    pub score_sum: i64,
    /// Answers on points that carry a value (graded degrees carry none: no mean).
    #[serde(default)]
    pub scored: u64,
}

impl Tally {
    /// The denominator: answers that were assessed ("ikke relevant" and "kan ikke vurderes"
    /// left out).
    pub fn n(&self) -> u64 {
        self.compliant + self.non_compliant + self.points.iter().sum::<u64>()
    }

    /// ja / (ja + nej).
    pub fn share(&self) -> Option<f64> {
        let n = self.compliant + self.non_compliant;
        (n > 0).then(|| self.compliant as f64 / n as f64)
    }

    /// 95 % Wilson interval of [`Tally::share`].
    pub fn interval(&self) -> Option<Interval> {
        stats::wilson(self.compliant, self.compliant + self.non_compliant)
    }

    /// Mean of a score scale's values; None for degrees, which are not numbers.
    pub fn mean(&self) -> Option<f64> {
        (self.scored > 0).then(|| self.score_sum as f64 / self.scored as f64)
    }

    pub fn add(&mut self, o: &Tally) {
        self.compliant += o.compliant;
        self.non_compliant += o.non_compliant;
        self.not_relevant += o.not_relevant;
        self.cannot_assess += o.cannot_assess;
        if self.points.len() < o.points.len() {
            self.points.resize(o.points.len(), 0);
        }
        for (a, b) in self.points.iter_mut().zip(&o.points) {
            *a += b;
        }
        self.score_sum += o.score_sum;
        self.scored += o.scored;
    }

    fn count(&mut self, class: Class, value: Option<i32>) {
        match class {
            Class::Compliant => self.compliant += 1,
            Class::NonCompliant => self.non_compliant += 1,
            Class::NotRelevant => self.not_relevant += 1,
            Class::CannotAssess => self.cannot_assess += 1,
            Class::Point(i) => {
                if self.points.len() <= i {
                    self.points.resize(i + 1, 0);
                }
                self.points[i] += 1;
                if let Some(v) = value {
                    self.score_sum += i64::from(v);
                    self.scored += 1;
                }
            }
        }
    }
}

/// A graded point of a question's scale.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PointMeta {
    pub code: String,
    pub label: Text,
    pub value: Option<i32>,
}

/// A question that has statistics (its scale has points), in document order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemMeta {
    pub key: String,
    pub number: String,
    pub text: Text,
    /// The top-level section.
    pub section: String,
    pub bearing: Option<Bearing>,
    pub kind: ScaleKind,
    /// Graded points (empty for ja/nej).
    pub points: Vec<PointMeta>,
    compliant: Vec<String>,
    not_applicable: Vec<String>,
}

impl ItemMeta {
    fn classify(&self, value: &str) -> Option<(Class, Option<i32>)> {
        if value == CANNOT_ASSESS {
            return Some((Class::CannotAssess, None));
        }
        if self.not_applicable.iter().any(|c| c == value) {
            return Some((Class::NotRelevant, None));
        }
        match self.kind {
            ScaleKind::Compliance => Some(if self.compliant.iter().any(|c| c == value) {
                (Class::Compliant, None)
            } else {
                (Class::NonCompliant, None)
            }),
            _ => self
                .points
                .iter()
                .position(|p| p.code == value)
                .map(|i| (Class::Point(i), self.points[i].value)),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SectionMeta {
    pub key: String,
    pub number: String,
    pub title: Text,
}

/// The statistics items of a template, with the meaning of their answers.
pub fn item_metas(content: &TemplateContent) -> Vec<ItemMeta> {
    let numbers = content.numbering();
    content
        .items()
        .into_iter()
        .filter_map(|p| {
            let scale = content.scale(&p.item.scale)?;
            if !scale.kind.has_points() {
                return None;
            }
            Some(ItemMeta {
                key: p.item.key.clone(),
                number: numbers.get(&p.item.key).cloned().unwrap_or_default(),
                text: p.item.text.clone(),
                section: p.section.key.clone(),
                bearing: p.item.bearing,
                kind: scale.kind,
                points: if scale.kind == ScaleKind::Compliance {
                    vec![]
                } else {
                    scale
                        .points
                        .iter()
                        .filter(|x| !x.not_applicable)
                        .map(|x| PointMeta {
                            code: x.code.clone(),
                            label: x.label.clone(),
                            value: x.value,
                        })
                        .collect()
                },
                compliant: p.item.compliant.clone(),
                not_applicable: scale
                    .points
                    .iter()
                    .filter(|x| x.not_applicable)
                    .map(|x| x.code.clone())
                    .collect(),
            })
        })
        .collect()
}

/// Tallies of one group of cases, one per item (aligned with [`Analysis::items`]).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub label: String,
    pub cases: u64,
    pub items: Vec<Tally>,
}

/// Agreement between two levels on one question.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemAgreement {
    pub item: String,
    /// Cases where both levels answered.
    pub n: u64,
    pub percent: Option<f64>,
    pub weights: Weights,
    pub kappa: Option<Kappa>,
}

/// Agreement between two levels over the cases reviewed at both.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PairAgreement {
    pub lower: u8,
    pub upper: u8,
    pub cases: u64,
    /// Lowest agreement first: where the criteria need sharpening.
    pub items: Vec<ItemAgreement>,
    /// All ja/nej-type questions pooled by meaning (ja, nej, ikke relevant, kan ikke vurderes).
    pub overall: Option<Kappa>,
    /// Plain agreement over every answered pair of every question.
    pub overall_percent: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub counting: CountingRule,
    pub items: Vec<ItemMeta>,
    pub sections: Vec<SectionMeta>,
    /// Cases with at least one counted answer, and the counted tallies over all of them.
    pub overall: Group,
    /// Groups per dimension, sorted by label; cases without a value in a dimension are left
    /// out of that breakdown. [`Dimension::Level`] always holds each level's own answers.
    pub breakdowns: BTreeMap<Dimension, Vec<Group>>,
    pub agreement: Vec<PairAgreement>,
}

impl Analysis {
    /// Sums a group's ja/nej questions of one section (answer-weighted).
    pub fn section_tally(&self, group: &Group, section: &str) -> Tally {
        self.sum_where(group, |m| m.section == section)
    }

    pub fn bearing_tally(&self, group: &Group, bearing: Bearing) -> Tally {
        self.sum_where(group, |m| m.bearing == Some(bearing))
    }

    /// Every ja/nej question of a group summed.
    pub fn compliance_tally(&self, group: &Group) -> Tally {
        self.sum_where(group, |_| true)
    }

    fn sum_where(&self, group: &Group, keep: impl Fn(&ItemMeta) -> bool) -> Tally {
        let mut t = Tally::default();
        for (m, x) in self.items.iter().zip(&group.items) {
            if m.kind == ScaleKind::Compliance && keep(m) {
                t.add(x);
            }
        }
        t
    }

    /// The ja/nej tallies by item key: what trends compare.
    pub fn compliance_by_key(&self) -> BTreeMap<String, Tally> {
        self.items
            .iter()
            .zip(&self.overall.items)
            .filter(|(m, _)| m.kind == ScaleKind::Compliance)
            .map(|(m, t)| (m.key.clone(), t.clone()))
            .collect()
    }

    pub fn item_index(&self, key: &str) -> Option<usize> {
        self.items.iter().position(|m| m.key == key)
    }
}

/// Analyses a round's cases under its counting rule. Under [`CountingRule::EachLevel`] the
/// headline figures are the highest level's answers and the level breakdown shows each level.
pub fn analyse(content: &TemplateContent, counting: CountingRule, cases: &[CaseInput]) -> Analysis {
    let items = item_metas(content);
    let numbers = content.numbering();
    let sections = content
        .sections
        .iter()
        .map(|s| SectionMeta {
            key: s.key.clone(),
            number: numbers.get(&s.key).cloned().unwrap_or_default(),
            title: s.title.clone(),
        })
        .collect();
    let headline = match counting {
        CountingRule::EachLevel => CountingRule::HighestLevel,
        r => r,
    };
    let mut overall = empty_group("", items.len());
    let mut groups: BTreeMap<Dimension, BTreeMap<String, Group>> = BTreeMap::new();
    for case in cases {
        let mut tallies: Vec<Option<(Class, Option<i32>)>> = Vec::with_capacity(items.len());
        for m in &items {
            let by_level: Vec<Option<&str>> = case
                .levels
                .values()
                .map(|a| a.get(&m.key).map(String::as_str))
                .collect();
            let agreed = case.agreed.get(&m.key).map(String::as_str);
            tallies.push(
                headline
                    .counted(&by_level, agreed)
                    .and_then(|v| m.classify(v)),
            );
        }
        if tallies.iter().all(Option::is_none) {
            continue;
        }
        let keys = [
            (Dimension::Unit, case.unit.clone()),
            (Dimension::Team, case.team.clone()),
            (Dimension::CaseType, Some(case.case_type.clone())),
            (Dimension::Area, case.area.map(|a| a.code().to_owned())),
            (Dimension::Caseworker, case.caseworker.clone()),
        ];
        add_case(&mut overall, &tallies);
        for (dim, key) in keys {
            if let Some(k) = key.filter(|k| !k.trim().is_empty()) {
                let g = groups
                    .entry(dim)
                    .or_default()
                    .entry(k.clone())
                    .or_insert_with(|| empty_group(&k, items.len()));
                add_case(g, &tallies);
            }
        }
        for (level, answers) in &case.levels {
            let own: Vec<_> = items
                .iter()
                .map(|m| answers.get(&m.key).and_then(|v| m.classify(v)))
                .collect();
            if own.iter().all(Option::is_none) {
                continue;
            }
            let k = level.to_string();
            let g = groups
                .entry(Dimension::Level)
                .or_default()
                .entry(k.clone())
                .or_insert_with(|| empty_group(&k, items.len()));
            add_case(g, &own);
        }
    }
    let agreement = agreement(&items, cases);
    Analysis {
        counting,
        items,
        sections,
        overall,
        breakdowns: groups
            .into_iter()
            .map(|(d, g)| (d, g.into_values().collect()))
            .collect(),
        agreement,
    }
}

fn empty_group(label: &str, n: usize) -> Group {
    Group {
        label: label.to_owned(),
        cases: 0,
        items: vec![Tally::default(); n],
    }
}

fn add_case(g: &mut Group, classes: &[Option<(Class, Option<i32>)>]) {
    g.cases += 1;
    for (t, c) in g.items.iter_mut().zip(classes) {
        if let Some((class, value)) = c {
            t.count(*class, *value);
        }
    }
}

/// The categories a compliance answer falls in for agreement: ja, nej, ikke relevant, kan ikke
/// vurderes.
fn compliance_category(c: Class) -> usize {
    match c {
        Class::Compliant => 0,
        Class::NonCompliant => 1,
        Class::NotRelevant => 2,
        Class::CannotAssess | Class::Point(_) => 3,
    }
}

fn agreement(items: &[ItemMeta], cases: &[CaseInput]) -> Vec<PairAgreement> {
    let levels: std::collections::BTreeSet<u8> = cases
        .iter()
        .flat_map(|c| c.levels.keys().copied())
        .collect();
    let levels: Vec<u8> = levels.into_iter().collect();
    let mut out = vec![];
    for pair in levels.windows(2) {
        let (lo, hi) = (pair[0], pair[1]);
        let both: Vec<&CaseInput> = cases
            .iter()
            .filter(|c| c.levels.contains_key(&lo) && c.levels.contains_key(&hi))
            .collect();
        if both.is_empty() {
            continue;
        }
        let mut pooled = vec![vec![0u64; 4]; 4];
        let (mut agree_all, mut n_all) = (0u64, 0u64);
        let mut per_item = vec![];
        for m in items {
            let graded = m.kind != ScaleKind::Compliance;
            let k = if graded { m.points.len() } else { 4 };
            let mut table = vec![vec![0u64; k]; k];
            for c in &both {
                let a = c.levels[&lo].get(&m.key).and_then(|v| m.classify(v));
                let b = c.levels[&hi].get(&m.key).and_then(|v| m.classify(v));
                let (Some((a, _)), Some((b, _))) = (a, b) else {
                    continue;
                };
                n_all += 1;
                if a == b {
                    agree_all += 1;
                }
                if graded {
                    // Weighted kappa needs ordered categories: pairs where either said "ikke
                    // relevant" or "kan ikke vurderes" stay in the plain agreement only.
                    if let (Class::Point(i), Class::Point(j)) = (a, b) {
                        table[i][j] += 1;
                    }
                } else {
                    let (i, j) = (compliance_category(a), compliance_category(b));
                    table[i][j] += 1;
                    pooled[i][j] += 1;
                }
            }
            let n: u64 = table.iter().flatten().sum();
            if n == 0 {
                continue;
            }
            let weights = if graded {
                Weights::Linear
            } else {
                Weights::Unweighted
            };
            per_item.push(ItemAgreement {
                item: m.key.clone(),
                n,
                percent: stats::percent_agreement(&table),
                weights,
                kappa: stats::kappa(&table, weights),
            });
        }
        // Lowest agreement first; an undefined kappa (everyone agreed on one answer) last.
        per_item.sort_by(|a, b| {
            let ka = a.kappa.and_then(|k| k.kappa).unwrap_or(f64::INFINITY);
            let kb = b.kappa.and_then(|k| k.kappa).unwrap_or(f64::INFINITY);
            ka.total_cmp(&kb)
                .then(
                    a.percent
                        .unwrap_or(1.0)
                        .total_cmp(&b.percent.unwrap_or(1.0)),
                )
                .then(a.item.cmp(&b.item))
        });
        out.push(PairAgreement {
            lower: lo,
            upper: hi,
            cases: both.len() as u64,
            items: per_item,
            overall: stats::kappa(&pooled, Weights::Unweighted),
            overall_percent: (n_all > 0).then(|| agree_all as f64 / n_all as f64),
        });
    }
    out
}

/// An earlier round as trends see it: its ja/nej tallies by item key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RoundPoint {
    pub round: uuid::Uuid,
    pub name: String,
    pub reference_date: chrono::NaiveDate,
    pub baseline: bool,
    /// "BL-OVERORDNET v2": the template and version the round used.
    pub template: String,
    pub tallies: BTreeMap<String, Tally>,
}

/// A change between an earlier round and this one on one question.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub from: Tally,
    pub test: TwoProportions,
    /// The test says the change is unlikely to be chance (p < [`stats::ALPHA`]).
    pub significant: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemTrend {
    pub item: String,
    /// One per earlier round (same order as [`Trends::rounds`]); None where the question was
    /// not asked.
    pub history: Vec<Option<Tally>>,
    pub vs_baseline: Option<Change>,
    pub vs_previous: Option<Change>,
}

/// How an earlier round compares with this one.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrendRound {
    pub round: uuid::Uuid,
    pub name: String,
    pub reference_date: chrono::NaiveDate,
    pub baseline: bool,
    pub template: String,
    /// The template differs from this round's: only questions with the same key compare.
    pub other_template: bool,
    /// This round's ja/nej questions also asked then.
    pub matched: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trends {
    /// Earlier rounds, oldest first.
    pub rounds: Vec<TrendRound>,
    /// Index into `rounds` of the baseline compared with (the latest baseline round).
    pub baseline: Option<usize>,
    pub items: Vec<ItemTrend>,
    /// Per top-level section: the answer-weighted share in each earlier round over the
    /// questions asked both then and now, and now over the same questions.
    pub sections: Vec<SectionTrend>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SectionTrend {
    pub section: String,
    /// (then, now) per earlier round, over the questions both had.
    pub history: Vec<Option<(Tally, Tally)>>,
}

/// Compares this round's ja/nej results with earlier rounds, question by question on item
/// keys.
pub fn trends(current: &Analysis, template: &str, earlier: &[RoundPoint]) -> Trends {
    let mut earlier: Vec<&RoundPoint> = earlier.iter().collect();
    earlier.sort_by(|a, b| {
        a.reference_date
            .cmp(&b.reference_date)
            .then(a.name.cmp(&b.name))
    });
    let now = current.compliance_by_key();
    let rounds: Vec<TrendRound> = earlier
        .iter()
        .map(|r| TrendRound {
            round: r.round,
            name: r.name.clone(),
            reference_date: r.reference_date,
            baseline: r.baseline,
            template: r.template.clone(),
            other_template: r.template != template,
            matched: now.keys().filter(|k| r.tallies.contains_key(*k)).count(),
        })
        .collect();
    let baseline = rounds.iter().rposition(|r| r.baseline);
    let previous = rounds.len().checked_sub(1);
    let change = |from: Option<&Tally>, to: &Tally| -> Option<Change> {
        let from = from?;
        let n_from = from.compliant + from.non_compliant;
        let n_to = to.compliant + to.non_compliant;
        let test = stats::two_proportions(to.compliant, n_to, from.compliant, n_from)?;
        Some(Change {
            from: from.clone(),
            significant: test.p_value < stats::ALPHA,
            test,
        })
    };
    let items = now
        .iter()
        .filter(|(_, t)| t.compliant + t.non_compliant > 0)
        .map(|(key, t)| {
            let history: Vec<Option<Tally>> = earlier
                .iter()
                .map(|r| r.tallies.get(key).cloned())
                .collect();
            ItemTrend {
                item: key.clone(),
                vs_baseline: baseline.and_then(|b| change(history[b].as_ref(), t)),
                vs_previous: previous.and_then(|p| change(history[p].as_ref(), t)),
                history,
            }
        });
    // Document order, not key order.
    let mut items: Vec<ItemTrend> = items.collect();
    items.sort_by_key(|t| current.item_index(&t.item));
    let sections = current
        .sections
        .iter()
        .map(|s| SectionTrend {
            section: s.key.clone(),
            history: earlier
                .iter()
                .map(|r| {
                    let (mut then, mut now_t) = (Tally::default(), Tally::default());
                    for (m, t) in current.items.iter().zip(&current.overall.items) {
                        if m.section != s.key || m.kind != ScaleKind::Compliance {
                            continue;
                        }
                        if let Some(old) = r.tallies.get(&m.key) {
                            then.add(old);
                            now_t.add(t);
                        }
                    }
                    (then.n() > 0 && now_t.n() > 0).then_some((then, now_t))
                })
                .collect(),
        })
        .collect();
    Trends {
        rounds,
        baseline,
        items,
        sections,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests;
