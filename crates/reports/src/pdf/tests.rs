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
    pdftotext_mode(pdf, name, "-layout")
}

/// The text in content order (a table cell's lines together), with runs of white space as
/// one space and words hyphenated at a line end joined again.
fn pdftotext_flow(pdf: &[u8], name: &str) -> String {
    squeeze(&pdftotext_mode(pdf, name, "-raw")).replace("\u{ad} ", "")
}

fn pdftotext_mode(pdf: &[u8], name: &str, mode: &str) -> String {
    let dir = std::env::temp_dir().join(format!("tilsyn-pdf-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new("pdftotext")
        .arg(mode)
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
    write_pdf(ident(&r), r.generated_at, &doc).unwrap();
    println!(
        "  charts+data {prep:?}, layout {lay:?}, pdf {:?}",
        t.elapsed()
    );
}

fn audit(english: bool) -> AuditReport {
    sample::audit_report(english)
}

/// The fields pdfinfo reports, by name ("Title:").
fn info_field(info: &str, name: &str) -> String {
    info.lines()
        .find_map(|l| l.strip_prefix(name))
        .map(|v| v.trim().to_owned())
        .unwrap_or_default()
}

/// Runs of white space as one space.
fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_audit_texts_are_all_in_the_catalogue() {
    for english in [false, true] {
        let texts = sample::audit_texts(english);
        for k in tilsyn_domain::learning_audit::AUDIT_TEXT_KEYS {
            assert!(k.starts_with("la-report-"), "{k}");
            assert_ne!(texts[*k], *k, "{k} missing (english: {english})");
        }
    }
}

#[test]
fn the_audit_report_renders_everything_the_meeting_agreed() {
    let r = audit(false);
    let pdf = audit_pdf(&r).unwrap();
    assert!(pdf.starts_with(b"%PDF"), "not a PDF");
    let text = pdftotext_flow(&pdf, "audit.pdf");
    let has = |s: &str| text.contains(&squeeze(s));
    for s in [
        "Lærende audit 19.1",
        &r.title,
        &r.theme,
        &r.issuer,
        "Dannet 21.09.2026 af Eva Lindberg",
        "Formål",
        "Metode",
        "Refleksionsspørgsmål",
        "Deltagere",
        "Materiale",
        "Opfølgningsplan",
        "Udvalgte eksempler",
        "Fælles forståelse",
        "Opmærksomheder",
        "Anbefaling",
        "Facilitering og referat",
        "Side 2 af ",
    ] {
        assert!(has(s), "{s} missing:\n{text}");
    }
    for q in &r.questions {
        assert!(has(q), "question {q}");
    }
    for i in &r.indicators {
        assert!(
            has(&format!("{} – {}", i.code, i.text)),
            "indicator {}",
            i.code
        );
        assert!(has(&i.recommendation), "recommendation {}", i.code);
        for (heading, points) in &i.attention {
            assert!(has(heading), "{heading}");
            for p in points {
                assert!(has(p), "point {p}");
            }
        }
        for e in &i.examples {
            assert!(
                has(&format!("{} af {}", e.count, i.nominations)),
                "{}",
                i.code
            );
        }
    }
    for l in &r.left_out {
        assert!(has(&l.code) && has(&l.text) && has(&l.reason), "{}", l.code);
    }
    for o in &r.panel {
        assert!(has(&o.name), "{}", o.name);
        for (name, role) in &o.members {
            assert!(has(name) && has(role), "{name}");
        }
    }
    for m in &r.materials {
        assert!(has(&m.title) && has(&m.source), "{}", m.title);
    }
    assert!(has("Kun 8.c"));
    for a in &r.follow_up {
        assert!(has(&a.description), "{}", a.description);
        assert!(has(&a.due.format("%d.%m.%Y").to_string()), "{}", a.due);
    }
    assert!(has("01.08.2026"));
    assert!(has("I gang (fristen er overskredet)"), "overdue in words");
    assert_eq!(text.matches("fristen er overskredet").count(), 1);

    let info = pdfinfo(&pdf, "audit.pdf");
    assert_eq!(info_field(&info, "Tagged:"), "yes", "{info}");
    assert_eq!(
        info_field(&info, "Title:"),
        "Lærende audit 19.1: Organisation og ledelse på botilbud",
        "{info}"
    );
    // PDF/UA: the document language (catalogue and XMP) and the standard's identification.
    let bytes = String::from_utf8_lossy(&pdf);
    assert!(bytes.contains("/Lang(da)"), "language");
    assert!(
        bytes.contains("<dc:language><rdf:Bag><rdf:li>da</rdf:li>"),
        "XMP language"
    );
    assert!(
        bytes.contains("<pdfuaid:part>1</pdfuaid:part>"),
        "PDF/UA-1 metadata"
    );
}

#[test]
fn the_audit_report_renders_in_english() {
    let r = audit(true);
    let pdf = audit_pdf(&r).unwrap();
    let text = pdftotext_flow(&pdf, "audit-en.pdf");
    for s in [
        "Learning audit 19.1",
        "Purpose",
        "Method",
        "Reflection questions",
        "Indicators left out",
        "Participants",
        "Follow-up plan",
        "Selected examples",
        "Shared understanding",
        "Points of attention",
        "Recommendation",
        "Page 2 of ",
        "2026-08-01",
        "In progress (past due date)",
        "Generated 2026-09-21 by Eva Lindberg",
    ] {
        assert!(text.contains(s), "{s} missing:\n{text}");
    }
    for i in &r.indicators {
        assert!(text.contains(&squeeze(&i.text)), "{}", i.code);
    }
    assert!(!text.contains("Udvalgte eksempler"));
    assert!(String::from_utf8_lossy(&pdf).contains("/Lang(en)"));
}

#[test]
fn an_audit_report_with_empty_parts_prints_none() {
    let mut r = audit(false);
    r.purpose = String::new();
    r.left_out.clear();
    r.materials.clear();
    r.follow_up.clear();
    r.indicators.truncate(1);
    r.indicators[0].examples.clear();
    r.indicators[0].notes = " ".into();
    r.indicators[0].attention.clear();
    r.indicators[0].recommendation = String::new();
    let text = pdftotext_flow(&audit_pdf(&r).unwrap(), "audit-empty.pdf");
    let none = r.texts["la-report-none"].as_str();
    // Purpose, left out, material, examples, notes, attention, recommendation, follow-up.
    assert_eq!(text.matches(none).count(), 8, "{text}");
    assert!(!text.contains(&r.texts["la-report-col-reason"]));
}

#[test]
fn audit_texts_with_typst_markup_are_printed_literally() {
    let mut r = audit(false);
    let markup = "Audit #1 [test] *fed* $x$ _y_ <z> @ref = overskrift \\ `kode` // slut";
    r.title = markup.into();
    r.issuer = "= Ikke en overskrift".into();
    r.purpose = "#set page(paper: \"a5\")\n\n#panic(\"nej\")".into();
    r.indicators[0].notes = "- ikke en liste\n+ heller ikke".into();
    r.indicators[0].attention[0].0 = "#heading[Falsk]".into();
    r.indicators[0].recommendation = "*Anbefal* #emph[dette]".into();
    r.follow_up[0].description = "$ x^2 $ #box[Tiltag]".into();
    r.questions[0] = "1. Hvorfor? #strong[Fordi]".into();
    r.panel[1].name = "Socialtilsyn *Nord*".into();
    // A long run without spaces goes through the table's break-anywhere rule.
    r.materials[0].source = "#strong[x]_$y$_*z*_<a>_@b_`c`.pdf".into();
    let pdf = audit_pdf(&r).unwrap();
    let text = pdftotext_flow(&pdf, "audit-markup.pdf");
    for s in [
        "Audit #1 [test] *fed* $x$ _y_ <z> @ref = overskrift \\ `kode` // slut",
        "= Ikke en overskrift",
        "#set page(paper: \"a5\")",
        "#panic(\"nej\")",
        "- ikke en liste + heller ikke",
        "#heading[Falsk]",
        "*Anbefal* #emph[dette]",
        "$ x^2 $ #box[Tiltag]",
        "1. Hvorfor? #strong[Fordi]",
        "Socialtilsyn *Nord*",
    ] {
        assert!(text.contains(s), "{s} missing:\n{text}");
    }
    // (broken over lines in its narrow column, so compared without the breaks)
    assert!(
        text.replace(' ', "")
            .contains("#strong[x]_$y$_*z*_<a>_@b_`c`.pdf"),
        "{text}"
    );
}

#[test]
fn same_audit_report_same_pdf() {
    let r = audit(false);
    let a = audit_pdf(&r).unwrap();
    assert_eq!(a, audit_pdf(&r).unwrap());
    // Another report time, another file (the time is the report's, not the clock's).
    let mut later = r.clone();
    later.generated_at += chrono::Duration::days(1);
    assert_ne!(a, audit_pdf(&later).unwrap());
}

/// Writes the sample PDFs to $TILSYN_PDF_DIR for looking at them (pdftoppm -png).
#[test]
#[ignore]
fn write_samples() {
    let dir = std::env::var("TILSYN_PDF_DIR").unwrap_or_else(|_| "/tmp/pdfcheck".into());
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        format!("{dir}/audit-report.pdf"),
        audit_pdf(&audit(false)).unwrap(),
    )
    .unwrap();
    std::fs::write(
        format!("{dir}/audit-report-en.pdf"),
        audit_pdf(&audit(true)).unwrap(),
    )
    .unwrap();
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
