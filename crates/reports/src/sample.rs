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

/// The audit report's texts from the catalogue files (simple `key = value` lines), so the
/// sample reads as people will see it; a key the file lacks prints as itself.
pub fn audit_texts(english: bool) -> BTreeMap<String, String> {
    let file = if english {
        include_str!("../../web/locales/en/la_report.ftl")
    } else {
        include_str!("../../web/locales/da/la_report.ftl")
    };
    let all: BTreeMap<&str, &str> = file
        .lines()
        .filter(|l| !l.starts_with(|c: char| c.is_whitespace() || c == '#'))
        .filter_map(|l| l.split_once(" = "))
        .collect();
    tilsyn_domain::learning_audit::AUDIT_TEXT_KEYS
        .iter()
        .map(|k| ((*k).to_owned(), all.get(k).copied().unwrap_or(k).to_owned()))
        .collect()
}

/// A learning audit like Socialstyrelsen's audit 19.1: five socialtilsyn with three
/// participants each and a facilitator and referent, theme "Organisation og ledelse",
/// indicators 8.a, 8.b, 8.c and 9.a (9.b and 9.c left out), ten inspection reports and a
/// follow-up plan. Labels in the chosen language; what people wrote stays Danish.
pub fn audit_report(english: bool) -> tilsyn_domain::learning_audit::AuditReport {
    use tilsyn_domain::learning_audit::{
        AuditReport, LeftOut, QUALITY_MODEL, ReportAction, ReportExample, ReportIndicator,
        ReportMaterial, ReportOrganisation,
    };
    let l = |da: &str, en: &str| {
        if english {
            en.to_owned()
        } else {
            da.to_owned()
        }
    };
    let indicator_text = |code: &str| {
        QUALITY_MODEL
            .indicator(code)
            .map(|i| if english { i.en } else { i.da })
            .unwrap_or(code)
            .to_owned()
    };
    let orgs = [
        (
            "Socialtilsyn Nord",
            ["Anne Kjær", "Mads Holm", "Birgitte Lund"],
        ),
        (
            "Socialtilsyn Midt",
            ["Jonas Bech", "Karen Winther", "Søren Dahl"],
        ),
        (
            "Socialtilsyn Syd",
            ["Helle Møller", "Niels Krogh", "Pernille Friis"],
        ),
        (
            "Socialtilsyn Øst",
            ["Thomas Ravn", "Lene Østergaard", "Rasmus Juhl"],
        ),
        (
            "Socialtilsyn Hovedstaden",
            ["Maja Søgaard", "Ole Brandt", "Sanne Thygesen"],
        ),
    ];
    let (participant, member) = (
        l("Deltager", "Participant"),
        l("Panelmedlem", "Panel member"),
    );
    let mut panel = vec![ReportOrganisation {
        name: String::new(),
        members: vec![
            ("Eva Lindberg".into(), l("Facilitator", "Facilitator")),
            ("Kasper Nørgaard".into(), l("Referent", "Minute-taker")),
        ],
    }];
    panel.extend(orgs.iter().map(|(org, people)| ReportOrganisation {
        name: (*org).into(),
        members: vec![
            (people[0].into(), member.clone()),
            (people[1].into(), participant.clone()),
            (people[2].into(), participant.clone()),
        ],
    }));
    let services = [
        ["Bostedet Lærkereden", "Opholdsstedet Kompasset"],
        ["Botilbuddet Åbakken", "Opholdsstedet Skovly"],
        ["Bofællesskabet Solsikken", "Opholdsstedet Strandgården"],
        ["Botilbuddet Egebjerg", "Opholdsstedet Møllehuset"],
        ["Bostedet Nørrebrohus", "Opholdsstedet Fyrtårnet"],
    ];
    let report_kind = l("Tilsynsrapport", "Inspection report");
    let mut materials = vec![];
    for ((org, _), names) in orgs.iter().zip(services) {
        for (i, name) in names.iter().enumerate() {
            let short = org.trim_start_matches("Socialtilsyn ").to_lowercase();
            materials.push(ReportMaterial {
                title: format!(
                    "{}, {name} (2024)",
                    l("Tilsynsrapport", "Inspection report")
                ),
                organisation: (*org).into(),
                kind: report_kind.clone(),
                // The one report on a private service with a board.
                only: if *org == "Socialtilsyn Syd" && i == 1 {
                    l("Kun 8.c", "8.c only")
                } else {
                    String::new()
                },
                source: format!("tilsynsrapport-{short}-{}.pdf", i + 1),
            });
        }
    }
    let example = |m: usize, count: usize| ReportExample {
        material: materials[m].title.clone(),
        organisation: materials[m].organisation.clone(),
        count,
    };
    let begreber = "Begreber";
    let data = "Datakilder og metoder";
    let triang = "Triangulering";
    let indicators = vec![
        ReportIndicator {
            code: "8.a".into(),
            text: indicator_text("8.a"),
            nominations: 15,
            examples: vec![example(0, 6), example(4, 4), example(9, 2)],
            notes: "Panelet var enige om, at de bedste eksempler beskriver ledelsens \
                    kompetencer konkret: uddannelse, erfaring og hvordan ledelsen bruger \
                    dem i hverdagen.\n\nEksemplerne kobler vurderingen til konkrete \
                    situationer, som tilsynet har observeret eller fået beskrevet i \
                    interview med medarbejdere og borgere."
                .into(),
            attention: vec![
                (
                    begreber.into(),
                    vec![
                        "Der mangler en fælles forståelse af, hvad »relevante kompetencer« \
                         dækker over for ledere af små tilbud."
                            .into(),
                        "Ledelse og faglig ledelse bruges i flæng i rapporterne.".into(),
                    ],
                ),
                (
                    data.into(),
                    vec![
                        "Interview med ledelsen står ofte alene; medarbejdernes oplevelse \
                         bør indgå systematisk."
                            .into(),
                    ],
                ),
            ],
            recommendation: "Socialtilsynene beskriver ledelsens kompetencer med konkrete \
                             eksempler fra praksis og angiver altid, hvilke datakilder \
                             vurderingen bygger på."
                .into(),
        },
        ReportIndicator {
            code: "8.b".into(),
            text: indicator_text("8.b"),
            nominations: 14,
            examples: vec![example(2, 5), example(6, 5), example(1, 3)],
            notes: "De valgte eksempler skelner tydeligt mellem ekstern supervision og \
                    intern faglig sparring og beskriver, hvor ofte den finder sted."
                .into(),
            attention: vec![
                (
                    begreber.into(),
                    vec![
                        "Supervision og sparring skal holdes adskilt i vurderingen.".into(),
                        "Hyppighed alene siger ikke noget om kvaliteten af supervisionen.".into(),
                    ],
                ),
                (
                    triang.into(),
                    vec![
                        "Medarbejdernes udsagn om supervision bør holdes op mod \
                         tilbuddets egne planer og referater."
                            .into(),
                    ],
                ),
            ],
            recommendation: "Vurderingen af 8.b beskriver både form, hyppighed og \
                             medarbejdernes udbytte af supervisionen."
                .into(),
        },
        ReportIndicator {
            code: "8.c".into(),
            text: indicator_text("8.c"),
            nominations: 12,
            examples: vec![example(5, 7), example(3, 3)],
            notes: "Kun rapporter om private tilbud med bestyrelse kunne bruges. Det \
                    bedste eksempel viser, hvordan bestyrelsen følger op på tilbuddets \
                    udviklingsplan."
                .into(),
            attention: vec![
                (
                    data.into(),
                    vec![
                        "Bestyrelsesreferater bruges sjældent som datakilde.".into(),
                        "Interview med bestyrelsesformanden bør indgå ved \
                         væsentlige ændringer."
                            .into(),
                    ],
                ),
                (
                    triang.into(),
                    vec![
                        "Ledelsens og bestyrelsens beskrivelser stemmer ikke altid \
                          overens; uoverensstemmelser skal fremgå af rapporten."
                            .into(),
                    ],
                ),
            ],
            recommendation: "Socialtilsynene inddrager bestyrelsesreferater og beskriver, \
                             hvordan bestyrelsen konkret understøtter tilbuddets udvikling."
                .into(),
        },
        ReportIndicator {
            code: "9.a".into(),
            text: indicator_text("9.a"),
            nominations: 15,
            examples: vec![example(7, 6), example(8, 4), example(0, 2)],
            notes: "Eksemplerne viser sammenhæng mellem målgruppens behov og \
                    medarbejdernes uddannelse og erfaring, og de beskriver \
                    vagtplanlægningen i aften- og nattetimer."
                .into(),
            attention: vec![
                (
                    data.into(),
                    vec![
                        "Vagtplaner bør indgå som datakilde, ikke kun oplysninger fra \
                         ledelsen."
                            .into(),
                    ],
                ),
                (
                    triang.into(),
                    vec![
                        "Borgernes egne oplevelser af kontakten bør indgå, hvor det er \
                         muligt."
                            .into(),
                        "Vurderingen skal forholde sig til brugen af vikarer.".into(),
                    ],
                ),
            ],
            recommendation: "Vurderingen af 9.a bygger på vagtplaner, medarbejdernes \
                             kompetencer og borgernes oplevelse af kontakten."
                .into(),
        },
    ];
    let left_out = ["9.b", "9.c"]
        .into_iter()
        .map(|c| LeftOut {
            code: c.into(),
            text: indicator_text(c),
            reason: "Indikatoren bygger primært på kvantitative data.".into(),
        })
        .collect();
    let d = |y, m, day| chrono::NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default();
    let follow_up = vec![
        ReportAction {
            description: "Oplæg om auditten på netværksmødet for socialtilsynene".into(),
            owner: "Eva Lindberg".into(),
            due: d(2026, 6, 15),
            status: l("Udført", "Done"),
            overdue: false,
            note: "Holdt på netværksmødet 12.06.2026".into(),
        },
        ReportAction {
            description: "Fælles begrebsramme for ledelseskompetencer (8.a og 8.b)".into(),
            owner: "Socialtilsyn Midt".into(),
            due: d(2026, 8, 1),
            status: l("I gang", "In progress"),
            overdue: true,
            note: String::new(),
        },
        ReportAction {
            description: "Statusforespørgsel til socialtilsynene om anbefalingerne".into(),
            owner: "Kasper Nørgaard".into(),
            due: d(2027, 3, 1),
            status: l("Planlagt", "Planned"),
            overdue: false,
            note: String::new(),
        },
    ];
    AuditReport {
        english,
        generated_at: chrono::DateTime::from_timestamp(1_790_000_000, 0).unwrap_or_default(),
        generated_by: "Eva Lindberg".into(),
        issuer: "Socialstyrelsens auditfunktion".into(),
        code: "19.1".into(),
        title: "Organisation og ledelse på botilbud".into(),
        framework: QUALITY_MODEL.name.into(),
        theme: l(
            "5. Organisation og ledelse",
            "5. Organisation and management",
        ),
        purpose: "At styrke kvaliteten og ensartetheden i socialtilsynenes vurderinger af \
                  temaet Organisation og ledelse ved at lære af de bedste eksempler i \
                  hinandens tilsynsrapporter."
            .into(),
        questions: tilsyn_domain::learning_audit::DEFAULT_QUESTIONS_DA
            .iter()
            .map(|q| (*q).to_owned())
            .collect(),
        indicators,
        left_out,
        panel,
        materials,
        follow_up,
        texts: audit_texts(english),
    }
}
