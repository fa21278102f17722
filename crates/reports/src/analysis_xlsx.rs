//! The analysis workbook: every published figure of a report as numbers on sheets, with native
//! Excel charts, for readers who work on with the results in a spreadsheet.

use crate::ReportError;
use rust_xlsxwriter::{
    Chart, ChartDataLabel, ChartMarker, DocProperties, ExcelDateTime, Format, FormatAlign, Table,
    TableColumn, TableStyle, Workbook, Worksheet,
};
use std::collections::{BTreeMap, HashSet};
use tilsyn_domain::report::{Audience, Figure, Report, Row, TrendChange};
use tilsyn_domain::template::ScaleKind;

/// Shares are stored as fractions and shown as percentages in the reader's own locale.
const PERCENT: &str = "0.0 %";
const PERCENT_AXIS: &str = "0 %";
/// Changes are written in percentage points, with their sign.
const POINTS: &str = "+0.0;-0.0;0.0";
const P_VALUE: &str = "0.000";
const KAPPA: &str = "0.00";
const DATE: &str = "dd-mm-yyyy";
/// Excel refuses longer cell texts.
const CELL_MAX: usize = 32_767;
/// Wider columns are hard to read; longer texts wrap instead.
const WIDTH_MAX: usize = 60;
/// Header texts wrap, so they widen a column only this far.
const HEADER_WIDTH: usize = 22;
/// How many columns an intro or note paragraph spans.
const PARAGRAPH_COLS: u16 = 8;
/// Excel's default column width in characters, for columns nothing widened.
const DEFAULT_WIDTH: f64 = 8.43;
/// Points per text line, for rows whose wrapped text needs several lines.
const LINE_HEIGHT: f64 = 15.0;

/// The workbook for a report: an overview with the round's facts, method and key figures, then
/// per question, per section and pejlemærke, per unit (each breakdown), agreement, trends and,
/// for analysts, the raw answers.
pub fn analysis_workbook(report: &Report) -> Result<Vec<u8>, ReportError> {
    let f = Formats::new();
    let names = SheetNames::new(report);
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_title(report.text(title_key(&report.audience)))
            .set_subject(report.round.name.as_str())
            .set_company(report.round.municipality.as_str()),
    );
    overview(Sheet::new(&mut wb, &names.overview, report, &f)?)?;
    items(Sheet::new(&mut wb, &names.items, report, &f)?)?;
    sections(Sheet::new(&mut wb, &names.sections, report, &f)?)?;
    units(Sheet::new(&mut wb, &names.units, report, &f)?)?;
    agreement(Sheet::new(&mut wb, &names.agreement, report, &f)?)?;
    trends(Sheet::new(&mut wb, &names.trends, report, &f)?)?;
    if let Some(raw) = &names.raw {
        raw_answers(Sheet::new(&mut wb, raw, report, &f)?)?;
    }
    Ok(wb.save_to_buffer()?)
}

fn title_key(audience: &Audience) -> &'static str {
    match audience {
        Audience::Committee => "report-title-committee",
        Audience::Management => "report-title-management",
        Audience::Analyst => "report-title-analyst",
        Audience::Caseworker { .. } => "report-title-caseworker",
    }
}

struct Formats {
    title: Format,
    bold: Format,
    /// A fact's label, level with the first line of its (merged, top-aligned) value.
    label: Format,
    header: Format,
    wrap: Format,
    paragraph: Format,
    right: Format,
    percent: Format,
    points: Format,
    p_value: Format,
    kappa: Format,
    date: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            title: Format::new().set_bold().set_font_size(14),
            bold: Format::new().set_bold(),
            label: Format::new().set_bold().set_align(FormatAlign::Top),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Top),
            // Wrapped cells keep Excel's bottom alignment, like the numbers beside them.
            wrap: Format::new().set_text_wrap(),
            paragraph: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            // The hidden mark and "no data" sit where numbers would, so they align like them.
            right: Format::new().set_align(FormatAlign::Right),
            percent: Format::new().set_num_format(PERCENT),
            points: Format::new().set_num_format(POINTS),
            p_value: Format::new().set_num_format(P_VALUE),
            kappa: Format::new().set_num_format(KAPPA),
            date: Format::new()
                .set_num_format(DATE)
                .set_align(FormatAlign::Left),
        }
    }
}

/// Sheet names from the report's texts, made valid for Excel and unique.
struct SheetNames {
    overview: String,
    items: String,
    sections: String,
    units: String,
    agreement: String,
    trends: String,
    raw: Option<String>,
}

impl SheetNames {
    fn new(report: &Report) -> SheetNames {
        let mut seen = HashSet::new();
        let mut name = |key: &str| unique_name(&sheet_name(report.text(key)), &mut seen);
        SheetNames {
            overview: name("report-sheet-overview"),
            items: name("report-sheet-items"),
            sections: name("report-sheet-sections"),
            units: name("report-sheet-units"),
            agreement: name("report-sheet-agreement"),
            trends: name("report-sheet-trends"),
            raw: (!report.raw.is_empty()).then(|| name("report-sheet-raw")),
        }
    }
}

/// Excel sheet names: at most 31 characters, none of `[]:*?/\`, no apostrophe at either end,
/// not empty.
fn sheet_name(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| match c {
            '[' | ']' | ':' | '*' | '?' | '/' | '\\' => ' ',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    let trimmed: String = cleaned
        .trim()
        .trim_matches('\'')
        .trim()
        .chars()
        .take(31)
        .collect();
    let trimmed = trimmed.trim_end().trim_end_matches('\'').to_owned();
    // "History" is reserved by Excel.
    if trimmed.is_empty() || trimmed.eq_ignore_ascii_case("history") {
        "Ark".to_owned()
    } else {
        trimmed
    }
}

fn unique_name(base: &str, seen: &mut HashSet<String>) -> String {
    let mut name = base.to_owned();
    let mut k = 2;
    while !seen.insert(name.to_lowercase()) {
        let suffix = format!(" ({k})");
        let room = 31 - suffix.chars().count();
        name = format!("{}{suffix}", base.chars().take(room).collect::<String>());
        k += 1;
    }
    name
}

/// Table headers must be unique (case-insensitively) within an Excel table and not empty.
fn unique_headers(headers: &[String]) -> Vec<String> {
    let mut seen = HashSet::new();
    headers
        .iter()
        .map(|h| {
            let one_line: String = h
                .chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .take(200)
                .collect();
            let base = if one_line.trim().is_empty() {
                "–".to_owned()
            } else {
                one_line.trim().to_owned()
            };
            let mut name = base.clone();
            let mut k = 2;
            while !seen.insert(name.to_lowercase()) {
                name = format!("{base} ({k})");
                k += 1;
            }
            name
        })
        .collect()
}

fn clip(s: &str) -> &str {
    match s.char_indices().nth(CELL_MAX) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// A share to plot, or why a row has no bar.
#[derive(Clone, Copy)]
enum Plot {
    Share(f64),
    Hidden,
    Empty,
}

impl Plot {
    fn of(f: &Figure) -> Plot {
        match (f.hidden, f.share) {
            (true, _) => Plot::Hidden,
            (false, Some(s)) => Plot::Share(s),
            (false, None) => Plot::Empty,
        }
    }
}

/// One worksheet being written. Every text goes through `write_string`, so nothing a user
/// typed (a question, a team name, a remark) can become a formula. It remembers how wide each
/// column must be, which rows hold wrapped text, and whether a hidden mark was written, so the
/// note explaining the mark is put on exactly the sheets that show it.
struct Sheet<'a> {
    ws: &'a mut Worksheet,
    name: String,
    r: &'a Report,
    f: &'a Formats,
    widths: BTreeMap<u16, usize>,
    /// Cells with wrapping text: (row, column, characters).
    wrapped: Vec<(u32, u16, usize)>,
    /// Merged, wrapped texts: (row, first column, text).
    paragraphs: Vec<(u32, u16, String)>,
    marked: bool,
}

type Res = Result<(), ReportError>;

impl<'a> Sheet<'a> {
    fn new(
        wb: &'a mut Workbook,
        name: &str,
        r: &'a Report,
        f: &'a Formats,
    ) -> Result<Sheet<'a>, ReportError> {
        let ws = wb.add_worksheet();
        ws.set_name(name)?;
        // Printed, a sheet is as wide as the page; long tables run on over pages.
        ws.set_landscape();
        ws.set_paper_size(9);
        ws.set_print_fit_to_pages(1, 0);
        Ok(Sheet {
            ws,
            name: name.to_owned(),
            r,
            f,
            widths: BTreeMap::new(),
            wrapped: vec![],
            paragraphs: vec![],
            marked: false,
        })
    }

    fn t(&self, key: &'a str) -> &'a str {
        self.r.text(key)
    }

    fn widen(&mut self, c: u16, chars: usize) {
        let w = self.widths.entry(c).or_insert(0);
        *w = (*w).max(chars.min(WIDTH_MAX));
    }

    fn text(&mut self, r: u32, c: u16, s: &str) -> Res {
        self.text_with(r, c, s, None)
    }

    fn text_with(&mut self, r: u32, c: u16, s: &str, fmt: Option<&Format>) -> Res {
        let s = clip(s);
        let len = s.chars().count();
        self.widen(c, len);
        let f = self.f;
        if len > WIDTH_MAX {
            self.wrapped.push((r, c, len));
            self.ws
                .write_string_with_format(r, c, s, fmt.unwrap_or(&f.wrap))?;
        } else if let Some(fmt) = fmt {
            self.ws.write_string_with_format(r, c, s, fmt)?;
        } else {
            self.ws.write_string(r, c, s)?;
        }
        Ok(())
    }

    fn bold(&mut self, r: u32, c: u16, s: &str) -> Res {
        let f = self.f;
        self.text_with(r, c, s, Some(&f.bold))
    }

    /// A title or caption that should not widen its column.
    fn caption(&mut self, r: u32, c: u16, s: &str, title: bool) -> Res {
        let f = self.f;
        let fmt = if title { &f.title } else { &f.bold };
        self.ws.write_string_with_format(r, c, clip(s), fmt)?;
        Ok(())
    }

    /// A paragraph over several columns, wrapped, its row made tall enough.
    fn paragraph(&mut self, r: u32, s: &str) {
        self.paragraphs.push((r, 0, s.to_owned()));
    }

    /// A text from column `c` to the paragraph's right edge, so a long value does not make
    /// its column wide for the numbers under it.
    fn span(&mut self, r: u32, c: u16, s: &str) {
        self.paragraphs.push((r, c, s.to_owned()));
    }

    fn int(&mut self, r: u32, c: u16, n: u64) -> Res {
        self.widen(c, n.to_string().len() + 1);
        self.ws.write_number(r, c, n as f64)?;
        Ok(())
    }

    fn number(&mut self, r: u32, c: u16, x: f64, fmt: &Format) -> Res {
        self.widen(c, 8);
        self.ws.write_number_with_format(r, c, x, fmt)?;
        Ok(())
    }

    fn share(&mut self, r: u32, c: u16, x: Option<f64>) -> Res {
        let f = self.f;
        match x {
            Some(x) => self.number(r, c, x, &f.percent),
            None => self.no_data(r, c),
        }
    }

    fn mark(&mut self, r: u32, c: u16) -> Res {
        self.marked = true;
        let f = self.f;
        let mark = self.t("report-hidden-mark");
        self.text_with(r, c, mark, Some(&f.right))
    }

    fn no_data(&mut self, r: u32, c: u16) -> Res {
        let f = self.f;
        let dash = self.t("report-no-data");
        self.text_with(r, c, dash, Some(&f.right))
    }

    /// n, share, lower and upper bound, and with `counts` the four answer counts. A hidden
    /// figure gets the mark in every one of its cells: it has no numbers to write.
    fn figure(&mut self, r: u32, c: u16, fig: &Figure, counts: bool) -> Res {
        let width = if counts { 8 } else { 4 };
        if fig.hidden {
            for i in 0..width {
                self.mark(r, c + i)?;
            }
            return Ok(());
        }
        match fig.n {
            Some(n) => self.int(r, c, n)?,
            None => self.no_data(r, c)?,
        }
        // Graded questions have no share; only an empty figure says "no data".
        let empty = fig.n.unwrap_or(0) == 0;
        for (i, v) in [fig.share, fig.low, fig.high].into_iter().enumerate() {
            match v {
                Some(_) => self.share(r, c + 1 + i as u16, v)?,
                None if empty => self.no_data(r, c + 1 + i as u16)?,
                None => {}
            }
        }
        if counts && let Some(k) = &fig.counts {
            for (i, v) in [
                k.compliant,
                k.non_compliant,
                k.not_relevant,
                k.cannot_assess,
            ]
            .into_iter()
            .enumerate()
            {
                self.int(r, c + 4 + i as u16, v)?;
            }
        }
        Ok(())
    }

    fn figure_headers(&self, counts: bool) -> Vec<String> {
        let mut keys = vec![
            "report-col-n",
            "report-col-share",
            "report-col-low",
            "report-col-high",
        ];
        if counts {
            keys.extend([
                "report-col-ja",
                "report-col-nej",
                "report-col-not-relevant",
                "report-col-cannot-assess",
            ]);
        }
        keys.into_iter().map(|k| self.t(k).to_owned()).collect()
    }

    /// An Excel table (header row with filter buttons) over `rows` data rows below row `r`.
    /// Without rows only the header is written: Excel tables need at least one data row.
    fn table(&mut self, r: u32, c: u16, headers: &[String], rows: usize) -> Res {
        let headers = unique_headers(headers);
        for (i, h) in headers.iter().enumerate() {
            let len = h.chars().count();
            self.widen(c + i as u16, len.min(HEADER_WIDTH));
            self.wrapped.push((r, c + i as u16, len));
        }
        let f = self.f;
        if rows == 0 {
            for (i, h) in headers.iter().enumerate() {
                self.ws
                    .write_string_with_format(r, c + i as u16, h, &f.header)?;
            }
            return Ok(());
        }
        let columns: Vec<TableColumn> = headers
            .iter()
            .map(|h| {
                TableColumn::new()
                    .set_header(h.as_str())
                    .set_header_format(&f.header)
            })
            .collect();
        let table = Table::new()
            .set_columns(&columns)
            .set_style(TableStyle::Light9);
        let last_col = c + headers.len().saturating_sub(1) as u16;
        self.ws.add_table(r, c, r + rows as u32, last_col, &table)?;
        Ok(())
    }

    /// A block of labels and shares a bar chart plots: the rows with a share first (the chart
    /// covers exactly those), then the hidden and empty ones with their mark, so no hidden
    /// figure is ever drawn as a zero bar. Returns the rows of the plotted range.
    fn plot_block(
        &mut self,
        r: u32,
        c: u16,
        headers: [&str; 2],
        rows: &[(String, Plot)],
    ) -> Result<Option<(u32, u32)>, ReportError> {
        self.table(
            r,
            c,
            &[headers[0].to_owned(), headers[1].to_owned()],
            rows.len(),
        )?;
        let plotted: Vec<&(String, Plot)> = rows
            .iter()
            .filter(|(_, p)| matches!(p, Plot::Share(_)))
            .collect();
        let rest = rows.iter().filter(|(_, p)| !matches!(p, Plot::Share(_)));
        for (at, (label, p)) in (r + 1..).zip(plotted.iter().copied().chain(rest)) {
            self.text(at, c, label)?;
            match p {
                Plot::Share(x) => self.share(at, c + 1, Some(*x))?,
                Plot::Hidden => self.mark(at, c + 1)?,
                Plot::Empty => self.no_data(at, c + 1)?,
            }
        }
        Ok((!plotted.is_empty()).then(|| (r + 1, r + plotted.len() as u32)))
    }

    /// A horizontal bar chart of shares, categories top-down as in the table, titled by the
    /// caption cell (a cell reference, so no text is ever parsed as a range).
    fn bar_chart(
        &mut self,
        caption: (u32, u16),
        range: (u32, u32),
        c: u16,
        at: (u32, u16),
        alt: &str,
    ) -> Res {
        let name = self.name.as_str();
        let mut chart = Chart::new_bar();
        chart
            .add_series()
            .set_categories((name, range.0, c, range.1, c))
            .set_values((name, range.0, c + 1, range.1, c + 1))
            .set_name((name, caption.0, caption.1))
            .set_data_label(
                ChartDataLabel::new()
                    .show_value()
                    .set_num_format(PERCENT_AXIS),
            );
        chart.title().set_name((name, caption.0, caption.1));
        // In a bar chart the y axis holds the categories and the x axis the values.
        chart.y_axis().set_reverse();
        chart
            .x_axis()
            .set_num_format(PERCENT_AXIS)
            .set_min(0.0)
            .set_max(1.0);
        chart.legend().set_hidden();
        chart.set_alt_text(alt);
        let bars = range.1 - range.0 + 1;
        chart.set_width(720).set_height((110 + 22 * bars).max(260));
        self.ws.insert_chart(at.0, at.1, &chart)?;
        Ok(())
    }

    /// Column widths, the hidden note, paragraphs and row heights, once everything is written.
    fn finish(mut self) -> Res {
        if self.marked {
            let note = self.t("report-hidden-note").to_owned();
            self.paragraphs.push((1, 0, note));
        }
        for (c, w) in &self.widths {
            self.ws.set_column_width(*c, (*w as f64 + 2.0).max(6.0))?;
        }
        let width = |c: u16| {
            self.widths
                .get(&c)
                .map(|w| (*w as f64 + 2.0).max(6.0))
                .unwrap_or(DEFAULT_WIDTH)
        };
        let mut lines: BTreeMap<u32, f64> = BTreeMap::new();
        for (r, c, len) in &self.wrapped {
            // Words do not break mid-word, so a wrapped line holds a little less than the width.
            let n = (*len as f64 * 1.15 / (width(*c) - 1.0).max(1.0)).ceil();
            let e = lines.entry(*r).or_insert(1.0);
            *e = e.max(n);
        }
        let f = self.f;
        for (r, c, text) in &self.paragraphs {
            let text = clip(text);
            let span: f64 = (*c..PARAGRAPH_COLS).map(width).sum();
            self.ws
                .merge_range(*r, *c, *r, PARAGRAPH_COLS - 1, text, &f.paragraph)?;
            // Proportional fonts fit a little more than one character per width unit; round
            // up generously so no line is cut off.
            let n = (text.chars().count() as f64 * 1.1 / span).ceil();
            let e = lines.entry(*r).or_insert(1.0);
            *e = e.max(n);
        }
        for (r, n) in lines {
            if n > 1.0 {
                self.ws.set_row_height(r, LINE_HEIGHT * n)?;
            }
        }
        Ok(())
    }
}

/// Whether the report carries answer counts (the analysts' audience).
fn has_counts(r: &Report) -> bool {
    r.overall.counts.is_some()
        || r.sections.iter().any(|s| s.figure.counts.is_some())
        || r.items.iter().any(|i| i.figure.counts.is_some())
}

fn date_cell(s: &mut Sheet<'_>, r: u32, c: u16, d: chrono::NaiveDate) -> Res {
    use chrono::Datelike;
    let f = s.f;
    let cell = ExcelDateTime::from_ymd(
        u16::try_from(d.year()).unwrap_or(1900),
        d.month() as u8,
        d.day() as u8,
    )?;
    s.widen(c, 11);
    s.ws.write_datetime_with_format(r, c, &cell, &f.date)?;
    Ok(())
}

fn section_rows(rows: &[Row]) -> Vec<(String, Plot)> {
    rows.iter()
        .map(|s| {
            let label = if s.number.is_empty() {
                s.label.clone()
            } else {
                format!("{} {}", s.number, s.label)
            };
            (label, Plot::of(&s.figure))
        })
        .collect()
}

fn overview(mut s: Sheet<'_>) -> Res {
    let r = s.r;
    s.caption(0, 0, s.t(title_key(&r.audience)), true)?;
    let mut subtitle = vec![r.round.name.as_str()];
    if !r.round.municipality.is_empty() {
        subtitle.push(&r.round.municipality);
    }
    subtitle.push(s.t(r.audience.label_key()));
    s.caption(2, 0, &subtitle.join(" · "), false)?;

    let mut row = 4;
    let fact = |s: &mut Sheet<'_>, row: &mut u32, key: Option<&str>, value: &str| -> Res {
        if !value.is_empty() {
            if let Some(key) = key {
                let f = s.f;
                s.text_with(*row, 0, s.r.text(key), Some(&f.label))?;
            }
            s.span(*row, 1, value);
            *row += 1;
        }
        Ok(())
    };
    fact(&mut s, &mut row, Some("report-method-kind"), &r.round.kind)?;
    let template = if r.round.template_version.is_empty() {
        r.round.template.clone()
    } else {
        format!("{}, version {}", r.round.template, r.round.template_version)
    };
    fact(&mut s, &mut row, Some("report-method-template"), &template)?;
    fact(
        &mut s,
        &mut row,
        Some("report-method-frame"),
        &r.round.frame,
    )?;
    fact(
        &mut s,
        &mut row,
        Some("report-method-period"),
        &r.round.period,
    )?;
    if let Some(d) = r.round.reference_date {
        s.bold(row, 0, s.t("report-method-reference-date"))?;
        date_cell(&mut s, row, 1, d)?;
        row += 1;
    }
    if r.round.look_back_months > 0 {
        s.bold(row, 0, s.t("report-method-look-back"))?;
        s.int(row, 1, u64::from(r.round.look_back_months))?;
        row += 1;
    }
    s.bold(row, 0, s.t("report-cases"))?;
    s.int(row, 1, r.round.cases)?;
    row += 1;
    s.bold(row, 0, s.t("report-questions"))?;
    s.int(row, 1, r.items.len() as u64)?;
    row += 1;
    if !r.round.levels.is_empty() {
        // A caption: the long label would otherwise widen the column of every label.
        s.caption(row, 0, s.t("report-method-levels"), false)?;
        row += 1;
        for (level, planned, drawn, submitted) in &r.round.levels {
            s.text(row, 0, &format!("{} {level}", s.t("report-level")))?;
            s.int(row, 1, *planned)?;
            s.int(row, 2, *drawn)?;
            s.int(row, 3, *submitted)?;
            row += 1;
        }
    }
    let seed = [r.round.seed.as_deref(), r.round.fingerprint.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" / ");
    fact(&mut s, &mut row, Some("report-method-seed"), &seed)?;
    let generated = format!(
        "{} {} {}",
        r.generated_at.format("%d-%m-%Y %H:%M"),
        s.t("report-generated-by"),
        r.generated_by
    );
    fact(&mut s, &mut row, Some("report-generated"), &generated)?;

    row += 1;
    s.caption(row, 0, s.t("report-method"), false)?;
    row += 1;
    let counting = r.round.counting.label_key();
    fact(
        &mut s,
        &mut row,
        Some("report-method-counting"),
        r.text(&counting),
    )?;
    fact(
        &mut s,
        &mut row,
        Some("report-col-share"),
        r.text("report-method-share"),
    )?;
    fact(&mut s, &mut row, None, r.text("report-method-tests"))?;
    let suppression = if r.threshold.is_some() {
        "report-hidden-note"
    } else {
        "report-no-suppression"
    };
    fact(
        &mut s,
        &mut row,
        Some("report-method-suppression"),
        r.text(suppression),
    )?;

    // Key figures: every ja/nej question, then the best and worst section.
    row += 1;
    s.caption(row, 0, s.t("report-key-figures"), false)?;
    row += 1;
    let mut headers = vec![s.t("report-col-measure").to_owned()];
    headers.extend(s.figure_headers(false));
    let visible: Vec<&Row> = r
        .sections
        .iter()
        .filter(|x| !x.figure.hidden && x.figure.share.is_some())
        .collect();
    let cmp = |a: &&Row, b: &&Row| {
        a.figure
            .share
            .unwrap_or(0.0)
            .total_cmp(&b.figure.share.unwrap_or(0.0))
    };
    let best = visible.iter().copied().max_by(cmp);
    let worst = visible.iter().copied().min_by(cmp);
    let mut key_rows = vec![(s.t("report-overall").to_owned(), &r.overall)];
    if let (Some(b), Some(w)) = (best, worst)
        && visible.len() > 1
    {
        key_rows.push((
            format!("{}: {} {}", s.t("report-best"), b.number, b.label),
            &b.figure,
        ));
        key_rows.push((
            format!("{}: {} {}", s.t("report-worst"), w.number, w.label),
            &w.figure,
        ));
    }
    s.table(row, 0, &headers, key_rows.len())?;
    for (label, fig) in key_rows {
        row += 1;
        s.text(row, 0, &label)?;
        s.figure(row, 1, fig, false)?;
    }

    // Sections with the chart under them.
    row += 2;
    s.caption(row, 0, s.t("report-chart-sections"), false)?;
    let caption = (row, 0);
    row += 1;
    let rows = section_rows(&r.sections);
    let plotted = s.plot_block(
        row,
        0,
        [s.t("report-col-section"), s.t("report-col-share")],
        &rows,
    )?;
    row += rows.len() as u32 + 2;
    if let Some(range) = plotted {
        let alt = s.t("report-chart-sections");
        s.bar_chart(caption, range, 0, (row, 0), alt)?;
    }
    s.finish()
}

fn items(mut s: Sheet<'_>) -> Res {
    let r = s.r;
    let counts = has_counts(r);
    s.caption(0, 0, s.t("report-by-item"), true)?;
    let head = 2;
    let mut headers: Vec<String> = [
        "report-col-number",
        "report-col-section",
        "report-col-question",
    ]
    .iter()
    .map(|k| s.t(k).to_owned())
    .collect();
    headers.extend(s.figure_headers(false));
    headers.push(s.t("report-col-mean").to_owned());
    if counts {
        headers.extend(
            [
                "report-col-ja",
                "report-col-nej",
                "report-col-not-relevant",
                "report-col-cannot-assess",
            ]
            .iter()
            .map(|k| s.t(k).to_owned()),
        );
    }
    let ncols = headers.len() as u16;
    s.table(head, 0, &headers, r.items.len())?;
    let mut row = head;
    for item in &r.items {
        row += 1;
        s.text(row, 0, &item.number)?;
        s.text(row, 1, &r.section_label(&item.section))?;
        s.text(row, 2, &item.text)?;
        s.figure(row, 3, &item.figure, false)?;
        if item.figure.hidden {
            s.mark(row, 7)?;
        } else if let Some(m) = item.figure.mean {
            let f = s.f;
            s.number(row, 7, m, &f.kappa)?;
        }
        if counts {
            if item.figure.hidden {
                for c in 8..12 {
                    s.mark(row, c)?;
                }
            } else if let Some(k) = &item.figure.counts {
                for (i, v) in [
                    k.compliant,
                    k.non_compliant,
                    k.not_relevant,
                    k.cannot_assess,
                ]
                .into_iter()
                .enumerate()
                {
                    s.int(row, 8 + i as u16, v)?;
                }
            }
        }
    }
    s.ws.set_freeze_panes(head + 1, 0)?;

    // Graded questions in long form: one row per question and answer point.
    let graded: Vec<_> = r
        .items
        .iter()
        .filter(|i| matches!(i.kind, ScaleKind::Ordinal | ScaleKind::Score) && !i.points.is_empty())
        .collect();
    if !graded.is_empty() {
        row += 2;
        s.caption(row, 0, s.t("report-graded"), false)?;
        row += 1;
        let mut gh: Vec<String> = [
            "report-col-number",
            "report-col-question",
            "report-col-answer",
            "report-col-n",
            "report-col-distribution",
        ]
        .iter()
        .map(|k| s.t(k).to_owned())
        .collect();
        if counts {
            gh.push(format!(
                "{} – {}",
                s.t("report-col-answer"),
                s.t("report-col-n")
            ));
        }
        let n_rows: usize = graded.iter().map(|i| i.points.len()).sum();
        s.table(row, 0, &gh, n_rows)?;
        for item in graded {
            for (p, label) in item.points.iter().enumerate() {
                row += 1;
                s.text(row, 0, &item.number)?;
                s.text(row, 1, &item.text)?;
                s.text(row, 2, label)?;
                if item.figure.hidden {
                    s.mark(row, 3)?;
                    s.mark(row, 4)?;
                    if counts {
                        s.mark(row, 5)?;
                    }
                    continue;
                }
                match item.figure.n {
                    Some(n) => s.int(row, 3, n)?,
                    None => s.no_data(row, 3)?,
                }
                s.share(row, 4, item.figure.distribution.get(p).copied())?;
                if counts && let Some(v) = item.figure.counts.as_ref().and_then(|k| k.points.get(p))
                {
                    s.int(row, 5, *v)?;
                }
            }
        }
    }

    // The chart of every ja/nej question, to the right of the table.
    let c = ncols + 1;
    s.caption(head - 1, c, s.t("report-chart-items"), false)?;
    let rows: Vec<(String, Plot)> = r
        .items
        .iter()
        .filter(|i| i.kind == ScaleKind::Compliance)
        .map(|i| (i.number.clone(), Plot::of(&i.figure)))
        .collect();
    let plotted = s.plot_block(
        head,
        c,
        [s.t("report-col-number"), s.t("report-col-share")],
        &rows,
    )?;
    if let Some(range) = plotted {
        let alt = s.t("report-chart-items");
        s.bar_chart((head - 1, c), range, c, (head, c + 3), alt)?;
    }
    s.finish()
}

fn sections(mut s: Sheet<'_>) -> Res {
    let r = s.r;
    let counts = has_counts(r);
    s.caption(0, 0, s.t("report-by-section"), true)?;
    let head = 2;
    let mut headers = vec![
        s.t("report-col-number").to_owned(),
        s.t("report-col-section").to_owned(),
    ];
    headers.extend(s.figure_headers(counts));
    s.table(head, 0, &headers, r.sections.len())?;
    let mut row = head;
    for x in &r.sections {
        row += 1;
        s.text(row, 0, &x.number)?;
        s.text(row, 1, &x.label)?;
        s.figure(row, 2, &x.figure, counts)?;
    }
    s.ws.set_freeze_panes(head + 1, 0)?;
    if !r.bearings.is_empty() {
        row += 2;
        s.caption(row, 0, s.t("report-by-bearing"), false)?;
        row += 1;
        let mut headers = vec![s.t("report-col-bearing").to_owned()];
        headers.extend(s.figure_headers(counts));
        s.table(row, 0, &headers, r.bearings.len())?;
        for b in &r.bearings {
            row += 1;
            s.text(row, 0, &b.label)?;
            s.figure(row, 1, &b.figure, counts)?;
        }
    }
    s.finish()
}

fn units(mut s: Sheet<'_>) -> Res {
    let r = s.r;
    s.caption(0, 0, s.t("report-breakdowns"), true)?;
    let mut row = 2;
    if r.breakdowns.is_empty() {
        s.text(row, 0, s.t("report-no-data"))?;
    }
    let f = s.f;
    for b in &r.breakdowns {
        s.caption(row, 0, &b.title, false)?;
        row += 1;
        let mut headers = vec![
            s.t("report-col-number").to_owned(),
            format!(
                "{} / {}",
                s.t("report-col-section"),
                s.t("report-col-question")
            ),
        ];
        for g in &b.groups {
            headers.push(g.clone());
            headers.push(format!("{g} – {}", s.t("report-col-n")));
        }
        s.table(row, 0, &headers, b.rows.len() + 1)?;
        for x in &b.rows {
            row += 1;
            if x.section {
                s.text_with(row, 0, &x.number, Some(&f.bold))?;
                s.text_with(row, 1, &x.label, Some(&f.bold))?;
            } else {
                s.text(row, 0, &x.number)?;
                s.text(row, 1, &x.label)?;
            }
            for (i, cell) in x.cells.iter().enumerate() {
                group_cell(&mut s, row, 2 + 2 * i as u16, cell)?;
            }
        }
        row += 1;
        s.text_with(row, 1, s.t("report-col-total"), Some(&f.bold))?;
        for (i, cell) in b.totals.iter().enumerate() {
            group_cell(&mut s, row, 2 + 2 * i as u16, cell)?;
        }
        row += 2;
    }
    // Each block has its own groups as headers, so the labels stay in view rather than one
    // block's header row.
    s.ws.set_freeze_panes(0, 2)?;
    s.finish()
}

/// A breakdown cell: share, then n.
fn group_cell(s: &mut Sheet<'_>, row: u32, c: u16, cell: &Figure) -> Res {
    if cell.hidden {
        s.mark(row, c)?;
        return s.mark(row, c + 1);
    }
    s.share(row, c, cell.share)?;
    match cell.n {
        Some(n) => s.int(row, c + 1, n),
        None => s.no_data(row, c + 1),
    }
}

fn agreement(mut s: Sheet<'_>) -> Res {
    let r = s.r;
    s.caption(0, 0, s.t("report-agreement"), true)?;
    s.paragraph(2, s.t("report-agreement-intro"));
    let mut row = 4;
    if r.agreement.is_empty() {
        s.text(row, 0, s.t("report-no-data"))?;
    }
    let f = s.f;
    let mut frozen = false;
    for a in &r.agreement {
        s.caption(
            row,
            0,
            &format!("{} {}–{}", s.t("report-level"), a.lower, a.upper),
            false,
        )?;
        row += 1;
        let headers: Vec<String> = [
            "report-col-number",
            "report-col-question",
            "report-col-n",
            "report-col-agreement",
            "report-col-kappa",
            "report-col-se",
            "report-col-weighted",
        ]
        .iter()
        .map(|k| s.t(k).to_owned())
        .collect();
        // The questions, then the pair's overall figures as the table's last row.
        s.table(row, 0, &headers, a.rows.len() + 1)?;
        if !frozen {
            s.ws.set_freeze_panes(row + 1, 0)?;
            frozen = true;
        }
        for x in &a.rows {
            row += 1;
            s.text(row, 0, &x.number)?;
            s.text(row, 1, &x.text)?;
            if x.hidden {
                for c in 2..6 {
                    s.mark(row, c)?;
                }
            } else {
                match x.n {
                    Some(n) => s.int(row, 2, n)?,
                    None => s.no_data(row, 2)?,
                }
                agreement_figures(&mut s, row, x.percent, x.kappa, x.se)?;
            }
            let weighted = if x.weighted {
                "report-col-ja"
            } else {
                "report-col-nej"
            };
            s.text(row, 6, s.t(weighted))?;
        }
        row += 1;
        s.text_with(row, 1, s.t("report-col-total"), Some(&f.bold))?;
        s.int(row, 2, a.cases)?;
        agreement_figures(&mut s, row, a.percent, a.kappa, a.se)?;
        row += 3;
    }
    s.finish()
}

/// Agreement, kappa and its standard error in columns 3–5.
fn agreement_figures(
    s: &mut Sheet<'_>,
    row: u32,
    percent: Option<f64>,
    kappa: Option<f64>,
    se: Option<f64>,
) -> Res {
    let f = s.f;
    s.share(row, 3, percent)?;
    for (c, v) in [(4, kappa), (5, se)] {
        match v {
            Some(v) => s.number(row, c, v, &f.kappa)?,
            None => s.no_data(row, c)?,
        }
    }
    Ok(())
}

/// ▲ or ▼ for a significant change, nothing otherwise.
fn arrow(c: &TrendChange) -> &'static str {
    match (c.significant, c.diff > 0.0) {
        (false, _) => "",
        (true, true) => "▲",
        (true, false) => "▼",
    }
}

fn trends(mut s: Sheet<'_>) -> Res {
    let r = s.r;
    s.caption(0, 0, s.t("report-trends"), true)?;
    let Some(t) = &r.trends else {
        s.text(2, 0, s.t("report-no-data"))?;
        return s.finish();
    };
    s.paragraph(2, s.t("report-trends-intro"));
    s.paragraph(3, s.t("report-significant-note"));
    let f = s.f;
    let now = s.t("report-now");
    let previous = t.rounds.len().checked_sub(1);
    // With one earlier round that is the baseline, both comparisons are the same one.
    let comparisons: Vec<(&str, bool)> = match (t.baseline, previous) {
        (Some(b), Some(p)) if b == p => vec![(s.t("report-baseline"), true)],
        (Some(_), Some(_)) => vec![
            (s.t("report-baseline"), true),
            (s.t("report-previous"), false),
        ],
        (None, Some(_)) => vec![(s.t("report-previous"), false)],
        _ => vec![],
    };

    // Questions.
    let mut row = 5;
    let mut headers = vec![
        s.t("report-col-number").to_owned(),
        s.t("report-col-question").to_owned(),
    ];
    headers.extend(t.rounds.iter().map(|x| x.name.clone()));
    headers.push(now.to_owned());
    headers.push(format!("{now} – {}", s.t("report-col-n")));
    for (label, _) in &comparisons {
        headers.push(format!("{} – {label}", s.t("report-col-change")));
        headers.push(format!("{} – {label}", s.t("report-col-p")));
        headers.push(format!("{} – {label}", s.t("report-significant")));
    }
    s.table(row, 0, &headers, t.rows.len())?;
    s.ws.set_freeze_panes(row + 1, 0)?;
    for x in &t.rows {
        row += 1;
        s.text(row, 0, &x.number)?;
        s.text(row, 1, &x.text)?;
        let mut c = 2;
        for h in &x.history {
            match h {
                Some(fig) if fig.hidden => s.mark(row, c)?,
                Some(fig) => s.share(row, c, fig.share)?,
                None => s.no_data(row, c)?,
            }
            c += 1;
        }
        if x.now.hidden {
            s.mark(row, c)?;
            s.mark(row, c + 1)?;
        } else {
            s.share(row, c, x.now.share)?;
            match x.now.n {
                Some(n) => s.int(row, c + 1, n)?,
                None => s.no_data(row, c + 1)?,
            }
        }
        c += 2;
        for (_, baseline) in &comparisons {
            let change = if *baseline {
                &x.vs_baseline
            } else {
                &x.vs_previous
            };
            match change {
                Some(ch) => {
                    s.number(row, c, ch.diff * 100.0, &f.points)?;
                    s.number(row, c + 1, ch.p_value, &f.p_value)?;
                    s.text(row, c + 2, arrow(ch))?;
                }
                None => {
                    // A hidden side leaves no change to publish.
                    let hidden = x.now.hidden || x.history.iter().flatten().any(|h| h.hidden);
                    for k in 0..3 {
                        if hidden {
                            s.mark(row, c + k)?;
                        } else {
                            s.no_data(row, c + k)?;
                        }
                    }
                }
            }
            c += 3;
        }
    }

    // Sections: per earlier round the share then and now over the questions both had.
    row += 2;
    s.caption(row, 0, s.t("report-by-section"), false)?;
    row += 1;
    let mut headers = vec![
        s.t("report-col-number").to_owned(),
        s.t("report-col-section").to_owned(),
    ];
    for x in &t.rounds {
        headers.push(x.name.clone());
        headers.push(format!("{now} ({})", x.name));
    }
    s.table(row, 0, &headers, t.sections.len())?;
    for x in &t.sections {
        row += 1;
        s.text(row, 0, &x.number)?;
        s.text(row, 1, &x.label)?;
        for (i, h) in x.history.iter().enumerate() {
            let c = 2 + 2 * i as u16;
            match h {
                Some((then, now)) => {
                    for (k, fig) in [then, now].into_iter().enumerate() {
                        if fig.hidden {
                            s.mark(row, c + k as u16)?;
                        } else {
                            s.share(row, c + k as u16, fig.share)?;
                        }
                    }
                }
                None => {
                    s.no_data(row, c)?;
                    s.no_data(row, c + 1)?;
                }
            }
        }
    }

    // The rounds compared with.
    row += 2;
    s.caption(row, 0, s.t("report-col-round"), false)?;
    row += 1;
    let headers: Vec<String> = [
        "report-col-round",
        "report-method-reference-date",
        "report-baseline",
        "report-method-template",
        "report-questions",
    ]
    .iter()
    .map(|k| s.t(k).to_owned())
    .collect();
    s.table(row, 0, &headers, t.rounds.len())?;
    for x in &t.rounds {
        row += 1;
        s.text(row, 0, &x.name)?;
        date_cell(&mut s, row, 1, x.reference_date)?;
        if x.baseline {
            s.text(row, 2, s.t("report-col-ja"))?;
        }
        let template = if x.other_template {
            format!("{} ({})", x.template, s.t("report-other-template"))
        } else {
            x.template.clone()
        };
        s.text(row, 3, &template)?;
        s.int(row, 4, x.matched as u64)?;
    }

    // The line chart: one line per section over the rounds. A section with a hidden point
    // gets no line (a hidden share must not be drawn as zero); its row still shows the mark.
    if !t.rounds.is_empty() && !t.sections.is_empty() {
        row += 2;
        s.caption(row, 0, s.t("report-chart-trend"), false)?;
        let caption = (row, 0);
        row += 1;
        let head = row;
        let mut headers = vec![s.t("report-col-section").to_owned()];
        headers.extend(t.rounds.iter().map(|x| x.name.clone()));
        headers.push(now.to_owned());
        s.table(head, 0, &headers, t.sections.len())?;
        let mut lines = vec![];
        for x in &t.sections {
            row += 1;
            s.text(row, 0, &format!("{} {}", x.number, x.label))?;
            let mut whole = true;
            for (i, h) in x.history.iter().enumerate() {
                match h {
                    Some((then, _)) if then.hidden => {
                        s.mark(row, 1 + i as u16)?;
                        whole = false;
                    }
                    Some((then, _)) => s.share(row, 1 + i as u16, then.share)?,
                    // Not asked then: an empty cell, which the chart shows as a gap.
                    None => {}
                }
            }
            // This round over the questions it shares with the latest comparable round.
            let latest = x.history.iter().rev().flatten().next();
            let c = 1 + t.rounds.len() as u16;
            match latest {
                Some((_, n)) if n.hidden => {
                    s.mark(row, c)?;
                    whole = false;
                }
                Some((_, n)) => s.share(row, c, n.share)?,
                None => {}
            }
            if whole && latest.is_some() {
                lines.push(row);
            }
        }
        if !lines.is_empty() {
            let name = s.name.clone();
            let last = t.rounds.len() as u16 + 1;
            let mut chart = Chart::new_line();
            for l in &lines {
                chart
                    .add_series()
                    .set_categories((name.as_str(), head, 1, head, last))
                    .set_values((name.as_str(), *l, 1, *l, last))
                    .set_name((name.as_str(), *l, 0))
                    .set_marker(ChartMarker::new().set_automatic());
            }
            chart
                .title()
                .set_name((name.as_str(), caption.0, caption.1));
            chart
                .y_axis()
                .set_num_format(PERCENT_AXIS)
                .set_min(0.0)
                .set_max(1.0);
            chart.set_alt_text(s.t("report-chart-trend"));
            chart.set_width(720).set_height(360);
            s.ws.insert_chart(row + 2, 0, &chart)?;
        }
    }
    s.finish()
}

fn raw_answers(mut s: Sheet<'_>) -> Res {
    let r = s.r;
    s.caption(0, 0, s.t("report-sheet-raw"), true)?;
    s.paragraph(2, s.t("report-raw-note"));
    let head = 4;
    let headers: Vec<String> = [
        "report-col-case",
        "report-col-case-type",
        "report-col-unit",
        "report-level",
        "report-col-number",
        "report-col-value",
        "report-col-remark",
        "report-col-counted",
    ]
    .iter()
    .map(|k| s.t(k).to_owned())
    .collect();
    s.table(head, 0, &headers, r.raw.len())?;
    let mut row = head;
    for a in &r.raw {
        row += 1;
        s.text(row, 0, &a.case)?;
        s.text(row, 1, &a.case_type)?;
        s.text(row, 2, &a.unit)?;
        s.int(row, 3, u64::from(a.level))?;
        s.text(row, 4, &a.number)?;
        s.text(row, 5, &a.value)?;
        s.text(row, 6, &a.remark)?;
        if a.counted {
            s.text(row, 7, s.t("report-col-ja"))?;
        }
    }
    s.ws.set_freeze_panes(head + 1, 0)?;
    s.finish()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests {
    use super::*;
    use crate::sample;
    use calamine::{Data, Range, Reader, Xlsx};
    use std::io::{Cursor, Read};
    use tilsyn_domain::report::RawAnswer;

    /// The report's texts replaced by the Danish message catalogue, for files a person looks
    /// at (the sample's own texts are the bare keys).
    pub(crate) fn danish(report: &mut Report) {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../web/locales/da");
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for line in text.lines() {
                let Some((key, value)) = line.split_once(" = ") else {
                    continue;
                };
                if let Some(t) = report.texts.get_mut(key.trim()) {
                    *t = value.replace("{ $threshold }", "5");
                }
            }
        }
    }

    fn book(bytes: &[u8]) -> Xlsx<Cursor<Vec<u8>>> {
        Xlsx::new(Cursor::new(bytes.to_vec())).unwrap()
    }

    fn sheet(bytes: &[u8], name: &str) -> Range<Data> {
        book(bytes).worksheet_range(name).unwrap()
    }

    fn at(range: &Range<Data>, r: u32, c: u32) -> Data {
        range.get_value((r, c)).cloned().unwrap_or(Data::Empty)
    }

    fn number(d: &Data) -> f64 {
        match d {
            Data::Float(x) => *x,
            Data::Int(x) => *x as f64,
            other => panic!("not a number: {other:?}"),
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    fn name(r: &Report, key: &str) -> String {
        sheet_name(r.text(key))
    }

    /// The part names in a zip package.
    pub(crate) fn parts(bytes: &[u8]) -> Vec<String> {
        let zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).unwrap();
        zip.file_names().map(|n| n.unwrap().into_owned()).collect()
    }

    pub(crate) fn part(bytes: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).unwrap();
        let mut s = String::new();
        zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
        s
    }

    #[test]
    fn sheets_of_a_committee_report_and_no_raw_answers() {
        let r = sample::report(Audience::Committee);
        let bytes = analysis_workbook(&r).unwrap();
        let names = book(&bytes).sheet_names();
        let want: Vec<String> = [
            "report-sheet-overview",
            "report-sheet-items",
            "report-sheet-sections",
            "report-sheet-units",
            "report-sheet-agreement",
            "report-sheet-trends",
        ]
        .iter()
        .map(|k| name(&r, k))
        .collect();
        assert_eq!(names, want);
        assert!(!names.contains(&name(&r, "report-sheet-raw")));
        // Native charts: sections on the overview, questions, and the trend lines.
        let charts = parts(&bytes)
            .into_iter()
            .filter(|p| p.starts_with("xl/charts/chart"))
            .count();
        assert_eq!(charts, 3);
    }

    #[test]
    fn figures_read_back_as_in_the_report() {
        let r = sample::report(Audience::Analyst);
        let bytes = analysis_workbook(&r).unwrap();

        let sec = sheet(&bytes, &name(&r, "report-sheet-sections"));
        assert_eq!(
            at(&sec, 2, 1),
            Data::String(r.text("report-col-section").into())
        );
        for (i, s) in r.sections.iter().enumerate() {
            let row = 3 + i as u32;
            assert_eq!(at(&sec, row, 1), Data::String(s.label.clone()));
            assert_eq!(number(&at(&sec, row, 2)), s.figure.n.unwrap() as f64);
            assert!(close(number(&at(&sec, row, 3)), s.figure.share.unwrap()));
            assert!(close(number(&at(&sec, row, 4)), s.figure.low.unwrap()));
            assert!(close(number(&at(&sec, row, 5)), s.figure.high.unwrap()));
            let k = s.figure.counts.as_ref().unwrap();
            assert_eq!(number(&at(&sec, row, 6)), k.compliant as f64);
            assert_eq!(number(&at(&sec, row, 7)), k.non_compliant as f64);
        }

        let items = sheet(&bytes, &name(&r, "report-sheet-items"));
        for (i, item) in r.items.iter().enumerate() {
            let row = 3 + i as u32;
            assert_eq!(at(&items, row, 0), Data::String(item.number.clone()));
            assert_eq!(at(&items, row, 2), Data::String(item.text.clone()));
            if let Some(share) = item.figure.share {
                assert!(close(number(&at(&items, row, 4)), share));
            }
            if let Some(mean) = item.figure.mean {
                assert!(close(number(&at(&items, row, 7)), mean));
            }
        }

        // The overview: the overall figure is the first key figure; the first section heads
        // the chart's table.
        let ov = sheet(&bytes, &name(&r, "report-sheet-overview"));
        let cells: Vec<(usize, usize, Data)> =
            ov.cells().map(|(a, b, d)| (a, b, d.clone())).collect();
        let find = |text: &str| {
            cells
                .iter()
                .find(|(_, _, d)| *d == Data::String(text.into()))
                .map(|(a, b, _)| (*a as u32 + ov.start().unwrap().0, *b as u32))
                .unwrap()
        };
        let (row, _) = find(r.text("report-overall"));
        assert!(close(number(&at(&ov, row, 2)), r.overall.share.unwrap()));
        let first = format!("{} {}", r.sections[0].number, r.sections[0].label);
        let (row, col) = find(&first);
        assert!(close(
            number(&at(&ov, row, col + 1)),
            r.sections[0].figure.share.unwrap()
        ));

        // Breakdowns: one block per dimension, titled by the breakdown.
        let units = sheet(&bytes, &name(&r, "report-sheet-units"));
        let b = &r.breakdowns[0];
        assert_eq!(at(&units, 2, 0), Data::String(b.title.clone()));
        assert_eq!(at(&units, 3, 2), Data::String(b.groups[0].clone()));
        let cell = &b.rows[0].cells[0];
        assert!(close(number(&at(&units, 4, 2)), cell.share.unwrap()));
        assert_eq!(number(&at(&units, 4, 3)), cell.n.unwrap() as f64);

        // Agreement: the first pair's worst question first.
        let ag = sheet(&bytes, &name(&r, "report-sheet-agreement"));
        let a = &r.agreement[0];
        let first = &a.rows[0];
        assert_eq!(at(&ag, 6, 1), Data::String(first.text.clone()));
        assert!(close(number(&at(&ag, 6, 4)), first.kappa.unwrap()));
        let total = 6 + a.rows.len() as u32;
        assert_eq!(
            at(&ag, total, 1),
            Data::String(r.text("report-col-total").into())
        );
        assert_eq!(number(&at(&ag, total, 2)), a.cases as f64);
        assert!(close(number(&at(&ag, total, 4)), a.kappa.unwrap()));

        // Trends: the current share and the p-value against the baseline.
        let tr = sheet(&bytes, &name(&r, "report-sheet-trends"));
        let t = r.trends.as_ref().unwrap();
        let x = &t.rows[0];
        let now_col = 2 + t.rounds.len() as u32;
        assert!(close(number(&at(&tr, 6, now_col)), x.now.share.unwrap()));
        let change = x.vs_baseline.as_ref().unwrap();
        assert!(close(number(&at(&tr, 6, now_col + 2)), change.diff * 100.0));
        assert!(close(number(&at(&tr, 6, now_col + 3)), change.p_value));
    }

    /// Hides a section, a question and a breakdown cell the way suppression does (a hidden
    /// figure has no numbers left) and checks that only the mark is written there.
    #[test]
    fn hidden_figures_show_the_mark_and_no_number() {
        let mut r = sample::report(Audience::Analyst);
        let secret = r.sections[0].figure.clone();
        let key = r.sections[0].key.clone();
        r.sections[0].figure = Figure {
            hidden: true,
            ..Figure::default()
        };
        r.items[0].figure = r.sections[0].figure.clone();
        // A dimension with a single group repeats the round's figure: hidden there too, as
        // suppression's lines would.
        let hidden = r.sections[0].figure.clone();
        for b in &mut r.breakdowns {
            for row in b.rows.iter_mut().filter(|x| x.key == key) {
                for cell in &mut row.cells {
                    if cell.share == secret.share {
                        *cell = hidden.clone();
                    }
                }
            }
        }
        r.breakdowns[0].rows[0].cells[0] = hidden;
        // The trend table's section history holds the same figure for this round.
        if let Some(t) = &mut r.trends {
            for s in t.sections.iter_mut().filter(|s| s.key == key) {
                for (_, now) in s.history.iter_mut().flatten() {
                    *now = Figure {
                        hidden: true,
                        ..Figure::default()
                    };
                }
            }
        }
        let bytes = analysis_workbook(&r).unwrap();
        let mark = Data::String(r.text("report-hidden-mark").into());
        let note = Data::String(r.text("report-hidden-note").into());

        let sec = sheet(&bytes, &name(&r, "report-sheet-sections"));
        for c in 2..10 {
            assert_eq!(at(&sec, 3, c), mark, "column {c}");
        }
        assert_eq!(at(&sec, 1, 0), note);
        let items = sheet(&bytes, &name(&r, "report-sheet-items"));
        for c in 3..12 {
            assert_eq!(at(&items, 3, c), mark, "column {c}");
        }
        let units = sheet(&bytes, &name(&r, "report-sheet-units"));
        assert_eq!(at(&units, 4, 2), mark);
        assert_eq!(at(&units, 4, 3), mark);
        assert_eq!(at(&units, 1, 0), note);

        // The secret share is nowhere in the workbook, and the sheets without a mark carry no
        // note.
        let mut wb = book(&bytes);
        for n in wb.sheet_names() {
            let range = wb.worksheet_range(&n).unwrap();
            let has_mark = range.used_cells().any(|(_, _, d)| *d == mark);
            assert_eq!(at(&range, 1, 0) == note, has_mark, "sheet {n}");
            for (_, _, d) in range.used_cells() {
                if let Data::Float(x) = d {
                    assert!(!close(*x, secret.share.unwrap()), "sheet {n}: {x}");
                }
            }
        }
    }

    #[test]
    fn a_committee_report_marks_each_hidden_cell() {
        let r = sample::report(Audience::Committee);
        let bytes = analysis_workbook(&r).unwrap();
        let mark = Data::String(r.text("report-hidden-mark").into());
        let units = sheet(&bytes, &name(&r, "report-sheet-units"));
        let hidden: usize = r
            .breakdowns
            .iter()
            .map(|b| {
                b.rows
                    .iter()
                    .flat_map(|x| &x.cells)
                    .chain(&b.totals)
                    .filter(|f| f.hidden)
                    .count()
            })
            .sum();
        // Each hidden cell is a share and an n.
        let marks = units.used_cells().filter(|(_, _, d)| **d == mark).count();
        assert_eq!(marks, 2 * hidden);
        // No counts in a committee report: the items table ends with the mean.
        let items = sheet(&bytes, &name(&r, "report-sheet-items"));
        assert_eq!(at(&items, 2, 8), Data::Empty);
        assert_eq!(
            at(&items, 2, 7),
            Data::String(r.text("report-col-mean").into())
        );
    }

    #[test]
    fn formula_like_text_stays_text() {
        let mut r = sample::report(Audience::Analyst);
        let evil = [
            "=HYPERLINK(\"http://x\",\"klik\")",
            "+1+1",
            "-2+3",
            "@SUM(A1:A2)",
            "=cmd|' /C calc'!A0",
        ];
        for (i, e) in evil.iter().enumerate() {
            r.items[i].text = (*e).to_owned();
            r.items[i].number = (*e).to_owned();
        }
        r.sections[0].label = evil[0].to_owned();
        r.breakdowns[0].groups[0] = evil[4].to_owned();
        r.round.name = evil[3].to_owned();
        r.raw = vec![RawAnswer {
            case: evil[1].into(),
            case_type: evil[2].into(),
            unit: evil[3].into(),
            level: 1,
            item: "1.1".into(),
            number: evil[0].into(),
            value: evil[4].into(),
            remark: evil[0].into(),
            counted: true,
        }];
        let bytes = analysis_workbook(&r).unwrap();
        let mut wb = book(&bytes);
        for n in wb.sheet_names() {
            let formulas = wb.worksheet_formula(&n).unwrap();
            assert!(
                formulas.used_cells().all(|(_, _, f)| f.is_empty()),
                "formula on {n}"
            );
        }
        let items = sheet(&bytes, &name(&r, "report-sheet-items"));
        for (i, e) in evil.iter().enumerate() {
            assert_eq!(at(&items, 3 + i as u32, 2), Data::String((*e).to_owned()));
        }
        let units = sheet(&bytes, &name(&r, "report-sheet-units"));
        assert_eq!(at(&units, 3, 2), Data::String(evil[4].to_owned()));
        let raw = sheet(&bytes, &name(&r, "report-sheet-raw"));
        assert_eq!(
            at(&raw, 2, 0),
            Data::String(r.text("report-raw-note").into())
        );
        for (c, e) in [(0, 1), (1, 2), (2, 3), (5, 4), (6, 0)] {
            assert_eq!(at(&raw, 5, c), Data::String(evil[e].to_owned()));
        }
        // No formula element in any sheet part.
        for p in parts(&bytes)
            .iter()
            .filter(|p| p.starts_with("xl/worksheets/"))
        {
            assert!(!part(&bytes, p).contains("<f>"), "{p}");
        }
    }

    #[test]
    fn sheet_names_are_valid_and_unique() {
        assert_eq!(sheet_name("Pr. sagsskridt"), "Pr. sagsskridt");
        assert_eq!(sheet_name("a/b:c*d?[e]\\f"), "a b c d  e  f");
        assert_eq!(sheet_name("'quoted'"), "quoted");
        assert_eq!(sheet_name(""), "Ark");
        assert_eq!(sheet_name(&"x".repeat(40)).chars().count(), 31);
        let mut seen = HashSet::new();
        assert_eq!(unique_name("Ark", &mut seen), "Ark");
        assert_eq!(unique_name("ARK", &mut seen), "ARK (2)");
        assert_eq!(
            unique_headers(&["a".into(), "A".into(), "".into()]),
            vec!["a", "A (2)", "–"]
        );
    }

    /// Writes the sample workbooks with Danish texts to `$TILSYN_SAMPLE_DIR`, for opening in a
    /// spreadsheet program; does nothing without it.
    #[test]
    fn write_samples_for_a_look() {
        let Ok(dir) = std::env::var("TILSYN_SAMPLE_DIR") else {
            return;
        };
        for (audience, file) in [
            (Audience::Committee, "analyse-udvalg.xlsx"),
            (Audience::Analyst, "analyse-analytiker.xlsx"),
        ] {
            let mut r = sample::report(audience);
            danish(&mut r);
            let bytes = analysis_workbook(&r).unwrap();
            let path = std::path::Path::new(&dir).join(file);
            std::fs::write(&path, bytes).unwrap();
            let json = serde_json::to_vec_pretty(&r).unwrap();
            std::fs::write(path.with_extension("json"), json).unwrap();
        }
        // The committee's sample has no small cells; this one hides a few to show the marks.
        let mut r = sample::report(Audience::Committee);
        danish(&mut r);
        let hidden = Figure {
            hidden: true,
            ..Figure::default()
        };
        r.sections[1].figure = hidden.clone();
        r.items[2].figure = hidden.clone();
        r.breakdowns[1].rows[3].cells[1] = hidden.clone();
        if let Some(t) = &mut r.trends {
            t.rows[2].now = hidden;
            t.rows[2].vs_baseline = None;
        }
        let bytes = analysis_workbook(&r).unwrap();
        std::fs::write(
            std::path::Path::new(&dir).join("analyse-skjult.xlsx"),
            bytes,
        )
        .unwrap();
    }
}
