use super::*;
use crate::sample;
use std::collections::BTreeMap;
use std::process::Command;
use tilsyn_domain::report::{FeedbackAnswer, FeedbackCase};

/// The real message catalogue texts for reports, read from the web crate's .ftl files (simple
/// `key = value` lines are all the report texts use), so the PDFs read as people will see them.
pub(crate) fn catalogue(lang: &str, threshold: u64) -> BTreeMap<String, String> {
    let files: [&str; 4] = if lang == "en" {
        [
            include_str!("../../../web/locales/en/reports.ftl"),
            include_str!("../../../web/locales/en/rounds.ftl"),
            include_str!("../../../web/locales/en/templates.ftl"),
            include_str!("../../../web/locales/en/intake.ftl"),
        ]
    } else {
        [
            include_str!("../../../web/locales/da/reports.ftl"),
            include_str!("../../../web/locales/da/rounds.ftl"),
            include_str!("../../../web/locales/da/templates.ftl"),
            include_str!("../../../web/locales/da/intake.ftl"),
        ]
    };
    let mut all = BTreeMap::new();
    for line in files.iter().flat_map(|f| f.lines()) {
        if let Some((k, v)) = line.split_once(" = ")
            && !k.starts_with(|c: char| c.is_whitespace() || c == '#')
        {
            all.insert(
                k.to_owned(),
                v.replace("{ $threshold }", &threshold.to_string()),
            );
        }
    }
    tilsyn_domain::report::TEXT_KEYS
        .iter()
        .map(|k| {
            let v = all.get(*k).cloned().unwrap_or_else(|| (*k).to_owned());
            ((*k).to_owned(), v)
        })
        .collect()
}

/// The sample report with the real Danish texts, also where the sample's placeholder texts
/// («key») were copied into labels when it was built.
pub(crate) fn danish(audience: Audience) -> Report {
    let mut r = sample::report(audience);
    r.texts = catalogue("da", r.threshold.unwrap_or(5));
    let texts = r.texts.clone();
    let fix = |s: &mut String| {
        if let Some(key) = s.strip_prefix('«').and_then(|k| k.strip_suffix('»'))
            && let Some(v) = texts.get(key)
        {
            *s = v.clone();
        }
    };
    for b in &mut r.bearings {
        fix(&mut b.label);
    }
    for b in &mut r.breakdowns {
        fix(&mut b.title);
        b.groups.iter_mut().for_each(fix);
    }
    r
}

/// A shorter report for tests that check one thing: a full sample takes seconds to lay out in
/// a debug build.
fn short(mut r: Report) -> Report {
    r.items.truncate(6);
    for b in &mut r.breakdowns {
        b.rows.truncate(4);
    }
    for a in &mut r.agreement {
        a.rows.truncate(3);
    }
    if let Some(t) = &mut r.trends {
        t.rows.truncate(4);
    }
    r
}

fn pdftotext(pdf: &[u8], name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("tilsyn-pdf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("pdftotext (Debian package poppler-utils) is needed: {e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn pdfinfo(pdf: &[u8], name: &str) -> String {
    let path = std::env::temp_dir().join(format!("tilsyn-pdfinfo-{}-{name}", std::process::id()));
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdfinfo")
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("pdfinfo (Debian package poppler-utils) is needed: {e}"));
    String::from_utf8(out.stdout).unwrap()
}

/// A Danish percentage as pdftotext gives it back: "72,3 %" (space or no-break space).
fn has_danish_percent(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(6).any(|w| {
        w[0].is_ascii_digit()
            && w[1] == ','
            && w[2].is_ascii_digit()
            && (w[3] == ' ' || w[3] == '\u{a0}')
            && w[4] == '%'
    })
}

#[test]
fn the_committee_report_renders_with_round_method_and_danish_numbers() {
    let mut r = danish(Audience::Committee);
    // Make sure the report has a hidden cell, whatever the sample's counts.
    r.sections[2].figure = Figure {
        hidden: true,
        ..Figure::default()
    };
    r.hidden += 1;
    let pdf = committee_pdf(&r).unwrap();
    assert!(pdf.starts_with(b"%PDF"), "not a PDF");
    let text = pdftotext(&pdf, "committee.pdf");
    assert!(text.contains(&r.round.name), "round name");
    assert!(text.contains("Metode"));
    assert!(text.contains(&r.round.municipality));
    assert!(has_danish_percent(&text), "a figure like 72,3 %");
    assert!(text.contains("Side 2 af "), "page numbers");
    // The hidden mark and its footnote.
    assert!(text.contains(r.text("report-hidden-mark")));
    assert!(text.contains("Skjult af hensyn til fortroligheden"));
    // Every section heading made it in.
    for key in [
        "report-summary",
        "report-by-section",
        "report-by-item",
        "report-trends",
    ] {
        assert!(text.contains(r.text(key)), "{key}");
    }
    let info = pdfinfo(&pdf, "committee.pdf");
    let field = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(name))
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    assert_eq!(field("Tagged:"), "yes", "{info}");
    assert!(
        field("Title:").starts_with(r.text("report-title-committee")),
        "{info}"
    );
}

#[test]
fn management_and_analyst_reports_render() {
    for audience in [Audience::Management, Audience::Analyst] {
        // The analysts' report has every breakdown; shortened, it still has all their columns.
        let r = match audience {
            Audience::Analyst => short(danish(audience)),
            _ => danish(audience),
        };
        let pdf = committee_pdf(&r).unwrap();
        let text = pdftotext(&pdf, "other.pdf");
        assert!(
            text.contains(r.text(title_key(&r.audience))),
            "{:?}",
            r.audience
        );
        assert!(text.contains(r.text("report-breakdowns")));
    }
}

#[test]
fn english_report_uses_english_numbers() {
    let mut r = short(sample::report(Audience::Committee));
    r.english = true;
    r.texts = catalogue("en", 5);
    let pdf = committee_pdf(&r).unwrap();
    let text = pdftotext(&pdf, "en.pdf");
    assert!(text.contains("Method"));
    assert!(text.contains("Page 2 of "));
    assert!(!has_danish_percent(&text));
}

#[test]
fn the_feedback_report_renders() {
    let mut r = sample::report(Audience::Caseworker {
        username: "rg1".into(),
        name: "Rådgiver Et".into(),
    });
    r.texts = catalogue("da", 5);
    r.feedback = Some(Feedback {
        caseworker: "Rådgiver Et".into(),
        cases: vec![FeedbackCase {
            case: "DUBU:10001".into(),
            case_type: "§ 32".into(),
            compliant: 3,
            assessed: 4,
            answers: vec![
                FeedbackAnswer {
                    number: "1.1".into(),
                    text: "Er underretningen vurderet inden for 24 timer?".into(),
                    levels: vec![
                        (1, "Ja".into(), String::new()),
                        (2, "Nej".into(), "Vurderingen er ikke journaliseret.".into()),
                    ],
                    agreed: Some(("Nej".into(), "Afstemt på møde.".into())),
                    counted: Some("Nej".into()),
                    compliant: Some(false),
                },
                FeedbackAnswer {
                    number: "1.2".into(),
                    text: "Er barnet hørt?".into(),
                    levels: vec![(1, "Ja".into(), String::new())],
                    agreed: None,
                    counted: Some("Ja".into()),
                    compliant: Some(true),
                },
            ],
        }],
    });
    let pdf = feedback_pdf(&r).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let text = pdftotext(&pdf, "feedback.pdf");
    assert!(text.contains("DUBU:10001"));
    assert!(text.contains("Rådgiver Et"));
    // (hyphenation may break the remark's last word over two lines)
    assert!(text.contains("Vurderingen er ikke"));
    assert!(text.contains("75,0"));
    // Without feedback it still renders (an empty list).
    r.feedback = None;
    assert!(feedback_pdf(&r).unwrap().starts_with(b"%PDF"));
}

#[test]
fn texts_with_typst_markup_are_printed_literally() {
    let mut r = short(danish(Audience::Committee));
    r.round.name = "Runde #1 [test] *fed* $x$ _y_ <z> @ref \\".into();
    let pdf = committee_pdf(&r).unwrap();
    let text = pdftotext(&pdf, "markup.pdf");
    assert!(
        text.contains("Runde #1 [test] *fed* $x$ _y_ <z> @ref"),
        "{text}"
    );
}

#[test]
fn a_report_without_trends_agreement_or_graded_questions_renders() {
    let mut r = short(danish(Audience::Committee));
    r.trends = None;
    r.agreement.clear();
    r.breakdowns.clear();
    r.bearings.clear();
    r.items.retain(|i| i.kind == ScaleKind::Compliance);
    let text = pdftotext(&committee_pdf(&r).unwrap(), "bare.pdf");
    assert!(text.contains("Metode"));
    assert!(!text.contains(r.text("report-trends-intro")));
}

#[test]
fn same_snapshot_same_pdf() {
    let r = short(danish(Audience::Committee));
    assert_eq!(committee_pdf(&r).unwrap(), committee_pdf(&r).unwrap());
}

/// Render time of the sample committee report (run with --ignored --nocapture, ideally with
/// --release).
#[test]
#[ignore]
fn render_time() {
    let r = danish(Audience::Committee);
    let t = std::time::Instant::now();
    let first = committee_pdf(&r).unwrap();
    let cold = t.elapsed();
    let t = std::time::Instant::now();
    let runs = 5;
    for _ in 0..runs {
        committee_pdf(&r).unwrap();
    }
    println!(
        "committee PDF: {} bytes; first render {cold:?} (incl. loading fonts), then {:?} each",
        first.len(),
        t.elapsed() / runs
    );
    // Where the time goes: charts and JSON, typst layout, PDF writing.
    let t = std::time::Instant::now();
    let charts = svg::charts(&r);
    let data = committee_data(&r, &charts);
    let prep = t.elapsed();
    let t = std::time::Instant::now();
    let doc = layout("committee.typ", &data, &charts).unwrap();
    let lay = t.elapsed();
    let t = std::time::Instant::now();
    write_pdf(&r, &doc).unwrap();
    println!(
        "  charts+data {prep:?}, layout {lay:?}, pdf {:?}",
        t.elapsed()
    );
}

/// Writes the sample PDFs to $TILSYN_PDF_DIR for looking at them (pdftoppm -png).
#[test]
#[ignore]
fn write_samples() {
    let dir = std::env::var("TILSYN_PDF_DIR").unwrap_or_else(|_| "/tmp/pdfcheck".into());
    std::fs::create_dir_all(&dir).unwrap();
    for (name, a) in [
        ("committee", Audience::Committee),
        ("management", Audience::Management),
        ("analyst", Audience::Analyst),
    ] {
        let mut r = danish(a);
        if name == "management" {
            // A few hidden cells, to see how they look.
            let hidden = Figure {
                hidden: true,
                ..Figure::default()
            };
            r.sections[2].figure = hidden.clone();
            if let Some(i) = r.items.iter_mut().find(|i| i.kind == ScaleKind::Ordinal) {
                i.figure = hidden.clone();
            }
            for b in &mut r.breakdowns {
                b.rows[1].cells[0] = hidden.clone();
                b.rows[0].cells[0] = hidden.clone();
            }
            if let Some(t) = &mut r.trends {
                t.rows[0].now = hidden.clone();
                t.sections[1].history[0] = Some((hidden.clone(), hidden.clone()));
            }
        }
        std::fs::write(format!("{dir}/{name}.pdf"), committee_pdf(&r).unwrap()).unwrap();
        if name == "management" {
            for c in svg::charts(&r) {
                std::fs::write(format!("{dir}/{}.svg", c.key), c.svg).unwrap();
            }
        }
    }
}
