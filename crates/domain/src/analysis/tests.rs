use super::*;

/// Two sections: S1 with ja/nej questions A (pejlemærke inddragelse) and B, S2 with a graded
/// question C (lav/nogen/høj) and a 1–5 score D, plus free text E that has no statistics.
pub(crate) fn content() -> TemplateContent {
    let json = r#"{
      "key": "T", "title": {"da": "T"}, "kind": "compliance", "cannot_assess": true,
      "scales": [
        {"key": "jn", "kind": "compliance", "label": {"da": "ja/nej"}, "points": [
          {"code": "ja", "label": {"da": "Ja"}}, {"code": "nej", "label": {"da": "Nej"}},
          {"code": "ikke_relevant", "label": {"da": "Ikke relevant"}, "not_applicable": true}]},
        {"key": "g", "kind": "ordinal", "label": {"da": "grad"}, "points": [
          {"code": "lav", "label": {"da": "Lav"}}, {"code": "nogen", "label": {"da": "Nogen"}},
          {"code": "hoej", "label": {"da": "Høj"}}]},
        {"key": "s", "kind": "score", "label": {"da": "1-5"}, "points": [
          {"code": "1", "label": {"da": "1"}, "value": 1}, {"code": "2", "label": {"da": "2"}, "value": 2},
          {"code": "3", "label": {"da": "3"}, "value": 3}, {"code": "4", "label": {"da": "4"}, "value": 4},
          {"code": "5", "label": {"da": "5"}, "value": 5}]},
        {"key": "txt", "kind": "free_text", "label": {"da": "tekst"}}
      ],
      "sections": [
        {"key": "S1", "kind": "case_step", "title": {"da": "Første"}, "items": [
          {"key": "A", "text": {"da": "A"}, "scale": "jn", "compliant": ["ja"], "bearing": "involvement"},
          {"key": "B", "text": {"da": "B"}, "scale": "jn", "compliant": ["ja"]}]},
        {"key": "S2", "kind": "case_step", "title": {"da": "Anden"}, "items": [
          {"key": "C", "text": {"da": "C"}, "scale": "g"},
          {"key": "D", "text": {"da": "D"}, "scale": "s"},
          {"key": "E", "text": {"da": "E"}, "scale": "txt"}]}
      ]
    }"#;
    let c: TemplateContent = serde_json::from_str(json).unwrap();
    assert_eq!(c.check(), vec![], "the test template is valid");
    c
}

fn answers(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

pub(crate) fn case(
    key: &str,
    team: &str,
    l1: &[(&str, &str)],
    l2: Option<&[(&str, &str)]>,
) -> CaseInput {
    let mut levels = BTreeMap::new();
    levels.insert(1, answers(l1));
    if let Some(l2) = l2 {
        levels.insert(2, answers(l2));
    }
    CaseInput {
        key: key.into(),
        unit: Some("Myndighed".into()),
        team: Some(team.into()),
        case_type: if key.ends_with('1') {
            "§ 32".into()
        } else {
            "§ 52".into()
        },
        area: Some(Area::VulnerableChildren),
        caseworker: Some(format!("rådgiver {team}")),
        levels,
        agreed: BTreeMap::new(),
    }
}

/// Four cases; levels differ on A in case 2 and on C in case 3.
fn cases() -> Vec<CaseInput> {
    vec![
        case(
            "k1",
            "Nord",
            &[
                ("A", "ja"),
                ("B", "ja"),
                ("C", "hoej"),
                ("D", "4"),
                ("E", "fri tekst"),
            ],
            Some(&[("A", "ja"), ("B", "ja"), ("C", "hoej"), ("D", "4")]),
        ),
        case(
            "k2",
            "Nord",
            &[("A", "ja"), ("B", "nej"), ("C", "nogen"), ("D", "2")],
            Some(&[("A", "nej"), ("B", "nej"), ("C", "nogen"), ("D", "2")]),
        ),
        case(
            "k3",
            "Syd",
            &[
                ("A", "nej"),
                ("B", "ikke_relevant"),
                ("C", "hoej"),
                ("D", "5"),
            ],
            Some(&[
                ("A", "nej"),
                ("B", "ikke_relevant"),
                ("C", "lav"),
                ("D", "5"),
            ]),
        ),
        // Level 1 only.
        case(
            "k4",
            "Syd",
            &[
                ("A", "nej"),
                ("B", "kan_ikke_vurderes"),
                ("C", "lav"),
                ("D", "1"),
            ],
            None,
        ),
    ]
}

#[test]
fn highest_level_counts_and_shares() {
    let a = analyse(&content(), CountingRule::HighestLevel, &cases());
    assert_eq!(
        a.items.iter().map(|m| m.key.as_str()).collect::<Vec<_>>(),
        ["A", "B", "C", "D"],
        "free text has no statistics"
    );
    assert_eq!(a.overall.cases, 4);
    // A counted: k1 ja (L2), k2 nej (L2), k3 nej, k4 nej (L1 only) → 1 of 4.
    let t = &a.overall.items[0];
    assert_eq!((t.compliant, t.non_compliant, t.n()), (1, 3, 4));
    assert_eq!(t.share(), Some(0.25));
    // B: ja, nej, ikke relevant, kan ikke vurderes → 1/2, the other two outside the share.
    let b = &a.overall.items[1];
    assert_eq!(
        (
            b.compliant,
            b.non_compliant,
            b.not_relevant,
            b.cannot_assess
        ),
        (1, 1, 1, 1)
    );
    assert_eq!(b.share(), Some(0.5));
    // C graded (lav, nogen, høj): k1 høj, k2 nogen, k3 lav (L2), k4 lav.
    assert_eq!(a.overall.items[2].points, vec![2, 1, 1]);
    assert_eq!(
        a.overall.items[2].share(),
        None,
        "graded questions have no ja-share"
    );
    // D scores 4, 2, 5, 1 → mean 3.
    assert_eq!(a.overall.items[3].mean(), Some(3.0));
    assert_eq!(a.overall.items[3].points, vec![1, 1, 0, 1, 1]);
    // Section S1 sums A and B: 2 ja of 6.
    let s1 = a.section_tally(&a.overall, "S1");
    assert_eq!((s1.compliant, s1.n()), (2, 6));
    // S2 has no ja/nej question.
    assert_eq!(a.section_tally(&a.overall, "S2").n(), 0);
    // The pejlemærke holds A only.
    assert_eq!(a.bearing_tally(&a.overall, Bearing::Involvement).n(), 4);
}

#[test]
fn agreed_answers_count_under_the_agreed_rule_only() {
    let mut cs = cases();
    cs[1].agreed.insert("A".into(), "ja".into());
    let agreed = analyse(&content(), CountingRule::Agreed, &cs);
    assert_eq!(agreed.overall.items[0].compliant, 2);
    let highest = analyse(&content(), CountingRule::HighestLevel, &cs);
    assert_eq!(highest.overall.items[0].compliant, 1);
}

#[test]
fn breakdowns_by_team_and_level() {
    let a = analyse(&content(), CountingRule::EachLevel, &cases());
    let teams = &a.breakdowns[&Dimension::Team];
    assert_eq!(
        teams
            .iter()
            .map(|g| (g.label.as_str(), g.cases))
            .collect::<Vec<_>>(),
        [("Nord", 2), ("Syd", 2)]
    );
    // Nord A: ja, nej → 1/2; Syd A: nej, nej → 0/2.
    assert_eq!(teams[0].items[0].share(), Some(0.5));
    assert_eq!(teams[1].items[0].share(), Some(0.0));
    // Each level's own answers: level 1 A = ja, ja, nej, nej; level 2 A = ja, nej, nej.
    let levels = &a.breakdowns[&Dimension::Level];
    assert_eq!(levels[0].label, "1");
    assert_eq!(
        (levels[0].items[0].compliant, levels[0].items[0].n()),
        (2, 4)
    );
    assert_eq!(
        (levels[1].items[0].compliant, levels[1].items[0].n()),
        (1, 3)
    );
    // Headline under "each level" is the highest level's.
    assert_eq!(a.overall.items[0].compliant, 1);
    let types = &a.breakdowns[&Dimension::CaseType];
    assert_eq!(types[0].label, "§ 32");
    assert_eq!(types[0].cases, 1);
}

#[test]
fn agreement_between_levels_by_hand() {
    let a = analyse(&content(), CountingRule::HighestLevel, &cases());
    assert_eq!(a.agreement.len(), 1);
    let p = &a.agreement[0];
    assert_eq!((p.lower, p.upper, p.cases), (1, 2, 3));
    let item = |k: &str| p.items.iter().find(|x| x.item == k).unwrap();
    // A on k1..k3: (ja,ja), (ja,nej), (nej,nej): p_o = 2/3; level 1 ja 2/3 nej 1/3, level 2
    // ja 1/3 nej 2/3: p_e = 2/9 + 2/9 = 4/9; κ = (2/3 − 4/9)/(1 − 4/9) = (2/9)/(5/9) = 0.4.
    let ka = item("A").kappa.unwrap();
    assert!((ka.observed - 2.0 / 3.0).abs() < 1e-12);
    assert!((ka.kappa.unwrap() - 0.4).abs() < 1e-12);
    assert_eq!(item("A").weights, Weights::Unweighted);
    // B agrees everywhere (ja, nej, ikke relevant): κ = 1.
    assert!((item("B").kappa.unwrap().kappa.unwrap() - 1.0).abs() < 1e-12);
    // C graded: (høj,høj), (nogen,nogen), (høj,lav); linear weights 1, ½, 0 over 3 points.
    // Weighted p_o = (1 + 1 + 0)/3 = 2/3. Level 1: høj 2/3, nogen 1/3; level 2: lav 1/3,
    // nogen 1/3, høj 1/3. p_e = Σ w_ij p_i p_j with rows nogen (1/3) and høj (2/3):
    // nogen: 1/3·(½·1/3 + 1·1/3 + ½·1/3) = 1/3·2/3 = 2/9; høj: 2/3·(0 + ½·1/3 + 1/3) = 2/3·1/2 = 1/3.
    // p_e = 5/9; κ_w = (2/3 − 5/9)/(4/9) = 1/4.
    let kc = item("C");
    assert_eq!(kc.weights, Weights::Linear);
    assert!((kc.kappa.unwrap().kappa.unwrap() - 0.25).abs() < 1e-12);
    // Lowest first: C (0.25) before A (0.4).
    let order: Vec<&str> = p.items.iter().map(|x| x.item.as_str()).collect();
    assert!(
        order.iter().position(|k| *k == "C") < order.iter().position(|k| *k == "A"),
        "{order:?}"
    );
    // Plain agreement over every pair: A 2/3, B 3/3, C 2/3, D 3/3 → 10/12.
    assert!((p.overall_percent.unwrap() - 10.0 / 12.0).abs() < 1e-12);
}

fn point(name: &str, date: &str, baseline: bool, a: (u64, u64)) -> RoundPoint {
    let mut tallies = BTreeMap::new();
    tallies.insert(
        "A".to_owned(),
        Tally {
            compliant: a.0,
            non_compliant: a.1,
            ..Tally::default()
        },
    );
    RoundPoint {
        round: uuid::Uuid::nil(),
        name: name.into(),
        reference_date: date.parse().unwrap(),
        baseline,
        template: if baseline {
            "T v1".into()
        } else {
            "T v2".into()
        },
        tallies,
    }
}

#[test]
fn trends_flag_only_changes_unlikely_to_be_chance() {
    // Now: A 1 of 4, B 1 of 2.
    let a = analyse(&content(), CountingRule::HighestLevel, &cases());
    // Baseline 19 of 20 on A: 25 % now against 95 % then is a large drop on few cases;
    // previous round 2 of 4: no evidence of change.
    let earlier = [
        point("forår", "2026-03-01", false, (2, 2)),
        point("basis", "2025-03-01", true, (19, 1)),
    ];
    let t = trends(&a, "T v2", &earlier);
    assert_eq!(
        t.rounds.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
        ["basis", "forår"],
        "oldest first"
    );
    assert_eq!(t.baseline, Some(0));
    assert!(t.rounds[0].other_template && !t.rounds[1].other_template);
    assert_eq!(t.rounds[0].matched, 1, "B was not asked then");
    let a_trend = t.items.iter().find(|x| x.item == "A").unwrap();
    let vb = a_trend.vs_baseline.as_ref().unwrap();
    assert!(vb.significant, "{vb:?}");
    assert!((vb.test.diff - (0.25 - 0.95)).abs() < 1e-12);
    let vp = a_trend.vs_previous.as_ref().unwrap();
    assert!(!vp.significant, "{vp:?}");
    let b_trend = t.items.iter().find(|x| x.item == "B").unwrap();
    assert!(b_trend.vs_baseline.is_none() && b_trend.history.iter().all(Option::is_none));
    // Section S1 compares over A only: then 19/20, now A's 1/4.
    let s1 = &t.sections[0];
    let (then, now) = s1.history[0].as_ref().unwrap();
    assert_eq!((then.compliant, now.compliant, now.n()), (19, 1, 4));
}
