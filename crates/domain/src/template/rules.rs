//! Applicability rules as data: conditions on the case and on earlier answers, evaluated with
//! three-valued logic so that a fact nobody knows never hides a question.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A condition under which an item or section applies. Stored as JSON in template files, e.g.
/// `{"all": [{"case_type_in": ["§ 46", "§ 47"]}, {"age_at_least": 16}]}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
    /// The case's type (paragraph) is one of these, e.g. "§ 46".
    CaseTypeIn(Vec<String>),
    /// The case's area: "udsatte" or "handicap".
    AreaIs(String),
    /// The child's age at the review's reference date is at least this many years.
    AgeAtLeast(u32),
    /// The child's age at the reference date is below this many years.
    AgeBelow(u32),
    /// The measure started on or after this date.
    StartedOnOrAfter(NaiveDate),
    /// The measure started before this date.
    StartedBefore(NaiveDate),
    /// An imported case attribute (declared in the template) has one of these values.
    AttributeIn {
        name: String,
        values: Vec<String>,
    },
    /// An imported numeric case attribute is at least this value.
    AttributeAtLeast {
        name: String,
        value: f64,
    },
    /// An earlier item in the same review was answered with one of these codes.
    AnswerIn {
        item: String,
        values: Vec<String>,
    },
}

/// The built-in facts rules may use without declaring them.
pub const BUILTIN_FACTS: [&str; 4] = ["case_type", "area", "age", "start"];

/// What the evaluator knows about a case. `None` means unknown, not "no".
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CaseFacts {
    pub case_type: Option<String>,
    pub area: Option<String>,
    /// Age in whole years at the review's reference date.
    pub age: Option<u32>,
    pub start: Option<NaiveDate>,
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
}

/// Whole years between a birth date and a reference date (a birthday counts on the day; a
/// 29 February birthday counts on 1 March in common years).
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> Option<u32> {
    if on < birth {
        return None;
    }
    let mut years = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    u32::try_from(years).ok()
}

/// Kleene's three values: a rule on an unknown fact is neither true nor false.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tri {
    True,
    False,
    Unknown,
}

impl Tri {
    fn from_bool(b: bool) -> Tri {
        if b { Tri::True } else { Tri::False }
    }

    fn not(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        }
    }
}

/// Answers given so far in a review, by item key (answer codes for choice items).
pub type Answers = BTreeMap<String, String>;

impl Condition {
    pub fn eval(&self, facts: &CaseFacts, answers: &Answers) -> Tri {
        match self {
            Condition::All(cs) => {
                let mut out = Tri::True;
                for c in cs {
                    match c.eval(facts, answers) {
                        Tri::False => return Tri::False,
                        Tri::Unknown => out = Tri::Unknown,
                        Tri::True => {}
                    }
                }
                out
            }
            Condition::Any(cs) => {
                let mut out = Tri::False;
                for c in cs {
                    match c.eval(facts, answers) {
                        Tri::True => return Tri::True,
                        Tri::Unknown => out = Tri::Unknown,
                        Tri::False => {}
                    }
                }
                out
            }
            Condition::Not(c) => c.eval(facts, answers).not(),
            Condition::CaseTypeIn(types) => match &facts.case_type {
                Some(t) => Tri::from_bool(types.iter().any(|x| x == t)),
                None => Tri::Unknown,
            },
            Condition::AreaIs(a) => match &facts.area {
                Some(x) => Tri::from_bool(x == a),
                None => Tri::Unknown,
            },
            Condition::AgeAtLeast(n) => facts.age.map_or(Tri::Unknown, |a| Tri::from_bool(a >= *n)),
            Condition::AgeBelow(n) => facts.age.map_or(Tri::Unknown, |a| Tri::from_bool(a < *n)),
            Condition::StartedOnOrAfter(d) => facts
                .start
                .map_or(Tri::Unknown, |s| Tri::from_bool(s >= *d)),
            Condition::StartedBefore(d) => {
                facts.start.map_or(Tri::Unknown, |s| Tri::from_bool(s < *d))
            }
            Condition::AttributeIn { name, values } => match facts.attributes.get(name) {
                Some(v) => Tri::from_bool(values.iter().any(|x| x.trim() == v.trim())),
                None => Tri::Unknown,
            },
            Condition::AttributeAtLeast { name, value } => match facts.attributes.get(name) {
                Some(v) => match parse_number(v) {
                    Some(n) => Tri::from_bool(n >= *value),
                    None => Tri::Unknown,
                },
                None => Tri::Unknown,
            },
            // An unanswered earlier item is not "answered with X": the dependent item waits.
            Condition::AnswerIn { item, values } => {
                Tri::from_bool(answers.get(item).is_some_and(|a| values.contains(a)))
            }
        }
    }

    /// The part of the rule to show a person when it fails: the first failing clause of an
    /// `all`, otherwise the whole rule.
    pub fn failing_part(&self, facts: &CaseFacts, answers: &Answers) -> &Condition {
        if let Condition::All(cs) = self
            && let Some(c) = cs.iter().find(|c| c.eval(facts, answers) == Tri::False)
        {
            return c.failing_part(facts, answers);
        }
        self
    }

    /// Every condition in this tree, depth first.
    pub fn walk<'a>(&'a self, out: &mut Vec<&'a Condition>) {
        out.push(self);
        match self {
            Condition::All(cs) | Condition::Any(cs) => cs.iter().for_each(|c| c.walk(out)),
            Condition::Not(c) => c.walk(out),
            _ => {}
        }
    }

    /// The item keys whose answers this rule reads.
    pub fn answer_refs(&self) -> Vec<&str> {
        let mut all = vec![];
        self.walk(&mut all);
        all.into_iter()
            .filter_map(|c| match c {
                Condition::AnswerIn { item, .. } => Some(item.as_str()),
                _ => None,
            })
            .collect()
    }
}

/// Danish and English decimal numbers ("12,5" or "12.5").
fn parse_number(s: &str) -> Option<f64> {
    s.trim().replace(',', ".").parse::<f64>().ok()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn age_counts_whole_years_and_birthdays_on_the_day() {
        assert_eq!(age_on(d(2010, 5, 17), d(2026, 5, 16)), Some(15));
        assert_eq!(age_on(d(2010, 5, 17), d(2026, 5, 17)), Some(16));
        assert_eq!(age_on(d(2008, 2, 29), d(2026, 2, 28)), Some(17));
        assert_eq!(age_on(d(2008, 2, 29), d(2026, 3, 1)), Some(18));
        assert_eq!(age_on(d(2026, 1, 2), d(2026, 1, 1)), None);
    }

    #[test]
    fn unknown_facts_are_unknown_and_kleene_logic_holds() {
        let facts = CaseFacts {
            case_type: Some("§ 32".into()),
            ..Default::default()
        };
        let a = Answers::new();
        let age = Condition::AgeAtLeast(16);
        assert_eq!(age.eval(&facts, &a), Tri::Unknown);
        let placement = Condition::CaseTypeIn(vec!["§ 46".into(), "§ 47".into()]);
        assert_eq!(placement.eval(&facts, &a), Tri::False);
        // false AND unknown = false; true OR unknown = true; NOT unknown = unknown
        assert_eq!(
            Condition::All(vec![placement.clone(), age.clone()]).eval(&facts, &a),
            Tri::False
        );
        assert_eq!(
            Condition::Any(vec![
                Condition::Not(Box::new(placement.clone())),
                age.clone()
            ])
            .eval(&facts, &a),
            Tri::True
        );
        assert_eq!(Condition::Not(Box::new(age)).eval(&facts, &a), Tri::Unknown);
    }

    #[test]
    fn failing_part_names_the_first_false_clause() {
        let facts = CaseFacts {
            case_type: Some("§ 46".into()),
            age: Some(10),
            ..Default::default()
        };
        let rule = Condition::All(vec![
            Condition::CaseTypeIn(vec!["§ 46".into()]),
            Condition::AgeAtLeast(16),
        ]);
        assert_eq!(
            rule.failing_part(&facts, &Answers::new()),
            &Condition::AgeAtLeast(16)
        );
    }

    #[test]
    fn answers_and_attributes() {
        let mut facts = CaseFacts::default();
        facts
            .attributes
            .insert("antal_underretninger".into(), "3".into());
        facts
            .attributes
            .insert("anbringelsessted".into(), "Plejefamilie".into());
        let mut a = Answers::new();
        let dep = Condition::AnswerIn {
            item: "B1".into(),
            values: vec!["nej".into()],
        };
        assert_eq!(dep.eval(&facts, &a), Tri::False);
        a.insert("B1".into(), "nej".into());
        assert_eq!(dep.eval(&facts, &a), Tri::True);
        let n = Condition::AttributeAtLeast {
            name: "antal_underretninger".into(),
            value: 2.5,
        };
        assert_eq!(n.eval(&facts, &a), Tri::True);
        let t = Condition::AttributeIn {
            name: "anbringelsessted".into(),
            values: vec!["Plejefamilie".into()],
        };
        assert_eq!(t.eval(&facts, &a), Tri::True);
        let missing = Condition::AttributeIn {
            name: "x".into(),
            values: vec![],
        };
        assert_eq!(missing.eval(&facts, &a), Tri::Unknown);
    }
}
