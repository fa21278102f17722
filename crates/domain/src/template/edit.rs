//! Changes to a draft version, one at a time, as data: the same edits come from the web forms
//! and the JSON API. Each edit is applied to a copy and the whole content is checked before it
//! is kept, so a draft is never saved half-valid.

use super::rules::Condition;
use super::{ContentError, Item, Scale, Section, SectionKind, TemplateContent, Text};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "op")]
pub enum Edit {
    SetMeta {
        title: Text,
        #[serde(default)]
        description: Option<Text>,
        #[serde(default)]
        cannot_assess: bool,
    },
    /// Adds a section at the end of the template, or of `parent` as a subsection.
    AddSection {
        #[serde(default)]
        parent: Option<String>,
        key: String,
        kind: SectionKind,
        title: Text,
        #[serde(default)]
        intro: Option<Text>,
        #[serde(default)]
        rule: Option<Condition>,
    },
    UpdateSection {
        key: String,
        kind: SectionKind,
        title: Text,
        #[serde(default)]
        intro: Option<Text>,
        #[serde(default)]
        rule: Option<Condition>,
    },
    /// Removes a section with its items and subsections.
    RemoveSection {
        key: String,
    },
    MoveSection {
        key: String,
        up: bool,
    },
    AddItem {
        section: String,
        item: Item,
    },
    /// Replaces the item now keyed `key` (the new item may carry a new key).
    UpdateItem {
        key: String,
        item: Item,
    },
    RemoveItem {
        key: String,
    },
    MoveItem {
        key: String,
        up: bool,
    },
    AddScale {
        scale: Scale,
    },
    UpdateScale {
        key: String,
        scale: Scale,
    },
    RemoveScale {
        key: String,
    },
}

impl Edit {
    /// A short name for the audit log.
    pub fn code(&self) -> &'static str {
        match self {
            Edit::SetMeta { .. } => "set_meta",
            Edit::AddSection { .. } => "add_section",
            Edit::UpdateSection { .. } => "update_section",
            Edit::RemoveSection { .. } => "remove_section",
            Edit::MoveSection { .. } => "move_section",
            Edit::AddItem { .. } => "add_item",
            Edit::UpdateItem { .. } => "update_item",
            Edit::RemoveItem { .. } => "remove_item",
            Edit::MoveItem { .. } => "move_item",
            Edit::AddScale { .. } => "add_scale",
            Edit::UpdateScale { .. } => "update_scale",
            Edit::RemoveScale { .. } => "remove_scale",
        }
    }

    /// The key of what the edit touches, for the audit log.
    pub fn target(&self) -> String {
        match self {
            Edit::SetMeta { .. } => String::new(),
            Edit::AddSection { key, .. }
            | Edit::UpdateSection { key, .. }
            | Edit::RemoveSection { key }
            | Edit::MoveSection { key, .. }
            | Edit::UpdateItem { key, .. }
            | Edit::RemoveItem { key }
            | Edit::MoveItem { key, .. }
            | Edit::UpdateScale { key, .. }
            | Edit::RemoveScale { key } => key.clone(),
            Edit::AddItem { item, .. } => item.key.clone(),
            Edit::AddScale { scale } => scale.key.clone(),
        }
    }
}

fn not_found(at: &str, field: &'static str) -> ContentError {
    ContentError::new(at, field, "err-tpl-not-found", at)
}

fn find_section<'a>(c: &'a mut TemplateContent, key: &str) -> Option<&'a mut Section> {
    for s in c.sections.iter_mut() {
        if s.key == key {
            return Some(s);
        }
        for sub in s.sections.iter_mut() {
            if sub.key == key {
                return Some(sub);
            }
        }
    }
    None
}

/// The list holding the section `key` and its index there.
fn section_slot<'a>(
    c: &'a mut TemplateContent,
    key: &str,
) -> Option<(&'a mut Vec<Section>, usize)> {
    if let Some(i) = c.sections.iter().position(|s| s.key == key) {
        return Some((&mut c.sections, i));
    }
    for s in c.sections.iter_mut() {
        if let Some(i) = s.sections.iter().position(|x| x.key == key) {
            return Some((&mut s.sections, i));
        }
    }
    None
}

fn item_slot<'a>(c: &'a mut TemplateContent, key: &str) -> Option<(&'a mut Vec<Item>, usize)> {
    for s in c.sections.iter_mut() {
        if let Some(i) = s.items.iter().position(|x| x.key == key) {
            return Some((&mut s.items, i));
        }
        for sub in s.sections.iter_mut() {
            if let Some(i) = sub.items.iter().position(|x| x.key == key) {
                return Some((&mut sub.items, i));
            }
        }
    }
    None
}

fn swap_neighbour<T>(v: &mut [T], i: usize, up: bool) {
    if up && i > 0 {
        v.swap(i, i - 1);
    } else if !up && i + 1 < v.len() {
        v.swap(i, i + 1);
    }
}

impl TemplateContent {
    /// Applies `edit` and checks the result; on any error the content is left as it was.
    pub fn apply(&mut self, edit: &Edit) -> Result<(), Vec<ContentError>> {
        let mut next = self.clone();
        next.apply_unchecked(edit).map_err(|e| vec![e])?;
        let errs = next.check();
        if !errs.is_empty() {
            return Err(errs);
        }
        *self = next;
        Ok(())
    }

    fn apply_unchecked(&mut self, edit: &Edit) -> Result<(), ContentError> {
        match edit.clone() {
            Edit::SetMeta {
                title,
                description,
                cannot_assess,
            } => {
                self.title = title;
                self.description = description.filter(|d| !d.is_blank());
                self.cannot_assess = cannot_assess;
            }
            Edit::AddSection {
                parent,
                key,
                kind,
                title,
                intro,
                rule,
            } => {
                let section = Section {
                    key,
                    kind,
                    title,
                    intro: intro.filter(|t| !t.is_blank()),
                    rule,
                    items: vec![],
                    sections: vec![],
                };
                match parent {
                    None => self.sections.push(section),
                    Some(p) => {
                        if !self.sections.iter().any(|s| s.key == p) {
                            return Err(not_found(&p, "parent"));
                        }
                        if let Some(s) = self.sections.iter_mut().find(|s| s.key == p) {
                            s.sections.push(section);
                        }
                    }
                }
            }
            Edit::UpdateSection {
                key,
                kind,
                title,
                intro,
                rule,
            } => {
                let s = find_section(self, &key).ok_or_else(|| not_found(&key, "key"))?;
                s.kind = kind;
                s.title = title;
                s.intro = intro.filter(|t| !t.is_blank());
                s.rule = rule;
            }
            Edit::RemoveSection { key } => {
                let (v, i) = section_slot(self, &key).ok_or_else(|| not_found(&key, "key"))?;
                v.remove(i);
            }
            Edit::MoveSection { key, up } => {
                let (v, i) = section_slot(self, &key).ok_or_else(|| not_found(&key, "key"))?;
                swap_neighbour(v, i, up);
            }
            Edit::AddItem { section, item } => {
                let s =
                    find_section(self, &section).ok_or_else(|| not_found(&section, "section"))?;
                s.items.push(item);
            }
            Edit::UpdateItem { key, item } => {
                let new_key = item.key.clone();
                let (v, i) = item_slot(self, &key).ok_or_else(|| not_found(&key, "key"))?;
                v[i] = item;
                if new_key != key {
                    // Rules that read the old key follow it, so a rename does not break them.
                    self.rename_answer_refs(&key, &new_key);
                }
            }
            Edit::RemoveItem { key } => {
                let (v, i) = item_slot(self, &key).ok_or_else(|| not_found(&key, "key"))?;
                v.remove(i);
            }
            Edit::MoveItem { key, up } => {
                let (v, i) = item_slot(self, &key).ok_or_else(|| not_found(&key, "key"))?;
                swap_neighbour(v, i, up);
            }
            Edit::AddScale { scale } => self.scales.push(scale),
            Edit::UpdateScale { key, scale } => {
                let i = self
                    .scales
                    .iter()
                    .position(|s| s.key == key)
                    .ok_or_else(|| not_found(&key, "key"))?;
                let new_key = scale.key.clone();
                self.scales[i] = scale;
                if new_key != key {
                    for s in self.sections.iter_mut() {
                        for i in s
                            .items
                            .iter_mut()
                            .chain(s.sections.iter_mut().flat_map(|x| x.items.iter_mut()))
                        {
                            if i.scale == key {
                                i.scale = new_key.clone();
                            }
                        }
                    }
                }
            }
            Edit::RemoveScale { key } => {
                if let Some(p) = self.items().into_iter().find(|p| p.item.scale == key) {
                    return Err(ContentError::new(
                        &key,
                        "key",
                        "err-tpl-scale-in-use",
                        &p.item.key,
                    ));
                }
                let i = self
                    .scales
                    .iter()
                    .position(|s| s.key == key)
                    .ok_or_else(|| not_found(&key, "key"))?;
                self.scales.remove(i);
            }
        }
        Ok(())
    }

    fn rename_answer_refs(&mut self, old: &str, new: &str) {
        fn fix(c: &mut Condition, old: &str, new: &str) {
            match c {
                Condition::All(v) | Condition::Any(v) => {
                    v.iter_mut().for_each(|c| fix(c, old, new))
                }
                Condition::Not(c) => fix(c, old, new),
                Condition::AnswerIn { item, .. } if item == old => *item = new.to_owned(),
                _ => {}
            }
        }
        for s in self.sections.iter_mut() {
            if let Some(r) = s.rule.as_mut() {
                fix(r, old, new);
            }
            for i in s.items.iter_mut() {
                if let Some(r) = i.rule.as_mut() {
                    fix(r, old, new);
                }
            }
            for sub in s.sections.iter_mut() {
                if let Some(r) = sub.rule.as_mut() {
                    fix(r, old, new);
                }
                for i in sub.items.iter_mut() {
                    if let Some(r) = i.rule.as_mut() {
                        fix(r, old, new);
                    }
                }
            }
        }
    }
}
