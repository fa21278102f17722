use super::*;
use crate::sample;
use tilsyn_domain::report::Audience;

/// Parses the SVG and returns its text nodes, failing the test on malformed XML.
fn texts_of(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").to_owned())
        .collect()
}

fn check_accessible(c: &Chart) {
    let doc = roxmltree::Document::parse(&c.svg)
        .unwrap_or_else(|e| panic!("{}: not well-formed: {e}", c.key));
    let root = doc.root_element();
    assert_eq!(root.attribute("role"), Some("img"), "{}", c.key);
    assert!(root.attribute("viewBox").is_some(), "{}", c.key);
    assert!(root.attribute("width").is_some() && root.attribute("height").is_some());
    let child = |tag: &str| {
        root.children()
            .find(|n| n.has_tag_name(tag))
            .and_then(|n| n.text())
            .unwrap_or("")
            .to_owned()
    };
    assert_eq!(child("title"), c.title, "{}", c.key);
    assert!(!child("desc").is_empty(), "{}", c.key);
    assert_eq!(child("desc"), c.alt, "{}", c.key);
    // Every id the chart points at is defined in the chart itself.
    for n in doc.descendants() {
        if let Some(fill) = n.attribute("fill").and_then(|f| f.strip_prefix("url(#")) {
            let id = fill.trim_end_matches(')');
            assert!(
                doc.descendants().any(|m| m.attribute("id") == Some(id)),
                "{id}"
            );
        }
    }
    // Nothing outside the basic elements other renderers (resvg, typst) draw alike.
    for n in doc.descendants().filter(|n| n.is_element()) {
        let tag = n.tag_name().name();
        assert!(
            [
                "svg", "title", "desc", "defs", "pattern", "rect", "line", "polyline", "text"
            ]
            .contains(&tag),
            "{}: <{tag}>",
            c.key
        );
        assert!(n.attribute("class").is_none() && n.attribute("style").is_none());
    }
}

#[test]
fn every_chart_of_the_sample_is_well_formed_and_described() {
    for audience in [Audience::Committee, Audience::Management, Audience::Analyst] {
        let r = sample::report(audience);
        let charts = charts(&r);
        assert!(charts.len() >= 4, "{}", charts.len());
        let mut keys: Vec<&str> = charts.iter().map(|c| c.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), charts.len(), "chart keys are unique");
        for c in &charts {
            check_accessible(c);
        }
    }
}

#[test]
fn charts_come_in_the_documented_order() {
    let r = sample::report(Audience::Management);
    let keys: Vec<&str> = charts(&r).iter().map(|c| c.key).collect();
    assert_eq!(keys.first(), Some(&"sections"));
    assert!(keys[1].starts_with("items-"));
    let pos = |k: &str| keys.iter().position(|x| *x == k).unwrap();
    assert!(pos("distribution") < pos("trend"));
    assert!(pos("trend") < pos("heatmap"));
    // The committee gets no team breakdown, so no heat map.
    let committee = sample::report(Audience::Committee);
    assert!(charts(&committee).iter().all(|c| c.key != "heatmap"));
}

#[test]
fn the_question_chart_splits_into_whole_sections() {
    let r = sample::report(Audience::Committee);
    let parts = items_chart_parts(&r);
    assert!(parts.len() > 1, "{} questions", r.items.len());
    assert!(parts[0].title.ends_with(&format!("(1/{})", parts.len())));
    // Every ja/nej question appears in exactly one part, by its number.
    for item in r.items.iter().filter(|i| i.kind == ScaleKind::Compliance) {
        let label = join_label(&item.number, &item.text);
        let found = parts.iter().filter(|p| p.alt.contains(&label)).count();
        assert_eq!(found, 1, "{label}");
    }
    // The single chart has them all.
    let all = items_chart(&r);
    check_accessible(&all);
    assert_eq!(all.key, "items");
}

#[test]
fn values_are_printed_in_danish_format() {
    let r = sample::report(Audience::Committee);
    let c = sections_chart(&r);
    let texts = texts_of(&c.svg);
    let first = r.sections.iter().find_map(|s| s.figure.share).unwrap();
    let expected = numfmt::percent(first, false);
    assert!(expected.contains(','), "{expected}");
    assert!(
        texts.iter().any(|t| t.starts_with(&expected)),
        "{expected} in {texts:?}"
    );
    // Decimal comma and no-break space before %, never a decimal point in a percentage.
    let percents: Vec<&String> = texts.iter().filter(|t| t.contains('%')).collect();
    assert!(!percents.is_empty());
    for t in percents {
        assert!(!t.contains('.'), "{t}");
    }
    assert!(c.alt.contains(&expected));
    // English when the report is.
    let mut en = r.clone();
    en.english = true;
    let c = sections_chart(&en);
    assert!(
        texts_of(&c.svg)
            .iter()
            .any(|t| t.starts_with(&numfmt::percent(first, true)))
    );
}

#[test]
fn a_hidden_cell_shows_the_mark_and_no_number() {
    let mut r = sample::report(Audience::Committee);
    r.texts.insert("report-hidden-mark".into(), "*".into());
    r.texts
        .insert("report-hidden-note".into(), "* Skjult.".into());
    let secret = r.sections[1].figure.clone();
    r.sections[1].figure = Figure {
        hidden: true,
        ..Figure::default()
    };
    let c = sections_chart(&r);
    check_accessible(&c);
    let label = join_label(&r.sections[1].number, &r.sections[1].label);
    assert!(c.alt.contains(&format!("{label}: *")), "{}", c.alt);
    assert!(c.alt.ends_with("* Skjult."));
    assert!(c.svg.contains("url(#sections-hatch)"));
    // The hidden row's number appears nowhere (neither share nor interval).
    for v in [secret.share, secret.low, secret.high]
        .into_iter()
        .flatten()
    {
        let p = numfmt::percent(v, false);
        let others = r
            .sections
            .iter()
            .filter_map(|s| s.figure.share)
            .chain(r.sections.iter().filter_map(|s| s.figure.low))
            .chain(r.sections.iter().filter_map(|s| s.figure.high))
            .any(|o| numfmt::percent(o, false) == p);
        if !others {
            assert!(!c.svg.contains(&p), "{p}");
        }
    }
    assert!(texts_of(&c.svg).iter().any(|t| t == "*"));
}

#[test]
fn hidden_cells_in_the_heat_map_and_distribution() {
    let mut r = sample::report(Audience::Management);
    let team = r
        .breakdowns
        .iter_mut()
        .find(|b| b.dimension == Dimension::Team)
        .unwrap();
    let row = team.rows.iter_mut().find(|x| x.section).unwrap();
    row.cells[0] = Figure {
        hidden: true,
        ..Figure::default()
    };
    let graded = r
        .items
        .iter_mut()
        .find(|i| i.kind == ScaleKind::Ordinal)
        .unwrap();
    graded.figure = Figure {
        hidden: true,
        ..Figure::default()
    };
    let mark = r.text("report-hidden-mark").to_owned();
    let h = heatmap_chart(&r).unwrap();
    check_accessible(&h);
    assert!(h.svg.contains("url(#heatmap-hatch)"));
    assert!(texts_of(&h.svg).contains(&mark));
    let d = distribution_chart(&r).unwrap();
    check_accessible(&d);
    assert!(d.svg.contains("url(#distribution-hatch)"));
    assert!(texts_of(&d.svg).contains(&mark));
}

#[test]
fn trend_chart_has_a_panel_per_section() {
    let r = sample::report(Audience::Committee);
    let c = trend_chart(&r).unwrap();
    check_accessible(&c);
    let tr = r.trends.as_ref().unwrap();
    for s in &tr.sections {
        assert!(c.alt.contains(&join_label(&s.number, &s.label)));
    }
    assert!(c.alt.contains(&tr.rounds[0].name));
    let mut none = r.clone();
    none.trends = None;
    assert!(trend_chart(&none).is_none());
}

#[test]
fn radar_for_score_questions() {
    let mut r = sample::report(Audience::Committee);
    assert!(
        radar_chart(&r).is_none(),
        "the sample has no score questions"
    );
    // Give the graded questions means, as score questions have.
    let mut k = 0.0;
    for i in r.items.iter_mut().filter(|i| i.kind == ScaleKind::Ordinal) {
        i.kind = ScaleKind::Score;
        i.figure.mean = Some(2.0 + k);
        k += 0.4;
    }
    let c = radar_chart(&r).unwrap();
    check_accessible(&c);
    assert!(c.svg.contains("<polyline"));
    assert!(c.alt.contains(','), "means in Danish format: {}", c.alt);
    // Fewer than three themes: bars instead of a degenerate radar.
    let keep: Vec<String> = r
        .items
        .iter()
        .filter(|i| i.kind == ScaleKind::Score)
        .map(|i| i.section.clone())
        .take(1)
        .collect();
    for i in r.items.iter_mut() {
        if !keep.contains(&i.section) && i.kind == ScaleKind::Score {
            i.kind = ScaleKind::Ordinal;
        }
    }
    let c = radar_chart(&r).unwrap();
    check_accessible(&c);
    assert!(!c.svg.contains("fill-opacity"));
}

#[test]
fn text_colours_meet_wcag_aa() {
    assert!(contrast(INK, WHITE) >= 4.5);
    assert!(contrast(MUTED, WHITE) >= 4.5);
    for fill in SEQUENTIAL {
        let ratio = contrast(fill, text_on(fill));
        assert!(ratio >= 4.5, "{fill}: {ratio}");
    }
    // Bars, lines and hatching against the white background (non-text: 3:1).
    assert!(contrast(BAR, WHITE) >= 3.0);
    assert!(contrast(HATCH, WHITE) >= 3.0);
    assert!((contrast("#000000", "#ffffff") - 21.0).abs() < 1e-9);
}

#[test]
fn wrap_and_escape() {
    assert_eq!(wrap("a b c", 10, 2), vec!["a b c"]);
    assert_eq!(wrap("aaaa bbbb cccc", 9, 2), vec!["aaaa bbbb", "cccc"]);
    let w = wrap("aaaa bbbb cccc dddd eeee", 9, 2);
    assert_eq!(w.len(), 2);
    assert!(w[1].ends_with('…') && w[1].chars().count() <= 9, "{w:?}");
    assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    assert_eq!(num(1.0), "1");
    assert_eq!(num(1.25), "1.3");
    assert_eq!(
        short_date(chrono::NaiveDate::from_ymd_opt(2025, 4, 1).unwrap(), false),
        "1.4.2025"
    );
    assert_eq!(palette(4).len(), 4);
    assert_eq!(palette(6), SEQUENTIAL.to_vec());
}
