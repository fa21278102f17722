//! One row of an extract → a [`CaseRecord`], or the problems that keep it out. The same code
//! serves CSV and XLSX rows through the [`Row`] trait.

use crate::cpr::{self, PersonKeyHasher};
use crate::dates::{self, DateError, DateFormat};
use crate::error::{IntakeError, LineIssue};
use crate::mapping::normalise_header;
use crate::{Report, Settings};
use chrono::NaiveDate;
use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use tilsyn_domain::cases::{Area, CaseField, CaseRecord};

/// A typed cell value, as XLSX has them (CSV cells are all text).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Typed {
    Text,
    /// A date cell; `None` when its serial is not a usable day.
    Date(Option<NaiveDate>),
    Number(f64),
}

/// One row of cells.
pub(crate) trait Row {
    fn len(&self) -> usize;
    /// The cell as text (numbers without a needless ".0", dates as yyyy-mm-dd).
    fn text(&self, i: usize) -> Cow<'_, str>;
    fn typed(&self, i: usize) -> Typed;
}

/// Whether every cell of the row is empty or whitespace.
pub(crate) fn is_blank(row: &impl Row) -> bool {
    (0..row.len()).all(|i| row.text(i).trim().is_empty())
}

/// The header row made usable: trimmed, a stray BOM dropped, empty headers named
/// "kolonne N"; refused when a header repeats or holds a CPR number.
pub(crate) fn clean_headers(row: &impl Row, line: u64) -> Result<Vec<String>, IntakeError> {
    let mut headers: Vec<String> = Vec::with_capacity(row.len());
    let mut seen = std::collections::HashSet::with_capacity(row.len());
    for i in 0..row.len() {
        let raw = row.text(i);
        let h = raw.trim_start_matches('\u{feff}').trim();
        if cpr::find_cpr(h).is_some() {
            return Err(IntakeError::CprOutsidePersonKey {
                line,
                column: cpr::safe_text(h),
            });
        }
        let h = if h.is_empty() {
            format!("kolonne {}", i + 1)
        } else {
            h.to_owned()
        };
        if !seen.insert(h.clone()) {
            return Err(IntakeError::DuplicateHeader {
                column: cpr::safe_text(&h),
            });
        }
        headers.push(h);
    }
    Ok(headers)
}

/// Most distinct case-type spellings remembered (a file controls how many there are).
const CASE_TYPE_CACHE_MAX: usize = 10_000;

pub(crate) struct Validator<'a> {
    settings: &'a Settings<'a>,
    /// Headers as shown in messages.
    shown: Vec<String>,
    /// Header of each unmapped column (attribute key), `None` for mapped ones.
    attribute_of: Vec<Option<String>>,
    field_col: [Option<usize>; CaseField::ALL.len()],
    person_col: Option<usize>,
    hasher: Option<PersonKeyHasher>,
    derive_birth_date: bool,
    /// Case id (as a 128-bit keyed hash) → the line it was first seen on.
    seen_ids: HashMap<[u64; 2], u64>,
    id_keys: (RandomState, RandomState),
    /// Per date field, the first line of each textual format seen.
    formats_seen: [[Option<u64>; 4]; CaseField::ALL.len()],
    case_types: HashMap<String, Option<String>>,
    pub(crate) report: Report,
}

const fn idx(f: CaseField) -> usize {
    f as usize
}

/// Where each mapped field is, checked against the headers.
fn resolve_mapping(
    settings: &Settings<'_>,
    headers: &[String],
) -> Result<[Option<usize>; CaseField::ALL.len()], IntakeError> {
    let missing = settings.mapping.missing_mandatory();
    if !missing.is_empty() {
        return Err(IntakeError::MissingColumns { fields: missing });
    }
    let normalised: Vec<String> = headers.iter().map(|h| normalise_header(h)).collect();
    let mut field_col = [None; CaseField::ALL.len()];
    let mut fields_of: HashMap<usize, Vec<CaseField>> = HashMap::new();
    for (field, wanted) in settings.mapping.iter() {
        let wanted = wanted.trim();
        let col = headers.iter().position(|h| h == wanted).or_else(|| {
            let n = normalise_header(wanted);
            let mut hits = normalised.iter().enumerate().filter(|(_, h)| **h == n);
            match (hits.next(), hits.next()) {
                (Some((i, _)), None) if !n.is_empty() => Some(i),
                _ => None,
            }
        });
        let col = col.ok_or_else(|| IntakeError::MappedColumnAbsent {
            field,
            column: cpr::safe_text(wanted),
        })?;
        field_col[idx(field)] = Some(col);
        fields_of.entry(col).or_default().push(field);
    }
    if let Some((col, fields)) = fields_of.into_iter().find(|(_, f)| f.len() > 1) {
        return Err(IntakeError::ColumnMappedTwice {
            column: cpr::safe_text(&headers[col]),
            fields,
        });
    }
    Ok(field_col)
}

impl<'a> Validator<'a> {
    pub(crate) fn new(
        settings: &'a Settings<'a>,
        headers: &[String],
        report: Report,
    ) -> Result<Self, IntakeError> {
        let field_col = resolve_mapping(settings, headers)?;
        let person_col = field_col[idx(CaseField::PersonKey)];
        let hasher = match person_col {
            Some(_) => {
                Some(PersonKeyHasher::new(settings.secret).ok_or(IntakeError::SecretMissing)?)
            }
            None => None,
        };
        let attribute_of = (0..headers.len())
            .map(|i| (!field_col.contains(&Some(i))).then(|| headers[i].clone()))
            .collect();
        Ok(Self {
            settings,
            shown: headers.iter().map(|h| cpr::safe_text(h)).collect(),
            attribute_of,
            field_col,
            person_col,
            hasher,
            derive_birth_date: settings.derive_birth_date
                && field_col[idx(CaseField::BirthDate)].is_none(),
            seen_ids: HashMap::new(),
            id_keys: (RandomState::new(), RandomState::new()),
            formats_seen: [[None; 4]; CaseField::ALL.len()],
            case_types: HashMap::new(),
            report,
        })
    }

    fn push(&mut self, issue: LineIssue) {
        self.report.error_count += 1;
        if self.report.errors.len() < self.settings.max_errors {
            self.report.errors.push(issue);
        }
    }

    fn issue(&self, line: u64, col: usize, value: &str, key: &'static str) -> LineIssue {
        LineIssue {
            line,
            column: self.shown.get(col).cloned(),
            value: Some(cpr::safe_text(value.trim())),
            key,
            extra: Vec::new(),
        }
    }

    /// Checks one row. `Ok(Some)` is a record to hand on; `Ok(None)` a blank row or one with
    /// problems (recorded in the report); `Err` stops the import (a CPR number out of place).
    pub(crate) fn check(
        &mut self,
        line: u64,
        row: &impl Row,
    ) -> Result<Option<CaseRecord>, IntakeError> {
        if is_blank(row) {
            self.report.blank_rows += 1;
            return Ok(None);
        }
        self.report.rows += 1;
        let expected = self.shown.len();
        if row.len() != expected {
            let quote_hint = (0..row.len()).any(|i| row.text(i).contains('\n'));
            self.push(LineIssue {
                line,
                column: None,
                value: None,
                key: if quote_hint {
                    "intake-field-count-quote"
                } else {
                    "intake-field-count"
                },
                extra: vec![
                    ("expected", expected.to_string()),
                    ("found", row.len().to_string()),
                ],
            });
            return Ok(None);
        }
        for i in 0..row.len() {
            if Some(i) != self.person_col && cpr::find_cpr(&row.text(i)).is_some() {
                return Err(IntakeError::CprOutsidePersonKey {
                    line,
                    column: self.shown[i].clone(),
                });
            }
        }

        let mut issues: Vec<LineIssue> = Vec::new();
        let mut rec = CaseRecord {
            source: self.settings.source.clone(),
            ..CaseRecord::default()
        };

        // Text fields.
        rec.external_id = self.text_field(line, row, CaseField::ExternalId, &mut issues);
        if let Some(col) = self.col(CaseField::ExternalId)
            && !rec.external_id.is_empty()
        {
            let key = [
                self.id_keys.0.hash_one(&rec.external_id),
                self.id_keys.1.hash_one(&rec.external_id),
            ];
            match self.seen_ids.get(&key) {
                Some(&first) => {
                    let mut i = self.issue(line, col, &rec.external_id, "intake-duplicate-id");
                    i.extra.push(("first_line", first.to_string()));
                    issues.push(i);
                }
                None => {
                    self.seen_ids.insert(key, line);
                }
            }
        }
        let caseworker = self.text_field(line, row, CaseField::Caseworker, &mut issues);
        rec.caseworker = (!caseworker.is_empty()).then_some(caseworker);
        let unit = self.text_field(line, row, CaseField::Unit, &mut issues);
        if let Some(allowed) = self.settings.units
            && !allowed.contains(&unit.to_lowercase())
        {
            let mut i = match self.col(CaseField::Unit) {
                Some(col) => self.issue(line, col, &unit, "intake-unit-outside-scope"),
                None => LineIssue {
                    line,
                    column: None,
                    value: Some(String::new()),
                    key: "intake-unit-outside-scope",
                    extra: Vec::new(),
                },
            };
            let mut names: Vec<&str> = allowed.iter().map(String::as_str).collect();
            names.truncate(12);
            i.extra.push(("units", names.join(", ")));
            issues.push(i);
        }
        rec.unit = (!unit.is_empty()).then_some(unit);

        if let Some(col) = self.col(CaseField::Area) {
            let v = row.text(col);
            if !v.trim().is_empty() {
                rec.area = Area::parse(&v);
                if rec.area.is_none() {
                    issues.push(self.issue(line, col, &v, "intake-area-unknown"));
                }
            }
        }

        let raw_type = self.text_field(line, row, CaseField::CaseType, &mut issues);
        if let Some(col) = self.col(CaseField::CaseType)
            && !raw_type.is_empty()
        {
            match self.case_type(&raw_type) {
                Some(code) => rec.case_type = code,
                None => issues.push(self.issue(line, col, &raw_type, "intake-case-type-unknown")),
            }
        }

        // Dates.
        for field in CaseField::ALL.into_iter().filter(|f| f.is_date()) {
            let value = self.date_field(line, row, field, &mut issues);
            match field {
                CaseField::MeasureStart => rec.measure_start = value,
                CaseField::MeasureEnd => rec.measure_end = value,
                CaseField::DecisionDate => rec.decision_date = value,
                CaseField::UnderretningReceived => rec.underretning_received = value,
                CaseField::BfuStart => rec.bfu_start = value,
                CaseField::BfuEnd => rec.bfu_end = value,
                CaseField::PlanDate => rec.plan_date = value,
                CaseField::FollowUpDate => rec.follow_up_date = value,
                CaseField::BirthDate => rec.birth_date = value,
                _ => {}
            }
        }

        if let Some(col) = self.col(CaseField::Age) {
            let v = row.text(col);
            let t = v.trim();
            if !t.is_empty() {
                match t.parse::<u16>() {
                    Ok(age) if t.bytes().all(|b| b.is_ascii_digit()) && age <= 130 => {
                        rec.age = Some(age);
                    }
                    _ => issues.push(self.issue(line, col, t, "intake-age-invalid")),
                }
            }
        }

        // The person key: hashed here, so the identifier never leaves the crate.
        if let (Some(col), Some(hasher)) = (self.person_col, &self.hasher) {
            let v = row.text(col);
            let mut t = Cow::Borrowed(v.trim());
            // A CPR number typed as a number in Excel lost its leading zero.
            if let Typed::Number(_) = row.typed(col)
                && t.len() == 9
                && t.bytes().all(|b| b.is_ascii_digit())
            {
                t = Cow::Owned(format!("0{t}"));
            }
            if !t.is_empty() {
                let digits = cpr::cpr_digits(&t);
                rec.person_key = Some(match &digits {
                    Some(d) => hasher.hash_cpr(d),
                    None => hasher.hash_value(&t),
                });
                if self.derive_birth_date {
                    rec.birth_date = digits.and_then(|d| d.birth_date());
                }
            }
        }

        // Everything else is kept as attributes.
        for (i, attr) in self.attribute_of.iter().enumerate() {
            if let Some(header) = attr {
                let v = row.text(i);
                let v = v.trim();
                if !v.is_empty() {
                    rec.attributes.insert(header.clone(), v.to_owned());
                }
            }
        }

        // The domain's checks on the sequence of dates, when every date read cleanly.
        if issues.is_empty() {
            for (field, key) in rec.date_problems(self.settings.today) {
                let (column, value) = match self.col(field) {
                    Some(c) => (
                        self.shown.get(c).cloned(),
                        Some(cpr::safe_text(row.text(c).trim())),
                    ),
                    // A birth date derived from the CPR number: blame that column, show the
                    // date (never the number).
                    None => (
                        self.person_col.and_then(|c| self.shown.get(c).cloned()),
                        rec.date(field).map(|d| DateFormat::DmyDash.format(d)),
                    ),
                };
                issues.push(LineIssue {
                    line,
                    column,
                    value,
                    key,
                    extra: Vec::new(),
                });
            }
        }

        if issues.is_empty() {
            self.report.accepted += 1;
            Ok(Some(rec))
        } else {
            for i in issues {
                self.push(i);
            }
            Ok(None)
        }
    }

    fn col(&self, field: CaseField) -> Option<usize> {
        self.field_col[idx(field)]
    }

    /// A trimmed text field; empty when unmapped or blank (a problem when mandatory).
    fn text_field(
        &self,
        line: u64,
        row: &impl Row,
        field: CaseField,
        issues: &mut Vec<LineIssue>,
    ) -> String {
        let Some(col) = self.col(field) else {
            return String::new();
        };
        let v = row.text(col);
        let t = v.trim();
        if t.is_empty() && field.is_mandatory() {
            issues.push(self.issue(line, col, t, "intake-value-missing"));
        }
        t.to_owned()
    }

    fn case_type(&mut self, raw: &str) -> Option<String> {
        if let Some(hit) = self.case_types.get(raw) {
            return hit.clone();
        }
        let code = self.settings.catalog.normalise(raw);
        if self.case_types.len() < CASE_TYPE_CACHE_MAX {
            self.case_types.insert(raw.to_owned(), code.clone());
        }
        code
    }

    fn date_field(
        &mut self,
        line: u64,
        row: &impl Row,
        field: CaseField,
        issues: &mut Vec<LineIssue>,
    ) -> Option<NaiveDate> {
        let col = self.col(field)?;
        let text = row.text(col);
        let t = text.trim();
        match row.typed(col) {
            Typed::Date(Some(d)) => return Some(d),
            Typed::Date(None) => {
                issues.push(self.issue(line, col, t, "intake-date-impossible"));
                return None;
            }
            Typed::Number(n) => {
                // An Excel serial day number in a cell not formatted as a date.
                let d = dates::excel_serial_to_date(n, self.settings_is_1904());
                if d.is_none() {
                    issues.push(self.issue(line, col, t, "intake-date-invalid"));
                }
                return d;
            }
            Typed::Text => {}
        }
        if t.is_empty() {
            if field.is_mandatory() {
                issues.push(self.issue(line, col, t, "intake-value-missing"));
            }
            return None;
        }
        match dates::parse_date(t) {
            Ok((d, format)) => {
                let seen = &mut self.formats_seen[idx(field)];
                if seen[format.index()].is_none() {
                    seen[format.index()] = Some(line);
                    let earlier = DateFormat::ALL
                        .into_iter()
                        .filter(|f| *f != format)
                        .filter_map(|f| seen[f.index()].map(|l| (l, f)))
                        .min_by_key(|(l, _)| *l);
                    if let Some((first_line, first_format)) = earlier {
                        let mut i = self.issue(line, col, t, "intake-date-mixed-formats");
                        i.extra.extend([
                            ("first_format", first_format.example().to_owned()),
                            ("first_line", first_line.to_string()),
                            ("other_format", format.example().to_owned()),
                            ("other_line", line.to_string()),
                        ]);
                        issues.push(i);
                    }
                }
                Some(d)
            }
            Err(DateError::Impossible) => {
                issues.push(self.issue(line, col, t, "intake-date-impossible"));
                None
            }
            Err(DateError::Unrecognised) => {
                issues.push(self.issue(line, col, t, "intake-date-invalid"));
                None
            }
        }
    }

    fn settings_is_1904(&self) -> bool {
        self.report.info.excel_1904
    }
}
