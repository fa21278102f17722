//! The demo's learning audit, modelled on Socialstyrelsen's audit 19.1: five socialtilsyn with
//! three participants each, indicators 8.a, 8.b, 8.c and 9.a (9.b and 9.c left out with the
//! reason), three materials per organisation, everyone's nominations and reflections except
//! Peter Lund's (`panel`), who is left to prepare through the pages, minutes for three of the
//! four indicators, and a follow-up plan. All through the same checks and store calls as the
//! pages; made up, seeded, and the same on every start. An existing audit 19.1 is left alone.

use crate::CliError;
use crate::demo_rounds::{Rng, as_user};
use chrono::NaiveDate;
use tilsyn_domain::action::{ActionLinks, NewAction};
use tilsyn_domain::learning_audit::{
    self as la, FileType, IndicatorChoice, IndicatorMinutes, MaterialKind, MaterialRef, NewAudit,
    Nomination, PanelRole,
};
use tilsyn_domain::org::{FullName, NewPassword, User, Username};
use tilsyn_domain::{Problem, Role};
use tilsyn_store::Store;
use tilsyn_store::demo::{DEMO_PASSWORD, MUNICIPALITY};
use tilsyn_store::learning_audits::NewMaterial;
use uuid::Uuid;

pub const CODE: &str = "19.1";
const ORGS: [&str; 5] = [
    "Socialtilsyn Nord",
    "Socialtilsyn Midt",
    "Socialtilsyn Syd",
    "Socialtilsyn Øst",
    "Socialtilsyn Hovedstaden",
];
/// (username, full name, organisation index, role): two inspectors and a professional lead
/// from each socialtilsyn. `panel` is the demo's own panelist.
const PANEL: [(&str, &str, usize, PanelRole); 15] = [
    ("nord.anne", "Anne Mikkelsen", 0, PanelRole::Participant),
    ("nord.bo", "Bo Kristensen", 0, PanelRole::Participant),
    ("nord.camilla", "Camilla Storm", 0, PanelRole::Member),
    ("midt.dorte", "Dorte Vinther", 1, PanelRole::Participant),
    ("midt.erik", "Erik Holt", 1, PanelRole::Participant),
    ("midt.frida", "Frida Lind", 1, PanelRole::Member),
    ("syd.gitte", "Gitte Bach", 2, PanelRole::Participant),
    ("syd.hans", "Hans Mørk", 2, PanelRole::Participant),
    ("syd.ida", "Ida Lauritsen", 2, PanelRole::Member),
    ("oest.jens", "Jens Kock", 3, PanelRole::Participant),
    ("oest.karen", "Karen Friis", 3, PanelRole::Participant),
    ("oest.lars", "Lars Ravn", 3, PanelRole::Member),
    ("panel", "Peter Lund", 4, PanelRole::Participant),
    ("hovedstaden.maja", "Maja Skov", 4, PanelRole::Participant),
    ("hovedstaden.niels", "Niels Brandt", 4, PanelRole::Member),
];
const REFERENT: (&str, &str) = ("referent", "Randi Sand");
/// Left to prepare through the pages (the e2e suite does).
pub const UNPREPARED: &str = "panel";

fn runtime(e: impl std::fmt::Display) -> CliError {
    CliError::Runtime(format!("demo learning audit: {e}"))
}

fn invalid(p: Problem) -> CliError {
    runtime(format!("{p}"))
}

async fn user(store: &Store, username: &str, name: &str) -> Result<User, CliError> {
    match store.find_user(username).await {
        Ok(u) => Ok(u),
        Err(tilsyn_store::StoreError::NotFound) => {
            let un = Username::parse(username).map_err(|e| invalid(Problem(vec![e])))?;
            let fnm = FullName::parse(name).map_err(|e| invalid(Problem(vec![e])))?;
            let root = store
                .org_tree()
                .await?
                .rows()
                .iter()
                .find(|r| r.unit.name == MUNICIPALITY)
                .map(|r| r.unit.id)
                .ok_or_else(|| runtime("no demo municipality"))?;
            Ok(store
                .create_user_with_role(
                    &tilsyn_domain::audit::Actor::cli(Some("demo".into())),
                    &un,
                    &fnm,
                    Some(&NewPassword::demo(DEMO_PASSWORD)),
                    Some((Role::Panelist, root)),
                )
                .await?)
        }
        Err(e) => Err(e.into()),
    }
}

fn day(y: i32, m: u32, d: u32) -> Result<NaiveDate, CliError> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| runtime(format!("bad date {y}-{m}-{d}")))
}

/// A practice description as a small text file, so the demo has files to open.
fn practice_text(org: &str) -> String {
    format!(
        "Praksisbeskrivelse: {org}\n\n\
         Sådan vurderer vi tema 5, Organisation og ledelse, på botilbud.\n\
         - Vi læser ledelsens uddannelse og erfaring op mod tilbuddets målgruppe (8.a).\n\
         - Vi spørger medarbejdere og ledelse hver for sig om supervision og faglig sparring (8.b).\n\
         - På private tilbud læser vi bestyrelsens referater fra det seneste år (8.c).\n\
         - Vi sammenholder vagtplaner med borgernes behov for kontakt (9.a).\n\n\
         Opdigtet eksempel til demonstration af tilsyn.\n"
    )
}

const WHY: [&str; 4] = [
    "Vurderingen bygger tydeligt på flere datakilder, som er nævnt ved navn.",
    "Rapporten forklarer, hvordan observationer og interview peger i samme retning.",
    "Eksemplet viser, hvordan borgernes perspektiv indgår i vurderingen.",
    "Begrundelsen er kort, konkret og knyttet til indikatorens ordlyd.",
];
const ADDS: [&str; 3] = [
    "Det gør vurderingen gennemsigtig for tilbuddet og for andre tilsynsførende.",
    "Det gør det muligt at følge udviklingen fra ét tilsyn til det næste.",
    "Det styrker ensartetheden på tværs af socialtilsynene.",
];
const BETTER: [&str; 3] = [
    "Vurderingen kunne skelne tydeligere mellem ledelsens formelle og faktiske kompetencer.",
    "Datagrundlaget kunne suppleres med medarbejderinterview på aften- og nattevagter.",
    "Rapporten kunne sige mere om, hvordan tilbuddet selv følger op.",
];
const DILEMMAS: [&str; 3] = [
    "Hvor meget kan vi lægge vægt på dokumentation, når praksis ser anderledes ud?",
    "Skal vi bruge samme begreber for små og store tilbud?",
    "Hvordan vurderer vi en bestyrelse, der er ny?",
];

pub async fn seed(store: &Store) -> Result<(), CliError> {
    match store.learning_audit(CODE).await {
        Ok(_) => return Ok(()),
        Err(tilsyn_store::StoreError::NotFound) => {}
        Err(e) => return Err(e.into()),
    }
    let lead = store.find_user("koordinator").await?;
    let actor = as_user(&lead);
    let by = lead.full_name.as_str();
    let reason = "Indikatoren bygger primært på kvantitative data og egner sig ikke til en audit af vurderingspraksis.";
    let pick = |c: &str, left_out: bool| IndicatorChoice {
        code: c.into(),
        included: !left_out,
        reason: if left_out {
            reason.into()
        } else {
            String::new()
        },
    };
    let new = NewAudit {
        code: CODE.into(),
        title: "Organisation og ledelse på botilbud".into(),
        framework: la::QUALITY_MODEL.key.into(),
        theme: 5,
        purpose: "At styrke kvaliteten og ensartetheden i socialtilsynenes vurderinger af tema 5, \
                  Organisation og ledelse, ved at lære af de bedste eksempler i hinandens \
                  tilsynsrapporter."
            .into(),
        indicators: vec![
            pick("8.a", false),
            pick("8.b", false),
            pick("8.c", false),
            pick("9.a", false),
            pick("9.b", true),
            pick("9.c", true),
        ],
        questions: la::DEFAULT_QUESTIONS_DA
            .iter()
            .map(|q| q.to_string())
            .collect(),
    };
    la::check_new(&new).map_err(invalid)?;
    let audit = store.create_learning_audit(&actor, by, &new).await?;

    let mut orgs = vec![];
    for name in ORGS {
        orgs.push(store.add_audit_organisation(&actor, audit, name).await?);
    }
    store
        .set_audit_member(&actor, audit, lead.id, None, PanelRole::Facilitator)
        .await?;
    let referent = user(store, REFERENT.0, REFERENT.1).await?;
    store
        .set_audit_member(&actor, audit, referent.id, None, PanelRole::Referent)
        .await?;
    let mut panel: Vec<(User, usize)> = vec![];
    for (username, name, org, role) in PANEL {
        let u = user(store, username, name).await?;
        store
            .set_audit_member(&actor, audit, u.id, Some(orgs[org]), role)
            .await?;
        panel.push((u, org));
    }

    // Per organisation: a report on a municipal service (any indicator), a report on a private
    // service with a board (8.c only), and the practice description as a file.
    let places = [
        ("Bostedet Egely", "Fonden Lyngbakken"),
        ("Botilbuddet Åsen", "Den selvejende institution Stensballe"),
        ("Bofællesskabet Kløvermarken", "Fonden Søgården"),
        (
            "Botilbuddet Havbakken",
            "Den selvejende institution Rønnely",
        ),
        ("Bostedet Nørrebro Park", "Fonden Strandvejen"),
    ];
    let mut materials: Vec<(Uuid, Option<String>)> = vec![];
    for (i, org) in orgs.iter().enumerate() {
        let (public, private) = places[i];
        let reports = [
            (
                format!("Tilsynsrapport, {public}, 2025"),
                format!("Tilbudsportalen, driftsorienteret tilsyn 2025, {}", ORGS[i]),
                None,
            ),
            (
                format!("Tilsynsrapport, {private} (privat tilbud med bestyrelse), 2025"),
                format!("Tilbudsportalen, driftsorienteret tilsyn 2025, {}", ORGS[i]),
                Some("8.c".to_string()),
            ),
        ];
        for (title, reference, only) in reports {
            let id = store
                .add_audit_material(
                    &actor,
                    by,
                    audit,
                    &NewMaterial {
                        organisation: *org,
                        title,
                        kind: MaterialKind::Report,
                        reference,
                        file: None,
                        only_indicator: only.clone(),
                    },
                )
                .await?;
            materials.push((id, only));
        }
        let text = practice_text(ORGS[i]).into_bytes();
        let name = format!("praksisbeskrivelse-{}.txt", i + 1);
        let kind = la::check_file(&name, &text, None).map_err(|e| invalid(Problem(vec![e])))?;
        debug_assert_eq!(kind, FileType::Text);
        let id = store
            .add_audit_material(
                &actor,
                by,
                audit,
                &NewMaterial {
                    organisation: *org,
                    title: format!("Praksisbeskrivelse, {}", ORGS[i]),
                    kind: MaterialKind::Practice,
                    reference: String::new(),
                    file: Some((name, kind, text)),
                    only_indicator: None,
                },
            )
            .await?;
        materials.push((id, None));
    }

    // Everyone but Peter Lund nominates for every indicator. The draws lean towards a few
    // examples, as real panels do, so the tally has a clear top.
    let refs: Vec<MaterialRef> = materials
        .iter()
        .map(|(id, only)| MaterialRef {
            id: *id,
            only_indicator: only.clone(),
        })
        .collect();
    let included = ["8.a", "8.b", "8.c", "9.a"];
    let mut rng = Rng(191);
    for (u, _) in panel.iter().filter(|(u, _)| u.username != UNPREPARED) {
        let actor_u = as_user(u);
        for (k, ind) in included.iter().enumerate() {
            let fits: Vec<Uuid> = refs
                .iter()
                .filter(|m| m.only_indicator.as_deref().is_none_or(|o| o == *ind))
                .map(|m| m.id)
                .collect();
            // A favourite per indicator, chosen by half; the rest spread.
            let favourite = fits[(k * 4 + 2) % fits.len()];
            let material = if rng.below(2) == 0 {
                favourite
            } else {
                fits[rng.below(fits.len() as u64) as usize]
            };
            let n = Nomination {
                indicator: (*ind).to_owned(),
                material: Some(material),
                excerpt: format!("Afsnittet om tema 5, s. {}", 4 + rng.below(9)),
                answers: vec![
                    WHY[rng.below(4) as usize].to_owned(),
                    ADDS[rng.below(3) as usize].to_owned(),
                    BETTER[rng.below(3) as usize].to_owned(),
                    DILEMMAS[rng.below(3) as usize].to_owned(),
                ],
            };
            la::check_nomination(&n, &included, &refs, 4).map_err(invalid)?;
            store.save_nomination(&actor_u, audit, u.id, &n).await?;
        }
    }

    // The meeting has agreed on three indicators; 9.a is still open.
    let ref_actor = as_user(&referent);
    let minutes = [
        (
            "8.a",
            "De bedste eksempler sammenholder ledelsens uddannelse og erfaring med målgruppens behov og bruger både interview og dokumentation.",
            "Vurderingen af 8.a beskriver altid, hvilke kompetencer målgruppen kræver, og hvilke datakilder ledelsens kompetencer er vurderet på.",
            vec![
                (
                    "Begreber",
                    "Formelle og faktiske ledelseskompetencer blandes sammen i flere rapporter.",
                ),
                (
                    "Datakilder og metoder",
                    "Interview med medarbejdere om ledelsen bruges forskelligt.",
                ),
            ],
        ),
        (
            "8.b",
            "Eksemplerne skelner mellem ekstern supervision og intern faglig sparring og beskriver hyppigheden.",
            "Vurderingen af 8.b skelner mellem supervision og sparring og angiver, hvordan oplysningerne er bekræftet.",
            vec![
                (
                    "Begreber",
                    "Der mangler en fælles forståelse af, hvad der tæller som supervision.",
                ),
                (
                    "Triangulering",
                    "Medarbejdernes og ledelsens oplysninger bør sammenholdes.",
                ),
            ],
        ),
        (
            "8.c",
            "Bestyrelsens rolle vurderes bedst ud fra referater og samtale med formanden.",
            "Vurderingen af 8.c bygger på bestyrelsens referater fra det seneste år og en samtale med formanden.",
            vec![(
                "Datakilder og metoder",
                "Referater fra bestyrelsesmøder indhentes ikke altid.",
            )],
        ),
    ];
    for (ind, notes, rec, points) in minutes {
        store
            .save_minutes(
                &ref_actor,
                &referent.full_name,
                audit,
                ind,
                0,
                &IndicatorMinutes {
                    notes: notes.into(),
                    recommendation: rec.into(),
                },
            )
            .await?;
        for (heading, point) in points {
            store
                .add_attention_point(&ref_actor, &referent.full_name, audit, ind, heading, point)
                .await?;
        }
    }

    let camilla = &panel[2].0;
    let plan = [
        (
            "Auditens resultater præsenteres på netværksmødet for tilsynsførende.",
            lead.id,
            day(2027, 2, 15)?,
            "",
        ),
        (
            "Der udarbejdes en fælles begrebsramme for ledelseskompetencer (8.a).",
            camilla.id,
            day(2027, 5, 31)?,
            "8.a",
        ),
        (
            "Socialtilsynene anmodes om en status på anbefalingerne et år efter mødet.",
            lead.id,
            day(2027, 11, 30)?,
            "",
        ),
    ];
    for (text, owner, due, ind) in plan {
        store
            .create_audit_action(
                &actor,
                by,
                audit,
                owner,
                &NewAction {
                    description: text.into(),
                    due,
                    links: ActionLinks {
                        recommendation: ind.into(),
                        ..Default::default()
                    },
                    reaudit: false,
                },
            )
            .await?;
    }
    Ok(())
}
