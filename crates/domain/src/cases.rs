//! The case register: one case as imported from a case system, the catalogue of case types,
//! and the checks on its dates.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// The area a case belongs to (stratification).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    /// Udsatte børn og unge.
    VulnerableChildren,
    /// Børn med handicap (børnehandicap).
    Handicap,
}

impl Area {
    pub const ALL: [Area; 2] = [Area::VulnerableChildren, Area::Handicap];

    /// Stable code, stored and used in URLs.
    pub const fn code(self) -> &'static str {
        match self {
            Area::VulnerableChildren => "udsatte",
            Area::Handicap => "handicap",
        }
    }

    /// Message key of the area's name.
    pub const fn label_key(self) -> &'static str {
        match self {
            Area::VulnerableChildren => "area-udsatte",
            Area::Handicap => "area-handicap",
        }
    }

    /// Reads the area as case systems and people write it ("Udsatte børn", "Børn og unge",
    /// "Handicapområdet", "Børnehandicap" …), case-insensitively. Anything naming a handicap is
    /// [`Area::Handicap`]; "udsat…", "børn og unge" and the codes are [`Area::VulnerableChildren`].
    pub fn parse(s: &str) -> Option<Area> {
        let n = normalise_words(s);
        if n.is_empty() {
            return None;
        }
        if n.contains("handicap") || n.contains("disab") || n.contains("funktionsnedsæt") {
            return Some(Area::Handicap);
        }
        if n.contains("udsat")
            || n.contains("vulnerable")
            || ["børn og unge", "boern og unge", "born og unge", "børn unge"].contains(&n.as_str())
        {
            return Some(Area::VulnerableChildren);
        }
        None
    }
}

/// Lowercase, punctuation (except `§`) turned into spaces, runs of whitespace collapsed.
fn normalise_words(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '§' {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        } else {
            space = true;
        }
    }
    out
}

/// One case type (a measure's legal basis), e.g. "§ 32" of barnets lov.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseTypeEntry {
    /// Normalised code: "§ 32".
    pub code: String,
    /// The law, in Danish: "barnets lov".
    pub law: String,
    pub label_da: String,
    pub label_en: String,
}

/// The case types an import accepts, as data (a municipality may add its own).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseTypeCatalog {
    entries: Vec<CaseTypeEntry>,
}

/// (code, label_da, label_en) of the standard catalogue, all barnets lov.
const STANDARD_CASE_TYPES: &[(&str, &str, &str)] = &[
    (
        "§ 30",
        "Forebyggende indsatser uden afgørelse",
        "Early preventive measures without a decision",
    ),
    ("§ 32", "Støttende indsatser", "Supportive measures"),
    ("§ 46", "Anbringelse med samtykke", "Placement with consent"),
    (
        "§ 47",
        "Anbringelse uden samtykke",
        "Placement without consent",
    ),
    ("§ 52", "Valg af anbringelsessted", "Choice of placement"),
    (
        "§ 86",
        "Dækning af merudgifter",
        "Additional costs (disability)",
    ),
    (
        "§ 87",
        "Tabt arbejdsfortjeneste",
        "Lost earnings (disability)",
    ),
    (
        "§ 114",
        "Ungestøtte",
        "Support for young people after placement",
    ),
];

impl CaseTypeCatalog {
    pub const BARNETS_LOV: &'static str = "barnets lov";

    pub fn new(entries: Vec<CaseTypeEntry>) -> Self {
        Self { entries }
    }

    /// §§ 30, 32, 46, 47, 52, 86, 87 and 114 (ungestøtte) of barnets lov.
    pub fn standard() -> Self {
        Self::new(
            STANDARD_CASE_TYPES
                .iter()
                .map(|(code, da, en)| CaseTypeEntry {
                    code: (*code).to_owned(),
                    law: Self::BARNETS_LOV.to_owned(),
                    label_da: (*da).to_owned(),
                    label_en: (*en).to_owned(),
                })
                .collect(),
        )
    }

    pub fn entries(&self) -> &[CaseTypeEntry] {
        &self.entries
    }

    pub fn get(&self, code: &str) -> Option<&CaseTypeEntry> {
        self.entries.iter().find(|e| e.code == code)
    }

    /// The catalogue code for a paragraph as an extract writes it: "§32", "§ 32", "32",
    /// "BL § 32", "barnets lov § 32", "§ 32 stk. 3", "§ 32, stk. 1, nr. 3" all give "§ 32".
    /// A paragraph of another law ("SEL § 52", "serviceloven § 52") or one not in the catalogue
    /// gives `None`: an old serviceloven paragraph must never silently become a barnets lov one.
    pub fn normalise(&self, raw: &str) -> Option<String> {
        let code = paragraph_code(raw)?;
        self.get(&code).map(|e| e.code.clone())
    }
}

/// Prefixes naming barnets lov (normalised: lowercase, single spaces).
const BARNETS_LOV_PREFIXES: &[&str] = &["barnets lov", "barnetslov", "bl", "barnl"];

/// Parses "[law] [§] N[letter] [stk./nr./, …]" into "§ N[letter]"; the law, when given, must
/// be barnets lov.
fn paragraph_code(raw: &str) -> Option<String> {
    let lower = raw.trim().to_lowercase();
    let mut rest: &str = &lower;
    // An optional law name before the paragraph.
    let before_para = rest
        .split(['§', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'])
        .next()?;
    if !before_para.trim().is_empty() {
        let law = normalise_words(before_para);
        if !BARNETS_LOV_PREFIXES.contains(&law.as_str()) {
            return None;
        }
        rest = &rest[before_para.len()..];
    }
    rest = rest.trim_start();
    if let Some(r) = rest.strip_prefix('§') {
        rest = r.trim_start();
    }
    let digits_len = rest.bytes().take_while(u8::is_ascii_digit).count();
    if digits_len == 0 || digits_len > 3 {
        return None;
    }
    let number: u16 = rest[..digits_len].parse().ok()?;
    if number == 0 {
        return None;
    }
    rest = &rest[digits_len..];
    // An optional letter: "§ 52 a" / "§ 52a".
    let mut letter = None;
    let trimmed = rest.trim_start();
    let mut chars = trimmed.chars();
    if let Some(c) = chars.next()
        && c.is_ascii_lowercase()
    {
        let after = chars.as_str();
        if after.is_empty() || after.starts_with([' ', ',', '.', '(']) {
            letter = Some(c);
            rest = after;
        }
    }
    let tail = rest.trim_start();
    let tail_ok = tail.is_empty()
        || tail.starts_with("stk")
        || tail.starts_with("nr")
        || tail.starts_with([',', '.', '(', '-', '–', ':']);
    if !tail_ok {
        return None;
    }
    // "§ 32 (serviceloven)" or "§ 52, SEL": another law named after the paragraph.
    let words = normalise_words(tail);
    if words
        .split(' ')
        .any(|w| w == "sel" || w.starts_with("servicelov") || w == "lssl" || w == "rsl")
    {
        return None;
    }
    Some(match letter {
        Some(l) => format!("§ {number} {l}"),
        None => format!("§ {number}"),
    })
}

/// The fields of a [`CaseRecord`] an extract's columns can be mapped to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseField {
    ExternalId,
    PersonKey,
    Caseworker,
    Unit,
    Area,
    CaseType,
    MeasureStart,
    MeasureEnd,
    DecisionDate,
    UnderretningReceived,
    BfuStart,
    BfuEnd,
    PlanDate,
    FollowUpDate,
    BirthDate,
    Age,
}

impl CaseField {
    pub const ALL: [CaseField; 16] = [
        CaseField::ExternalId,
        CaseField::PersonKey,
        CaseField::Caseworker,
        CaseField::Unit,
        CaseField::Area,
        CaseField::CaseType,
        CaseField::MeasureStart,
        CaseField::MeasureEnd,
        CaseField::DecisionDate,
        CaseField::UnderretningReceived,
        CaseField::BfuStart,
        CaseField::BfuEnd,
        CaseField::PlanDate,
        CaseField::FollowUpDate,
        CaseField::BirthDate,
        CaseField::Age,
    ];

    /// The fields an import cannot do without.
    pub const MANDATORY: [CaseField; 4] = [
        CaseField::ExternalId,
        CaseField::CaseType,
        CaseField::MeasureStart,
        CaseField::Caseworker,
    ];

    pub const fn is_mandatory(self) -> bool {
        matches!(
            self,
            CaseField::ExternalId
                | CaseField::CaseType
                | CaseField::MeasureStart
                | CaseField::Caseworker
        )
    }

    pub const fn is_date(self) -> bool {
        matches!(
            self,
            CaseField::MeasureStart
                | CaseField::MeasureEnd
                | CaseField::DecisionDate
                | CaseField::UnderretningReceived
                | CaseField::BfuStart
                | CaseField::BfuEnd
                | CaseField::PlanDate
                | CaseField::FollowUpDate
                | CaseField::BirthDate
        )
    }

    /// Stable code, as in a saved column mapping.
    pub const fn code(self) -> &'static str {
        match self {
            CaseField::ExternalId => "external_id",
            CaseField::PersonKey => "person_key",
            CaseField::Caseworker => "caseworker",
            CaseField::Unit => "unit",
            CaseField::Area => "area",
            CaseField::CaseType => "case_type",
            CaseField::MeasureStart => "measure_start",
            CaseField::MeasureEnd => "measure_end",
            CaseField::DecisionDate => "decision_date",
            CaseField::UnderretningReceived => "underretning_received",
            CaseField::BfuStart => "bfu_start",
            CaseField::BfuEnd => "bfu_end",
            CaseField::PlanDate => "plan_date",
            CaseField::FollowUpDate => "follow_up_date",
            CaseField::BirthDate => "birth_date",
            CaseField::Age => "age",
        }
    }

    pub fn from_code(code: &str) -> Option<CaseField> {
        CaseField::ALL.into_iter().find(|f| f.code() == code)
    }

    /// Message key of the field's name.
    pub const fn label_key(self) -> &'static str {
        match self {
            CaseField::ExternalId => "case-field-external-id",
            CaseField::PersonKey => "case-field-person-key",
            CaseField::Caseworker => "case-field-caseworker",
            CaseField::Unit => "case-field-unit",
            CaseField::Area => "case-field-area",
            CaseField::CaseType => "case-field-case-type",
            CaseField::MeasureStart => "case-field-measure-start",
            CaseField::MeasureEnd => "case-field-measure-end",
            CaseField::DecisionDate => "case-field-decision-date",
            CaseField::UnderretningReceived => "case-field-underretning-received",
            CaseField::BfuStart => "case-field-bfu-start",
            CaseField::BfuEnd => "case-field-bfu-end",
            CaseField::PlanDate => "case-field-plan-date",
            CaseField::FollowUpDate => "case-field-follow-up-date",
            CaseField::BirthDate => "case-field-birth-date",
            CaseField::Age => "case-field-age",
        }
    }
}

/// One case from a case-system extract, after parsing. No CPR number: `person_key` is a keyed
/// hash made by the importer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
// Absent values are left out of the JSON: the register stores one record per case, and a
// million of them are a quarter smaller without the nulls.
#[serde(default)]
pub struct CaseRecord {
    /// Where the case came from (e.g. the extract's file name or the case system).
    pub source: String,
    /// The case system's case id (sags-nr.), kept as text.
    pub external_id: String,
    /// Keyed hash (hex) of the person identifier, never the identifier itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person_key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caseworker: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area: Option<Area>,
    /// Normalised catalogue code, e.g. "§ 32".
    pub case_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measure_start: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measure_end: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision_date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub underretning_received: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bfu_start: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bfu_end: Option<NaiveDate>,
    /// Barnets plan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan_date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follow_up_date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<NaiveDate>,
    /// Age at the extract's reference date, when the file gives age instead of birth date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age: Option<u16>,
    /// Columns not mapped to a field, by header.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
}

/// Message keys [`CaseRecord::date_problems`] can return.
pub const DATE_PROBLEM_KEYS: [&str; 5] = [
    "case-date-end-before-start",
    "case-date-decision-before-underretning",
    "case-date-bfu-end-before-start",
    "case-date-in-future",
    "case-date-birth-after-start",
];

impl CaseRecord {
    /// The value of a date field (`None` for fields that are not dates).
    pub fn date(&self, field: CaseField) -> Option<NaiveDate> {
        match field {
            CaseField::MeasureStart => self.measure_start,
            CaseField::MeasureEnd => self.measure_end,
            CaseField::DecisionDate => self.decision_date,
            CaseField::UnderretningReceived => self.underretning_received,
            CaseField::BfuStart => self.bfu_start,
            CaseField::BfuEnd => self.bfu_end,
            CaseField::PlanDate => self.plan_date,
            CaseField::FollowUpDate => self.follow_up_date,
            CaseField::BirthDate => self.birth_date,
            _ => None,
        }
    }

    /// Dates that cannot be right, as (the field to blame, message key): an end before its
    /// start, a decision before the underretning, a BFU finished before it began, a date after
    /// `today` (except a measure's planned end and the next follow-up), a birth after the measure
    /// started. `today` is an input: the domain never reads
    /// the clock.
    pub fn date_problems(&self, today: NaiveDate) -> Vec<(CaseField, &'static str)> {
        let mut out = Vec::new();
        let before = |a: Option<NaiveDate>, b: Option<NaiveDate>| matches!((a, b), (Some(a), Some(b)) if a < b);
        if before(self.measure_end, self.measure_start) {
            out.push((CaseField::MeasureEnd, "case-date-end-before-start"));
        }
        if before(self.decision_date, self.underretning_received) {
            out.push((
                CaseField::DecisionDate,
                "case-date-decision-before-underretning",
            ));
        }
        if before(self.bfu_end, self.bfu_start) {
            out.push((CaseField::BfuEnd, "case-date-bfu-end-before-start"));
        }
        if before(self.measure_start, self.birth_date) {
            out.push((CaseField::BirthDate, "case-date-birth-after-start"));
        }
        for field in CaseField::ALL {
            if let Some(d) = self.date(field)
                && d > today
                && !allows_future(field)
            {
                out.push((field, "case-date-in-future"));
            }
        }
        out
    }
}

/// Planned dates may lie ahead: a measure's expected end (the decision states the expected
/// duration) and the next follow-up. Every other date records something that has happened.
fn allows_future(field: CaseField) -> bool {
    matches!(field, CaseField::MeasureEnd | CaseField::FollowUpDate)
}

/// The one rule every CSV and XLSX export must apply to text it writes into a cell: a value
/// starting with `=`, `+`, `-`, `@`, TAB or CR would be read as a formula by a spreadsheet
/// (formula injection, e.g. `=HYPERLINK(…)`), so it gets a leading `'`, which spreadsheets
/// show as text. Everything else is returned untouched.
pub fn spreadsheet_safe(value: &str) -> Cow<'_, str> {
    match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{value}")),
        _ => Cow::Borrowed(value),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn area_parses_danish_spellings() {
        for s in [
            "udsatte",
            "Udsatte børn",
            "UDSATTE BØRN OG UNGE",
            "Børn og unge",
            "  børn  og   unge ",
        ] {
            assert_eq!(Area::parse(s), Some(Area::VulnerableChildren), "{s}");
        }
        for s in [
            "handicap",
            "Børnehandicap",
            "Handicapområdet",
            "Børn med handicap",
            "BØRN OG UNGE MED HANDICAP",
        ] {
            assert_eq!(Area::parse(s), Some(Area::Handicap), "{s}");
        }
        assert_eq!(Area::parse(""), None);
        assert_eq!(Area::parse("ældre"), None);
        assert_eq!(Area::VulnerableChildren.code(), "udsatte");
        assert_eq!(Area::Handicap.label_key(), "area-handicap");
        for a in Area::ALL {
            assert_eq!(Area::parse(a.code()), Some(a));
        }
    }

    #[test]
    fn catalogue_normalises_paragraph_spellings() {
        let c = CaseTypeCatalog::standard();
        for s in [
            "§32",
            "§ 32",
            "32",
            " 32 ",
            "BL § 32",
            "bl §32",
            "Barnets lov § 32",
            "§ 32 stk. 3",
            "§ 32, stk. 1, nr. 3",
            "§32 (støttende indsatser)",
        ] {
            assert_eq!(c.normalise(s).as_deref(), Some("§ 32"), "{s}");
        }
        assert_eq!(c.normalise("§ 114").as_deref(), Some("§ 114"));
        assert_eq!(c.normalise("§ 87").as_deref(), Some("§ 87"));
    }

    #[test]
    fn catalogue_refuses_other_laws_and_unknown_paragraphs() {
        let c = CaseTypeCatalog::standard();
        for s in [
            "SEL § 52",
            "serviceloven § 52",
            "§ 52 SEL",
            "§ 52, serviceloven",
            "§ 999",
            "§ 31",
            "",
            "§",
            "stk. 3",
            "§ 32 bla bla",
            "0",
            "§ 32 a", // no such entry
        ] {
            assert_eq!(c.normalise(s), None, "{s}");
        }
    }

    #[test]
    fn catalogue_with_lettered_paragraphs() {
        let c = CaseTypeCatalog::new(vec![CaseTypeEntry {
            code: "§ 52 a".into(),
            law: "x".into(),
            label_da: "x".into(),
            label_en: "x".into(),
        }]);
        assert_eq!(c.normalise("§52a").as_deref(), Some("§ 52 a"));
        assert_eq!(c.normalise("§ 52 a, stk. 1").as_deref(), Some("§ 52 a"));
        assert_eq!(c.normalise("§ 52"), None);
    }

    #[test]
    fn standard_catalogue_has_the_listed_paragraphs() {
        let c = CaseTypeCatalog::standard();
        for p in [30, 32, 46, 47, 52, 86, 87, 114] {
            let e = c.get(&format!("§ {p}")).expect("entry");
            assert_eq!(e.law, "barnets lov");
            assert!(!e.label_da.is_empty() && !e.label_en.is_empty());
        }
    }

    #[test]
    fn case_field_codes_are_unique_and_round_trip() {
        let mut codes: Vec<_> = CaseField::ALL.iter().map(|f| f.code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), CaseField::ALL.len());
        for f in CaseField::ALL {
            assert_eq!(CaseField::from_code(f.code()), Some(f));
            assert!(f.label_key().starts_with("case-field-"));
            assert_eq!(f.is_mandatory(), CaseField::MANDATORY.contains(&f));
        }
    }

    fn record() -> CaseRecord {
        CaseRecord {
            external_id: "S-1".into(),
            case_type: "§ 32".into(),
            measure_start: Some(d(2024, 3, 1)),
            ..CaseRecord::default()
        }
    }

    #[test]
    fn consistent_dates_have_no_problems() {
        let r = CaseRecord {
            measure_end: Some(d(2024, 9, 1)),
            underretning_received: Some(d(2024, 1, 2)),
            decision_date: Some(d(2024, 2, 20)),
            bfu_start: Some(d(2024, 1, 5)),
            bfu_end: Some(d(2024, 2, 1)),
            birth_date: Some(d(2015, 6, 1)),
            ..record()
        };
        assert!(r.date_problems(d(2024, 10, 1)).is_empty());
        // Equal dates are fine.
        let r = CaseRecord {
            measure_end: Some(d(2024, 3, 1)),
            ..record()
        };
        assert!(r.date_problems(d(2024, 3, 1)).is_empty());
    }

    #[test]
    fn date_problems_name_field_and_key() {
        let today = d(2024, 10, 1);
        let r = CaseRecord {
            measure_end: Some(d(2024, 2, 1)),
            ..record()
        };
        assert_eq!(
            r.date_problems(today),
            vec![(CaseField::MeasureEnd, "case-date-end-before-start")]
        );
        let r = CaseRecord {
            underretning_received: Some(d(2024, 2, 2)),
            decision_date: Some(d(2024, 2, 1)),
            ..record()
        };
        assert_eq!(
            r.date_problems(today),
            vec![(
                CaseField::DecisionDate,
                "case-date-decision-before-underretning"
            )]
        );
        let r = CaseRecord {
            bfu_start: Some(d(2024, 2, 2)),
            bfu_end: Some(d(2024, 2, 1)),
            ..record()
        };
        assert_eq!(
            r.date_problems(today),
            vec![(CaseField::BfuEnd, "case-date-bfu-end-before-start")]
        );
        let r = CaseRecord {
            birth_date: Some(d(2024, 3, 2)),
            ..record()
        };
        assert_eq!(
            r.date_problems(today),
            vec![(CaseField::BirthDate, "case-date-birth-after-start")]
        );
        let r = record();
        assert_eq!(
            r.date_problems(d(2024, 2, 29)),
            vec![(CaseField::MeasureStart, "case-date-in-future")]
        );
        for (_, key) in r.date_problems(d(2000, 1, 1)) {
            assert!(DATE_PROBLEM_KEYS.contains(&key));
        }
    }

    #[test]
    fn planned_dates_may_lie_ahead() {
        let r = CaseRecord {
            measure_end: Some(d(2025, 3, 1)),
            follow_up_date: Some(d(2025, 1, 1)),
            ..record()
        };
        assert!(r.date_problems(d(2024, 10, 1)).is_empty());
        let r = CaseRecord {
            bfu_end: Some(d(2024, 11, 1)),
            plan_date: Some(d(2024, 12, 1)),
            ..record()
        };
        assert_eq!(
            r.date_problems(d(2024, 10, 1)),
            vec![
                (CaseField::BfuEnd, "case-date-in-future"),
                (CaseField::PlanDate, "case-date-in-future")
            ]
        );
    }

    #[test]
    fn spreadsheet_safe_prefixes_formula_starts() {
        for s in [
            "=HYPERLINK(\"http://x\",\"klik\")",
            "+45 12 34",
            "-1",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            let out = spreadsheet_safe(s);
            assert_eq!(out, format!("'{s}"));
            assert!(matches!(out, Cow::Owned(_)));
        }
        for s in ["", "Søren", "1=1", " =x", "'=x", "§ 32"] {
            assert!(
                matches!(spreadsheet_safe(s), Cow::Borrowed(v) if v == s),
                "{s}"
            );
        }
    }
}
