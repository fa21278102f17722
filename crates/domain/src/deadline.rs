//! Date rules: a deadline linked to a template item ("BFU finished within 4 months of the
//! underretning"), checked against the dates a case extract gives, to pre-fill the answer.

use crate::calendar::{Deadline, Period, check_deadline};
use crate::cases::{CaseField, CaseRecord};
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Where a date in a rule comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum DateFact {
    /// A date column of the register, e.g. `decision_date`.
    Field(CaseField),
    /// The child's nth birthday (`birthday:16`), from the birth date.
    Birthday(u32),
    /// A declared date attribute (an extra column), e.g. `attribute:kvittering`.
    Attribute(String),
}

impl DateFact {
    pub fn on(&self, case: &CaseRecord) -> Option<NaiveDate> {
        match self {
            DateFact::Field(f) => case.date(*f),
            // 29 February + n years in a common year is 28 February (Months clamps).
            DateFact::Birthday(n) => case
                .birth_date
                .and_then(|b| b.checked_add_months(Months::new(n.checked_mul(12)?))),
            DateFact::Attribute(name) => case
                .attributes
                .get(name)
                .and_then(|v| NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").ok()),
        }
    }
}

impl fmt::Display for DateFact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DateFact::Field(c) => f.write_str(c.code()),
            DateFact::Birthday(n) => write!(f, "birthday:{n}"),
            DateFact::Attribute(a) => write!(f, "attribute:{a}"),
        }
    }
}

impl From<DateFact> for String {
    fn from(d: DateFact) -> String {
        d.to_string()
    }
}

impl TryFrom<String> for DateFact {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        if let Some(n) = s.strip_prefix("birthday:") {
            return n
                .parse()
                .ok()
                .filter(|n| (1..=30).contains(n))
                .map(DateFact::Birthday)
                .ok_or_else(|| format!("not a birthday: {s}"));
        }
        if let Some(a) = s.strip_prefix("attribute:") {
            return (!a.trim().is_empty())
                .then(|| DateFact::Attribute(a.trim().to_owned()))
                .ok_or_else(|| format!("attribute without a name: {s}"));
        }
        CaseField::from_code(&s)
            .filter(|f| f.is_date())
            .map(DateFact::Field)
            .ok_or_else(|| format!("not a date field: {s}"))
    }
}

/// A deadline as data: the step (`done`) is due `within` a period of the latest of `from`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateRule {
    /// The deadline runs from the latest of these dates that the case has (e.g. the decision
    /// or the 16th birthday, for an ungeplan).
    pub from: Vec<DateFact>,
    pub done: DateFact,
    pub within: Period,
}

impl DateRule {
    /// What the case's dates say. `today` decides whether a step not yet done is late.
    pub fn check(&self, case: &CaseRecord, today: NaiveDate) -> Deadline {
        let start = self.from.iter().filter_map(|f| f.on(case)).max();
        check_deadline(self.within, start, self.done.on(case), today)
    }
}

/// What a date rule says about an item for one case: the deadline and, when the dates settle
/// it, the answer it suggests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Prefill {
    pub item: String,
    /// An answer code of the item's scale. `None` when the case lacks the date the step was
    /// done: an extract without that column says nothing about whether it was done.
    pub value: Option<String>,
    pub deadline: Deadline,
}

/// The answer a deadline outcome suggests on a compliance item: the first compliant code for a
/// met deadline, the first code that is neither compliant nor "not relevant" for a missed one.
/// An open or unknown deadline suggests nothing: the reviewer decides.
pub fn suggested(
    outcome: Deadline,
    compliant: &[String],
    codes: &[(String, bool)],
) -> Option<String> {
    match outcome {
        Deadline::Met { .. } => compliant.first().cloned(),
        Deadline::Missed { .. } => codes
            .iter()
            .find(|(c, aside)| !aside && !compliant.contains(c))
            .map(|(c, _)| c.clone()),
        Deadline::Open { .. } | Deadline::Unknown => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Period;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    fn rule(from: &[&str], done: &str, within: Period) -> DateRule {
        DateRule {
            from: from
                .iter()
                .map(|s| DateFact::try_from((*s).to_owned()).expect("fact"))
                .collect(),
            done: DateFact::try_from(done.to_owned()).expect("fact"),
            within,
        }
    }

    #[test]
    fn facts_round_trip_through_text_and_refuse_non_dates() {
        for s in ["decision_date", "birthday:16", "attribute:kvittering"] {
            let f = DateFact::try_from(s.to_owned()).expect(s);
            assert_eq!(f.to_string(), s);
        }
        for bad in [
            "caseworker",
            "age",
            "birthday:x",
            "birthday:0",
            "attribute:",
            "nope",
        ] {
            assert!(DateFact::try_from(bad.to_owned()).is_err(), "{bad}");
        }
        let json = r#"{"from":["underretning_received"],"done":"bfu_end","within":{"unit":"months","n":4}}"#;
        let r: DateRule = serde_json::from_str(json).expect("parses");
        assert_eq!(r.within, Period::Months(4));
        assert_eq!(serde_json::to_string(&r).expect("json"), json);
    }

    #[test]
    fn bfu_four_months_clamps_at_month_end_and_counts_leap_days() {
        let r = rule(&["underretning_received"], "bfu_end", Period::Months(4));
        let today = d(2026, 11, 22);
        // 31 October 2023 + 4 months = 29 February 2024 (leap year): done that day is in time,
        // the day after is late.
        let mut c = CaseRecord {
            underretning_received: Some(d(2023, 10, 31)),
            bfu_end: Some(d(2024, 2, 29)),
            ..CaseRecord::default()
        };
        assert_eq!(
            r.check(&c, today),
            Deadline::Met {
                due: d(2024, 2, 29)
            }
        );
        c.bfu_end = Some(d(2024, 3, 1));
        assert_eq!(
            r.check(&c, today),
            Deadline::Missed {
                due: d(2024, 2, 29)
            }
        );
        // In a common year the same start falls due on 28 February.
        c.underretning_received = Some(d(2024, 10, 31));
        c.bfu_end = Some(d(2025, 2, 28));
        assert_eq!(
            r.check(&c, today),
            Deadline::Met {
                due: d(2025, 2, 28)
            }
        );
        // Not finished: open until the due date has passed, then missed.
        c.bfu_end = None;
        assert_eq!(
            r.check(&c, d(2025, 2, 28)),
            Deadline::Open {
                due: d(2025, 2, 28)
            }
        );
        assert_eq!(
            r.check(&c, d(2025, 3, 1)),
            Deadline::Missed {
                due: d(2025, 2, 28)
            }
        );
        // No start date: the dates cannot tell.
        c.underretning_received = None;
        assert_eq!(r.check(&c, today), Deadline::Unknown);
    }

    #[test]
    fn receipt_within_six_working_days_skips_easter_and_weekends() {
        let r = rule(
            &["underretning_received"],
            "attribute:kvittering",
            Period::WorkingDays(6),
        );
        // Wednesday 1 April 2026; Maundy Thursday 2, Good Friday 3, Easter Monday 6 April are
        // holidays. Working days: 7, 8, 9, 10, 13, 14 April → due Tuesday 14 April.
        let mut c = CaseRecord {
            underretning_received: Some(d(2026, 4, 1)),
            ..CaseRecord::default()
        };
        c.attributes
            .insert("kvittering".into(), "2026-04-14".into());
        assert_eq!(
            r.check(&c, d(2026, 11, 22)),
            Deadline::Met {
                due: d(2026, 4, 14)
            }
        );
        c.attributes
            .insert("kvittering".into(), "2026-04-15".into());
        assert_eq!(
            r.check(&c, d(2026, 11, 22)),
            Deadline::Missed {
                due: d(2026, 4, 14)
            }
        );
        // Store bededag counted as a holiday in 2023 (5 May), not in 2024 (26 April).
        c.underretning_received = Some(d(2023, 5, 1));
        // 2, 3, 4, (5 bededag), 8, 9, 10 → due 10 May 2023.
        c.attributes
            .insert("kvittering".into(), "2023-05-10".into());
        assert_eq!(
            r.check(&c, d(2026, 11, 22)),
            Deadline::Met {
                due: d(2023, 5, 10)
            }
        );
        c.underretning_received = Some(d(2024, 4, 22));
        // 23, 24, 25, 26 (no longer a holiday), 29, 30 → due 30 April 2024.
        c.attributes
            .insert("kvittering".into(), "2024-05-01".into());
        assert_eq!(
            r.check(&c, d(2026, 11, 22)),
            Deadline::Missed {
                due: d(2024, 4, 30)
            }
        );
    }

    #[test]
    fn ungeplan_runs_from_the_later_of_decision_and_16th_birthday() {
        let r = rule(
            &["decision_date", "birthday:16"],
            "plan_date",
            Period::Months(3),
        );
        // Born 29 February 2008: 16th birthday 29 February 2024 (a leap year).
        let mut c = CaseRecord {
            birth_date: Some(d(2008, 2, 29)),
            decision_date: Some(d(2023, 6, 1)),
            plan_date: Some(d(2024, 5, 29)),
            ..CaseRecord::default()
        };
        assert_eq!(
            r.check(&c, d(2026, 11, 22)),
            Deadline::Met {
                due: d(2024, 5, 29)
            }
        );
        // Born 29 February 2008, 17th birthday in a common year clamps to 28 February.
        assert_eq!(DateFact::Birthday(17).on(&c), Some(d(2025, 2, 28)));
        // A decision after the birthday: the decision counts.
        c.decision_date = Some(d(2024, 11, 30));
        c.plan_date = Some(d(2025, 3, 1));
        assert_eq!(
            r.check(&c, d(2026, 11, 22)),
            Deadline::Missed {
                due: d(2025, 2, 28)
            }
        );
    }

    #[test]
    fn outcome_suggests_the_scale_answer() {
        let codes = vec![
            ("ja".to_owned(), false),
            ("nej".to_owned(), false),
            ("ikke_relevant".to_owned(), true),
        ];
        let compliant = vec!["ja".to_owned()];
        let due = d(2025, 1, 1);
        assert_eq!(
            suggested(Deadline::Met { due }, &compliant, &codes).as_deref(),
            Some("ja")
        );
        assert_eq!(
            suggested(Deadline::Missed { due }, &compliant, &codes).as_deref(),
            Some("nej")
        );
        assert_eq!(suggested(Deadline::Open { due }, &compliant, &codes), None);
        assert_eq!(suggested(Deadline::Unknown, &compliant, &codes), None);
    }
}
