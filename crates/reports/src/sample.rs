//! A realistic report to render without a database: the standard overordnet template, 40
//! cases in three teams at two levels with answers from a fixed pseudo-random sequence, and an
//! earlier baseline round. Used by the renderers' tests and the report benchmark.

use std::collections::BTreeMap;
use tilsyn_domain::analysis::{self, CaseInput, RoundPoint};
use tilsyn_domain::report::{self, Audience, Report, ReportInput, RoundFacts};
use tilsyn_domain::review::CountingRule;
use tilsyn_domain::template::{TemplateContent, TemplateFile};

/// The standard template this sample uses.
pub fn template() -> TemplateContent {
    let file: Result<TemplateFile, _> = serde_json::from_str(include_str!(
        "../../../content/templates/bl-overordnet.json"
    ));
    match file {
        Ok(f) => f.template,
        // The file is part of the repository and checked by the store's tests.
        Err(e) => panic!("content/templates/bl-overordnet.json: {e}"),
    }
}

/// A small linear congruential sequence: the same answers on every machine.
struct Seq(u64);

impl Seq {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// `n` cases with answers to every question with points; level 2 in every other case; a
/// ja-share that differs by team so breakdowns show something.
pub fn cases(content: &TemplateContent, n: usize, seed: u64) -> Vec<CaseInput> {
    let metas = analysis::item_metas(content);
    let teams = ["Team Nord", "Team Syd", "Team Øst"];
    let types = ["§ 32", "§ 46", "§ 52"];
    let mut s = Seq(seed);
    (0..n)
        .map(|i| {
            let team = teams[i % 3];
            let good = [90, 70, 55][i % 3];
            let mut l1 = BTreeMap::new();
            for m in &metas {
                let v = match m.kind {
                    tilsyn_domain::template::ScaleKind::Compliance => {
                        let r = s.below(100);
                        if r < 8 {
                            "ikke_relevant"
                        } else if r < good {
                            "ja"
                        } else {
                            "nej"
                        }
                        .to_owned()
                    }
                    _ => {
                        let k = m.points.len() as u64;
                        m.points[s.below(k.max(1)) as usize].code.clone()
                    }
                };
                l1.insert(m.key.clone(), v);
            }
            let mut levels = BTreeMap::new();
            if i % 2 == 0 {
                let mut l2 = l1.clone();
                for (k, v) in l2.iter_mut() {
                    if s.below(100) < 12 {
                        let m = metas.iter().find(|m| &m.key == k);
                        *v = match (v.as_str(), m.map(|m| m.kind)) {
                            ("ja", _) => "nej".into(),
                            ("nej", _) => "ja".into(),
                            (_, Some(tilsyn_domain::template::ScaleKind::Compliance)) => v.clone(),
                            _ => m
                                .map(|m| {
                                    m.points[s.below(m.points.len().max(1) as u64) as usize]
                                        .code
                                        .clone()
                                })
                                .unwrap_or_else(|| v.clone()),
                        };
                    }
                }
                levels.insert(2, l2);
            }
            levels.insert(1, l1);
            CaseInput {
                key: format!("DUBU:{:05}", 10000 + i),
                unit: Some("Myndighed Børn og Unge".into()),
                team: Some(team.into()),
                case_type: types[(i / 3) % 3].into(),
                area: Some(tilsyn_domain::cases::Area::VulnerableChildren),
                caseworker: Some(format!("Rådgiver {}", i % 7 + 1)),
                levels,
                agreed: BTreeMap::new(),
            }
        })
        .collect()
}

/// The texts a report prints, in Danish, for tests that do not have the message catalogue
/// (the web crate resolves the real ones).
pub fn texts() -> BTreeMap<String, String> {
    report::TEXT_KEYS
        .iter()
        .map(|k| ((*k).to_owned(), format!("«{k}»")))
        .collect()
}

/// The sample report for an audience.
pub fn report(audience: Audience) -> Report {
    let content = template();
    let cases = cases(&content, 40, 7);
    let a = analysis::analyse(&content, CountingRule::HighestLevel, &cases);
    let base = analysis::analyse(
        &content,
        CountingRule::HighestLevel,
        &self::cases(&content, 36, 3),
    );
    let point = RoundPoint {
        round: uuid::Uuid::nil(),
        name: "Ledelsestilsyn 2025 (baseline)".into(),
        reference_date: chrono::NaiveDate::from_ymd_opt(2025, 4, 1).unwrap_or_default(),
        baseline: true,
        template: "BL-OVERORDNET v1".into(),
        tallies: base.compliance_by_key(),
    };
    let trends = analysis::trends(&a, "BL-OVERORDNET v1", &[point]);
    report::build(ReportInput {
        audience,
        english: false,
        generated_at: chrono::DateTime::from_timestamp(1_790_000_000, 0).unwrap_or_default(),
        generated_by: "Karsten Berg".into(),
        round: RoundFacts {
            id: "0199-demo".into(),
            name: "Ledelsestilsyn forår 2026".into(),
            kind: "Overordnet ledelsestilsyn".into(),
            municipality: "Demo Kommune".into(),
            template: "Ledelsestilsyn efter barnets lov – overordnet".into(),
            template_version: "1".into(),
            levels: vec![(1, 40, 40, 40), (2, 20, 20, 20)],
            frame: "Aktive sager pr. 1. marts 2026, § 32, § 46 og § 52".into(),
            period: "1. marts – 30. april 2026".into(),
            reference_date: chrono::NaiveDate::from_ymd_opt(2026, 3, 1),
            look_back_months: 12,
            seed: Some("20260301".into()),
            fingerprint: Some("3f2a9c".into()),
            baseline: false,
            themes: vec![],
            counting: CountingRule::HighestLevel,
            cases: 40,
        },
        threshold: tilsyn_domain::report::DEFAULT_THRESHOLD,
        analysis: &a,
        trends: Some(&trends),
        references: vec![],
        follow_up: Some(sample_follow_up()),
        raw: vec![],
        feedback: None,
        texts: texts(),
    })
}

fn sample_follow_up() -> tilsyn_domain::report::FollowUp {
    use tilsyn_domain::action::{ActionStatus, StatusCounts};
    use tilsyn_domain::report::{FollowUp, FollowUpAction};
    let d = |m, day| chrono::NaiveDate::from_ymd_opt(2025, m, day).unwrap_or_default();
    let today = d(12, 1);
    let actions = vec![
        (
            "Tjekliste for samtalen med barnet i alle teams",
            d(6, 1),
            ActionStatus::Done,
            "Tjeklisten bruges; stikprøve i juni",
        ),
        (
            "Frister for børnefaglig undersøgelse i fagsystemets opgaveliste",
            d(9, 1),
            ActionStatus::InProgress,
            "",
        ),
        (
            "Temadag om handleplaner",
            d(10, 1),
            ActionStatus::Dropped,
            "Erstattet af sparring i teams",
        ),
    ];
    FollowUp {
        round: "Ledelsestilsyn forår 2025".into(),
        counts: StatusCounts::of(actions.iter().map(|a| (a.2, a.1)), today),
        actions: actions
            .into_iter()
            .map(|(text, due, status, note)| FollowUpAction {
                description: text.into(),
                due,
                status,
                overdue: tilsyn_domain::action::is_overdue(status, due, today),
                note: note.into(),
                owner: Some("Lise Leder".into()),
            })
            .collect(),
    }
}
