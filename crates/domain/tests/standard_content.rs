//! The standard question content shipped in content/templates: every file parses, passes the
//! publish check, keeps its keys unique across files, and previews as the reference model needs.

#![allow(clippy::unwrap_used)]

use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use tilsyn_domain::template::{
    Answers, Bearing, CaseFacts, Condition, Evaluation, Exclusion, ItemKind, ItemStatus, Scale,
    ScaleKind, SectionKind, TemplateContent, TemplateKind,
};

const FILES: &[(&str, &str)] = &[
    (
        "bl-overordnet.json",
        include_str!("../../../content/templates/bl-overordnet.json"),
    ),
    (
        "bl-tema-inddragelse.json",
        include_str!("../../../content/templates/bl-tema-inddragelse.json"),
    ),
    (
        "bl-tema-plan.json",
        include_str!("../../../content/templates/bl-tema-plan.json"),
    ),
    (
        "bl-tema-anbringelse.json",
        include_str!("../../../content/templates/bl-tema-anbringelse.json"),
    ),
    (
        "bl-tema-handicap.json",
        include_str!("../../../content/templates/bl-tema-handicap.json"),
    ),
    (
        "km-organisation-ledelse.json",
        include_str!("../../../content/templates/km-organisation-ledelse.json"),
    ),
    (
        "bl-temanedslag.json",
        include_str!("../../../content/templates/bl-temanedslag.json"),
    ),
];

/// Item keys that several standard files deliberately share (same meaning in each). None yet.
const SHARED_KEYS: &[&str] = &[];

const LBK: &str = "LBK nr. 282 af 17/03/2025";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    schema: String,
    template: TemplateContent,
}

fn parse(name: &str, json: &str) -> TemplateContent {
    let file: File =
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{name}: does not parse: {e}"));
    assert_eq!(file.schema, "tilsyn-template/1", "{name}");
    file.template
}

fn all() -> Vec<(&'static str, TemplateContent)> {
    FILES.iter().map(|(n, j)| (*n, parse(n, j))).collect()
}

fn load(name: &str) -> TemplateContent {
    let (n, j) = FILES.iter().find(|(n, _)| *n == name).unwrap();
    parse(n, j)
}

fn facts(case_type: &str, age: u32) -> CaseFacts {
    CaseFacts {
        case_type: Some(case_type.into()),
        age: Some(age),
        ..Default::default()
    }
}

fn preview(c: &TemplateContent, f: &CaseFacts, a: &Answers) -> Evaluation {
    c.evaluate(f, a, &BTreeMap::new())
}

/// The top-level conjuncts of a rule: `all` is flattened, anything else is one condition.
fn conjuncts(c: &Condition) -> Vec<&Condition> {
    match c {
        Condition::All(v) => v.iter().flat_map(conjuncts).collect(),
        other => vec![other],
    }
}

/// Every condition an item must meet: its section's, its subsection's and its own.
fn requirements(c: &TemplateContent) -> Vec<(String, Vec<Condition>)> {
    c.items()
        .into_iter()
        .map(|p| {
            let rules = [
                p.section.rule.as_ref(),
                p.subsection.and_then(|s| s.rule.as_ref()),
                p.item.rule.as_ref(),
            ];
            let conds = rules
                .into_iter()
                .flatten()
                .flat_map(conjuncts)
                .cloned()
                .collect();
            (p.item.key.clone(), conds)
        })
        .collect()
}

fn requires_placement(c: &Condition) -> bool {
    matches!(c, Condition::CaseTypeIn(v)
        if !v.is_empty() && v.iter().all(|t| t == "§ 46" || t == "§ 47"))
}

fn requires_16(c: &Condition) -> bool {
    matches!(c, Condition::AgeAtLeast(n) if *n >= 16)
}

fn exclusion_condition(s: &ItemStatus) -> Option<&Condition> {
    match s {
        ItemStatus::Excluded(Exclusion::SectionRule { condition, .. })
        | ItemStatus::Excluded(Exclusion::ItemRule { condition }) => Some(condition),
        _ => None,
    }
}

/// The numbers a text mentions, with ranges such as "22-24" expanded.
fn numbers_in(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let read = |i: &mut usize| {
        let start = *i;
        while *i < chars.len() && chars[*i].is_ascii_digit() {
            *i += 1;
        }
        chars[start..*i]
            .iter()
            .collect::<String>()
            .parse::<u32>()
            .ok()
    };
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let a = read(&mut i).unwrap();
            let mut b = a;
            if i + 1 < chars.len() && chars[i] == '-' && chars[i + 1].is_ascii_digit() {
                i += 1;
                b = read(&mut i).unwrap();
            }
            out.extend((a..=b.max(a)).map(|n| n.to_string()));
        } else {
            i += 1;
        }
    }
    out
}

#[test]
fn every_file_parses_and_passes_the_publish_check() {
    for (name, json) in FILES {
        let c = parse(name, json);
        let errs = c.check_for_publish();
        for e in &errs {
            eprintln!("{name}: {e}");
        }
        assert!(errs.is_empty(), "{name}: {} content errors", errs.len());
        // Nothing in the file was ignored by serde: serialising the parsed content gives back the
        // same JSON (files are written in exactly the shape tilsyn serialises them).
        let raw: serde_json::Value = serde_json::from_str(json).unwrap();
        assert_eq!(
            serde_json::to_value(&c).unwrap(),
            raw["template"],
            "{name}: the file holds fields or values serde does not keep"
        );
        assert!(json.ends_with('\n'), "{name}");
    }
}

#[test]
fn scales_are_copied_verbatim_from_the_library_and_all_used() {
    let library = Scale::library();
    for (name, c) in all() {
        let used: BTreeSet<&str> = c.items().iter().map(|p| p.item.scale.as_str()).collect();
        for s in &c.scales {
            let lib = library.iter().find(|l| l.key == s.key);
            assert_eq!(
                Some(s),
                lib,
                "{name}: scale {} differs from Scale::library()",
                s.key
            );
            assert!(
                used.contains(s.key.as_str()),
                "{name}: scale {} unused",
                s.key
            );
        }
    }
}

#[test]
fn item_keys_are_unique_across_all_standard_files() {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for (name, c) in all() {
        for p in c.items() {
            let k = &p.item.key;
            if let Some(other) = seen.insert(k.clone(), name) {
                assert!(
                    SHARED_KEYS.contains(&k.as_str()),
                    "{k} is in both {other} and {name}"
                );
            }
        }
    }
    let keys: BTreeSet<&str> = FILES.iter().map(|(n, _)| *n).collect();
    assert_eq!(keys.len(), FILES.len());
    let tpl_keys: BTreeSet<String> = all().into_iter().map(|(_, c)| c.key).collect();
    assert_eq!(tpl_keys.len(), FILES.len(), "template keys are unique");
}

#[test]
fn every_item_has_criteria_legal_refs_a_source_and_english() {
    for (name, c) in all() {
        assert!(
            c.source.as_deref().is_some_and(|s| !s.trim().is_empty()),
            "{name}"
        );
        assert!(
            c.law_version
                .as_deref()
                .is_some_and(|s| !s.trim().is_empty()),
            "{name}"
        );
        assert!(!c.title.en.trim().is_empty(), "{name}: title.en");
        for sec in c.all_sections() {
            assert!(
                !sec.title.en.trim().is_empty(),
                "{name}: {}: title.en",
                sec.key
            );
        }
        for p in c.items() {
            let i = p.item;
            let k = &i.key;
            let crit = i
                .criteria
                .as_ref()
                .unwrap_or_else(|| panic!("{k}: no criteria"));
            assert!(
                !crit.da.trim().is_empty() && !crit.en.trim().is_empty(),
                "{k}: criteria"
            );
            assert!(!i.text.en.trim().is_empty(), "{k}: text.en");
            assert!(!i.legal_refs.is_empty(), "{k}: no legal refs");
            assert!(
                i.source
                    .as_deref()
                    .is_some_and(|s| s.starts_with("tilsyn standard")),
                "{k}"
            );
            for r in &i.legal_refs {
                if r.law == "barnets lov" {
                    assert_eq!(r.law_version.as_deref(), Some(LBK), "{k}: {}", r.display());
                }
                // Paragraph numbers in the data are also stated in the criteria text.
                assert!(
                    r.law == "socialtilsynsloven" || numbers_in(&crit.da).contains(&r.paragraph),
                    "{k}: criteria do not mention § {}",
                    r.paragraph
                );
            }
            // "Skal verificeres" is said where the reference is uncertain.
            let uncertain = i.legal_refs.iter().any(|r| {
                r.law == "barnets lov"
                    && (matches!(r.paragraph.as_str(), "136" | "137" | "140" | "80")
                        || (r.paragraph == "7" && r.stk.as_deref() == Some("3")))
            });
            if uncertain {
                let help = i.help.as_ref().map(|h| h.da.as_str()).unwrap_or("");
                assert!(
                    help.contains("(stk. skal verificeres)"),
                    "{k}: help must say so"
                );
            }
        }
    }
}

#[test]
fn the_overordnet_template_has_the_reference_shape() {
    let c = load("bl-overordnet.json");
    assert_eq!(c.key, "BL-OVERORDNET");
    assert_eq!(c.kind, TemplateKind::Compliance);
    assert_eq!(c.title.da, "Overordnet ledelsestilsyn — barnets lov");
    assert_eq!(c.law_version.as_deref(), Some(LBK));
    let order: Vec<&str> = c.sections.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(
        order,
        [
            "UNDERRETNING",
            "SCREENING",
            "AFDAEKNING",
            "BFU",
            "INDDRAGELSE",
            "AFGOERELSE",
            "PLAN",
            "OPFOELGNING",
            "ANBRINGELSE",
            "DOKUMENTATION"
        ]
    );
    assert!(
        c.all_sections()
            .iter()
            .all(|s| s.kind == SectionKind::CaseStep)
    );
    let items = c.items();
    assert!((38..=44).contains(&items.len()), "{} items", items.len());
    let graded: Vec<_> = items.iter().filter(|p| p.item.scale == "grad4").collect();
    assert!((5..=7).contains(&graded.len()), "{} graded", graded.len());
    let mut bearings = BTreeSet::new();
    for p in &items {
        let i = p.item;
        let k = &i.key;
        assert!(k.starts_with("BL.") && k.len() <= 64, "{k}");
        assert!(
            k.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' || c == '.'),
            "{k}: capitals, digits, _ and . only"
        );
        bearings.insert(i.bearing.unwrap_or_else(|| panic!("{k}: no bearing")));
        assert_eq!(i.kind, ItemKind::Core, "{k}");
        match i.scale.as_str() {
            "ja_nej" => {
                assert_eq!(i.compliant, ["ja"], "{k}");
                assert_eq!(i.remark_required_on, ["nej"], "{k}");
            }
            "grad4" => {
                assert_eq!(i.compliant, ["hoej"], "{k}");
                assert_eq!(i.remark_required_on, ["slet_ikke", "lav"], "{k}");
            }
            other => panic!("{k}: unexpected scale {other}"),
        }
    }
    assert_eq!(
        bearings.len(),
        Bearing::ALL.len(),
        "all four pejlemærker are used"
    );
    let placement = Condition::CaseTypeIn(vec!["§ 46".into(), "§ 47".into()]);
    let anb = c.sections.iter().find(|s| s.key == "ANBRINGELSE").unwrap();
    assert_eq!(anb.rule.as_ref(), Some(&placement));
    let afg = c.sections.iter().find(|s| s.key == "AFGOERELSE").unwrap();
    assert_eq!(
        afg.rule,
        Some(Condition::Not(Box::new(Condition::CaseTypeIn(vec![
            "§ 30".into()
        ]))))
    );
    for key in ["BL.ANB.BUU_47", "BL.ANB.ADVOKAT_47"] {
        assert_eq!(
            c.item(key).unwrap().rule,
            Some(Condition::CaseTypeIn(vec!["§ 47".into()])),
            "{key}"
        );
    }
    assert_eq!(
        c.item("BL.PLAN.BESLUTNING_32").unwrap().rule,
        Some(Condition::CaseTypeIn(vec!["§ 32".into()]))
    );
    assert_eq!(
        c.item("BL.PLAN.PLAN_3M").unwrap().rule.as_ref(),
        Some(&placement)
    );
    for key in ["BL.PLAN.UNGEPLAN_16", "BL.PLAN.UNGEPLAN_INDHOLD"] {
        assert_eq!(
            c.item(key).unwrap().rule,
            Some(Condition::All(vec![
                placement.clone(),
                Condition::AgeAtLeast(16)
            ])),
            "{key}"
        );
    }
    assert_eq!(
        c.item("BL.ANB.UNGESTOETTE_17").unwrap().rule,
        Some(Condition::All(vec![
            placement.clone(),
            Condition::AgeAtLeast(17)
        ]))
    );
}

/// A § 32 case of a 10-year-old: everything that needs a placement or an age of 16 or more is
/// hidden, and the exclusion names that very condition.
fn check_32_age_10(name: &str, c: &TemplateContent) -> usize {
    let f = facts("§ 32", 10);
    let e = preview(c, &f, &Answers::new());
    let mut hidden = 0;
    for (key, conds) in requirements(c) {
        if !conds
            .iter()
            .any(|c| requires_placement(c) || requires_16(c))
        {
            continue;
        }
        let status = e.status(&key).unwrap();
        let cond = exclusion_condition(status)
            .unwrap_or_else(|| panic!("{name}: {key} should be hidden, is {status:?}"));
        assert!(
            requires_placement(cond) || requires_16(cond),
            "{name}: {key} is hidden for the wrong reason: {cond:?}"
        );
        hidden += 1;
    }
    hidden
}

/// A § 46 case of a 16-year-old: the same items apply, unless they need something a § 46 case of
/// 16 does not have (§ 47 only, 17 or more), and then the exclusion names exactly that.
fn check_46_age_16(name: &str, c: &TemplateContent) -> usize {
    let f = facts("§ 46", 16);
    let e = preview(c, &f, &Answers::new());
    let mut shown = 0;
    for (key, conds) in requirements(c) {
        if !conds
            .iter()
            .any(|c| requires_placement(c) || requires_16(c))
        {
            continue;
        }
        let status = e.status(&key).unwrap();
        let unmet: Vec<&Condition> = conds
            .iter()
            .filter(|c| match c {
                Condition::CaseTypeIn(v) => !v.iter().any(|t| t == "§ 46"),
                Condition::AgeAtLeast(n) => *n > 16,
                Condition::AnswerIn { .. } => true,
                _ => false,
            })
            .collect();
        if unmet.is_empty() {
            assert!(
                status.applies(),
                "{name}: {key} should apply, is {status:?}"
            );
            shown += 1;
        } else {
            let cond = exclusion_condition(status)
                .unwrap_or_else(|| panic!("{name}: {key} should be hidden, is {status:?}"));
            assert!(
                unmet.contains(&cond),
                "{name}: {key}: {cond:?} not in {unmet:?}"
            );
        }
    }
    shown
}

#[test]
fn preview_of_a_32_case_age_10_hides_placement_and_16_plus_items() {
    let c = load("bl-overordnet.json");
    assert_eq!(check_32_age_10("bl-overordnet.json", &c), 8);
    let e = preview(&c, &facts("§ 32", 10), &Answers::new());
    for key in [
        "BL.PLAN.PLAN_3M",
        "BL.PLAN.UNGEPLAN_16",
        "BL.PLAN.UNGEPLAN_INDHOLD",
        "BL.ANB.TILSYN_2BESOEG",
        "BL.ANB.STOETTEPERSON_BARN",
        "BL.ANB.BUU_47",
        "BL.ANB.UNGESTOETTE_17",
    ] {
        assert!(!e.status(key).unwrap().applies(), "{key}");
    }
    let placement = Condition::CaseTypeIn(vec!["§ 46".into(), "§ 47".into()]);
    assert_eq!(
        e.status("BL.ANB.TILSYN_2BESOEG"),
        Some(&ItemStatus::Excluded(Exclusion::SectionRule {
            section: "ANBRINGELSE".into(),
            condition: placement.clone(),
        }))
    );
    assert_eq!(
        e.status("BL.PLAN.UNGEPLAN_16"),
        Some(&ItemStatus::Excluded(Exclusion::ItemRule {
            condition: placement
        }))
    );
    // What a § 32 case of a 10-year-old does need.
    for key in [
        "BL.PLAN.BESLUTNING_32",
        "BL.INDD.PARTSRETTIGHEDER_10",
        "BL.AFG.HJEMMEL",
        "BL.AFG.SAMTYKKE",
        "BL.OPF.FOERSTE_3M",
    ] {
        assert_eq!(e.status(key), Some(&ItemStatus::Applies), "{key}");
    }
    assert_eq!(
        e.status("BL.AFG.SAMTYKKE_15"),
        Some(&ItemStatus::Excluded(Exclusion::ItemRule {
            condition: Condition::AgeAtLeast(15)
        }))
    );
    // Party rights start at 10: a 9-year-old does not get the item.
    let e9 = preview(&c, &facts("§ 32", 9), &Answers::new());
    assert!(!e9.status("BL.INDD.PARTSRETTIGHEDER_10").unwrap().applies());
}

#[test]
fn preview_of_a_46_case_age_16_shows_them() {
    let c = load("bl-overordnet.json");
    assert_eq!(check_46_age_16("bl-overordnet.json", &c), 5);
    let e = preview(&c, &facts("§ 46", 16), &Answers::new());
    for key in [
        "BL.PLAN.PLAN_3M",
        "BL.PLAN.UNGEPLAN_16",
        "BL.PLAN.UNGEPLAN_INDHOLD",
        "BL.ANB.TILSYN_2BESOEG",
        "BL.ANB.STOETTEPERSON_BARN",
        "BL.INDD.PARTSRETTIGHEDER_10",
        "BL.AFG.SAMTYKKE_15",
    ] {
        assert_eq!(e.status(key), Some(&ItemStatus::Applies), "{key}");
    }
    assert!(!e.status("BL.PLAN.BESLUTNING_32").unwrap().applies());
    assert_eq!(
        e.status("BL.ANB.BUU_47"),
        Some(&ItemStatus::Excluded(Exclusion::ItemRule {
            condition: Condition::CaseTypeIn(vec!["§ 47".into()])
        }))
    );
    assert_eq!(
        e.status("BL.ANB.UNGESTOETTE_17"),
        Some(&ItemStatus::Excluded(Exclusion::ItemRule {
            condition: Condition::AgeAtLeast(17)
        }))
    );
    // § 47 at 17: the committee, counsel and ungestøtte items apply too.
    let e47 = preview(&c, &facts("§ 47", 17), &Answers::new());
    for key in [
        "BL.ANB.BUU_47",
        "BL.ANB.ADVOKAT_47",
        "BL.ANB.UNGESTOETTE_17",
    ] {
        assert_eq!(e47.status(key), Some(&ItemStatus::Applies), "{key}");
    }
    assert!(!e47.status("BL.AFG.SAMTYKKE").unwrap().applies());
}

#[test]
fn the_same_preview_rules_hold_in_every_barnets_lov_file() {
    for (name, c) in all() {
        if c.kind == TemplateKind::QualityModel {
            continue;
        }
        check_32_age_10(name, &c);
        check_46_age_16(name, &c);
    }
    let anb = load("bl-tema-anbringelse.json");
    assert_eq!(
        check_32_age_10("bl-tema-anbringelse.json", &anb),
        anb.items().len()
    );
}

#[test]
fn a_30_case_skips_the_decision_step() {
    let c = load("bl-overordnet.json");
    let e = preview(&c, &facts("§ 30", 8), &Answers::new());
    assert_eq!(
        e.sections["AFGOERELSE"],
        Some(Exclusion::SectionRule {
            section: "AFGOERELSE".into(),
            condition: Condition::Not(Box::new(Condition::CaseTypeIn(vec!["§ 30".into()]))),
        })
    );
    let afg = c.sections.iter().find(|s| s.key == "AFGOERELSE").unwrap();
    for i in &afg.items {
        assert!(!e.status(&i.key).unwrap().applies(), "{}", i.key);
    }
    let e32 = preview(&c, &facts("§ 32", 8), &Answers::new());
    assert_eq!(e32.sections["AFGOERELSE"], None);
}

#[test]
fn bfu_and_child_conversation_questions_follow_earlier_answers() {
    let c = load("bl-overordnet.json");
    let f = facts("§ 46", 12);
    let mut a = Answers::new();
    let st = |a: &Answers, k: &str| preview(&c, &f, a).status(k).unwrap().clone();
    // Nothing answered yet: the deadline question waits for "Was a BFU carried out?".
    assert_eq!(
        st(&a, "BL.BFU.FRIST_4M"),
        ItemStatus::Excluded(Exclusion::ItemRule {
            condition: Condition::AnswerIn {
                item: "BL.BFU.GENNEMFOERT".into(),
                values: vec!["ja".into()],
            }
        })
    );
    a.insert("BL.BFU.GENNEMFOERT".into(), "nej".into());
    assert!(!st(&a, "BL.BFU.FRIST_4M").applies());
    assert!(!st(&a, "BL.BFU.HELHED").applies());
    a.insert("BL.BFU.GENNEMFOERT".into(), "ja".into());
    assert_eq!(st(&a, "BL.BFU.FRIST_4M"), ItemStatus::Applies);
    assert_eq!(st(&a, "BL.BFU.HELHED"), ItemStatus::Applies);
    assert!(!st(&a, "BL.BFU.FORELOEBIG").applies());
    a.insert("BL.BFU.FRIST_4M".into(), "ja".into());
    assert!(!st(&a, "BL.BFU.FORELOEBIG").applies());
    a.insert("BL.BFU.FRIST_4M".into(), "nej".into());
    assert_eq!(st(&a, "BL.BFU.FORELOEBIG"), ItemStatus::Applies);
    // A deadline answer left behind after "no BFU" no longer counts.
    a.insert("BL.BFU.GENNEMFOERT".into(), "ikke_relevant".into());
    assert!(!st(&a, "BL.BFU.FORELOEBIG").applies());

    assert!(!st(&a, "BL.INDD.INGEN_SAMTALE_BEGRUNDET").applies());
    a.insert("BL.INDD.BOERNESAMTALE".into(), "nej".into());
    assert_eq!(
        st(&a, "BL.INDD.INGEN_SAMTALE_BEGRUNDET"),
        ItemStatus::Applies
    );
    a.insert("BL.INDD.BOERNESAMTALE".into(), "ja".into());
    assert!(!st(&a, "BL.INDD.INGEN_SAMTALE_BEGRUNDET").applies());
}

#[test]
fn thematic_packs_use_grad3_and_high_degree() {
    let packs = [
        (
            "bl-tema-inddragelse.json",
            "BL-TEMA-INDDRAGELSE",
            "BLT.INDD.",
        ),
        ("bl-tema-plan.json", "BL-TEMA-PLAN", "BLT.PLAN."),
        (
            "bl-tema-anbringelse.json",
            "BL-TEMA-ANBRINGELSE",
            "BLT.ANB.",
        ),
        ("bl-tema-handicap.json", "BL-TEMA-HANDICAP", "BLT.HAND."),
    ];
    for (file, key, prefix) in packs {
        let c = load(file);
        assert_eq!(c.key, key);
        assert_eq!(c.kind, TemplateKind::Thematic, "{file}");
        assert!(
            c.title.da.starts_with("Tematiseret ledelsestilsyn — "),
            "{file}"
        );
        let items = c.items();
        assert!(
            (6..=9).contains(&items.len()),
            "{file}: {} items",
            items.len()
        );
        assert!(
            c.all_sections()
                .iter()
                .all(|s| matches!(s.kind, SectionKind::Theme | SectionKind::Bearing))
        );
        for p in items {
            let i = p.item;
            assert!(i.key.starts_with(prefix), "{}", i.key);
            assert_eq!(i.scale, "grad3", "{}", i.key);
            assert_eq!(i.compliant, ["hoej"], "{}", i.key);
            assert!(i.bearing.is_some(), "{}", i.key);
            assert!(
                i.criteria.as_ref().unwrap().da.starts_with("I høj grad"),
                "{}",
                i.key
            );
        }
    }
    // Handicap: § 86 and § 87 items follow the case type; the pack is for the handicap area.
    let c = load("bl-tema-handicap.json");
    let mut f = facts("§ 86", 9);
    f.area = Some("handicap".into());
    let e = preview(&c, &f, &Answers::new());
    assert_eq!(e.status("BLT.HAND.MERUDGIFTER"), Some(&ItemStatus::Applies));
    assert_eq!(
        e.status("BLT.HAND.TABT_ARB_BEREGNING"),
        Some(&ItemStatus::Excluded(Exclusion::ItemRule {
            condition: Condition::CaseTypeIn(vec!["§ 87".into()])
        }))
    );
    assert!(!e.status("BLT.HAND.OVERGANG_16").unwrap().applies());
    f.case_type = Some("§ 87".into());
    f.age = Some(16);
    let e = preview(&c, &f, &Answers::new());
    assert!(!e.status("BLT.HAND.MERUDGIFTER").unwrap().applies());
    assert_eq!(
        e.status("BLT.HAND.TABT_ARB_NOEDVENDIGHED"),
        Some(&ItemStatus::Applies)
    );
    assert_eq!(e.status("BLT.HAND.OVERGANG_16"), Some(&ItemStatus::Applies));
    f.area = Some("udsatte".into());
    assert_eq!(preview(&c, &f, &Answers::new()).applicable_count(), 0);
}

#[test]
fn the_quality_model_file_has_exactly_the_six_indicators_on_km5() {
    let c = load("km-organisation-ledelse.json");
    assert_eq!(c.key, "KM-ORGANISATION-LEDELSE");
    assert_eq!(c.kind, TemplateKind::QualityModel);
    assert_eq!(c.sections.len(), 2);
    assert!(
        c.all_sections()
            .iter()
            .all(|s| s.kind == SectionKind::Criterion)
    );
    let keys: Vec<&str> = c.items().iter().map(|p| p.item.key.as_str()).collect();
    assert_eq!(
        keys,
        ["KM.8.a", "KM.8.b", "KM.8.c", "KM.9.a", "KM.9.b", "KM.9.c"]
    );
    assert_eq!(c.scales.len(), 1);
    assert_eq!(c.scales[0].kind, ScaleKind::Score);
    for p in c.items() {
        let i = p.item;
        assert_eq!(i.scale, "km5", "{}", i.key);
        assert!(i.compliant.is_empty(), "{}: no compliant set on 1–5", i.key);
        assert_eq!(i.legal_refs.len(), 1);
        assert_eq!(i.legal_refs[0].law, "socialtilsynsloven");
        assert_eq!(i.legal_refs[0].paragraph, "6");
        assert!(
            i.source.as_deref().unwrap().contains("verificeres"),
            "{}",
            i.key
        );
        let want_section = if i.key.starts_with("KM.8") {
            "KRITERIUM_8"
        } else {
            "KRITERIUM_9"
        };
        assert_eq!(p.section.key, want_section);
    }
    let help = c.item("KM.8.c").unwrap().help.as_ref().unwrap();
    assert!(help.da.contains("private tilbud med en bestyrelse"));
}

#[test]
fn the_theme_spot_library_holds_eight_to_ten_theme_spots() {
    let c = load("bl-temanedslag.json");
    assert_eq!(c.key, "BL-TEMANEDSLAG");
    assert_eq!(c.kind, TemplateKind::ThemeSpots);
    let items = c.items();
    assert!((8..=10).contains(&items.len()), "{} items", items.len());
    assert!(
        c.all_sections()
            .iter()
            .all(|s| s.kind == SectionKind::Theme)
    );
    for p in items {
        let i = p.item;
        assert_eq!(i.kind, ItemKind::ThemeSpot, "{}", i.key);
        assert!(i.key.starts_with("BLN."), "{}", i.key);
        assert!(matches!(i.scale.as_str(), "ja_nej" | "grad3"), "{}", i.key);
    }
}
