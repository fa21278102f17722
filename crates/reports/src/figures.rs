//! Key figures (nøgletal) for management information as JSON and CSV, and the raw answers as
//! CSV for analysts. CSV is `;`-separated UTF-8 with a byte-order mark and decimal commas in
//! Danish, so Excel on a Danish machine opens it as columns; text that a spreadsheet would run
//! as a formula is prefixed with an apostrophe.

use crate::ReportError;
use serde::Serialize;
use tilsyn_domain::numfmt;
use tilsyn_domain::report::{Figure, Report};

/// One line of the key figures.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KeyFigure {
    /// overall, section, bearing or item.
    pub level: &'static str,
    pub key: String,
    pub number: String,
    pub label: String,
    pub hidden: bool,
    pub n: Option<u64>,
    pub share: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub mean: Option<f64>,
}

#[derive(Serialize)]
struct KeyFigures<'a> {
    schema: &'static str,
    round: &'a str,
    round_id: &'a str,
    audience: String,
    generated_at: chrono::DateTime<chrono::Utc>,
    counting: &'static str,
    counting_text: &'a str,
    threshold: Option<u64>,
    cases: u64,
    figures: Vec<KeyFigure>,
}

/// The figures in the order a reader meets them: the round, its sections, the pejlemærker,
/// the questions.
pub fn key_figures(report: &Report) -> Vec<KeyFigure> {
    let line = |level, key: &str, number: &str, label: &str, f: &Figure| KeyFigure {
        level,
        key: key.to_owned(),
        number: number.to_owned(),
        label: label.to_owned(),
        hidden: f.hidden,
        n: f.n,
        share: f.share,
        low: f.low,
        high: f.high,
        mean: f.mean,
    };
    let mut out = vec![line(
        "overall",
        "",
        "",
        report.text("report-overall"),
        &report.overall,
    )];
    out.extend(
        report
            .sections
            .iter()
            .map(|r| line("section", &r.key, &r.number, &r.label, &r.figure)),
    );
    out.extend(
        report
            .bearings
            .iter()
            .map(|r| line("bearing", &r.key, &r.number, &r.label, &r.figure)),
    );
    out.extend(
        report
            .items
            .iter()
            .map(|r| line("item", &r.key, &r.number, &r.text, &r.figure)),
    );
    out
}

/// Key figures as JSON, with the round, the counting rule and the threshold.
pub fn key_figures_json(report: &Report) -> Result<Vec<u8>, ReportError> {
    let counting_key = report.round.counting.label_key();
    let kf = KeyFigures {
        schema: "tilsyn-key-figures/1",
        round: &report.round.name,
        round_id: &report.round.id,
        audience: report.audience.code(),
        generated_at: report.generated_at,
        counting: report.round.counting.code(),
        counting_text: report.text(&counting_key),
        threshold: report.threshold,
        cases: report.round.cases,
        figures: key_figures(report),
    };
    serde_json::to_vec_pretty(&kf).map_err(|e| ReportError::Data(e.to_string()))
}

/// A text cell a spreadsheet will not run as a formula.
pub fn safe_cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

fn writer() -> csv::Writer<Vec<u8>> {
    // The byte-order mark makes Excel read UTF-8 (æ, ø, å) instead of the local code page.
    csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(b"\xEF\xBB\xBF".to_vec())
}

fn finish(w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, ReportError> {
    w.into_inner().map_err(|e| ReportError::Data(e.to_string()))
}

/// Key figures as CSV.
pub fn key_figures_csv(report: &Report) -> Result<Vec<u8>, ReportError> {
    let en = report.english;
    let mark = report.text("report-hidden-mark");
    let num = |x: Option<f64>, places: usize, hidden: bool| match (hidden, x) {
        (true, _) => mark.to_owned(),
        (false, Some(v)) => numfmt::decimal(v, places, en).replace('\u{2212}', "-"),
        (false, None) => String::new(),
    };
    let mut w = writer();
    let head = [
        "niveau/level".to_owned(),
        "key".to_owned(),
        report.text("report-col-number").to_owned(),
        report.text("report-col-question").to_owned(),
        report.text("report-col-n").to_owned(),
        report.text("report-col-share").to_owned(),
        format!("{} (min)", report.text("report-col-interval")),
        format!("{} (max)", report.text("report-col-interval")),
        report.text("report-col-mean").to_owned(),
        report.text("report-method-counting").to_owned(),
    ];
    // The rule on every line: a CSV is read without its report around it.
    let counting_key = report.round.counting.label_key();
    let counting = report.text(&counting_key).to_owned();
    w.write_record(&head)
        .map_err(|e| ReportError::Data(e.to_string()))?;
    for f in key_figures(report) {
        let n = match (f.hidden, f.n) {
            (true, _) => mark.to_owned(),
            (false, Some(n)) => n.to_string(),
            (false, None) => String::new(),
        };
        w.write_record([
            f.level.to_owned(),
            safe_cell(&f.key),
            safe_cell(&f.number),
            safe_cell(&f.label),
            n,
            num(f.share, 4, f.hidden),
            num(f.low, 4, f.hidden),
            num(f.high, 4, f.hidden),
            num(f.mean, 2, f.hidden),
            counting.clone(),
        ])
        .map_err(|e| ReportError::Data(e.to_string()))?;
    }
    finish(w)
}

/// The raw answers (analysts only: the report carries them only for that audience), with
/// pseudonymised cases.
pub fn raw_csv(report: &Report) -> Result<Vec<u8>, ReportError> {
    let mut w = writer();
    w.write_record([
        report.text("report-col-case"),
        report.text("report-col-case-type"),
        report.text("report-col-unit"),
        report.text("report-level"),
        report.text("report-col-number"),
        "item",
        report.text("report-col-answer"),
        report.text("report-col-remark"),
        report.text("report-col-counted"),
    ])
    .map_err(|e| ReportError::Data(e.to_string()))?;
    for r in &report.raw {
        w.write_record([
            safe_cell(&r.case),
            safe_cell(&r.case_type),
            safe_cell(&r.unit),
            r.level.to_string(),
            safe_cell(&r.number),
            safe_cell(&r.item),
            safe_cell(&r.value),
            safe_cell(&r.remark),
            if r.counted { "1" } else { "0" }.to_owned(),
        ])
        .map_err(|e| ReportError::Data(e.to_string()))?;
    }
    finish(w)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use tilsyn_domain::report::Audience;

    #[test]
    fn json_carries_the_same_figures_as_the_report() {
        let r = crate::sample::report(Audience::Committee);
        let v: serde_json::Value = serde_json::from_slice(&key_figures_json(&r).unwrap()).unwrap();
        let figs = v["figures"].as_array().unwrap();
        assert_eq!(
            figs.len(),
            1 + r.sections.len() + r.bearings.len() + r.items.len()
        );
        assert_eq!(figs[1]["key"], r.sections[0].key.as_str());
        assert_eq!(figs[1]["share"].as_f64(), r.sections[0].figure.share);
        assert_eq!(v["counting"], "highest_level");
        assert_eq!(v["threshold"], 5);
    }

    #[test]
    fn csv_is_danish_excel_friendly_and_never_a_formula() {
        let mut r = crate::sample::report(Audience::Committee);
        r.items[0].text = "=HYPERLINK(\"http://x\")".into();
        r.items[1].figure = Figure {
            hidden: true,
            ..Figure::default()
        };
        let bytes = key_figures_csv(&r).unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert!(text.contains("'=HYPERLINK"), "{text}");
        let line = text
            .lines()
            .find(|l| l.contains(&r.items[1].key))
            .unwrap()
            .to_owned();
        let cells: Vec<&str> = line.split(';').collect();
        assert_eq!(cells[4], "«report-hidden-mark»", "{line}");
        // Shares with a decimal comma.
        let first = text.lines().nth(2).unwrap();
        assert!(first.split(';').nth(5).unwrap().contains(','), "{first}");
    }

    #[test]
    fn raw_answers_only_in_the_analysts_report() {
        let r = crate::sample::report(Audience::Committee);
        let text = String::from_utf8(raw_csv(&r).unwrap()).unwrap();
        assert_eq!(text.lines().count(), 1, "the header only");
    }
}
