//! Reports as accessible PDF/UA-1 made with typst as a library (every typst call is here); the
//! templates in `typst/` lay out JSON whose numbers are formatted here, with [`crate::svg`] charts.

use crate::ReportError;
use crate::fmt::Fmt;
use crate::svg::{self, Chart};
use serde_json::{Value, json};
use std::sync::LazyLock;
use tilsyn_domain::learning_audit::{AUDIT_TEXT_KEYS, AuditReport};
use tilsyn_domain::numfmt;
use tilsyn_domain::report::{
    AgreementTable, Audience, Breakdown, Feedback, Figure, ItemRow, Report,
};
use tilsyn_domain::template::ScaleKind;
use typst::foundations::{Bytes, Datetime, Dict, IntoValue, Smart};
use typst_as_lib::{TypstAsLibError, TypstEngine};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

const COMMON: &str = include_str!("../typst/common.typ");
const COMMITTEE: &str = include_str!("../typst/committee.typ");
const FEEDBACK: &str = include_str!("../typst/feedback.typ");
const LEARNING_AUDIT: &str = include_str!("../typst/learning_audit.typ");

/// One engine for the process: parsing the embedded fonts is the expensive part of setting it
/// up, and the templates never change at run time.
static ENGINE: LazyLock<TypstEngine> = LazyLock::new(|| {
    TypstEngine::builder()
        .fonts(typst_assets::fonts())
        .with_static_source_file_resolver([
            ("common.typ", COMMON),
            ("committee.typ", COMMITTEE),
            ("feedback.typ", FEEDBACK),
            ("learning_audit.typ", LEARNING_AUDIT),
        ])
        .build()
});

/// The report for the committee (also management and analysts): front page, summary, charts,
/// tables and method.
pub fn committee_pdf(report: &Report) -> Result<Vec<u8>, ReportError> {
    let charts = svg::charts(report);
    let data = committee_data(report, &charts);
    render(report, "committee.typ", &data, &charts)
}

/// A caseworker's own feedback (`report.feedback`).
pub fn feedback_pdf(report: &Report) -> Result<Vec<u8>, ReportError> {
    let data = feedback_data(report);
    render(report, "feedback.typ", &data, &[])
}

/// A learning audit's report (lærende audit): front page, purpose, method, participants,
/// material, what the meeting agreed per indicator, and the follow-up plan. Every text comes
/// from `report.texts`; what people wrote is printed as written.
pub fn audit_pdf(report: &AuditReport) -> Result<Vec<u8>, ReportError> {
    let data = audit_data(report);
    let doc = layout("learning_audit.typ", &data, &[])?;
    write_pdf(
        format!("tilsyn/learning-audit/{}", report.code),
        report.generated_at,
        &doc,
    )
}

fn render(
    report: &Report,
    main: &str,
    data: &Value,
    charts: &[Chart],
) -> Result<Vec<u8>, ReportError> {
    let doc = layout(main, data, charts)?;
    write_pdf(ident(report), report.generated_at, &doc)
}

/// The PDF's document id: the same for every rendering of a round's report for an audience.
fn ident(report: &Report) -> String {
    format!("tilsyn/{}/{}", report.round.id, report.audience.code())
}

/// Lays out a template with the data as `sys.inputs.data` and the charts' SVGs by key as
/// `sys.inputs.charts`.
fn layout(main: &str, data: &Value, charts: &[Chart]) -> Result<PagedDocument, ReportError> {
    let json = serde_json::to_vec(data).map_err(|e| ReportError::Pdf(e.to_string()))?;
    let mut svgs = Dict::new();
    for c in charts {
        svgs.insert(
            c.key.into(),
            Bytes::new(c.svg.clone().into_bytes()).into_value(),
        );
    }
    let mut inputs = Dict::new();
    inputs.insert("data".into(), Bytes::new(json).into_value());
    inputs.insert("charts".into(), svgs.into_value());
    ENGINE
        .compile_with_input(main, inputs)
        .output
        .map_err(|e| ReportError::Pdf(typst_error(&e)))
}

/// Writes the laid-out document as PDF/UA-1: tagged, with title and language (both set by the
/// template); typst refuses an image without alt text. `ident` is the document id and
/// `generated` the time written into the file.
fn write_pdf(
    ident: String,
    generated: chrono::DateTime<chrono::Utc>,
    doc: &PagedDocument,
) -> Result<Vec<u8>, ReportError> {
    let standards =
        PdfStandards::new(&[PdfStandard::Ua_1]).map_err(|e| ReportError::Pdf(format!("{e:?}")))?;
    let g = generated;
    use chrono::{Datelike, Timelike};
    // The snapshot's time, not the clock: the same snapshot gives the same PDF.
    let timestamp = Datetime::from_ymd_hms(
        g.year(),
        g.month() as u8,
        g.day() as u8,
        g.hour() as u8,
        g.minute() as u8,
        g.second() as u8,
    )
    .map(Timestamp::new_utc);
    let options = PdfOptions {
        ident: Smart::Custom(ident),
        timestamp,
        standards,
        ..PdfOptions::default()
    };
    typst_pdf::pdf(doc, &options).map_err(|diags| {
        ReportError::Pdf(
            diags
                .iter()
                .map(|d| d.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}

fn typst_error(e: &TypstAsLibError) -> String {
    match e {
        TypstAsLibError::TypstSource(diags) => diags
            .iter()
            .map(|d| {
                let hints: Vec<String> = d.hints.iter().map(|h| h.v.to_string()).collect();
                if hints.is_empty() {
                    d.message.to_string()
                } else {
                    format!("{} ({})", d.message, hints.join("; "))
                }
            })
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

/// A table for `data-table` in common.typ, and whether any of its cells is hidden.
struct Table {
    columns: Vec<u32>,
    align: &'static str,
    header: Vec<String>,
    rows: Vec<Value>,
    hidden: bool,
}

impl Table {
    fn new(columns: Vec<u32>, align: &'static str, header: Vec<String>) -> Table {
        Table {
            columns,
            align,
            header,
            rows: vec![],
            hidden: false,
        }
    }

    fn row(&mut self, cells: Vec<Value>) {
        self.rows.push(json!({ "kind": "", "cells": cells }));
    }

    fn strong(&mut self, cells: Vec<Value>) {
        self.rows.push(json!({ "kind": "strong", "cells": cells }));
    }

    fn group(&mut self, label: String) {
        self.rows.push(json!({ "kind": "group", "cells": [label] }));
    }

    /// The table without a note (no cell of it can be hidden).
    fn into_plain(self) -> Value {
        json!({
            "columns": self.columns,
            "align": self.align.chars().map(|c| c.to_string()).collect::<Vec<_>>(),
            "header": self.header,
            "rows": self.rows,
            "note": null,
        })
    }

    fn into_json(self, f: &Fmt<'_>) -> Value {
        json!({
            "columns": self.columns,
            "align": self.align.chars().map(|c| c.to_string()).collect::<Vec<_>>(),
            "header": self.header,
            "rows": self.rows,
            "note": self.hidden.then(|| f.t("report-hidden-note")),
        })
    }
}

/// The PDF's own use of the shared formatter.
impl Fmt<'_> {
    /// Texts every template needs: language, document title, footer.
    fn base(&self, title: String) -> serde_json::Map<String, Value> {
        let r = self.r;
        let mut m = serde_json::Map::new();
        m.insert("lang".into(), json!(if self.en { "en" } else { "da" }));
        m.insert(
            "doc_title".into(),
            json!(format!("{title}: {}", r.round.name)),
        );
        m.insert("title".into(), json!(title));
        m.insert("author".into(), json!(r.round.municipality));
        m.insert("round".into(), json!(r.round.name));
        m.insert("municipality".into(), json!(r.round.municipality));
        m.insert("page".into(), json!(self.t("report-page")));
        m.insert("page_of".into(), json!(self.t("report-page-of")));
        m.insert("generated".into(), json!(self.generated()));
        m.insert("none_text".into(), json!(self.none()));
        m
    }
}

fn title_key(a: &Audience) -> &'static str {
    match a {
        Audience::Committee => "report-title-committee",
        Audience::Management => "report-title-management",
        Audience::Analyst => "report-title-analyst",
        Audience::Caseworker { .. } => "report-title-caseworker",
    }
}

fn committee_data(r: &Report, charts: &[Chart]) -> Value {
    let f = Fmt { r, en: r.english };
    let mut m = f.base(f.t(title_key(&r.audience)));
    m.insert("audience".into(), json!(f.t(r.audience.label_key())));
    m.insert(
        "fingerprint".into(),
        json!(
            r.round
                .fingerprint
                .as_ref()
                .map(|fp| format!("{}: {fp}", f.t("report-fingerprint")))
        ),
    );
    m.insert("summary".into(), summary(&f));
    m.insert("charts_heading".into(), json!(f.t("report-charts")));
    m.insert(
        "charts".into(),
        Value::Array(
            charts
                .iter()
                .map(|c| {
                    json!({
                        "key": c.key,
                        "title": c.title,
                        "alt": c.alt,
                        "ratio": svg_ratio(&c.svg),
                    })
                })
                .collect(),
        ),
    );
    m.insert("sections".into(), sections(&f));
    m.insert("bearings".into(), bearings(&f));
    m.insert("items".into(), items(&f));
    m.insert("graded".into(), graded(&f));
    m.insert("breakdowns".into(), breakdowns(&f));
    m.insert("agreement".into(), agreement(&f));
    m.insert("trends".into(), trends(&f));
    m.insert("references".into(), references(&f));
    m.insert("follow_up".into(), follow_up(&f));
    m.insert("method".into(), method(&f));
    Value::Object(m)
}

/// Height over width, read back from the chart's own size.
fn svg_ratio(svg: &str) -> f64 {
    let attr = |name: &str| {
        let start = svg.find(&format!(" {name}=\""))? + name.len() + 3;
        let end = svg[start..].find('"')? + start;
        svg[start..end].parse::<f64>().ok()
    };
    match (attr("width"), attr("height")) {
        (Some(w), Some(h)) if w > 0.0 => h / w,
        _ => 1.0,
    }
}

fn summary(f: &Fmt<'_>) -> Value {
    let r = f.r;
    let key_rows = vec![
        json!([f.t("report-overall"), f.figure_sentence(&r.overall)]),
        json!([f.t("report-cases"), f.int(r.round.cases)]),
        json!([f.t("report-questions"), f.int(r.items.len() as u64)]),
    ];
    let mut ranked: Vec<(&str, String, f64)> = r
        .sections
        .iter()
        .filter(|s| !s.figure.hidden)
        .filter_map(|s| {
            s.figure
                .share
                .map(|sh| (s.key.as_str(), format!("{} {}", s.number, s.label), sh))
        })
        .collect();
    ranked.sort_by(|a, b| b.2.total_cmp(&a.2));
    let line = |(_, label, share): &(&str, String, f64)| {
        json!(format!(
            "{}: {}",
            label.trim(),
            numfmt::percent(*share, f.en)
        ))
    };
    let best: Vec<Value> = ranked.iter().take(3).map(line).collect();
    let worst: Vec<Value> = ranked.iter().rev().take(3).map(line).collect();

    // Significant changes: against the baseline when there is one, else the previous round.
    let mut sig = Table::new(
        vec![0, 1, 0, 0],
        "llrr",
        vec![
            f.t("report-col-number"),
            f.t("report-col-question"),
            f.t("report-col-change"),
            f.t("report-col-p"),
        ],
    );
    if let Some(tr) = &r.trends {
        for row in &tr.rows {
            let c = if tr.baseline.is_some() {
                row.vs_baseline.as_ref()
            } else {
                row.vs_previous.as_ref()
            };
            if let Some(c) = c.filter(|c| c.significant) {
                let [diff, p] = f.change(c);
                sig.row(vec![
                    json!(row.number),
                    json!(row.text),
                    json!(diff),
                    json!(p),
                ]);
            }
        }
    }
    let significant = if sig.rows.is_empty() {
        Value::Null
    } else {
        let mut t = sig.into_json(f);
        t["note"] = json!(f.t("report-significant-note"));
        t
    };
    json!({
        "heading": f.t("report-summary"),
        "key_heading": f.t("report-key-figures"),
        "key_header": [f.t("report-col-measure"), f.t("report-col-value")],
        "key_rows": key_rows,
        "best_heading": f.t("report-best"),
        "best": if best.is_empty() { vec![json!(f.none())] } else { best },
        "worst_heading": f.t("report-worst"),
        "worst": if worst.is_empty() { vec![json!(f.none())] } else { worst },
        "significant_heading": f.t("report-significant"),
        "significant": significant,
    })
}

fn share_header(f: &Fmt<'_>, label_key: &str) -> Vec<String> {
    vec![
        f.t("report-col-number"),
        f.t(label_key),
        f.t("report-col-n"),
        f.t("report-col-share"),
        f.t("report-col-interval"),
    ]
}

fn sections(f: &Fmt<'_>) -> Value {
    let mut t = Table::new(
        vec![0, 1, 0, 0, 0],
        "llrrr",
        share_header(f, "report-col-section"),
    );
    for s in &f.r.sections {
        let [n, share, interval] = f.figure(&s.figure, &mut t.hidden);
        t.row(vec![
            json!(s.number),
            json!(s.label),
            json!(n),
            json!(share),
            json!(interval),
        ]);
    }
    let [n, share, interval] = f.figure(&f.r.overall, &mut t.hidden);
    t.strong(vec![
        json!(""),
        json!(f.t("report-overall")),
        json!(n),
        json!(share),
        json!(interval),
    ]);
    json!({ "heading": f.t("report-by-section"), "table": t.into_json(f) })
}

fn bearings(f: &Fmt<'_>) -> Value {
    if f.r.bearings.is_empty() {
        return Value::Null;
    }
    let mut header = share_header(f, "report-col-bearing");
    header.remove(0);
    let mut t = Table::new(vec![1, 0, 0, 0], "lrrr", header);
    for b in &f.r.bearings {
        let [n, share, interval] = f.figure(&b.figure, &mut t.hidden);
        t.row(vec![
            json!(b.label),
            json!(n),
            json!(share),
            json!(interval),
        ]);
    }
    json!({ "heading": f.t("report-by-bearing"), "table": t.into_json(f) })
}

fn items(f: &Fmt<'_>) -> Value {
    let mut t = Table::new(
        vec![0, 1, 0, 0, 0],
        "llrrr",
        share_header(f, "report-col-question"),
    );
    for s in &f.r.sections {
        let list: Vec<&ItemRow> =
            f.r.items
                .iter()
                .filter(|i| i.section == s.key && i.kind == ScaleKind::Compliance)
                .collect();
        if list.is_empty() {
            continue;
        }
        t.group(f.r.section_label(&s.key));
        for i in list {
            let [n, share, interval] = f.figure(&i.figure, &mut t.hidden);
            t.row(vec![
                json!(i.number),
                json!(i.text),
                json!(n),
                json!(share),
                json!(interval),
            ]);
        }
    }
    json!({ "heading": f.t("report-by-item"), "table": t.into_json(f) })
}

fn graded(f: &Fmt<'_>) -> Value {
    let list: Vec<&ItemRow> =
        f.r.items
            .iter()
            .filter(|i| matches!(i.kind, ScaleKind::Ordinal | ScaleKind::Score))
            .collect();
    if list.is_empty() {
        return Value::Null;
    }
    // Means only for score questions: ordinal degrees are not numbers.
    let with_mean = list.iter().any(|i| i.kind == ScaleKind::Score);
    let mut header = vec![
        f.t("report-col-number"),
        f.t("report-col-question"),
        f.t("report-col-n"),
        f.t("report-col-distribution"),
    ];
    let (mut cols, mut align) = (vec![0, 3, 0, 2], "llrl");
    if with_mean {
        header.push(f.t("report-col-mean"));
        cols.push(0);
        align = "llrlr";
    }
    let mut t = Table::new(cols, align, header);
    for i in list {
        let fig = &i.figure;
        let mut cells = vec![json!(i.number), json!(i.text)];
        if fig.hidden {
            t.hidden = true;
            cells.extend([json!(f.mark()), json!(f.mark())]);
            if with_mean {
                cells.push(json!(f.mark()));
            }
        } else {
            let dist: Vec<String> = i
                .points
                .iter()
                .zip(&fig.distribution)
                .map(|(p, s)| format!("{p}: {}", numfmt::percent(*s, f.en)))
                .collect();
            cells.push(json!(fig.n.map(|n| f.int(n)).unwrap_or_else(|| f.none())));
            cells.push(if dist.is_empty() {
                json!(f.none())
            } else {
                json!(dist)
            });
            if with_mean {
                let mean = fig
                    .mean
                    .filter(|_| i.kind == ScaleKind::Score)
                    .map(|m| numfmt::decimal(m, 1, f.en))
                    .unwrap_or_else(|| f.none());
                cells.push(json!(mean));
            }
        }
        t.row(cells);
    }
    json!({ "heading": f.t("report-graded"), "table": t.into_json(f) })
}

fn breakdowns(f: &Fmt<'_>) -> Value {
    if f.r.breakdowns.is_empty() {
        return Value::Null;
    }
    let parts: Vec<Value> = f.r.breakdowns.iter().map(|b| breakdown(f, b)).collect();
    json!({ "heading": f.t("report-breakdowns"), "parts": parts })
}

fn breakdown(f: &Fmt<'_>, b: &Breakdown) -> Value {
    let mut header = vec![f.t("report-col-number"), f.t("report-col-question")];
    header.extend(b.groups.iter().cloned());
    let mut cols = vec![0, 3];
    cols.extend(std::iter::repeat_n(1, b.groups.len()));
    let align: &'static str = "llrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr";
    let align = &align[..(2 + b.groups.len()).min(align.len())];
    let mut t = Table::new(cols, align, header);
    // Share over n, two lines, so narrow group columns still fit.
    let cell = |fig: &Figure, hidden: &mut bool| -> Value {
        let [n, share, _] = f.figure(fig, hidden);
        if fig.hidden || fig.n.is_none() {
            json!(share)
        } else {
            json!([share, format!("n = {n}")])
        }
    };
    for row in &b.rows {
        let mut cells = vec![json!(row.number), json!(row.label)];
        for c in &row.cells {
            cells.push(cell(c, &mut t.hidden));
        }
        if row.section {
            t.strong(cells);
        } else {
            t.row(cells);
        }
    }
    let mut total = vec![json!(""), json!(f.t("report-col-total"))];
    for c in &b.totals {
        total.push(cell(c, &mut t.hidden));
    }
    t.strong(total);
    json!({ "title": b.title, "table": t.into_json(f) })
}

fn agreement(f: &Fmt<'_>) -> Value {
    if f.r.agreement.is_empty() {
        return Value::Null;
    }
    let parts: Vec<Value> = f.r.agreement.iter().map(|a| agreement_part(f, a)).collect();
    json!({
        "heading": f.t("report-agreement"),
        "intro": f.t("report-agreement-intro"),
        "parts": parts,
    })
}

fn agreement_part(f: &Fmt<'_>, a: &AgreementTable) -> Value {
    let dec = |x: Option<f64>| {
        x.map(|v| numfmt::decimal(v, 2, f.en))
            .unwrap_or_else(|| f.none())
    };
    let summary = format!(
        "{}: {} · {}: {} · {}: {} ({} {})",
        f.t("report-cases"),
        f.int(a.cases),
        f.t("report-col-agreement"),
        f.pct(a.percent),
        f.t("report-col-kappa"),
        dec(a.kappa),
        f.t("report-col-se").to_lowercase(),
        dec(a.se),
    );
    let mut t = Table::new(
        vec![0, 1, 0, 0, 0, 0, 0],
        "llrrrrl",
        vec![
            f.t("report-col-number"),
            f.t("report-col-question"),
            f.t("report-col-n"),
            f.t("report-col-agreement"),
            f.t("report-col-kappa"),
            f.t("report-col-se"),
            f.t("report-col-weighted"),
        ],
    );
    for row in &a.rows {
        let weighted = if row.weighted {
            f.t("report-col-ja")
        } else {
            String::new()
        };
        if row.hidden {
            t.hidden = true;
            let m = f.mark();
            t.row(vec![
                json!(row.number),
                json!(row.text),
                json!(m),
                json!(m),
                json!(m),
                json!(m),
                json!(weighted),
            ]);
        } else {
            t.row(vec![
                json!(row.number),
                json!(row.text),
                json!(row.n.map(|n| f.int(n)).unwrap_or_else(|| f.none())),
                json!(f.pct(row.percent)),
                json!(dec(row.kappa)),
                json!(dec(row.se)),
                json!(weighted),
            ]);
        }
    }
    json!({
        "title": format!("{} {}–{}", f.t("report-level"), a.lower, a.upper),
        "summary": summary,
        "table": t.into_json(f),
    })
}

fn trends(f: &Fmt<'_>) -> Value {
    let Some(tr) = &f.r.trends else {
        return Value::Null;
    };
    if tr.rows.is_empty() {
        return Value::Null;
    }
    let rounds: Vec<String> = tr
        .rounds
        .iter()
        .map(|r| {
            let mut s = format!("{} ({})", r.name, f.date(r.reference_date));
            if r.baseline {
                s.push_str(&format!(" – {}", f.t("report-baseline")));
            }
            if r.other_template {
                s.push_str(&format!(" – {}", f.t("report-other-template")));
            }
            s
        })
        .collect();
    // Against the baseline, and against the previous round too when that is another round.
    let last = tr.rounds.len().checked_sub(1);
    let both = tr.baseline.is_some() && tr.baseline != last;
    let mut header = vec![f.t("report-col-number"), f.t("report-col-question")];
    // Earlier rounds by their reference date (named in the list above the table): names are
    // too long for a number column.
    header.extend(tr.rounds.iter().map(|r| f.date(r.reference_date)));
    header.push(f.t("report-now"));
    // Two lines, so the number columns can stay as narrow as their numbers.
    let change_header = |which: &str| format!("{}\n{}", f.t("report-col-change"), f.t(which));
    let first_cmp = if tr.baseline.is_some() {
        "report-baseline"
    } else {
        "report-previous"
    };
    header.push(change_header(first_cmp));
    header.push(f.t("report-col-p"));
    if both {
        header.push(change_header("report-previous"));
        header.push(f.t("report-col-p"));
    }
    let mut cols = vec![0, 1];
    cols.extend(std::iter::repeat_n(0, header.len() - 2));
    let align: &'static str = "llrrrrrrrrrrrrrrrrrrrrrrrrrrrrr";
    let align = &align[..header.len().min(align.len())];
    let mut t = Table::new(cols, align, header);
    let none2 = || [f.none(), f.none()];
    for row in &tr.rows {
        let mut cells = vec![json!(row.number), json!(row.text)];
        for h in &row.history {
            cells.push(json!(match h {
                Some(x) if x.hidden => {
                    t.hidden = true;
                    f.mark()
                }
                Some(x) => f.pct(x.share),
                None => f.none(),
            }));
        }
        cells.push(json!(if row.now.hidden {
            t.hidden = true;
            f.mark()
        } else {
            f.pct(row.now.share)
        }));
        let first = if tr.baseline.is_some() {
            row.vs_baseline.as_ref()
        } else {
            row.vs_previous.as_ref()
        };
        let c = first.map(|c| f.change(c)).unwrap_or_else(none2);
        cells.extend(c.map(|s| json!(s)));
        if both {
            let c = row
                .vs_previous
                .as_ref()
                .map(|c| f.change(c))
                .unwrap_or_else(none2);
            cells.extend(c.map(|s| json!(s)));
        }
        t.row(cells);
    }
    let hidden = t.hidden;
    let mut table = t.into_json(f);
    let mut note = f.t("report-significant-note");
    if hidden {
        note = format!("{note} {}", f.t("report-hidden-note"));
    }
    table["note"] = json!(note);
    json!({
        "heading": f.t("report-trends"),
        "intro": f.t("report-trends-intro"),
        "rounds": rounds,
        "table": table,
    })
}

fn references(f: &Fmt<'_>) -> Value {
    if f.r.references.is_empty() {
        return Value::Null;
    }
    let mut t = Table::new(
        vec![0, 2, 2, 0, 0, 1],
        "lllrrl",
        vec![
            f.t("report-col-number"),
            f.t("report-col-question"),
            f.t("report-col-measure"),
            f.t("report-col-year"),
            f.t("report-col-value"),
            f.t("report-col-source"),
        ],
    );
    for v in &f.r.references {
        let item = f.r.items.iter().find(|i| i.key == v.item);
        let period = if v.period.is_empty() {
            v.year.to_string()
        } else {
            v.period.clone()
        };
        t.row(vec![
            json!(item.map(|i| i.number.clone()).unwrap_or_default()),
            json!(
                item.map(|i| i.text.clone())
                    .unwrap_or_else(|| v.item.clone())
            ),
            json!(v.measure),
            json!(period),
            json!(numfmt::percent(v.share, f.en)),
            json!(v.source),
        ]);
    }
    json!({
        "heading": f.t("report-references"),
        "note": f.t("report-references-note"),
        "table": t.into_json(f),
    })
}

fn follow_up(f: &Fmt<'_>) -> Value {
    let Some(fu) = f.follow_up() else {
        return Value::Null;
    };
    let (widths, align) = if fu.owners {
        (vec![3, 0, 0, 2, 1], "lllll")
    } else {
        (vec![3, 0, 0, 2], "llll")
    };
    let mut t = Table::new(widths, align, fu.head);
    for r in fu.rows {
        t.row(r.into_iter().map(|c| json!(c)).collect());
    }
    json!({
        "heading": fu.heading,
        "intro": fu.intro,
        "table": t.into_json(f),
    })
}

fn method(f: &Fmt<'_>) -> Value {
    let r = &f.r.round;
    let mut kind = r.kind.clone();
    if r.baseline {
        kind.push_str(&format!(" ({})", f.t("report-baseline")));
    }
    if !r.themes.is_empty() {
        kind.push_str(&format!(": {}", r.themes.join(", ")));
    }
    let levels: Vec<String> = r
        .levels
        .iter()
        .map(|(level, planned, drawn, submitted)| {
            format!(
                "{} {level}: {} / {} / {}",
                f.t("report-level"),
                f.int(*planned),
                f.int(*drawn),
                f.int(*submitted)
            )
        })
        .collect();
    let opt = |s: &str| if s.is_empty() { f.none() } else { s.to_owned() };
    let seed = match (&r.seed, &r.fingerprint) {
        (Some(s), Some(fp)) => format!("{s} / {fp}"),
        (Some(s), None) => s.clone(),
        (None, Some(fp)) => fp.clone(),
        (None, None) => f.none(),
    };
    let suppression = match f.r.threshold {
        Some(_) => f.t("report-hidden-note"),
        None => f.t("report-no-suppression"),
    };
    let rows = vec![
        json!([f.t("report-method-kind"), opt(&kind)]),
        json!([
            f.t("report-method-template"),
            format!("{}, version {}", r.template, r.template_version)
        ]),
        json!([
            f.t("report-method-levels"),
            if levels.is_empty() {
                json!(f.none())
            } else {
                json!(levels)
            }
        ]),
        json!([f.t("report-method-frame"), opt(&r.frame)]),
        json!([f.t("report-method-period"), opt(&r.period)]),
        json!([
            f.t("report-method-reference-date"),
            r.reference_date
                .map(|d| f.date(d))
                .unwrap_or_else(|| f.none())
        ]),
        json!([
            f.t("report-method-look-back"),
            f.int(u64::from(r.look_back_months))
        ]),
        json!([f.t("report-method-seed"), seed]),
        json!([f.t("report-method-counting"), f.t(&r.counting.label_key())]),
        json!([f.t("report-method-suppression"), suppression]),
    ];
    json!({
        "heading": f.t("report-method"),
        "rows": rows,
        "paragraphs": [f.t("report-method-share"), f.t("report-method-tests")],
    })
}

fn feedback_data(r: &Report) -> Value {
    let f = Fmt { r, en: r.english };
    let mut m = f.base(f.t("report-title-caseworker"));
    let name = match (&r.audience, &r.feedback) {
        (Audience::Caseworker { name, .. }, _) if !name.is_empty() => name.clone(),
        (_, Some(fb)) => fb.caseworker.clone(),
        (Audience::Caseworker { username, .. }, None) => username.clone(),
        _ => String::new(),
    };
    m.insert("caseworker".into(), json!(name));
    m.insert("intro".into(), json!(f.t("report-feedback-intro")));
    m.insert("heading".into(), json!(f.t("report-feedback")));
    m.insert(
        "cases".into(),
        json!(feedback_cases(&f, r.feedback.as_ref())),
    );
    Value::Object(m)
}

fn feedback_cases(f: &Fmt<'_>, fb: Option<&Feedback>) -> Vec<Value> {
    let Some(fb) = fb else {
        return vec![];
    };
    fb.cases
        .iter()
        .map(|c| {
            let share = (c.assessed > 0).then(|| c.compliant as f64 / c.assessed as f64);
            let summary = format!(
                "{}: {} ({} / {})",
                f.t("report-col-share"),
                f.pct(share),
                f.int(c.compliant),
                f.int(c.assessed)
            );
            let mut t = Table::new(
                vec![0, 3, 3, 2],
                "llll",
                vec![
                    f.t("report-col-number"),
                    f.t("report-col-question"),
                    f.t("report-col-answer"),
                    f.t("report-col-counted"),
                ],
            );
            for a in &c.answers {
                let answers: Vec<String> = a
                    .levels
                    .iter()
                    .map(|(level, answer, remark)| {
                        let mut s = format!("{} {level}: {answer}", f.t("report-level"));
                        if !remark.trim().is_empty() {
                            s.push_str(&format!(" – {}", remark.trim()));
                        }
                        s
                    })
                    .collect();
                // The answer that counts; where it was agreed, that and the note.
                let agreed = match (&a.agreed, &a.counted) {
                    (Some((answer, note)), _) if !note.trim().is_empty() => format!(
                        "{answer} ({}) – {}",
                        f.t("report-col-agreed").to_lowercase(),
                        note.trim()
                    ),
                    (Some((answer, _)), _) => answer.clone(),
                    (None, Some(counted)) => counted.clone(),
                    (None, None) => String::new(),
                };
                t.row(vec![
                    json!(a.number),
                    json!(a.text),
                    json!(answers),
                    json!(agreed),
                ]);
            }
            json!({
                "title": format!("{} {} ({})", f.t("report-col-case"), c.case, c.case_type),
                "summary": summary,
                "table": t.into_json(f),
            })
        })
        .collect()
}

/// The learning-audit report's texts, looked up with the key itself as fallback.
struct AuditTexts<'a>(&'a AuditReport);

impl AuditTexts<'_> {
    fn t(&self, key: &str) -> String {
        self.0
            .texts
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_owned())
    }

    /// Danish dates as 05.03.2027, English as 2027-03-05.
    fn date(&self, d: chrono::NaiveDate) -> String {
        if self.0.english {
            d.format("%Y-%m-%d").to_string()
        } else {
            d.format("%d.%m.%Y").to_string()
        }
    }

    /// Every report text by its short name for the template ("la-report-col-due" is
    /// `t.col_due`).
    fn all(&self) -> serde_json::Map<String, Value> {
        AUDIT_TEXT_KEYS
            .iter()
            .map(|k| {
                let short = k.trim_start_matches("la-report-").replace('-', "_");
                (short, json!(self.t(k)))
            })
            .collect()
    }

    /// `None` for an empty table, so the template prints the "none" text instead.
    fn table(t: Table) -> Value {
        if t.rows.is_empty() {
            Value::Null
        } else {
            t.into_plain()
        }
    }
}

/// A text as paragraphs: split at blank lines, each trimmed; none when it is empty.
fn paragraphs(s: &str) -> Vec<String> {
    s.replace("\r\n", "\n")
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

fn audit_data(r: &AuditReport) -> Value {
    let x = AuditTexts(r);
    let t = |k: &str| x.t(k);
    let kind_code = format!("{} {}", t("la-report-kind"), r.code);
    let doc_title = format!("{kind_code}: {}", r.title);
    let generated = format!(
        "{} {} {}",
        x.date(r.generated_at.date_naive()),
        t("la-report-generated-by"),
        r.generated_by
    );
    let opt = |s: &str| {
        if s.trim().is_empty() {
            t("la-report-none")
        } else {
            s.to_owned()
        }
    };
    let front = vec![
        json!([t("la-report-theme"), opt(&r.theme)]),
        json!([t("la-report-framework"), opt(&r.framework)]),
        json!([t("la-report-issuer"), opt(&r.issuer)]),
        json!([t("la-report-generated"), generated]),
    ];

    let mut included = Table::new(
        vec![0, 1],
        "ll",
        vec![t("la-report-col-indicator"), t("la-report-col-text")],
    );
    for i in &r.indicators {
        included.row(vec![json!(i.code), json!(i.text)]);
    }
    let mut left_out = Table::new(
        vec![0, 3, 2],
        "lll",
        vec![
            t("la-report-col-indicator"),
            t("la-report-col-text"),
            t("la-report-col-reason"),
        ],
    );
    for l in &r.left_out {
        left_out.row(vec![json!(l.code), json!(l.text), json!(l.reason)]);
    }

    // The panel without an organisation (facilitator, referent) first, then each organisation.
    let mut orgs: Vec<_> = r.panel.iter().collect();
    orgs.sort_by_key(|o| !o.name.trim().is_empty());
    let mut panel = Table::new(
        vec![1, 1],
        "ll",
        vec![t("la-report-col-name"), t("la-report-col-role")],
    );
    for o in orgs {
        panel.group(if o.name.trim().is_empty() {
            t("la-report-no-organisation")
        } else {
            o.name.clone()
        });
        if o.members.is_empty() {
            panel.row(vec![json!(t("la-report-none")), json!("")]);
        }
        for (name, role) in &o.members {
            panel.row(vec![json!(name), json!(role)]);
        }
    }
    let panel = if r.panel.iter().all(|o| o.members.is_empty()) {
        Value::Null
    } else {
        panel.into_plain()
    };

    let mut materials = Table::new(
        vec![5, 3, 0, 0, 4],
        "lllll",
        vec![
            t("la-report-col-title"),
            t("la-report-col-organisation"),
            t("la-report-col-kind"),
            t("la-report-col-only"),
            t("la-report-col-source"),
        ],
    );
    for m in &r.materials {
        materials.row(vec![
            json!(m.title),
            json!(m.organisation),
            json!(m.kind),
            json!(m.only),
            json!(m.source),
        ]);
    }

    let indicators: Vec<Value> = r
        .indicators
        .iter()
        .map(|i| {
            let mut examples = Table::new(
                vec![3, 2, 0],
                "llr",
                vec![
                    t("la-report-col-material"),
                    t("la-report-col-organisation"),
                    t("la-report-col-chosen"),
                ],
            );
            for e in &i.examples {
                examples.row(vec![
                    json!(e.material),
                    json!(e.organisation),
                    json!(format!(
                        "{} {} {}",
                        numfmt::integer(e.count as u64, r.english),
                        t("la-report-of"),
                        numfmt::integer(i.nominations as u64, r.english)
                    )),
                ]);
            }
            let attention: Vec<Value> = i
                .attention
                .iter()
                .filter(|(_, points)| !points.is_empty())
                .map(|(heading, points)| json!({ "heading": heading, "points": points }))
                .collect();
            json!({
                "heading": format!("{} {} – {}", t("la-report-indicator"), i.code, i.text),
                "examples": AuditTexts::table(examples),
                "notes": paragraphs(&i.notes),
                "attention": attention,
                "recommendation": paragraphs(&i.recommendation),
            })
        })
        .collect();

    let mut follow_up = Table::new(
        vec![4, 2, 0, 2, 3],
        "lllll",
        vec![
            t("la-report-col-action"),
            t("la-report-col-owner"),
            t("la-report-col-due"),
            t("la-report-col-status"),
            t("la-report-col-note"),
        ],
    );
    for a in &r.follow_up {
        // Overdue in words, not by colour.
        let status = if a.overdue {
            format!("{} ({})", a.status, t("la-report-overdue"))
        } else {
            a.status.clone()
        };
        follow_up.row(vec![
            json!(a.description),
            json!(a.owner),
            json!(x.date(a.due)),
            json!(status),
            json!(a.note),
        ]);
    }

    json!({
        "lang": if r.english { "en" } else { "da" },
        "doc_title": doc_title,
        "author": r.issuer,
        // The footer's left part.
        "round": doc_title,
        "page": t("la-report-page"),
        "page_of": t("la-report-page-of"),
        "none_text": t("la-report-none"),
        "t": x.all(),
        "kind_code": kind_code,
        "title": r.title,
        "report_title": t("la-report-title"),
        "issuer": r.issuer,
        "front": front,
        "purpose": paragraphs(&r.purpose),
        "method": paragraphs(&t("la-report-method-text")),
        "questions": r.questions.iter().filter(|q| !q.trim().is_empty()).collect::<Vec<_>>(),
        "included": AuditTexts::table(included),
        "left_out": AuditTexts::table(left_out),
        "panel": panel,
        "materials": AuditTexts::table(materials),
        "indicators": indicators,
        "follow_up": AuditTexts::table(follow_up),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests;
