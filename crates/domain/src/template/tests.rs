#![allow(clippy::unwrap_used)]

use super::edit::Edit;
use super::*;
use chrono::NaiveDate;
use proptest::prelude::*;

fn item(key: &str, scale: &str) -> Item {
    Item {
        key: key.into(),
        text: Text::new(&format!("Spørgsmål {key}"), ""),
        help: None,
        criteria: None,
        legal_refs: vec![],
        scale: scale.into(),
        compliant: if scale == "ja_nej" {
            vec!["ja".into()]
        } else {
            vec![]
        },
        remark_required_on: vec![],
        bearing: None,
        kind: ItemKind::Core,
        rule: None,
        source: None,
        deadline: None,
    }
}

fn section(key: &str, items: Vec<Item>) -> Section {
    Section {
        key: key.into(),
        kind: SectionKind::CaseStep,
        title: Text::new(key, ""),
        intro: None,
        rule: None,
        items,
        sections: vec![],
    }
}

fn placement() -> Condition {
    Condition::CaseTypeIn(vec!["§ 46".into(), "§ 47".into()])
}

/// A small overordnet template: a BFU step with an answer-dependent item, a placement-only
/// plan step, a 16+ item and a party-rights item from age 10.
fn fixture() -> TemplateContent {
    let mut d2 = item("BL.BFU.FRIST", "ja_nej");
    d2.rule = Some(Condition::AnswerIn {
        item: "BL.BFU.GENNEMFOERT".into(),
        values: vec!["ja".into()],
    });
    let mut plan = section("PLAN", vec![item("BL.PLAN.3M", "ja_nej")]);
    plan.rule = Some(placement());
    let mut ung = item("BL.PLAN.UNGEPLAN", "ja_nej");
    ung.rule = Some(Condition::All(vec![placement(), Condition::AgeAtLeast(16)]));
    plan.items.push(ung);
    let mut parts = item("BL.INDD.PART10", "ja_nej");
    parts.rule = Some(Condition::AgeAtLeast(10));
    TemplateContent {
        key: "TEST".into(),
        title: Text::new("Test", "Test"),
        description: None,
        kind: TemplateKind::Compliance,
        source: None,
        law_version: None,
        cannot_assess: false,
        attributes: vec![AttributeDecl {
            name: "anbringelsessted".into(),
            kind: AttributeKind::Text,
            label: Text::new("Anbringelsessted", "Placement"),
        }],
        scales: Scale::library(),
        sections: vec![
            section("BFU", vec![item("BL.BFU.GENNEMFOERT", "ja_nej"), d2]),
            section("INDD", vec![parts, item("BL.INDD.NOTE", "tekst")]),
            plan,
        ],
    }
}

fn facts(case_type: &str, age: Option<u32>) -> CaseFacts {
    CaseFacts {
        case_type: Some(case_type.into()),
        age,
        ..Default::default()
    }
}

fn keys_of(errs: &[ContentError]) -> Vec<(&str, &str)> {
    errs.iter().map(|e| (e.at.as_str(), e.key)).collect()
}

#[test]
fn the_fixture_is_valid() {
    assert_eq!(fixture().check(), vec![]);
    assert_eq!(fixture().check_for_publish(), vec![]);
}

#[test]
fn a_32_case_of_a_ten_year_old_hides_placement_and_16_plus_items_and_says_why() {
    let c = fixture();
    let e = c.evaluate(&facts("§ 32", Some(10)), &Answers::new(), &BTreeMap::new());
    match e.status("BL.PLAN.3M").unwrap() {
        ItemStatus::Excluded(Exclusion::SectionRule { section, condition }) => {
            assert_eq!(section, "PLAN");
            assert_eq!(condition, &placement());
        }
        other => panic!("{other:?}"),
    }
    // Hidden by its section, whatever its own rule says.
    assert!(!e.status("BL.PLAN.UNGEPLAN").unwrap().applies());
    assert_eq!(e.status("BL.INDD.PART10"), Some(&ItemStatus::Applies));
    assert!(e.sections["PLAN"].is_some());
    assert_eq!(e.applicable_count(), 3);
}

#[test]
fn a_46_case_of_a_sixteen_year_old_shows_them() {
    let c = fixture();
    let e = c.evaluate(&facts("§ 46", Some(16)), &Answers::new(), &BTreeMap::new());
    assert!(e.status("BL.PLAN.3M").unwrap().applies());
    assert_eq!(e.status("BL.PLAN.UNGEPLAN"), Some(&ItemStatus::Applies));
    let e15 = c.evaluate(&facts("§ 46", Some(15)), &Answers::new(), &BTreeMap::new());
    match e15.status("BL.PLAN.UNGEPLAN").unwrap() {
        ItemStatus::Excluded(Exclusion::ItemRule { condition }) => {
            assert_eq!(condition, &Condition::AgeAtLeast(16));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_unknown_age_shows_the_item_and_says_the_fact_is_missing() {
    let e = fixture().evaluate(&facts("§ 46", None), &Answers::new(), &BTreeMap::new());
    assert_eq!(
        e.status("BL.PLAN.UNGEPLAN"),
        Some(&ItemStatus::AppliesUnknown)
    );
    assert_eq!(
        e.status("BL.INDD.PART10"),
        Some(&ItemStatus::AppliesUnknown)
    );
}

#[test]
fn answer_dependent_items_follow_the_earlier_answer() {
    let c = fixture();
    let f = facts("§ 32", Some(8));
    let mut a = Answers::new();
    assert!(
        !c.evaluate(&f, &a, &BTreeMap::new())
            .status("BL.BFU.FRIST")
            .unwrap()
            .applies()
    );
    a.insert("BL.BFU.GENNEMFOERT".into(), "ja".into());
    assert!(
        c.evaluate(&f, &a, &BTreeMap::new())
            .status("BL.BFU.FRIST")
            .unwrap()
            .applies()
    );
    // An answer to a section the reviewer marked "ikke relevant" no longer counts.
    let mut marked = BTreeMap::new();
    marked.insert("BFU".to_owned(), "Ingen BFU i sagen".to_owned());
    let e = c.evaluate(&f, &a, &marked);
    assert!(matches!(
        e.status("BL.BFU.FRIST"),
        Some(ItemStatus::Excluded(Exclusion::Marked { .. }))
    ));
}

#[test]
fn bad_content_is_refused_naming_the_item_and_field() {
    let mut c = fixture();
    c.sections[0].items[1].key = "BL.BFU.GENNEMFOERT".into();
    assert!(keys_of(&c.check()).contains(&("BL.BFU.GENNEMFOERT", "err-tpl-duplicate-item")));

    let mut c = fixture();
    c.sections[0].items[0].text.da = "  ".into();
    assert!(keys_of(&c.check()).contains(&("BL.BFU.GENNEMFOERT", "err-tpl-text-empty")));

    let mut c = fixture();
    c.sections[0].items[0].compliant.clear();
    assert_eq!(
        keys_of(&c.check()),
        vec![("BL.BFU.GENNEMFOERT", "err-tpl-no-compliant")]
    );

    let mut c = fixture();
    c.sections[0].items[0].compliant = vec!["ikke_relevant".into()];
    assert!(keys_of(&c.check()).contains(&("BL.BFU.GENNEMFOERT", "err-tpl-no-compliant")));

    let mut c = fixture();
    c.scales[1].points.clear();
    assert_eq!(
        keys_of(&c.check()),
        vec![("grad3", "err-tpl-scale-no-points")]
    );

    let mut c = fixture();
    c.sections[1].items[0].rule = Some(Condition::AttributeIn {
        name: "skole".into(),
        values: vec!["x".into()],
    });
    assert_eq!(
        keys_of(&c.check()),
        vec![("BL.INDD.PART10", "err-tpl-rule-unknown-attribute")]
    );

    let mut c = fixture();
    c.sections[1].items[0].rule = Some(Condition::AttributeAtLeast {
        name: "anbringelsessted".into(),
        value: 2.0,
    });
    assert_eq!(
        keys_of(&c.check()),
        vec![("BL.INDD.PART10", "err-tpl-rule-type")]
    );

    // A rule on a later item, on itself, on a missing item, on a free-text item.
    let mut c = fixture();
    c.sections[0].items[0].rule = Some(Condition::AnswerIn {
        item: "BL.BFU.FRIST".into(),
        values: vec!["ja".into()],
    });
    assert_eq!(
        keys_of(&c.check()),
        vec![("BL.BFU.GENNEMFOERT", "err-tpl-rule-forward")]
    );
    let mut c = fixture();
    c.sections[0].items[0].rule = Some(Condition::AnswerIn {
        item: "BL.BFU.GENNEMFOERT".into(),
        values: vec!["ja".into()],
    });
    assert_eq!(
        keys_of(&c.check()),
        vec![("BL.BFU.GENNEMFOERT", "err-tpl-rule-cycle")]
    );
    let mut c = fixture();
    c.sections[2].items[0].rule = Some(Condition::AnswerIn {
        item: "BL.FINDES.IKKE".into(),
        values: vec!["ja".into()],
    });
    assert_eq!(
        keys_of(&c.check()),
        vec![("BL.PLAN.3M", "err-tpl-rule-unknown-item")]
    );
    let mut c = fixture();
    c.sections[2].items[0].rule = Some(Condition::AnswerIn {
        item: "BL.INDD.NOTE".into(),
        values: vec!["ja".into()],
    });
    assert_eq!(
        keys_of(&c.check()),
        vec![("BL.PLAN.3M", "err-tpl-rule-type")]
    );
    // A section's rule may not read an answer inside the section itself.
    let mut c = fixture();
    c.sections[0].rule = Some(Condition::AnswerIn {
        item: "BL.BFU.GENNEMFOERT".into(),
        values: vec!["ja".into()],
    });
    assert_eq!(keys_of(&c.check()), vec![("BFU", "err-tpl-rule-forward")]);
    // Three levels of sections.
    let mut c = fixture();
    let mut sub = section("SUB", vec![item("X.1", "ja_nej")]);
    sub.sections
        .push(section("SUBSUB", vec![item("X.2", "ja_nej")]));
    c.sections[0].sections.push(sub);
    assert!(keys_of(&c.check()).contains(&("SUB", "err-tpl-too-deep")));
}

#[test]
fn an_empty_section_is_a_draft_but_cannot_be_published() {
    let mut c = fixture();
    c.apply(&Edit::AddSection {
        parent: None,
        key: "NY".into(),
        kind: SectionKind::Theme,
        title: Text::new("Ny", ""),
        intro: None,
        rule: None,
    })
    .unwrap();
    assert_eq!(
        keys_of(&c.check_for_publish()),
        vec![("NY", "err-tpl-section-empty")]
    );
}

#[test]
fn edits_apply_whole_or_not_at_all() {
    let mut c = fixture();
    let before = c.clone();
    // Removing an item another rule reads is refused, naming the reader.
    let err = c
        .apply(&Edit::RemoveItem {
            key: "BL.BFU.GENNEMFOERT".into(),
        })
        .unwrap_err();
    assert_eq!(
        keys_of(&err),
        vec![("BL.BFU.FRIST", "err-tpl-rule-unknown-item")]
    );
    assert_eq!(c, before);
    // A scale in use cannot go.
    let err = c
        .apply(&Edit::RemoveScale {
            key: "ja_nej".into(),
        })
        .unwrap_err();
    assert_eq!(err[0].key, "err-tpl-scale-in-use");
    // Renaming an item carries the rules that read it.
    let mut renamed = item("BL.BFU.UDFOERT", "ja_nej");
    renamed.text = Text::new("Er BFU udført?", "");
    c.apply(&Edit::UpdateItem {
        key: "BL.BFU.GENNEMFOERT".into(),
        item: renamed,
    })
    .unwrap();
    assert_eq!(
        c.item("BL.BFU.FRIST").unwrap().rule,
        Some(Condition::AnswerIn {
            item: "BL.BFU.UDFOERT".into(),
            values: vec!["ja".into()]
        })
    );
    // Moving the dependent item above its source is refused (it would read forward).
    let err = c
        .apply(&Edit::MoveItem {
            key: "BL.BFU.FRIST".into(),
            up: true,
        })
        .unwrap_err();
    assert_eq!(
        keys_of(&err),
        vec![("BL.BFU.FRIST", "err-tpl-rule-forward")]
    );
    // Moving an independent section works and changes the order.
    c.apply(&Edit::MoveSection {
        key: "PLAN".into(),
        up: true,
    })
    .unwrap();
    let order: Vec<_> = c.sections.iter().map(|s| s.key.as_str()).collect();
    assert_eq!(order, ["BFU", "PLAN", "INDD"]);
    let err = c
        .apply(&Edit::RemoveSection { key: "NOPE".into() })
        .unwrap_err();
    assert_eq!(err[0].key, "err-tpl-not-found");
}

#[test]
fn keeping_a_key_means_keeping_its_meaning() {
    let parent = fixture();
    let mut child = parent.clone();
    child.sections[0].items[0].text.da = "Er der gennemført en børnefaglig undersøgelse?".into();
    assert_eq!(child.check_against(&parent), vec![]);
    let changes = child.changes_from(&parent);
    assert_eq!(changes["BL.BFU.GENNEMFOERT"], ItemChange::Reworded);
    assert_eq!(changes["BL.BFU.FRIST"], ItemChange::Unchanged);
    child.sections[0].items[0].scale = "grad3".into();
    child.sections[0].items[0].compliant = vec!["hoej".into()];
    assert_eq!(
        keys_of(&child.check_against(&parent)),
        vec![("BL.BFU.GENNEMFOERT", "err-tpl-key-meaning-changed")]
    );
    child.sections[0].items.remove(1);
    child.sections[0].items[0].rule = None;
    assert_eq!(
        child.changes_from(&parent)["BL.BFU.FRIST"],
        ItemChange::Removed
    );
}

#[test]
fn legal_references_parse_display_and_match() {
    let r = LegalRef::parse("barnets lov § 20, stk. 3 (LBK nr. 282 af 17/03/2025)").unwrap();
    assert_eq!(r.law, "barnets lov");
    assert_eq!(r.paragraph, "20");
    assert_eq!(r.stk.as_deref(), Some("3"));
    assert_eq!(r.law_version.as_deref(), Some("LBK nr. 282 af 17/03/2025"));
    assert_eq!(r.display(), "barnets lov § 20, stk. 3");
    assert!(r.cites("§ 20") && r.cites("§20") && r.cites("20"));
    assert!(!r.cites("§ 2") && !r.cites("§ 200"));
    assert_eq!(LegalRef::parse("forvaltningsloven § 19").unwrap().stk, None);
    assert!(LegalRef::parse("§ 20").is_none());
    assert!(LegalRef::parse("barnets lov 20").is_none());
}

#[test]
fn theme_spot_rounds_take_two_to_four() {
    assert!(check_theme_spot_count(0).is_ok());
    assert!(check_theme_spot_count(1).is_err());
    assert!(check_theme_spot_count(2).is_ok());
    assert!(check_theme_spot_count(4).is_ok());
    assert!(check_theme_spot_count(5).is_err());
}

#[test]
fn content_survives_a_json_round_trip() {
    let c = fixture();
    let json = serde_json::to_string(&c).unwrap();
    let back: TemplateContent = serde_json::from_str(&json).unwrap();
    assert_eq!(back, c);
    assert!(json.contains(r#"{"all":[{"case_type_in":["§ 46","§ 47"]},{"age_at_least":16}]}"#));
}

/// SplitMix64: a tiny deterministic generator for building random templates in property tests.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const TYPES: [&str; 4] = ["§ 30", "§ 32", "§ 46", "§ 47"];

fn random_leaf(m: &mut Mix, earlier: &[String]) -> Condition {
    match m.below(4) {
        0 => Condition::CaseTypeIn(vec![
            TYPES[m.below(4) as usize].into(),
            TYPES[m.below(4) as usize].into(),
        ]),
        1 => Condition::AgeAtLeast(m.below(19) as u32),
        2 if !earlier.is_empty() => Condition::AnswerIn {
            item: earlier[m.below(earlier.len() as u64) as usize].clone(),
            values: vec![if m.below(2) == 0 { "ja" } else { "nej" }.into()],
        },
        _ => Condition::AgeBelow(m.below(19) as u32),
    }
}

fn random_rule(m: &mut Mix, earlier: &[String]) -> Option<Condition> {
    match m.below(5) {
        0 | 1 => None,
        2 => Some(random_leaf(m, earlier)),
        3 => Some(Condition::All(vec![
            random_leaf(m, earlier),
            random_leaf(m, earlier),
        ])),
        _ => Some(Condition::Not(Box::new(Condition::Any(vec![
            random_leaf(m, earlier),
            random_leaf(m, earlier),
        ])))),
    }
}

/// A valid random template: rules only read items that come earlier in document order.
fn random_template(seed: u64) -> TemplateContent {
    let mut m = Mix(seed);
    let mut earlier: Vec<String> = vec![];
    let mut sections = vec![];
    let mut n = 0;
    let mut make_items = |m: &mut Mix, earlier: &mut Vec<String>| {
        let mut items = vec![];
        for _ in 0..1 + m.below(3) {
            n += 1;
            let mut i = item(&format!("I{n}"), "ja_nej");
            i.rule = random_rule(m, earlier);
            items.push(i);
        }
        items
    };
    for s in 0..1 + m.below(4) {
        let rule = random_rule(&mut m, &earlier);
        let items = make_items(&mut m, &mut earlier);
        earlier.extend(items.iter().map(|i| i.key.clone()));
        let mut sec = section(&format!("S{s}"), items);
        sec.rule = rule;
        for t in 0..m.below(3) {
            let rule = random_rule(&mut m, &earlier);
            let items = make_items(&mut m, &mut earlier);
            earlier.extend(items.iter().map(|i| i.key.clone()));
            let mut sub = section(&format!("S{s}.{t}"), items);
            sub.rule = rule;
            sec.sections.push(sub);
        }
        sections.push(sec);
    }
    let mut c = fixture();
    c.sections = sections;
    c
}

fn random_facts(m: &mut Mix) -> CaseFacts {
    CaseFacts {
        case_type: (m.below(5) > 0).then(|| TYPES[m.below(4) as usize].to_owned()),
        age: (m.below(5) > 0).then(|| m.below(19) as u32),
        ..Default::default()
    }
}

fn random_answers(m: &mut Mix, c: &TemplateContent) -> Answers {
    let mut a = Answers::new();
    for p in c.items() {
        if m.below(3) > 0 {
            let v = if m.below(2) == 0 { "ja" } else { "nej" };
            a.insert(p.item.key.clone(), v.to_owned());
        }
    }
    a
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_templates_are_valid(seed in any::<u64>()) {
        prop_assert_eq!(random_template(seed).check(), vec![]);
    }

    #[test]
    fn an_item_never_applies_when_its_section_does_not(seed in any::<u64>()) {
        let c = random_template(seed);
        let mut m = Mix(seed ^ 0xABCD);
        let e = c.evaluate(&random_facts(&mut m), &random_answers(&mut m, &c), &BTreeMap::new());
        for p in c.items() {
            let top_out = e.sections[&p.section.key].is_some();
            let sub_out = p.subsection.is_some_and(|s| e.sections[&s.key].is_some());
            if top_out || sub_out {
                prop_assert!(!e.status(&p.item.key).unwrap().applies(), "{}", p.item.key);
            }
            if top_out && let Some(s) = p.subsection {
                prop_assert!(e.sections[&s.key].is_some());
            }
        }
    }

    #[test]
    fn answer_dependent_rules_never_look_forward(seed in any::<u64>(), cut in 0usize..16) {
        let c = random_template(seed);
        let mut m = Mix(seed ^ 0x1234);
        let facts = random_facts(&mut m);
        let answers = random_answers(&mut m, &c);
        let items = c.items();
        let cut = cut % items.len();
        // Change every answer from position `cut` on; nothing before it may change status.
        let mut changed = answers.clone();
        for p in &items[cut..] {
            match m.below(3) {
                0 => { changed.remove(&p.item.key); }
                1 => { changed.insert(p.item.key.clone(), "ja".into()); }
                _ => { changed.insert(p.item.key.clone(), "nej".into()); }
            }
        }
        let a = c.evaluate(&facts, &answers, &BTreeMap::new());
        let b = c.evaluate(&facts, &changed, &BTreeMap::new());
        for p in &items[..=cut] {
            prop_assert_eq!(a.status(&p.item.key), b.status(&p.item.key), "{}", p.item.key);
        }
    }

    #[test]
    fn a_forward_reference_is_always_refused(seed in any::<u64>()) {
        let mut c = random_template(seed);
        let keys: Vec<String> = c.items().iter().map(|p| p.item.key.clone()).collect();
        prop_assume!(keys.len() >= 2);
        let last = keys[keys.len() - 1].clone();
        let first = keys[0].clone();
        c.sections[0].items[0].rule = Some(Condition::AnswerIn { item: last.clone(), values: vec!["ja".into()] });
        let errs = c.check();
        prop_assert!(errs.iter().any(|e| e.at == first && e.key == "err-tpl-rule-forward"), "{:?}", errs);
    }

    #[test]
    fn evaluation_ignores_answers_to_items_that_do_not_apply(seed in any::<u64>()) {
        // Whatever answers were left on hidden items, dropping them changes nothing.
        let c = random_template(seed);
        let mut m = Mix(seed ^ 0x77);
        let facts = random_facts(&mut m);
        let answers = random_answers(&mut m, &c);
        let e = c.evaluate(&facts, &answers, &BTreeMap::new());
        let kept: Answers = answers
            .iter()
            .filter(|(k, _)| e.status(k).is_some_and(|s| s.applies()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        prop_assert_eq!(e, c.evaluate(&facts, &kept, &BTreeMap::new()));
    }
}

#[test]
fn dates_in_rules_compare_by_day() {
    let mut c = fixture();
    c.sections[1].items[0].rule = Some(Condition::StartedOnOrAfter(
        NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(),
    ));
    let mut f = facts("§ 32", Some(12));
    f.start = NaiveDate::from_ymd_opt(2023, 12, 31);
    let e = c.evaluate(&f, &Answers::new(), &BTreeMap::new());
    assert!(!e.status("BL.INDD.PART10").unwrap().applies());
    f.start = NaiveDate::from_ymd_opt(2024, 1, 1);
    let e = c.evaluate(&f, &Answers::new(), &BTreeMap::new());
    assert!(e.status("BL.INDD.PART10").unwrap().applies());
}

#[test]
fn numbering_counts_subsections_after_the_sections_own_items() {
    let mut c = fixture();
    c.sections[0].sections.push(section(
        "BFU.SUB",
        vec![item("X.1", "ja_nej"), item("X.2", "ja_nej")],
    ));
    let n = c.numbering();
    assert_eq!(n["BFU"], "1");
    assert_eq!(n["BL.BFU.FRIST"], "1.2");
    assert_eq!(n["BFU.SUB"], "1.3");
    assert_eq!(n["X.2"], "1.3.2");
    assert_eq!(n["PLAN"], "3");
    assert_eq!(n["BL.PLAN.UNGEPLAN"], "3.2");
}

/// The numbering and item lookup as first written: every entry inserted in document order
/// (a later equal key wins), and the first item in `items()` with the key.
fn numbering_by_insert(c: &TemplateContent) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (n, s) in c.sections.iter().enumerate() {
        let top = (n + 1).to_string();
        for (m, i) in s.items.iter().enumerate() {
            out.insert(i.key.clone(), format!("{top}.{}", m + 1));
        }
        for (k, sub) in s.sections.iter().enumerate() {
            let number = format!("{top}.{}", s.items.len() + k + 1);
            for (m, i) in sub.items.iter().enumerate() {
                out.insert(i.key.clone(), format!("{number}.{}", m + 1));
            }
            out.insert(sub.key.clone(), number);
        }
        out.insert(s.key.clone(), top);
    }
    out
}

proptest! {
    #[test]
    fn numbering_and_item_lookup_match_their_plain_definitions(
        seed in any::<u64>(),
        dup in 0usize..8,
    ) {
        let mut c = random_template(seed);
        // Drafts may repeat a key (the checks refuse it only later): an item key again in
        // another place, and a section key used by an item.
        let keys: Vec<String> = c.items().iter().map(|p| p.item.key.clone()).collect();
        let again = keys[dup % keys.len()].clone();
        let mut twin = item(&again, "grad4");
        twin.text = Text::new("the twin", "");
        c.sections.last_mut().unwrap().items.push(twin);
        let sec = c.sections[0].key.clone();
        c.sections.last_mut().unwrap().items.push(item(&sec, "ja_nej"));
        prop_assert_eq!(c.numbering(), numbering_by_insert(&c));
        for k in keys.iter().chain([&again, &sec, &"NOPE".to_owned()]) {
            let plain = c.items().into_iter().find(|p| p.item.key == *k).map(|p| p.item);
            prop_assert_eq!(c.item(k), plain);
        }
    }
}
