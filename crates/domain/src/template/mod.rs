//! Question frameworks (skabeloner): the content of one template version — sections, items,
//! scales, applicability rules — with the checks that keep it usable and comparable, and the
//! evaluation that decides which questions apply to a case.

pub mod edit;
pub mod rules;
pub mod scale;

pub use rules::{Answers, CaseFacts, Condition, Tri};
pub use scale::{CANNOT_ASSESS, Scale, ScaleKind, ScalePoint};

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Danish text with an optional English translation (Danish is shown when English is missing).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    pub da: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub en: String,
}

impl Text {
    pub fn new(da: &str, en: &str) -> Self {
        Self {
            da: da.into(),
            en: en.into(),
        }
    }

    pub fn get(&self, english: bool) -> &str {
        if english && !self.en.trim().is_empty() {
            &self.en
        } else {
            &self.da
        }
    }

    pub fn is_blank(&self) -> bool {
        self.da.trim().is_empty()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TemplateKind {
    /// Overordnet: legal compliance across case steps.
    Compliance,
    /// Tematiseret: professional quality on one or two themes.
    Thematic,
    /// The socialtilsyn quality model (indicators on 1–5), for learning audits.
    QualityModel,
    /// A library of temanedslag items that rounds add on top of their template.
    ThemeSpots,
}

impl TemplateKind {
    pub const ALL: [TemplateKind; 4] = [
        TemplateKind::Compliance,
        TemplateKind::Thematic,
        TemplateKind::QualityModel,
        TemplateKind::ThemeSpots,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TemplateKind::Compliance => "compliance",
            TemplateKind::Thematic => "thematic",
            TemplateKind::QualityModel => "quality_model",
            TemplateKind::ThemeSpots => "theme_spots",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn label_key(self) -> String {
        format!("template-kind-{}", self.code().replace('_', "-"))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    /// Sagsskridt: a step in the life of a case.
    CaseStep,
    /// Pejlemærke.
    Bearing,
    /// Tema.
    Theme,
    /// Kriterium (the quality model).
    Criterion,
}

impl SectionKind {
    pub const ALL: [SectionKind; 4] = [
        SectionKind::CaseStep,
        SectionKind::Bearing,
        SectionKind::Theme,
        SectionKind::Criterion,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SectionKind::CaseStep => "case_step",
            SectionKind::Bearing => "bearing",
            SectionKind::Theme => "theme",
            SectionKind::Criterion => "criterion",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn label_key(self) -> String {
        format!("section-kind-{}", self.code().replace('_', "-"))
    }
}

/// The four pejlemærker that Ankestyrelsen's barometer and SBST use, so results compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Bearing {
    Involvement,
    Assessment,
    ChoiceOfMeasure,
    FollowUp,
}

impl Bearing {
    pub const ALL: [Bearing; 4] = [
        Bearing::Involvement,
        Bearing::Assessment,
        Bearing::ChoiceOfMeasure,
        Bearing::FollowUp,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Bearing::Involvement => "involvement",
            Bearing::Assessment => "assessment",
            Bearing::ChoiceOfMeasure => "choice_of_measure",
            Bearing::FollowUp => "follow_up",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.code() == s)
    }

    pub fn label_key(self) -> String {
        format!("bearing-{}", self.code().replace('_', "-"))
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    #[default]
    Core,
    /// Temanedslag: a rotating thematic item.
    ThemeSpot,
}

impl ItemKind {
    pub fn code(self) -> &'static str {
        match self {
            ItemKind::Core => "core",
            ItemKind::ThemeSpot => "theme_spot",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [ItemKind::Core, ItemKind::ThemeSpot]
            .into_iter()
            .find(|k| k.code() == s)
    }
}

/// A structured reference to the law, e.g. barnets lov § 20, stk. 3 in LBK nr. 282 af 17/03/2025.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalRef {
    pub law: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub law_version: Option<String>,
    /// The paragraph number without the sign, e.g. "20" or "156".
    pub paragraph: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stk: Option<String>,
}

impl LegalRef {
    /// "barnets lov § 20, stk. 3".
    pub fn display(&self) -> String {
        let mut s = format!("{} § {}", self.law, self.paragraph);
        if let Some(stk) = &self.stk {
            s.push_str(&format!(", stk. {stk}"));
        }
        s
    }

    /// Parses "barnets lov § 20, stk. 3 (LBK 282/2025)"; the law is everything before "§".
    pub fn parse(s: &str) -> Option<LegalRef> {
        let s = s.trim();
        let (law, rest) = s.split_once('§')?;
        let law = law.trim().trim_end_matches(',').trim();
        let (rest, version) = match rest.split_once('(') {
            Some((r, v)) => (r, Some(v.trim().trim_end_matches(')').trim().to_owned())),
            None => (rest, None),
        };
        let mut parts = rest.split(',');
        let paragraph = parts.next()?.trim().to_owned();
        let stk = parts
            .next()
            .map(|p| p.trim().trim_start_matches("stk.").trim().to_owned())
            .filter(|p| !p.is_empty());
        if law.is_empty() || paragraph.is_empty() || parts.next().is_some() {
            return None;
        }
        if !paragraph.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            return None;
        }
        Some(LegalRef {
            law: law.to_owned(),
            law_version: version.filter(|v| !v.is_empty()),
            paragraph,
            stk,
        })
    }

    /// Whether this reference cites a paragraph given as "§ 20", "§20" or "20".
    pub fn cites(&self, paragraph: &str) -> bool {
        normalise_paragraph(paragraph).is_some_and(|p| p.eq_ignore_ascii_case(&self.paragraph))
    }
}

/// "§ 20", "§20", " 20 " → "20".
pub fn normalise_paragraph(s: &str) -> Option<String> {
    let p = s.trim().trim_start_matches('§').trim();
    (!p.is_empty() && p.chars().next().is_some_and(|c| c.is_ascii_digit())).then(|| p.to_owned())
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Stable across versions and templates; a change of meaning needs a new key.
    pub key: String,
    pub text: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<Text>,
    /// What counts as "ja": shown beside the question to the reviewer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub criteria: Option<Text>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub legal_refs: Vec<LegalRef>,
    pub scale: String,
    /// Answer codes that count as compliant.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub compliant: Vec<String>,
    /// Answer codes on which a remark is required (e.g. "nej").
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remark_required_on: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bearing: Option<Bearing>,
    #[serde(default, skip_serializing_if = "is_core")]
    pub kind: ItemKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<Condition>,
    /// Where the item comes from, e.g. "tilsyn standard, efter barnets lov § 20".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// A deadline the register's dates can check; its outcome pre-fills the answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<crate::deadline::DateRule>,
}

fn is_core(k: &ItemKind) -> bool {
    *k == ItemKind::Core
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Section {
    pub key: String,
    pub kind: SectionKind,
    pub title: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intro: Option<Text>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<Condition>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Item>,
    /// Subsections (one level only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<Section>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttributeKind {
    Text,
    Number,
    Date,
}

/// A case attribute (an imported column) that rules may use.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeDecl {
    pub name: String,
    pub kind: AttributeKind,
    pub label: Text,
}

/// Everything one template version says. Immutable once the version is published.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateContent {
    /// The template's stable key, e.g. "BL-OVERORDNET".
    pub key: String,
    pub title: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Text>,
    pub kind: TemplateKind,
    /// Provenance, e.g. "tilsyn standardindhold; egen formulering efter barnets lov".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The law version the legal references were checked against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub law_version: Option<String>,
    /// Offer "kan ikke vurderes" on every choice item (stated in reports).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub cannot_assess: bool,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<AttributeDecl>,
    pub scales: Vec<Scale>,
    pub sections: Vec<Section>,
}

/// One thing wrong with template content: where (an item, section or scale key; empty for the
/// template itself), which field, and a catalogue key; `detail` fills the message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{at}: {field}: {key} {detail}")]
pub struct ContentError {
    pub at: String,
    pub field: &'static str,
    pub key: &'static str,
    pub detail: String,
}

impl ContentError {
    pub fn new(
        at: &str,
        field: &'static str,
        key: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            at: at.to_owned(),
            field,
            key,
            detail: detail.into(),
        }
    }
}

/// Keys of templates, sections, items and scales: letters, digits, `_`, `-` and `.`, starting
/// with a letter, so they are safe in URLs, files and spreadsheets.
pub fn valid_key(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 64
        && k.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !k.ends_with('.')
        && !k.contains("..")
}

/// Answer codes: short, letters, digits and `_` ("ja", "hoej", "3").
pub fn valid_code(c: &str) -> bool {
    !c.is_empty() && c.len() <= 32 && c.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A flattened view of an item with where it sits.
#[derive(Clone, Copy, Debug)]
pub struct Placed<'a> {
    pub item: &'a Item,
    /// The top-level section.
    pub section: &'a Section,
    /// The subsection, if the item sits in one.
    pub subsection: Option<&'a Section>,
    /// Position in document order (0-based).
    pub position: usize,
}

impl TemplateContent {
    /// Items in the order a reviewer meets them: a section's own items, then its subsections.
    pub fn items(&self) -> Vec<Placed<'_>> {
        let mut out = vec![];
        for s in &self.sections {
            for i in &s.items {
                let position = out.len();
                out.push(Placed {
                    item: i,
                    section: s,
                    subsection: None,
                    position,
                });
            }
            for sub in &s.sections {
                for i in &sub.items {
                    let position = out.len();
                    out.push(Placed {
                        item: i,
                        section: s,
                        subsection: Some(sub),
                        position,
                    });
                }
            }
        }
        out
    }

    /// The numbers people see: sections "2", subsections "2.4" (after the section's own
    /// items), items "2.3" or "2.4.1", by key. The one numbering every view and export uses.
    pub fn numbering(&self) -> BTreeMap<String, String> {
        // Gathered in document order and built in one go: a map filled by `insert` costs a
        // search (long shared key prefixes) per entry. On equal keys the later entry wins, as
        // it would with `insert`.
        let mut pairs: Vec<(String, String)> = Vec::with_capacity(
            self.sections
                .iter()
                .map(|s| {
                    1 + s.items.len() + s.sections.iter().map(|x| 1 + x.items.len()).sum::<usize>()
                })
                .sum(),
        );
        let child = |parent: &str, n: usize| {
            use std::fmt::Write;
            let mut s = String::with_capacity(parent.len() + 4);
            s.push_str(parent);
            let _ = write!(s, ".{n}");
            s
        };
        for (n, s) in self.sections.iter().enumerate() {
            let top = (n + 1).to_string();
            for (m, i) in s.items.iter().enumerate() {
                pairs.push((i.key.clone(), child(&top, m + 1)));
            }
            for (k, sub) in s.sections.iter().enumerate() {
                let number = child(&top, s.items.len() + k + 1);
                for (m, i) in sub.items.iter().enumerate() {
                    pairs.push((i.key.clone(), child(&number, m + 1)));
                }
                pairs.push((sub.key.clone(), number));
            }
            pairs.push((s.key.clone(), top));
        }
        pairs.into_iter().collect()
    }

    /// The first item with this key, in document order.
    pub fn item(&self, key: &str) -> Option<&Item> {
        // Without building `items()`: this is asked once per answer saved and per rule shown.
        self.sections.iter().find_map(|s| {
            s.items.iter().find(|i| i.key == key).or_else(|| {
                s.sections
                    .iter()
                    .find_map(|sub| sub.items.iter().find(|i| i.key == key))
            })
        })
    }

    pub fn scale(&self, key: &str) -> Option<&Scale> {
        self.scales.iter().find(|s| s.key == key)
    }

    /// All sections, top level and subsections, in document order.
    pub fn all_sections(&self) -> Vec<&Section> {
        let mut v = vec![];
        for s in &self.sections {
            v.push(s);
            v.extend(s.sections.iter());
        }
        v
    }

    /// Everything that must be right before a version is published: `check` plus no empty
    /// template or section (a draft may hold a section that has no items yet).
    pub fn check_for_publish(&self) -> Vec<ContentError> {
        let mut errs = self.check();
        if self.sections.is_empty() {
            errs.push(ContentError::new("", "sections", "err-tpl-no-sections", ""));
        }
        for sec in self.all_sections() {
            if sec.items.is_empty() && sec.sections.is_empty() {
                errs.push(ContentError::new(
                    &sec.key,
                    "items",
                    "err-tpl-section-empty",
                    "",
                ));
            }
        }
        errs
    }

    /// Everything wrong with this content; empty means it may be saved as a draft.
    pub fn check(&self) -> Vec<ContentError> {
        let mut errs = vec![];
        if !valid_key(&self.key) {
            errs.push(ContentError::new(
                "",
                "key",
                "err-tpl-key-invalid",
                &self.key,
            ));
        }
        if self.title.is_blank() {
            errs.push(ContentError::new("", "title", "err-tpl-text-empty", ""));
        }
        self.check_scales(&mut errs);
        self.check_structure(&mut errs);
        self.check_items(&mut errs);
        self.check_rules(&mut errs);
        self.check_deadlines(&mut errs);
        errs
    }

    /// A date rule pre-fills a compliance answer, from dates the case has or declares.
    fn check_deadlines(&self, errs: &mut Vec<ContentError>) {
        for p in self.items() {
            let Some(rule) = &p.item.deadline else {
                continue;
            };
            let at = p.item.key.as_str();
            if self.scale(&p.item.scale).map(|s| s.kind) != Some(ScaleKind::Compliance)
                || p.item.compliant.is_empty()
            {
                errs.push(ContentError::new(
                    at,
                    "deadline",
                    "err-tpl-deadline-scale",
                    "",
                ));
            }
            if rule.from.is_empty() {
                errs.push(ContentError::new(at, "deadline", "err-tpl-rule-empty", ""));
            }
            for f in rule.from.iter().chain(std::iter::once(&rule.done)) {
                if let crate::deadline::DateFact::Attribute(name) = f {
                    match self.attribute(name) {
                        Some(a) if a.kind == AttributeKind::Date => {}
                        Some(_) => {
                            errs.push(ContentError::new(at, "deadline", "err-tpl-rule-type", name))
                        }
                        None => errs.push(ContentError::new(
                            at,
                            "deadline",
                            "err-tpl-rule-unknown-attribute",
                            name,
                        )),
                    }
                }
            }
        }
    }

    fn check_scales(&self, errs: &mut Vec<ContentError>) {
        let mut seen = BTreeSet::new();
        for s in &self.scales {
            if !valid_key(&s.key) {
                errs.push(ContentError::new(
                    &s.key,
                    "key",
                    "err-tpl-key-invalid",
                    &s.key,
                ));
            }
            if !seen.insert(s.key.as_str()) {
                errs.push(ContentError::new(
                    &s.key,
                    "key",
                    "err-tpl-duplicate-scale",
                    "",
                ));
            }
            if s.label.is_blank() {
                errs.push(ContentError::new(&s.key, "label", "err-tpl-text-empty", ""));
            }
            if s.kind.has_points() {
                if s.points.len() < 2 {
                    errs.push(ContentError::new(
                        &s.key,
                        "points",
                        "err-tpl-scale-no-points",
                        "",
                    ));
                }
                let mut codes = BTreeSet::new();
                for p in &s.points {
                    if !valid_code(&p.code) || p.code == CANNOT_ASSESS {
                        errs.push(ContentError::new(
                            &s.key,
                            "points",
                            "err-tpl-point-code",
                            &p.code,
                        ));
                    }
                    if !codes.insert(p.code.as_str()) {
                        errs.push(ContentError::new(
                            &s.key,
                            "points",
                            "err-tpl-point-duplicate",
                            &p.code,
                        ));
                    }
                    if p.label.is_blank() {
                        errs.push(ContentError::new(
                            &s.key,
                            "points",
                            "err-tpl-text-empty",
                            &p.code,
                        ));
                    }
                    if s.kind == ScaleKind::Score && p.value.is_none() {
                        errs.push(ContentError::new(
                            &s.key,
                            "points",
                            "err-tpl-score-value",
                            &p.code,
                        ));
                    }
                }
                if s.kind == ScaleKind::Compliance
                    && s.points.iter().filter(|p| !p.not_applicable).count() < 2
                {
                    errs.push(ContentError::new(
                        &s.key,
                        "points",
                        "err-tpl-scale-no-points",
                        "",
                    ));
                }
            } else if !s.points.is_empty() {
                errs.push(ContentError::new(
                    &s.key,
                    "points",
                    "err-tpl-scale-points-not-allowed",
                    "",
                ));
            }
        }
    }

    fn check_structure(&self, errs: &mut Vec<ContentError>) {
        let mut keys = BTreeSet::new();
        for s in &self.sections {
            for sec in std::iter::once(s).chain(s.sections.iter()) {
                if !valid_key(&sec.key) {
                    errs.push(ContentError::new(
                        &sec.key,
                        "key",
                        "err-tpl-key-invalid",
                        &sec.key,
                    ));
                }
                if !keys.insert(sec.key.as_str()) {
                    errs.push(ContentError::new(
                        &sec.key,
                        "key",
                        "err-tpl-duplicate-section",
                        "",
                    ));
                }
                if sec.title.is_blank() {
                    errs.push(ContentError::new(
                        &sec.key,
                        "title",
                        "err-tpl-text-empty",
                        "",
                    ));
                }
            }
            for sub in &s.sections {
                if !sub.sections.is_empty() {
                    errs.push(ContentError::new(
                        &sub.key,
                        "sections",
                        "err-tpl-too-deep",
                        "",
                    ));
                }
            }
        }
    }

    fn check_items(&self, errs: &mut Vec<ContentError>) {
        let mut keys = BTreeSet::new();
        for p in self.items() {
            let i = p.item;
            if !valid_key(&i.key) {
                errs.push(ContentError::new(
                    &i.key,
                    "key",
                    "err-tpl-key-invalid",
                    &i.key,
                ));
            }
            if !keys.insert(i.key.as_str()) {
                errs.push(ContentError::new(
                    &i.key,
                    "key",
                    "err-tpl-duplicate-item",
                    "",
                ));
            }
            if i.text.is_blank() {
                errs.push(ContentError::new(&i.key, "text", "err-tpl-text-empty", ""));
            }
            for r in &i.legal_refs {
                if r.law.trim().is_empty() || normalise_paragraph(&r.paragraph).is_none() {
                    errs.push(ContentError::new(
                        &i.key,
                        "legal_refs",
                        "err-tpl-legal-ref",
                        r.display(),
                    ));
                }
            }
            let Some(scale) = self.scale(&i.scale) else {
                errs.push(ContentError::new(
                    &i.key,
                    "scale",
                    "err-tpl-unknown-scale",
                    &i.scale,
                ));
                continue;
            };
            for c in i.compliant.iter().chain(&i.remark_required_on) {
                let known = scale.point(c).is_some()
                    || (c == CANNOT_ASSESS && self.cannot_assess && scale.kind.has_points());
                if !known {
                    errs.push(ContentError::new(
                        &i.key,
                        "compliant",
                        "err-tpl-unknown-answer",
                        c,
                    ));
                }
            }
            if scale.kind == ScaleKind::Compliance {
                let counts = i
                    .compliant
                    .iter()
                    .any(|c| scale.point(c).is_some_and(|p| !p.not_applicable));
                if !counts {
                    errs.push(ContentError::new(
                        &i.key,
                        "compliant",
                        "err-tpl-no-compliant",
                        "",
                    ));
                }
            }
            if i.compliant.iter().any(|c| c == CANNOT_ASSESS)
                || i.compliant
                    .iter()
                    .any(|c| scale.point(c).is_some_and(|p| p.not_applicable))
            {
                errs.push(ContentError::new(
                    &i.key,
                    "compliant",
                    "err-tpl-na-compliant",
                    "",
                ));
            }
            if !scale.kind.has_points() && !i.compliant.is_empty() {
                errs.push(ContentError::new(
                    &i.key,
                    "compliant",
                    "err-tpl-unknown-answer",
                    i.compliant.join(", "),
                ));
            }
        }
    }

    fn check_rules(&self, errs: &mut Vec<ContentError>) {
        let items = self.items();
        let position: BTreeMap<&str, usize> = items
            .iter()
            .map(|p| (p.item.key.as_str(), p.position))
            .collect();
        // The first item position inside each section, for rules on sections.
        let mut section_start: BTreeMap<&str, usize> = BTreeMap::new();
        for p in &items {
            section_start
                .entry(p.section.key.as_str())
                .or_insert(p.position);
            if let Some(sub) = p.subsection {
                section_start.entry(sub.key.as_str()).or_insert(p.position);
            }
        }
        for sec in self.all_sections() {
            if let Some(rule) = &sec.rule {
                let start = section_start
                    .get(sec.key.as_str())
                    .copied()
                    .unwrap_or(usize::MAX);
                self.check_rule(&sec.key, rule, start, &position, errs);
            }
        }
        for p in &items {
            if let Some(rule) = &p.item.rule {
                self.check_rule(&p.item.key, rule, p.position, &position, errs);
            }
        }
    }

    /// `at` may only read answers of items strictly before position `before`.
    fn check_rule(
        &self,
        at: &str,
        rule: &Condition,
        before: usize,
        position: &BTreeMap<&str, usize>,
        errs: &mut Vec<ContentError>,
    ) {
        let mut all = vec![];
        rule.walk(&mut all);
        for c in all {
            match c {
                Condition::All(v) | Condition::Any(v) if v.is_empty() => {
                    errs.push(ContentError::new(at, "rule", "err-tpl-rule-empty", ""));
                }
                Condition::CaseTypeIn(v) if v.is_empty() => {
                    errs.push(ContentError::new(at, "rule", "err-tpl-rule-empty", ""));
                }
                Condition::AreaIs(a) if !matches!(a.as_str(), "udsatte" | "handicap") => {
                    errs.push(ContentError::new(at, "rule", "err-tpl-rule-area", a));
                }
                Condition::AttributeIn { name, values } => match self.attribute(name) {
                    None => errs.push(ContentError::new(
                        at,
                        "rule",
                        "err-tpl-rule-unknown-attribute",
                        name,
                    )),
                    Some(a) if a.kind != AttributeKind::Text => {
                        errs.push(ContentError::new(at, "rule", "err-tpl-rule-type", name));
                    }
                    Some(_) if values.is_empty() => {
                        errs.push(ContentError::new(at, "rule", "err-tpl-rule-empty", name));
                    }
                    Some(_) => {}
                },
                Condition::AttributeAtLeast { name, value } => match self.attribute(name) {
                    None => errs.push(ContentError::new(
                        at,
                        "rule",
                        "err-tpl-rule-unknown-attribute",
                        name,
                    )),
                    Some(a) if a.kind != AttributeKind::Number || !value.is_finite() => {
                        errs.push(ContentError::new(at, "rule", "err-tpl-rule-type", name));
                    }
                    Some(_) => {}
                },
                Condition::AnswerIn { item, values } => match position.get(item.as_str()) {
                    None => errs.push(ContentError::new(
                        at,
                        "rule",
                        "err-tpl-rule-unknown-item",
                        item,
                    )),
                    Some(_) if item == at => {
                        errs.push(ContentError::new(at, "rule", "err-tpl-rule-cycle", item));
                    }
                    Some(&p) if p >= before => {
                        errs.push(ContentError::new(at, "rule", "err-tpl-rule-forward", item));
                    }
                    Some(_) => {
                        let scale = self.item(item).and_then(|i| self.scale(&i.scale));
                        match scale {
                            Some(s) if s.kind.has_points() => {
                                for v in values {
                                    let ok = s.point(v).is_some()
                                        || (v == CANNOT_ASSESS && self.cannot_assess);
                                    if !ok {
                                        errs.push(ContentError::new(
                                            at,
                                            "rule",
                                            "err-tpl-rule-unknown-answer",
                                            format!("{item}: {v}"),
                                        ));
                                    }
                                }
                                if values.is_empty() {
                                    errs.push(ContentError::new(
                                        at,
                                        "rule",
                                        "err-tpl-rule-empty",
                                        item,
                                    ));
                                }
                            }
                            _ => {
                                errs.push(ContentError::new(at, "rule", "err-tpl-rule-type", item))
                            }
                        }
                    }
                },
                _ => {}
            }
        }
    }

    pub fn attribute(&self, name: &str) -> Option<&AttributeDecl> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// Checks that items which keep a key from `parent` keep its meaning: the same scale kind,
    /// the same answer codes and the same compliant answers. Wording may change.
    pub fn check_against(&self, parent: &TemplateContent) -> Vec<ContentError> {
        let mut errs = vec![];
        for p in self.items() {
            let Some(old) = parent.item(&p.item.key) else {
                continue;
            };
            if meaning(self, p.item) != meaning(parent, old) {
                errs.push(ContentError::new(
                    &p.item.key,
                    "key",
                    "err-tpl-key-meaning-changed",
                    "",
                ));
            }
        }
        errs
    }

    /// How each item compares with the same key in `parent`.
    pub fn changes_from(&self, parent: &TemplateContent) -> BTreeMap<String, ItemChange> {
        let mut out = BTreeMap::new();
        for p in self.items() {
            let change = match parent.item(&p.item.key) {
                None => ItemChange::New,
                Some(old) if old == p.item => ItemChange::Unchanged,
                Some(_) => ItemChange::Reworded,
            };
            out.insert(p.item.key.clone(), change);
        }
        for p in parent.items() {
            if self.item(&p.item.key).is_none() {
                out.insert(p.item.key.clone(), ItemChange::Removed);
            }
        }
        out
    }

    /// Which items and sections apply to a case, and why the others do not. `marked` holds the
    /// sections a reviewer marked "ikke relevant" with their reason.
    pub fn evaluate(
        &self,
        facts: &CaseFacts,
        answers: &Answers,
        marked: &BTreeMap<String, String>,
    ) -> Evaluation {
        let mut effective = Answers::new();
        let mut sections = BTreeMap::new();
        let mut items = Vec::new();
        let mut section_state = |sec: &Section, parent: Option<&Exclusion>, effective: &Answers| {
            let why = if let Some(p) = parent {
                Some(p.clone())
            } else if let Some(reason) = marked.get(&sec.key) {
                Some(Exclusion::Marked {
                    section: sec.key.clone(),
                    reason: reason.clone(),
                })
            } else {
                match &sec.rule {
                    Some(r) if r.eval(facts, effective) == Tri::False => {
                        Some(Exclusion::SectionRule {
                            section: sec.key.clone(),
                            condition: r.failing_part(facts, effective).clone(),
                        })
                    }
                    _ => None,
                }
            };
            sections.insert(sec.key.clone(), why.clone());
            why
        };
        for s in &self.sections {
            let top = section_state(s, None, &effective);
            let mut visit = |sec: &Section, why: &Option<Exclusion>, effective: &mut Answers| {
                for i in &sec.items {
                    let status = match why {
                        Some(w) => ItemStatus::Excluded(w.clone()),
                        None => match &i.rule {
                            Some(r) => match r.eval(facts, effective) {
                                Tri::True => ItemStatus::Applies,
                                Tri::Unknown => ItemStatus::AppliesUnknown,
                                Tri::False => ItemStatus::Excluded(Exclusion::ItemRule {
                                    condition: r.failing_part(facts, effective).clone(),
                                }),
                            },
                            None => ItemStatus::Applies,
                        },
                    };
                    if status.applies()
                        && let Some(a) = answers.get(&i.key)
                    {
                        effective.insert(i.key.clone(), a.clone());
                    }
                    items.push((i.key.clone(), status));
                }
            };
            visit(s, &top, &mut effective);
            for sub in &s.sections {
                let why = section_state(sub, top.as_ref(), &effective);
                visit(sub, &why, &mut effective);
            }
        }
        Evaluation { sections, items }
    }
}

fn meaning(c: &TemplateContent, i: &Item) -> (Option<ScaleKind>, Vec<String>, BTreeSet<String>) {
    let scale = c.scale(&i.scale);
    (
        scale.map(|s| s.kind),
        scale
            .map(|s| s.points.iter().map(|p| p.code.clone()).collect())
            .unwrap_or_default(),
        i.compliant.iter().cloned().collect(),
    )
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemChange {
    Unchanged,
    Reworded,
    New,
    Removed,
}

impl ItemChange {
    pub fn label_key(self) -> &'static str {
        match self {
            ItemChange::Unchanged => "item-change-unchanged",
            ItemChange::Reworded => "item-change-reworded",
            ItemChange::New => "item-change-new",
            ItemChange::Removed => "item-change-removed",
        }
    }
}

/// Why something does not apply to a case.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Exclusion {
    /// The reviewer marked the section "ikke relevant".
    Marked { section: String, reason: String },
    /// The section's own rule fails for this case.
    SectionRule {
        section: String,
        condition: Condition,
    },
    /// The item's rule fails for this case.
    ItemRule { condition: Condition },
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Applies,
    /// Applies because a fact the rule needs is unknown: the reviewer decides.
    AppliesUnknown,
    Excluded(Exclusion),
}

impl ItemStatus {
    pub fn applies(&self) -> bool {
        !matches!(self, ItemStatus::Excluded(_))
    }
}

/// The result of evaluating a template for one case.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Evaluation {
    /// Section key → why it is excluded (None: it applies).
    pub sections: BTreeMap<String, Option<Exclusion>>,
    /// Items in document order with their status.
    pub items: Vec<(String, ItemStatus)>,
}

impl Evaluation {
    pub fn status(&self, item: &str) -> Option<&ItemStatus> {
        self.items.iter().find(|(k, _)| k == item).map(|(_, s)| s)
    }

    pub fn applicable_count(&self) -> usize {
        self.items.iter().filter(|(_, s)| s.applies()).count()
    }
}

/// The name and version of the template file format (export/import), checked on import.
pub const FILE_SCHEMA: &str = "tilsyn-template/1";

/// A template file: the format version and one version's content. The JSON Schema is in
/// `content/template.schema.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TemplateFile {
    pub schema: String,
    pub template: TemplateContent,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VersionStatus {
    Draft,
    Published,
    Retired,
}

impl VersionStatus {
    pub fn code(self) -> &'static str {
        match self {
            VersionStatus::Draft => "draft",
            VersionStatus::Published => "published",
            VersionStatus::Retired => "retired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            VersionStatus::Draft,
            VersionStatus::Published,
            VersionStatus::Retired,
        ]
        .into_iter()
        .find(|v| v.code() == s)
    }

    pub fn label_key(self) -> String {
        format!("version-status-{}", self.code())
    }
}

/// A round adds two to four temanedslag items on top of its template (the reference model).
pub const THEME_SPOTS_MIN: usize = 2;
pub const THEME_SPOTS_MAX: usize = 4;

pub fn check_theme_spot_count(n: usize) -> Result<(), &'static str> {
    if n == 0 || (THEME_SPOTS_MIN..=THEME_SPOTS_MAX).contains(&n) {
        Ok(())
    } else {
        Err("err-theme-spot-count")
    }
}

#[cfg(test)]
mod tests;
