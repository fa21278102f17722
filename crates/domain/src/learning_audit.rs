//! Learning audits (lærende audit) as in the reference audit 19.1: a panel from several
//! organisations picks the best examples per quality-model indicator from shared material,
//! reflects on them, meets, and agrees attention points, recommendations and a follow-up plan.
//! The rules here are the checks of what people enter and the tally the meeting starts from.

use crate::error::{FieldError, Problem};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The longest free text (a note, an answer, a recommendation): a few paragraphs.
pub const MAX_TEXT: usize = 4000;
/// The largest material file accepted (inspection reports are a few MB as PDF).
pub const MAX_MATERIAL_BYTES: usize = 10 * 1024 * 1024;
/// At most this many reflection questions per audit.
pub const MAX_QUESTIONS: usize = 8;
/// Form field names of the reflection answers, by position.
pub const ANSWER_FIELDS: [&str; MAX_QUESTIONS] = [
    "answer1", "answer2", "answer3", "answer4", "answer5", "answer6", "answer7", "answer8",
];

/// One indicator of a quality-model version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Indicator {
    pub code: &'static str,
    pub criterion: u8,
    pub da: &'static str,
    pub en: &'static str,
}

/// A theme of the quality model with the indicators tilsyn holds for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Theme {
    pub number: u8,
    pub da: &'static str,
    pub en: &'static str,
    pub indicators: &'static [Indicator],
}

/// A version of the quality model (kvalitetsmodellen for sociale tilbud).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Framework {
    pub key: &'static str,
    pub name: &'static str,
    pub themes: &'static [Theme],
}

impl Framework {
    pub fn theme(&self, number: u8) -> Option<&'static Theme> {
        self.themes.iter().find(|t| t.number == number)
    }

    pub fn indicator(&self, code: &str) -> Option<&'static Indicator> {
        self.themes
            .iter()
            .flat_map(|t| t.indicators.iter())
            .find(|i| i.code == code)
    }
}

/// The quality model's theme "Organisation og ledelse" (criteria 8 and 9), worded in our own
/// paraphrase of domain.md § 3.2; the other themes are listed so an audit can name them, and
/// their indicators are added when a municipality imports the annex in force.
pub const QUALITY_MODEL: Framework = Framework {
    key: "kvalitetsmodel-tilbud",
    name: "Kvalitetsmodellen for sociale tilbud (tema 5 efter § 3.2, egen gengivelse)",
    themes: &[
        Theme {
            number: 1,
            da: "Uddannelse og beskæftigelse",
            en: "Education and employment",
            indicators: &[],
        },
        Theme {
            number: 2,
            da: "Selvstændighed og relationer",
            en: "Independence and relationships",
            indicators: &[],
        },
        Theme {
            number: 3,
            da: "Målgrupper, metoder og resultater",
            en: "Target groups, methods and results",
            indicators: &[],
        },
        Theme {
            number: 4,
            da: "Sundhed og trivsel",
            en: "Health and well-being",
            indicators: &[],
        },
        Theme {
            number: 5,
            da: "Organisation og ledelse",
            en: "Organisation and management",
            indicators: &[
                Indicator {
                    code: "8.a",
                    criterion: 8,
                    da: "Ledelsen har relevante kompetencer (uddannelse, erfaring) til at lede tilbuddet",
                    en: "Management has the competences (education, experience) to lead the service",
                },
                Indicator {
                    code: "8.b",
                    criterion: 8,
                    da: "Medarbejderne får jævnligt supervision eller faglig sparring",
                    en: "Staff regularly receive supervision or professional sparring",
                },
                Indicator {
                    code: "8.c",
                    criterion: 8,
                    da: "Bestyrelsen (private tilbud) er aktiv og understøtter tilbuddets udvikling",
                    en: "The board (private services) is active and supports the service's development",
                },
                Indicator {
                    code: "9.a",
                    criterion: 9,
                    da: "Borgerne har kontakt med medarbejdere med relevante kompetencer",
                    en: "Citizens are in contact with staff who have relevant competences",
                },
                Indicator {
                    code: "9.b",
                    criterion: 9,
                    da: "Personalegennemstrømningen ligger ikke over niveauet på sammenlignelige arbejdspladser",
                    en: "Staff turnover is not above that of comparable workplaces",
                },
                Indicator {
                    code: "9.c",
                    criterion: 9,
                    da: "Sygefraværet ligger ikke over niveauet på sammenlignelige arbejdspladser",
                    en: "Sickness absence is not above that of comparable workplaces",
                },
            ],
        },
        Theme {
            number: 6,
            da: "Kompetencer",
            en: "Competences",
            indicators: &[],
        },
        Theme {
            number: 7,
            da: "Fysiske rammer",
            en: "Physical environment",
            indicators: &[],
        },
    ],
};

/// The frameworks tilsyn knows, by key.
pub fn framework(key: &str) -> Option<&'static Framework> {
    [&QUALITY_MODEL].into_iter().find(|f| f.key == key)
}

/// The four reflection questions of audit 19.1, asked of every nominated example unless the
/// audit has its own.
pub const DEFAULT_QUESTIONS_DA: [&str; 4] = [
    "Hvorfor er eksemplet særligt godt?",
    "Hvordan bidrager den valgte praksis til kvaliteten i vurderingen?",
    "Hvordan kunne praksis blive endnu bedre?",
    "Hvilke opmærksomheder eller dilemmaer rejser eksemplet?",
];

/// A person's part in the audit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PanelRole {
    /// Leads the meeting indicator by indicator.
    Facilitator,
    /// Takes the notes (referent).
    Referent,
    /// Panel member: nominates and discusses.
    Member,
    /// Participant from an organisation: nominates and discusses.
    Participant,
}

impl PanelRole {
    pub const ALL: [PanelRole; 4] = [
        PanelRole::Facilitator,
        PanelRole::Referent,
        PanelRole::Member,
        PanelRole::Participant,
    ];

    pub fn code(self) -> &'static str {
        match self {
            PanelRole::Facilitator => "facilitator",
            PanelRole::Referent => "referent",
            PanelRole::Member => "member",
            PanelRole::Participant => "participant",
        }
    }

    pub fn parse(s: &str) -> Option<PanelRole> {
        Self::ALL.into_iter().find(|r| r.code() == s.trim())
    }

    /// Nominates examples and answers the reflection questions before the meeting.
    pub fn nominates(self) -> bool {
        matches!(self, PanelRole::Member | PanelRole::Participant)
    }

    /// Writes the meeting's notes, attention points and recommendations.
    pub fn keeps_minutes(self) -> bool {
        matches!(self, PanelRole::Facilitator | PanelRole::Referent)
    }
}

/// What one person may do in one audit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AuditAccess {
    /// See the audit, its panel, material, tally and minutes.
    pub view: bool,
    /// Nominate examples and answer the reflection questions.
    pub nominate: bool,
    /// Write the meeting's notes, attention points and recommendations.
    pub minutes: bool,
    /// Add material and keep the follow-up plan.
    pub manage: bool,
    /// Choose the organisations and the panel: who may read the material is the leads' call.
    pub panel: bool,
}

/// The one rule of who does what in an audit: `leads` are the municipality's audit leads
/// (policy `LeadLearningAudits`), `role` is the person's place on this audit's panel. A
/// panelist who is not on the panel sees nothing of it.
pub fn access(leads: bool, role: Option<PanelRole>) -> AuditAccess {
    AuditAccess {
        view: leads || role.is_some(),
        nominate: role.is_some_and(PanelRole::nominates),
        minutes: leads || role.is_some_and(PanelRole::keeps_minutes),
        manage: leads || role == Some(PanelRole::Facilitator),
        panel: leads,
    }
}

/// What kind of document a material is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaterialKind {
    /// tilsynsrapport
    Report,
    /// praksisbeskrivelse
    Practice,
    Other,
}

impl MaterialKind {
    pub const ALL: [MaterialKind; 3] = [
        MaterialKind::Report,
        MaterialKind::Practice,
        MaterialKind::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            MaterialKind::Report => "report",
            MaterialKind::Practice => "practice",
            MaterialKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<MaterialKind> {
        Self::ALL.into_iter().find(|k| k.code() == s.trim())
    }
}

/// An indicator of the chosen theme: included, or left out with the reason why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorChoice {
    pub code: String,
    pub included: bool,
    pub reason: String,
}

/// A new learning audit as entered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAudit {
    pub code: String,
    pub title: String,
    pub framework: String,
    pub theme: u8,
    pub purpose: String,
    pub indicators: Vec<IndicatorChoice>,
    pub questions: Vec<String>,
}

fn text(p: &mut Problem, field: &'static str, v: &str, required: bool, max: usize) {
    if required && v.trim().is_empty() {
        p.push(FieldError::new(field, "la-text-needed"));
    } else if v.chars().count() > max {
        p.push(FieldError::new(field, "la-text-long"));
    }
}

/// An audit code: "19.1", "2026-3", letters, digits, dot and hyphen, at most 20, beginning
/// with a letter or digit (so no code reads as "." or ".." in a link).
pub fn valid_code(code: &str) -> bool {
    let c = code.trim();
    c.starts_with(|ch: char| ch.is_ascii_alphanumeric())
        && c.chars().count() <= 20
        && c.chars()
            .all(|ch| ch.is_ascii_alphanumeric() || ch == '.' || ch == '-')
}

/// Checks a new audit against its framework: every indicator of the theme is either included
/// or left out with a reason, and at least one is included.
pub fn check_new(a: &NewAudit) -> Result<(), Problem> {
    let mut p = Problem::default();
    if !valid_code(&a.code) {
        p.push(FieldError::new("code", "la-code-invalid"));
    }
    text(&mut p, "title", &a.title, true, 200);
    text(&mut p, "purpose", &a.purpose, false, MAX_TEXT);
    let theme = framework(&a.framework).and_then(|f| f.theme(a.theme));
    match theme {
        None => p.push(FieldError::new("theme", "la-theme-unknown")),
        Some(t) if t.indicators.is_empty() => {
            p.push(FieldError::new("theme", "la-theme-no-indicators"))
        }
        Some(t) => {
            let known = |c: &str| t.indicators.iter().any(|i| i.code == c);
            if a.indicators.iter().any(|i| !known(&i.code)) {
                p.push(FieldError::new("indicators", "la-indicator-unknown"));
            }
            if !a.indicators.iter().any(|i| i.included) {
                p.push(FieldError::new("indicators", "la-indicators-none"));
            }
            if a.indicators
                .iter()
                .any(|i| !i.included && i.reason.trim().is_empty())
            {
                p.push(FieldError::new("reasons", "la-left-out-needs-reason"));
            }
            if a.indicators
                .iter()
                .any(|i| i.reason.chars().count() > MAX_TEXT)
            {
                p.push(FieldError::new("reasons", "la-text-long"));
            }
        }
    }
    let asked: Vec<&String> = a
        .questions
        .iter()
        .filter(|q| !q.trim().is_empty())
        .collect();
    if asked.is_empty() {
        p.push(FieldError::new("questions", "la-questions-none"));
    } else if asked.len() > MAX_QUESTIONS {
        p.push(FieldError::new("questions", "la-questions-many"));
    } else if asked.iter().any(|q| q.chars().count() > 400) {
        p.push(FieldError::new("questions", "la-text-long"));
    }
    p.into_result()
}

/// A material as the nomination check needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MaterialRef {
    pub id: Uuid,
    /// Applies to this indicator only (8.c: only reports on private services with a board).
    pub only_indicator: Option<String>,
}

/// One participant's nomination for one indicator, as entered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nomination {
    pub indicator: String,
    pub material: Option<Uuid>,
    /// Where in the material: a page, a section, a short excerpt.
    pub excerpt: String,
    /// The answers to the audit's reflection questions, in their order.
    pub answers: Vec<String>,
}

/// Checks a nomination: the indicator is one the audit includes, the material exists and may
/// be used for it, and every reflection question is answered.
pub fn check_nomination(
    n: &Nomination,
    included: &[&str],
    materials: &[MaterialRef],
    questions: usize,
) -> Result<(), Problem> {
    let mut p = Problem::default();
    if !included.contains(&n.indicator.as_str()) {
        p.push(FieldError::new("indicator", "la-indicator-not-in-audit"));
    }
    match n
        .material
        .and_then(|m| materials.iter().find(|x| x.id == m))
    {
        None => p.push(FieldError::new("material", "la-material-choose")),
        Some(m) => {
            if m.only_indicator
                .as_deref()
                .is_some_and(|only| only != n.indicator)
            {
                p.push(FieldError::new("material", "la-material-other-indicator"));
            }
        }
    }
    text(&mut p, "excerpt", &n.excerpt, false, MAX_TEXT);
    for (i, field) in ANSWER_FIELDS.iter().enumerate().take(questions) {
        text(
            &mut p,
            field,
            n.answers.get(i).map(String::as_str).unwrap_or(""),
            true,
            MAX_TEXT,
        );
    }
    p.into_result()
}

/// An example in the tally: a material nominated for an indicator and by how many.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TallyRow {
    pub material: Uuid,
    pub count: usize,
}

/// Nominations counted per indicator and example, the most chosen first (ties in the order
/// the materials were first nominated, so the list does not jump between reloads).
pub fn tally<'a>(
    nominations: impl IntoIterator<Item = (&'a str, Uuid)>,
) -> BTreeMap<String, Vec<TallyRow>> {
    let mut out: BTreeMap<String, Vec<TallyRow>> = BTreeMap::new();
    for (indicator, material) in nominations {
        let rows = out.entry(indicator.to_owned()).or_default();
        match rows.iter_mut().find(|r| r.material == material) {
            Some(r) => r.count += 1,
            None => rows.push(TallyRow { material, count: 1 }),
        }
    }
    for rows in out.values_mut() {
        // A stable sort keeps first-nominated order among equal counts.
        rows.sort_by_key(|r| std::cmp::Reverse(r.count));
    }
    out
}

/// The file types material may have, told by their content, not their name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileType {
    Pdf,
    Docx,
    Odt,
    Text,
}

impl FileType {
    pub fn content_type(self) -> &'static str {
        match self {
            FileType::Pdf => "application/pdf",
            FileType::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            FileType::Odt => "application/vnd.oasis.opendocument.text",
            FileType::Text => "text/plain; charset=utf-8",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            FileType::Pdf => "pdf",
            FileType::Docx => "docx",
            FileType::Odt => "odt",
            FileType::Text => "txt",
        }
    }

    pub fn from_content_type(s: &str) -> Option<FileType> {
        [FileType::Pdf, FileType::Docx, FileType::Odt, FileType::Text]
            .into_iter()
            .find(|t| t.content_type() == s)
    }
}

/// Checks an uploaded material file: not empty, not above [`MAX_MATERIAL_BYTES`], and its
/// content is the type its name says (`sniffed` is what the content was recognised as by the
/// adapter's detector, `None` when nothing was recognised). Plain text must be UTF-8 without
/// control bytes, so nothing executable or binary passes as ".txt".
pub fn check_file(
    file_name: &str,
    bytes: &[u8],
    sniffed: Option<FileType>,
) -> Result<FileType, FieldError> {
    if bytes.is_empty() {
        return Err(FieldError::new("file", "la-file-empty"));
    }
    if bytes.len() > MAX_MATERIAL_BYTES {
        return Err(FieldError::new("file", "la-file-large"));
    }
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let named = match ext.as_str() {
        "pdf" => FileType::Pdf,
        "docx" => FileType::Docx,
        "odt" => FileType::Odt,
        "txt" => FileType::Text,
        _ => return Err(FieldError::new("file", "la-file-type")),
    };
    let is = match named {
        FileType::Text => {
            let plain = std::str::from_utf8(bytes).is_ok_and(|s| {
                !s.chars()
                    .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
            });
            plain.then_some(FileType::Text)
        }
        _ => sniffed,
    };
    if is == Some(named) {
        Ok(named)
    } else {
        Err(FieldError::new("file", "la-file-mismatch"))
    }
}

/// Notes and the recommendation the meeting agreed for one indicator.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IndicatorMinutes {
    /// What the panel agreed the examples have in common (fælles forståelse).
    pub notes: String,
    pub recommendation: String,
}

pub fn check_minutes(m: &IndicatorMinutes) -> Result<(), Problem> {
    let mut p = Problem::default();
    text(&mut p, "notes", &m.notes, false, MAX_TEXT);
    text(&mut p, "recommendation", &m.recommendation, false, MAX_TEXT);
    if m.notes.trim().is_empty() && m.recommendation.trim().is_empty() {
        p.push(FieldError::new("notes", "la-minutes-empty"));
    }
    p.into_result()
}

/// An attention point (opmærksomhed) under a heading such as "Begreber" or "Triangulering".
pub fn check_attention_point(heading: &str, text_: &str) -> Result<(), Problem> {
    let mut p = Problem::default();
    text(&mut p, "heading", heading, true, 120);
    text(&mut p, "point", text_, true, MAX_TEXT);
    p.into_result()
}

/// Attention points grouped under their headings, headings in the order first used.
pub fn group_points<T: Clone>(points: &[(String, T)]) -> Vec<(String, Vec<T>)> {
    let mut out: Vec<(String, Vec<T>)> = Vec::new();
    for (heading, p) in points {
        let h = heading.trim();
        match out.iter_mut().find(|(x, _)| x.eq_ignore_ascii_case(h)) {
            Some((_, list)) => list.push(p.clone()),
            None => out.push((h.to_owned(), vec![p.clone()])),
        }
    }
    out
}

/// The audit report as data: everything the PDF prints, names and labels resolved, so the
/// renderer needs neither the store nor the message catalogue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditReport {
    pub english: bool,
    pub generated_at: chrono::DateTime<chrono::Utc>,
    pub generated_by: String,
    /// Who issues it (the municipality or authority running tilsyn).
    pub issuer: String,
    pub code: String,
    pub title: String,
    pub framework: String,
    /// The theme's number and name, e.g. "5. Organisation og ledelse".
    pub theme: String,
    pub purpose: String,
    pub questions: Vec<String>,
    /// The included indicators in framework order, with what the meeting agreed.
    pub indicators: Vec<ReportIndicator>,
    pub left_out: Vec<LeftOut>,
    /// Panel members without an organisation (facilitator, referent) come first, as "".
    pub panel: Vec<ReportOrganisation>,
    pub materials: Vec<ReportMaterial>,
    pub follow_up: Vec<ReportAction>,
    /// Every text the report prints, resolved in its language when it was made.
    pub texts: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportIndicator {
    pub code: String,
    pub text: String,
    /// How many participants nominated an example for it.
    pub nominations: usize,
    /// The examples most chosen, with their counts (the tally's top).
    pub examples: Vec<ReportExample>,
    pub notes: String,
    /// Attention points grouped under their headings.
    pub attention: Vec<(String, Vec<String>)>,
    pub recommendation: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportExample {
    pub material: String,
    pub organisation: String,
    pub count: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeftOut {
    pub code: String,
    pub text: String,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportOrganisation {
    pub name: String,
    /// (name, role label)
    pub members: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportMaterial {
    pub title: String,
    pub organisation: String,
    pub kind: String,
    /// "Kun 8.c" or empty.
    pub only: String,
    /// A file name, or the reference when the material is not uploaded.
    pub source: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportAction {
    pub description: String,
    pub owner: String,
    pub due: chrono::NaiveDate,
    pub status: String,
    pub overdue: bool,
    /// The evidence (done) or reason (dropped).
    pub note: String,
}

/// Every text the audit report prints (resolved into [`AuditReport::texts`] in the report's
/// language; the catalogue has them in `la_report.ftl`).
pub const AUDIT_TEXT_KEYS: &[&str] = &[
    "la-report-title",
    "la-report-kind",
    "la-report-contents",
    "la-report-theme",
    "la-report-framework",
    "la-report-issuer",
    "la-report-generated",
    "la-report-generated-by",
    "la-report-page",
    "la-report-page-of",
    "la-report-none",
    "la-report-purpose",
    "la-report-method",
    "la-report-method-text",
    "la-report-questions",
    "la-report-questions-intro",
    "la-report-included",
    "la-report-left-out",
    "la-report-participants",
    "la-report-no-organisation",
    "la-report-materials",
    "la-report-materials-intro",
    "la-report-findings",
    "la-report-findings-intro",
    "la-report-indicator",
    "la-report-examples",
    "la-report-examples-note",
    "la-report-understanding",
    "la-report-attention",
    "la-report-recommendation",
    "la-report-follow-up",
    "la-report-follow-up-intro",
    "la-report-overdue",
    "la-report-of",
    "la-report-col-indicator",
    "la-report-col-text",
    "la-report-col-reason",
    "la-report-col-name",
    "la-report-col-role",
    "la-report-col-title",
    "la-report-col-organisation",
    "la-report-col-kind",
    "la-report-col-only",
    "la-report-col-source",
    "la-report-col-material",
    "la-report-col-chosen",
    "la-report-col-action",
    "la-report-col-owner",
    "la-report-col-due",
    "la-report-col-status",
    "la-report-col-note",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn audit_19_1() -> NewAudit {
        let pick = |c: &str, reason: &str| IndicatorChoice {
            code: c.into(),
            included: reason.is_empty(),
            reason: reason.into(),
        };
        NewAudit {
            code: "19.1".into(),
            title: "Organisation og ledelse på botilbud".into(),
            framework: QUALITY_MODEL.key.into(),
            theme: 5,
            purpose: "At lære af de bedste eksempler".into(),
            indicators: vec![
                pick("8.a", ""),
                pick("8.b", ""),
                pick("8.c", ""),
                pick("9.a", ""),
                pick("9.b", "Bygger mest på kvantitative data"),
                pick("9.c", "Bygger mest på kvantitative data"),
            ],
            questions: DEFAULT_QUESTIONS_DA.iter().map(|q| q.to_string()).collect(),
        }
    }

    fn fields(r: Result<(), Problem>) -> Vec<&'static str> {
        r.err()
            .map(|p| p.0.iter().map(|e| e.field).collect())
            .unwrap_or_default()
    }

    #[test]
    fn an_audit_like_19_1_passes_and_left_out_indicators_need_a_reason() {
        assert_eq!(check_new(&audit_19_1()), Ok(()));
        let mut a = audit_19_1();
        a.indicators[5].reason = "  ".into();
        assert_eq!(fields(check_new(&a)), vec!["reasons"]);
        let mut a = audit_19_1();
        for i in &mut a.indicators {
            i.included = false;
            i.reason = "x".into();
        }
        assert_eq!(fields(check_new(&a)), vec!["indicators"]);
        let mut a = audit_19_1();
        a.indicators.push(IndicatorChoice {
            code: "1.a".into(),
            included: true,
            reason: String::new(),
        });
        assert_eq!(fields(check_new(&a)), vec!["indicators"]);
    }

    #[test]
    fn codes_titles_themes_and_questions_are_checked_together() {
        let mut a = audit_19_1();
        a.code = "19 1/../".into();
        a.title = String::new();
        a.theme = 1; // a theme without indicators held
        a.questions = vec![" ".into()];
        assert_eq!(
            fields(check_new(&a)),
            vec!["code", "title", "theme", "questions"]
        );
        assert!(valid_code("2026-3") && valid_code("19.1"));
        assert!(!valid_code("") && !valid_code("a b") && !valid_code(&"1".repeat(21)));
        assert!(!valid_code(".") && !valid_code("..") && !valid_code("-1"));
        let mut a = audit_19_1();
        a.questions = (0..=MAX_QUESTIONS).map(|i| format!("q{i}")).collect();
        assert_eq!(fields(check_new(&a)), vec!["questions"]);
    }

    #[test]
    fn a_nomination_needs_an_included_indicator_a_fitting_material_and_every_answer() {
        let (m1, m8c) = (Uuid::from_u128(1), Uuid::from_u128(2));
        let materials = [
            MaterialRef {
                id: m1,
                only_indicator: None,
            },
            MaterialRef {
                id: m8c,
                only_indicator: Some("8.c".into()),
            },
        ];
        let included = ["8.a", "8.b", "8.c", "9.a"];
        let n = |ind: &str, m: Uuid, answers: &[&str]| Nomination {
            indicator: ind.into(),
            material: Some(m),
            excerpt: "s. 4".into(),
            answers: answers.iter().map(|a| a.to_string()).collect(),
        };
        let four = ["a", "b", "c", "d"];
        assert_eq!(
            check_nomination(&n("8.a", m1, &four), &included, &materials, 4),
            Ok(())
        );
        assert_eq!(
            check_nomination(&n("8.c", m8c, &four), &included, &materials, 4),
            Ok(())
        );
        // The board report is for 8.c only.
        assert_eq!(
            fields(check_nomination(
                &n("8.a", m8c, &four),
                &included,
                &materials,
                4
            )),
            vec!["material"]
        );
        // 9.b was left out; an unknown material; two answers missing.
        assert_eq!(
            fields(check_nomination(
                &n("9.b", Uuid::from_u128(9), &["a", " "]),
                &included,
                &materials,
                4
            )),
            vec!["indicator", "material", "answer2", "answer3", "answer4"]
        );
    }

    #[test]
    fn the_tally_counts_per_indicator_and_puts_the_most_chosen_first() {
        let (a, b, c) = (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        // 8.a: a once, b three times, c once (a before c); 9.a: c twice.
        let noms = [
            ("8.a", a),
            ("8.a", b),
            ("9.a", c),
            ("8.a", c),
            ("8.a", b),
            ("9.a", c),
            ("8.a", b),
        ];
        let t = tally(noms);
        assert_eq!(
            t["8.a"],
            vec![
                TallyRow {
                    material: b,
                    count: 3
                },
                TallyRow {
                    material: a,
                    count: 1
                },
                TallyRow {
                    material: c,
                    count: 1
                },
            ]
        );
        assert_eq!(
            t["9.a"],
            vec![TallyRow {
                material: c,
                count: 2
            }]
        );
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn files_are_checked_by_size_name_and_content() {
        let pdf = b"%PDF-1.7 ...";
        assert_eq!(
            check_file("rapport.PDF", pdf, Some(FileType::Pdf)),
            Ok(FileType::Pdf)
        );
        // A name that lies about the content.
        assert_eq!(
            check_file("rapport.pdf", b"MZ\x90\x00", None).map_err(|e| e.key),
            Err("la-file-mismatch")
        );
        assert_eq!(
            check_file("noter.txt", "Praksis på Æblehaven\n".as_bytes(), None),
            Ok(FileType::Text)
        );
        assert_eq!(
            check_file("noter.txt", b"ab\x00cd", None).map_err(|e| e.key),
            Err("la-file-mismatch")
        );
        assert_eq!(
            check_file("run.exe", b"MZ", None).map_err(|e| e.key),
            Err("la-file-type")
        );
        assert_eq!(
            check_file("x.pdf", b"", None).map_err(|e| e.key),
            Err("la-file-empty")
        );
        let big = vec![b'a'; MAX_MATERIAL_BYTES + 1];
        assert_eq!(
            check_file("x.txt", &big, None).map_err(|e| e.key),
            Err("la-file-large")
        );
    }

    #[test]
    fn access_follows_the_panel_role() {
        assert_eq!(access(false, None), AuditAccess::default());
        let p = access(false, Some(PanelRole::Participant));
        assert!(p.view && p.nominate && !p.minutes && !p.manage);
        let r = access(false, Some(PanelRole::Referent));
        assert!(r.view && !r.nominate && r.minutes && !r.manage);
        let f = access(false, Some(PanelRole::Facilitator));
        assert!(f.view && !f.nominate && f.minutes && f.manage && !f.panel);
        let lead = access(true, None);
        assert!(lead.view && !lead.nominate && lead.minutes && lead.manage && lead.panel);
    }

    #[test]
    fn attention_points_group_under_headings_in_first_use_order() {
        let pts = vec![
            ("Begreber".to_string(), 1),
            ("Datakilder og metoder".to_string(), 2),
            ("begreber ".to_string(), 3),
            ("Triangulering".to_string(), 4),
        ];
        assert_eq!(
            group_points(&pts),
            vec![
                ("Begreber".to_string(), vec![1, 3]),
                ("Datakilder og metoder".to_string(), vec![2]),
                ("Triangulering".to_string(), vec![4]),
            ]
        );
        assert!(check_attention_point("", "x").is_err());
        assert_eq!(check_attention_point("Begreber", "Fælles sprog"), Ok(()));
        assert_eq!(
            fields(check_minutes(&IndicatorMinutes::default())),
            vec!["notes"]
        );
    }
}
