//! A template version's item list as a workbook for reading in a meeting: one row per item with
//! section, question, criteria, legal references, scale, compliant answers and rule.

use crate::ReportError;
use rust_xlsxwriter::{Format, FormatAlign, Workbook};
use tilsyn_domain::template::{Condition, TemplateContent};

/// Column headers (Danish; the workbook is for the municipality's own meetings).
const HEADERS: [&str; 10] = [
    "Nr.",
    "Nøgle",
    "Afsnit",
    "Spørgsmål",
    "Bedømmelseskriterium",
    "Lovgrundlag",
    "Svarskala",
    "Tæller som opfyldt",
    "Gælder når (regel)",
    "Pejlemærke / type",
];

pub fn item_list(
    content: &TemplateContent,
    version: i32,
    status: &str,
) -> Result<Vec<u8>, ReportError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Spørgsmål")?;
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    let title = format!("{} — version {version} ({status})", content.title.da);
    ws.write_string_with_format(0, 0, &title, &bold)?;
    if let Some(law) = &content.law_version {
        ws.write_string(1, 0, format!("Lovgrundlag: {law}"))?;
    }
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string_with_format(3, c as u16, *h, &bold)?;
    }
    let widths = [6.0, 22.0, 24.0, 50.0, 50.0, 28.0, 18.0, 16.0, 30.0, 16.0];
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    let numbers = content.numbering();
    for (row, p) in content.items().iter().enumerate() {
        let r = (row + 4) as u32;
        let i = p.item;
        let section = match p.subsection {
            Some(sub) => format!("{} / {}", p.section.title.da, sub.title.da),
            None => p.section.title.da.clone(),
        };
        let scale = content.scale(&i.scale);
        let compliant = i
            .compliant
            .iter()
            .map(|c| {
                scale
                    .and_then(|s| s.point(c))
                    .map(|p| p.label.da.clone())
                    .unwrap_or_else(|| c.clone())
            })
            .collect::<Vec<_>>()
            .join(", ");
        let refs = i
            .legal_refs
            .iter()
            .map(|r| r.display())
            .collect::<Vec<_>>()
            .join("; ");
        let kind = match (i.bearing, i.kind) {
            (_, tilsyn_domain::template::ItemKind::ThemeSpot) => "temanedslag".to_owned(),
            (Some(b), _) => b.code().to_owned(),
            (None, _) => String::new(),
        };
        let cells = [
            numbers.get(&i.key).cloned().unwrap_or_default(),
            i.key.clone(),
            section,
            i.text.da.clone(),
            i.criteria
                .as_ref()
                .map(|t| t.da.clone())
                .unwrap_or_default(),
            refs,
            scale.map(|s| s.label.da.clone()).unwrap_or_default(),
            compliant,
            i.rule.as_ref().map(rule_summary).unwrap_or_default(),
            kind,
        ];
        for (c, v) in cells.iter().enumerate() {
            // write_string never makes a formula, whatever the text starts with.
            ws.write_string_with_format(r, c as u16, v, &wrap)?;
        }
    }
    ws.set_freeze_panes(4, 0)?;
    ws.autofilter(
        3,
        0,
        3 + content.items().len() as u32,
        (HEADERS.len() - 1) as u16,
    )?;
    Ok(wb.save_to_buffer()?)
}

/// A compact, language-neutral rule description for the spreadsheet.
fn rule_summary(c: &Condition) -> String {
    match c {
        Condition::All(v) => v.iter().map(rule_summary).collect::<Vec<_>>().join(" og "),
        Condition::Any(v) => format!(
            "({})",
            v.iter()
                .map(rule_summary)
                .collect::<Vec<_>>()
                .join(" eller ")
        ),
        Condition::Not(c) => format!("ikke {}", rule_summary(c)),
        Condition::CaseTypeIn(t) => format!("sagstype {}", t.join("/")),
        Condition::AreaIs(a) => format!("område {a}"),
        Condition::AgeAtLeast(n) => format!("alder ≥ {n}"),
        Condition::AgeBelow(n) => format!("alder < {n}"),
        Condition::StartedOnOrAfter(d) => format!("startet fra {}", d.format("%d-%m-%Y")),
        Condition::StartedBefore(d) => format!("startet før {}", d.format("%d-%m-%Y")),
        Condition::AttributeIn { name, values } => format!("{name} = {}", values.join("/")),
        Condition::AttributeAtLeast { name, value } => format!("{name} ≥ {value}"),
        Condition::AnswerIn { item, values } => format!("svar på {item} = {}", values.join("/")),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};
    use std::io::Cursor;
    use tilsyn_domain::template::{Item, Scale, Section, SectionKind, TemplateKind, Text};

    #[test]
    fn the_item_list_reads_back_with_formula_like_text_as_text() {
        let mut item = Item {
            key: "X.1".into(),
            text: Text::new("=HYPERLINK(\"http://x\",\"klik\")", ""),
            help: None,
            criteria: Some(Text::new("Ja, når planen findes.", "")),
            legal_refs: vec![],
            scale: "ja_nej".into(),
            compliant: vec!["ja".into()],
            remark_required_on: vec![],
            bearing: None,
            kind: Default::default(),
            rule: Some(Condition::AgeAtLeast(16)),
            source: None,
            deadline: None,
        };
        item.legal_refs
            .push(tilsyn_domain::template::LegalRef::parse("barnets lov § 108").unwrap());
        let content = TemplateContent {
            key: "T".into(),
            title: Text::new("Test", ""),
            description: None,
            kind: TemplateKind::Compliance,
            source: None,
            law_version: None,
            cannot_assess: false,
            attributes: vec![],
            scales: Scale::library(),
            sections: vec![Section {
                key: "S".into(),
                kind: SectionKind::CaseStep,
                title: Text::new("Ungeplan", ""),
                intro: None,
                rule: None,
                items: vec![item],
                sections: vec![],
            }],
        };
        let bytes = item_list(&content, 3, "published").unwrap();
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        let range = wb.worksheet_range("Spørgsmål").unwrap();
        assert_eq!(range.get_value((4, 1)), Some(&Data::String("X.1".into())));
        assert_eq!(
            range.get_value((4, 3)),
            Some(&Data::String("=HYPERLINK(\"http://x\",\"klik\")".into()))
        );
        assert_eq!(
            range.get_value((4, 5)),
            Some(&Data::String("barnets lov § 108".into()))
        );
        assert_eq!(range.get_value((4, 7)), Some(&Data::String("Ja".into())));
        assert_eq!(
            range.get_value((4, 8)),
            Some(&Data::String("alder ≥ 16".into()))
        );
        let formulas = wb.worksheet_formula("Spørgsmål").unwrap();
        assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
    }
}
