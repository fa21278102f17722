//! Question frameworks as people read them: rules and exclusions in words, and the review
//! form's view model (shared by the preview now and by the review form of a round later).

use crate::i18n::Tr;
use std::collections::BTreeMap;
use tilsyn_domain::template::{
    Answers, CANNOT_ASSESS, Condition, Evaluation, Exclusion, ItemStatus, ScaleKind, Section,
    TemplateContent,
};

/// A rule as a Danish (or English) sentence, e.g. "sagstypen er § 46 eller § 47". Items and
/// answers are named by their number and text in `content`, not by their keys.
pub fn rule_text(tr: Tr, content: &TemplateContent, c: &Condition) -> String {
    let en = tr.0 == crate::i18n::Lang::En;
    let join = |cs: &[Condition], word: &str| {
        let parts: Vec<String> = cs.iter().map(|c| rule_text(tr, content, c)).collect();
        parts.join(&format!(" {} ", tr.t(word)))
    };
    let or = format!(" {} ", tr.t("rule-or"));
    let answer_labels = |item: &str, values: &[String]| {
        let scale = content.item(item).and_then(|i| content.scale(&i.scale));
        values
            .iter()
            .map(|v| {
                let label = scale
                    .and_then(|s| s.point(v))
                    .map(|p| p.label.get(en).to_owned())
                    .unwrap_or_else(|| {
                        if v == CANNOT_ASSESS {
                            tr.t("answer-cannot-assess")
                        } else {
                            v.clone()
                        }
                    });
                format!("«{label}»")
            })
            .collect::<Vec<_>>()
            .join(&or)
    };
    let item_name = |item: &str| match item_number(content, item) {
        Some((number, text)) => format!("{number} «{text}»"),
        None => item.to_owned(),
    };
    match c {
        Condition::All(cs) => join(cs, "rule-and"),
        Condition::Any(cs) => format!("({})", join(cs, "rule-or")),
        // The two negations people write most, said the way people say them.
        Condition::Not(inner) => match inner.as_ref() {
            Condition::CaseTypeIn(v) => tr.t1("rule-case-type-not-in", "types", v.join(&or)),
            Condition::AnswerIn { item, values } => tr.targs(
                "rule-answer-not-in",
                &[
                    ("item", item_name(item)),
                    ("values", answer_labels(item, values)),
                ],
            ),
            other => tr.t1("rule-not", "rule", rule_text(tr, content, other)),
        },
        Condition::CaseTypeIn(v) => tr.t1("rule-case-type-in", "types", v.join(&or)),
        Condition::AreaIs(a) => tr.t1("rule-area-is", "area", tr.t(&format!("area-{a}"))),
        Condition::AgeAtLeast(n) => tr.t1("rule-age-at-least", "years", n),
        Condition::AgeBelow(n) => tr.t1("rule-age-below", "years", n),
        Condition::StartedOnOrAfter(d) => {
            tr.t1("rule-started-on-or-after", "date", d.format("%d-%m-%Y"))
        }
        Condition::StartedBefore(d) => tr.t1("rule-started-before", "date", d.format("%d-%m-%Y")),
        Condition::AttributeIn { name, values } => tr.targs(
            "rule-attribute-in",
            &[
                ("name", attribute_label(content, name, en)),
                ("values", values.join(&or)),
            ],
        ),
        Condition::AttributeAtLeast { name, value } => tr.targs(
            "rule-attribute-at-least",
            &[
                ("name", attribute_label(content, name, en)),
                ("value", value.to_string()),
            ],
        ),
        Condition::AnswerIn { item, values } => tr.targs(
            "rule-answer-in",
            &[
                ("item", item_name(item)),
                ("values", answer_labels(item, values)),
            ],
        ),
    }
}

fn attribute_label(content: &TemplateContent, name: &str, en: bool) -> String {
    content
        .attribute(name)
        .map(|a| a.label.get(en).to_owned())
        .unwrap_or_else(|| name.to_owned())
}

/// An item's number in the form ("4.1") and its Danish text, for naming it to people.
pub fn item_number(content: &TemplateContent, key: &str) -> Option<(String, String)> {
    let item = content.item(key)?;
    let number = content.numbering().remove(key)?;
    Some((number, item.text.da.clone()))
}

/// Why an item or section does not apply, in words.
pub fn exclusion_text(tr: Tr, content: &TemplateContent, e: &Exclusion) -> String {
    let section_title = |key: &str| {
        content
            .all_sections()
            .into_iter()
            .find(|s| s.key == key)
            .map(|s| s.title.get(tr.0 == crate::i18n::Lang::En).to_owned())
            .unwrap_or_else(|| key.to_owned())
    };
    match e {
        Exclusion::Marked { section, reason } => tr.targs(
            "why-section-marked",
            &[
                ("section", section_title(section)),
                ("reason", reason.clone()),
            ],
        ),
        Exclusion::SectionRule { section, condition } => tr.targs(
            "why-section-rule",
            &[
                ("section", section_title(section)),
                ("rule", rule_text(tr, content, condition)),
            ],
        ),
        Exclusion::ItemRule { condition } => {
            tr.t1("why-item-rule", "rule", rule_text(tr, content, condition))
        }
    }
}

pub struct Choice {
    pub code: String,
    pub label: String,
    pub checked: bool,
    /// "Ikke relevant" and "kan ikke vurderes" sit apart from the graded answers.
    pub aside: bool,
}

pub struct FormItem {
    pub key: String,
    /// The item's number in the form, e.g. "3.2".
    pub number: String,
    pub text: String,
    pub help: Option<String>,
    pub criteria: Option<String>,
    pub refs: Vec<String>,
    /// "choice", "text", "number" or "date".
    pub input: &'static str,
    pub choices: Vec<Choice>,
    pub value: String,
    pub remark_required_on: Vec<String>,
    pub applies: bool,
    /// Applies only because a fact the rule needs is unknown.
    pub unknown: bool,
    pub rule: Option<String>,
    pub excluded: Option<String>,
    pub theme_spot: bool,
    /// Filled in for a stored review (see `review_form`); empty in previews.
    pub saved: SavedState,
}

/// What a stored review adds to an item: the remark, the version the page was built on, the
/// date rule's suggestion and due date, a save conflict, and whether it can be changed.
#[derive(Clone, Debug, Default)]
pub struct SavedState {
    pub stored: bool,
    pub remark: String,
    pub version: i64,
    pub prefill: Option<String>,
    pub deadline: Option<String>,
    pub override_reason: String,
    pub conflict: Option<String>,
    pub read_only: bool,
    pub by: Option<String>,
}

pub struct FormSection {
    pub key: String,
    pub number: String,
    pub title: String,
    pub intro: Option<String>,
    pub excluded: Option<String>,
    pub rule: Option<String>,
    pub items: Vec<FormItem>,
    pub subsections: Vec<FormSection>,
}

pub struct FormView {
    pub sections: Vec<FormSection>,
    pub applicable: usize,
    pub answered: usize,
    pub total: usize,
    pub cannot_assess: bool,
}

impl FormView {
    pub fn progress(&self, tr: &Tr) -> String {
        tr.targs(
            "form-progress",
            &[
                ("answered", self.answered.to_string()),
                ("applicable", self.applicable.to_string()),
                ("total", self.total.to_string()),
            ],
        )
    }

    /// Every excluded item with its reason, for the "hidden for this case" list.
    pub fn hidden(&self) -> Vec<(&FormItem, &str)> {
        let mut out = vec![];
        for s in &self.sections {
            for sec in std::iter::once(s).chain(s.subsections.iter()) {
                for i in &sec.items {
                    if let Some(why) = &i.excluded {
                        out.push((i, why.as_str()));
                    }
                }
            }
        }
        out
    }
}

/// The review form for one case: every section and item with what applies and why not.
pub fn form_view(
    tr: Tr,
    content: &TemplateContent,
    eval: &Evaluation,
    answers: &Answers,
) -> FormView {
    let en = tr.0 == crate::i18n::Lang::En;
    let mut applicable = 0;
    let mut answered = 0;
    let mut total = 0;
    let numbers = content.numbering();
    let number_of = |key: &str| numbers.get(key).cloned().unwrap_or_default();
    let mut build = |sec: &Section, tr: Tr| -> FormSection {
        let excluded = eval
            .sections
            .get(&sec.key)
            .and_then(|e| e.as_ref())
            .map(|e| exclusion_text(tr, content, e));
        let items = sec
            .items
            .iter()
            .map(|i| {
                let status = eval.status(&i.key).cloned().unwrap_or(ItemStatus::Applies);
                let scale = content.scale(&i.scale);
                let kind = scale.map(|s| s.kind).unwrap_or(ScaleKind::FreeText);
                let value = answers.get(&i.key).cloned().unwrap_or_default();
                let mut choices: Vec<Choice> = scale
                    .map(|s| {
                        s.points
                            .iter()
                            .map(|p| Choice {
                                code: p.code.clone(),
                                label: p.label.get(en).to_owned(),
                                checked: value == p.code,
                                aside: p.not_applicable,
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                if content.cannot_assess && kind.has_points() {
                    choices.push(Choice {
                        code: CANNOT_ASSESS.into(),
                        label: tr.t("answer-cannot-assess"),
                        checked: value == CANNOT_ASSESS,
                        aside: true,
                    });
                }
                total += 1;
                if status.applies() {
                    applicable += 1;
                    if !value.is_empty() {
                        answered += 1;
                    }
                }
                FormItem {
                    key: i.key.clone(),
                    number: number_of(&i.key),
                    text: i.text.get(en).to_owned(),
                    help: i.help.as_ref().map(|t| t.get(en).to_owned()),
                    criteria: i.criteria.as_ref().map(|t| t.get(en).to_owned()),
                    refs: i.legal_refs.iter().map(|r| r.display()).collect(),
                    input: match kind {
                        ScaleKind::Compliance | ScaleKind::Ordinal | ScaleKind::Score => "choice",
                        ScaleKind::FreeText => "text",
                        ScaleKind::Number => "number",
                        ScaleKind::Date => "date",
                    },
                    choices,
                    value,
                    remark_required_on: i
                        .remark_required_on
                        .iter()
                        .map(|code| {
                            scale
                                .and_then(|s| s.point(code))
                                .map(|p| p.label.get(en).to_owned())
                                .unwrap_or_else(|| tr.t("answer-cannot-assess"))
                        })
                        .collect(),
                    applies: status.applies(),
                    unknown: status == ItemStatus::AppliesUnknown,
                    rule: i.rule.as_ref().map(|r| rule_text(tr, content, r)),
                    excluded: match &status {
                        ItemStatus::Excluded(e) => Some(exclusion_text(tr, content, e)),
                        _ => None,
                    },
                    theme_spot: i.kind == tilsyn_domain::template::ItemKind::ThemeSpot,
                    saved: SavedState::default(),
                }
            })
            .collect();
        FormSection {
            key: sec.key.clone(),
            number: number_of(&sec.key),
            title: sec.title.get(en).to_owned(),
            intro: sec.intro.as_ref().map(|t| t.get(en).to_owned()),
            excluded,
            rule: sec.rule.as_ref().map(|r| rule_text(tr, content, r)),
            items,
            subsections: vec![],
        }
    };
    let mut sections = vec![];
    for s in &content.sections {
        let mut top = build(s, tr);
        for sub in &s.sections {
            top.subsections.push(build(sub, tr));
        }
        sections.push(top);
    }
    FormView {
        sections,
        applicable,
        answered,
        total,
        cannot_assess: content.cannot_assess,
    }
}

impl FormView {
    /// Every item, top sections and subsections alike.
    pub fn items_mut(&mut self) -> impl Iterator<Item = &mut FormItem> {
        self.sections.iter_mut().flat_map(|s| {
            s.items.iter_mut().chain(
                s.subsections
                    .iter_mut()
                    .flat_map(|sub| sub.items.iter_mut()),
            )
        })
    }
}

/// Answers and case facts from a query string or form: `a.<item key>=<code>`.
pub fn answers_from(pairs: &BTreeMap<String, String>) -> Answers {
    pairs
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("a.")
                .filter(|_| !v.trim().is_empty())
                .map(|key| (key.to_owned(), v.trim().to_owned()))
        })
        .collect()
}
