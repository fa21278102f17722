use super::*;
use crate::analysis::tests::{case, content};
use crate::analysis::{CaseInput, analyse};

/// `n` cases in a team, A answered ja on the first `ja` of them, B asked only in the first
/// `b` (ikke relevant in the rest).
fn team(prefix: &str, team: &str, n: usize, ja: usize, b: usize) -> Vec<CaseInput> {
    (0..n)
        .map(|i| {
            let a = if i < ja { "ja" } else { "nej" };
            let bv = if i < b { "ja" } else { "ikke_relevant" };
            case(
                &format!("{prefix}{i}0"),
                team,
                &[("A", a), ("B", bv), ("C", "hoej"), ("D", "3")],
                None,
            )
        })
        .collect()
}

fn report_for(audience: Audience, cases: &[CaseInput]) -> Report {
    let a = analyse(&content(), CountingRule::HighestLevel, cases);
    build(ReportInput {
        audience,
        english: false,
        generated_at: chrono::DateTime::UNIX_EPOCH,
        generated_by: "test".into(),
        round: RoundFacts::default(),
        threshold: 5,
        analysis: &a,
        trends: None,
        references: vec![],
        follow_up: Some(follow_up()),
        raw: vec![RawAnswer {
            case: "Sag 1".into(),
            case_type: "§ 32".into(),
            unit: "Nord".into(),
            level: 1,
            item: "A".into(),
            number: "1.1".into(),
            value: "ja".into(),
            remark: String::new(),
            counted: true,
        }],
        feedback: None,
        texts: BTreeMap::new(),
    })
}

#[test]
fn a_small_question_and_the_one_that_would_reveal_it_are_hidden() {
    // 12 cases in Nord, 8 in Syd; B asked in 3 cases only.
    let mut cs = team("n", "Nord", 12, 9, 3);
    cs.extend(team("s", "Syd", 8, 2, 0));
    let r = report_for(Audience::Committee, &cs);
    let item = |k: &str| r.items.iter().find(|i| i.key == k).unwrap();
    // B: n = 3 < 5, hidden. S1 (A + B = 23) is published, so A (20) would give B away: hidden.
    assert!(item("B").figure.hidden);
    assert!(item("A").figure.hidden, "complementary suppression");
    assert_eq!(item("B").figure.n, None);
    let s1 = &r.sections[0];
    assert!(!s1.figure.hidden);
    assert_eq!(s1.figure.n, Some(23));
    // Graded questions stand alone: C has 20 answers and is shown, as a distribution.
    assert!(!item("C").figure.hidden);
    assert_eq!(item("C").figure.distribution, vec![0.0, 0.0, 1.0]);
    // No counts behind the shares for the committee, no case rows.
    assert!(item("C").figure.counts.is_none());
    assert!(r.raw.is_empty());
    assert_eq!(r.threshold, Some(5));
    assert!(r.hidden >= 2);
}

#[test]
fn analysts_see_every_figure_with_its_counts() {
    let mut cs = team("n", "Nord", 12, 9, 3);
    cs.extend(team("s", "Syd", 8, 2, 0));
    let r = report_for(Audience::Analyst, &cs);
    let b = r.items.iter().find(|i| i.key == "B").unwrap();
    assert!(!b.figure.hidden);
    assert_eq!(b.figure.n, Some(3));
    let c = b.figure.counts.as_ref().unwrap();
    assert_eq!((c.compliant, c.non_compliant, c.not_relevant), (3, 0, 17));
    assert_eq!(r.threshold, None);
    assert_eq!(r.raw.len(), 1);
    assert!(
        r.breakdowns
            .iter()
            .any(|b| b.dimension == Dimension::Caseworker)
    );
}

#[test]
fn a_small_team_is_hidden_with_a_second_team_in_every_published_line() {
    // Nord 12, Syd 8, Øst 3 cases.
    let mut cs = team("n", "Nord", 12, 9, 12);
    cs.extend(team("s", "Syd", 8, 2, 8));
    cs.extend(team("o", "Øst", 3, 3, 3));
    let r = report_for(Audience::Management, &cs);
    let teams = r
        .breakdowns
        .iter()
        .find(|b| b.dimension == Dimension::Team)
        .unwrap();
    assert_eq!(teams.groups, ["Nord", "Syd", "Øst"]);
    let row = |k: &str| teams.rows.iter().find(|x| x.key == k).unwrap();
    // A per team: 12, 8, 3. Øst hidden; the round figure for A (23) is published, so the next
    // smallest team (Syd, 8) is hidden too; Nord stays.
    let a: Vec<bool> = row("A").cells.iter().map(|c| c.hidden).collect();
    assert_eq!(a, [false, true, true]);
    // The caseworker breakdown never reaches management.
    assert!(
        r.breakdowns
            .iter()
            .all(|b| b.dimension != Dimension::Caseworker)
    );
    // Nothing published below the threshold.
    for (at, n) in r.published_counts() {
        assert!(n == 0 || n >= 5, "{at}: {n}");
    }
}

#[test]
fn lines_hand_made() {
    // Total 30 = 3 + 12 + 15: 3 is small, 12 the next smallest.
    assert_eq!(
        suppression::suppress_lines(&[30, 3, 12, 15], &[(0, vec![1, 2, 3])], 5),
        [false, true, true, false]
    );
    // The small part is the only non-zero one: the total would equal it, so the total goes.
    assert_eq!(
        suppression::suppress_lines(&[3, 3, 0], &[(0, vec![1, 2])], 5),
        [true, true, false]
    );
    // Two small parts protect each other.
    assert_eq!(
        suppression::suppress_lines(&[20, 2, 3, 15], &[(0, vec![1, 2, 3])], 5),
        [false, true, true, false]
    );
    // A cascade: hiding 6 in the first line leaves it alone in the second line (total 16 =
    // 6 + 10), so 10 goes too.
    assert_eq!(
        suppression::suppress_lines(
            &[30, 4, 6, 20, 16, 10],
            &[(0, vec![1, 2, 3]), (4, vec![2, 5])],
            5
        ),
        [false, true, true, false, false, true]
    );
    // Threshold 1 hides nothing.
    assert_eq!(
        suppression::suppress_lines(&[30, 3, 12, 15], &[(0, vec![1, 2, 3])], 1),
        [false; 4]
    );
}

fn follow_up() -> FollowUp {
    use crate::action::{ActionStatus, StatusCounts};
    let due = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).expect("date");
    FollowUp {
        round: "Forår 2026".into(),
        counts: StatusCounts::of([(ActionStatus::Done, due)], due),
        actions: vec![FollowUpAction {
            description: "Tjekliste for børnesamtalen".into(),
            due,
            status: ActionStatus::Done,
            overdue: false,
            note: "Bruges i alle teams".into(),
            owner: Some("Lise Leder".into()),
        }],
    }
}

#[test]
fn follow_up_names_owners_only_where_cells_are_not_suppressed() {
    let cases = vec![];
    let owners = |a: Audience| {
        report_for(a, &cases)
            .follow_up
            .map(|f| f.actions.into_iter().map(|a| a.owner).collect::<Vec<_>>())
    };
    assert_eq!(
        owners(Audience::Analyst),
        Some(vec![Some("Lise Leder".into())])
    );
    assert_eq!(owners(Audience::Committee), Some(vec![None]));
    assert_eq!(owners(Audience::Management), Some(vec![None]));
    let cw = Audience::Caseworker {
        username: "rb".into(),
        name: "Rikke".into(),
    };
    assert_eq!(owners(cw), None);
}
