//! The committee report as a Word document: the content of the committee PDF with real Word
//! tables, heading styles and the charts as images, for a municipality that edits the report on.

use crate::ReportError;
use crate::fmt::Fmt;
use docx_rs::{
    AbstractNumbering, AlignmentType, BreakType, Docx, Footer, IndentLevel, Level, LevelJc,
    LevelText, LineSpacing, NumberFormat, Numbering, NumberingId, PageMargin, PageNum, Paragraph,
    Pic, Run, RunFonts, Shading, SpecialIndentType, Start, Style, StyleType, Table, TableCell,
    TableRow, WidthType,
};
use std::sync::{Arc, LazyLock};
use tilsyn_domain::numfmt;
use tilsyn_domain::report::{Audience, Breakdown, Figure, ItemRow, Report};
use tilsyn_domain::template::ScaleKind;

/// A4 in twentieths of a point, with 2 cm margins.
const PAGE_W: u32 = 11_906;
const PAGE_H: u32 = 16_838;
const MARGIN: i32 = 1_134;
const TEXT_W: usize = (PAGE_W as usize) - 2 * (MARGIN as usize);
/// English Metric Units per twentieth of a point.
const EMU_PER_TWIP: u32 = 635;
/// Charts are rasterised at twice their SVG size, so they stay sharp when printed.
const RASTER_SCALE: f32 = 2.0;
/// Font sizes in half-points.
const BODY: usize = 21;
const TABLE_TEXT: usize = 17;
const SMALL: usize = 15;
/// The bullet list for best and worst sections; docx-rs writes a default list with id 1.
const BULLETS: usize = 2;
/// The tallest image that fits a page under its caption.
const IMAGE_MAX_H: usize = (PAGE_H as usize) - 2 * (MARGIN as usize) - 1_400;

/// The charts of [`crate::svg::charts`] as PNG images with their alt text, for
/// [`committee_docx`]. The SVG text is set in the fonts typst-assets embeds (Libertinus Serif,
/// the PDF's font too), never in fonts of the machine, so every server draws the same image.
pub fn chart_pngs(report: &Report) -> Result<Vec<(String, Vec<u8>)>, ReportError> {
    crate::svg::charts(report)
        .into_iter()
        .map(|c| Ok((c.alt, rasterise(&c.svg)?)))
        .collect()
}

/// Parsing the embedded fonts is the slow part; it is done once per process.
static FONTS: LazyLock<Arc<resvg::usvg::fontdb::Database>> = LazyLock::new(|| {
    let mut db = resvg::usvg::fontdb::Database::new();
    for data in typst_assets::fonts() {
        db.load_font_source(resvg::usvg::fontdb::Source::Binary(Arc::new(data)));
    }
    // The charts ask for the generic families; typst-assets has no sans-serif face, and the
    // PDF sets its text in Libertinus Serif, so the images match it.
    db.set_sans_serif_family("Libertinus Serif");
    db.set_serif_family("Libertinus Serif");
    Arc::new(db)
});

fn rasterise(svg: &str) -> Result<Vec<u8>, ReportError> {
    let opt = resvg::usvg::Options {
        font_family: "Libertinus Serif".to_owned(),
        fontdb: FONTS.clone(),
        ..resvg::usvg::Options::default()
    };
    let tree =
        resvg::usvg::Tree::from_str(svg, &opt).map_err(|e| ReportError::Image(e.to_string()))?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(RASTER_SCALE)
        .ok_or_else(|| ReportError::Image("chart size out of range".to_owned()))?;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| ReportError::Image("empty chart".to_owned()))?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(RASTER_SCALE, RASTER_SCALE),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| ReportError::Image(e.to_string()))
}

/// Width and height of a PNG from its header.
fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    const SIGNATURE: [u8; 8] = [137, 80, 78, 71, 13, 10, 26, 10];
    if png.len() < 24 || png[..8] != SIGNATURE || &png[12..16] != b"IHDR" {
        return None;
    }
    let w = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
    let h = u32::from_be_bytes([png[20], png[21], png[22], png[23]]);
    (w > 0 && h > 0).then_some((w, h))
}

/// The committee report (also for management and analysts) as DOCX: front page, summary,
/// the charts (`charts`: alt text and PNG, as from [`chart_pngs`]), the tables and the method.
pub fn committee_docx(
    report: &Report,
    charts: &[(String, Vec<u8>)],
) -> Result<Vec<u8>, ReportError> {
    let f = Fmt {
        r: report,
        en: report.english,
    };
    let mut d = Doc {
        docx: base(&f),
        alts: vec![],
    };
    front_page(&mut d, &f);
    summary(&mut d, &f);
    if !charts.is_empty() {
        d.heading(1, &f.t("report-charts"));
        // The images carry no title; the captions are the titles of the report's own charts,
        // found by their alt text.
        let titles = crate::svg::charts(report);
        for (alt, png) in charts {
            let title = titles
                .iter()
                .find(|c| &c.alt == alt)
                .map(|c| c.title.as_str());
            d.chart(title, alt, png)?;
        }
    }
    d.heading(1, &f.t("report-by-section"));
    d.table(sections(&f));
    if !report.bearings.is_empty() {
        d.heading(1, &f.t("report-by-bearing"));
        d.table(bearings(&f));
    }
    d.heading(1, &f.t("report-by-item"));
    d.table(items(&f));
    if let Some(t) = graded(&f) {
        d.heading(1, &f.t("report-graded"));
        d.table(t);
    }
    if !report.breakdowns.is_empty() {
        d.heading(1, &f.t("report-breakdowns"));
        for b in &report.breakdowns {
            d.heading(2, &b.title);
            d.table(breakdown(&f, b));
        }
    }
    agreement(&mut d, &f);
    trends(&mut d, &f);
    follow_up(&mut d, &f);
    references(&mut d, &f);
    method(&mut d, &f);
    d.finish(report)
}

fn title_key(a: &Audience) -> &'static str {
    match a {
        Audience::Committee => "report-title-committee",
        Audience::Management => "report-title-management",
        Audience::Analyst => "report-title-analyst",
        Audience::Caseworker { .. } => "report-title-caseworker",
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Plain,
    /// A total or a section row: bold.
    Strong,
    /// A heading row over the whole table (the section of the questions under it).
    Group,
}

/// A table before it becomes Word XML: relative column widths, which columns hold numbers
/// (right-aligned), cells as lines of text.
struct Grid {
    widths: Vec<usize>,
    right: Vec<bool>,
    header: Vec<String>,
    rows: Vec<(Kind, Vec<Vec<String>>)>,
    hidden: bool,
    note: Option<String>,
    size: usize,
}

impl Grid {
    /// `cols`: per column its relative width and whether it holds numbers.
    fn new(cols: &[(usize, bool)], header: Vec<String>) -> Grid {
        Grid {
            widths: cols.iter().map(|c| c.0).collect(),
            right: cols.iter().map(|c| c.1).collect(),
            header,
            rows: vec![],
            hidden: false,
            note: None,
            size: TABLE_TEXT,
        }
    }

    fn row(&mut self, cells: Vec<String>) {
        self.rows
            .push((Kind::Plain, cells.into_iter().map(|c| vec![c]).collect()));
    }

    fn lines(&mut self, kind: Kind, cells: Vec<Vec<String>>) {
        self.rows.push((kind, cells));
    }

    fn strong(&mut self, cells: Vec<String>) {
        self.rows
            .push((Kind::Strong, cells.into_iter().map(|c| vec![c]).collect()));
    }

    fn group(&mut self, label: String) {
        self.rows.push((Kind::Group, vec![vec![label]]));
    }
}

/// The document being built, and the alt texts of its images in order (docx-rs writes no alt
/// text; [`Doc::finish`] adds them).
struct Doc {
    docx: Docx,
    alts: Vec<String>,
}

impl Doc {
    fn add(&mut self, p: Paragraph) {
        let docx = std::mem::take(&mut self.docx);
        self.docx = docx.add_paragraph(p);
    }

    fn heading(&mut self, level: usize, text: &str) {
        self.add(
            Paragraph::new()
                .style(&format!("Heading{level}"))
                .keep_next(true)
                .add_run(Run::new().add_text(text)),
        );
    }

    fn text(&mut self, text: &str) {
        self.add(Paragraph::new().add_run(Run::new().add_text(text)));
    }

    fn small(&mut self, text: &str) {
        self.add(Paragraph::new().add_run(Run::new().add_text(text).size(SMALL)));
    }

    fn bullets(&mut self, items: &[String]) {
        for i in items {
            self.add(
                Paragraph::new()
                    .numbering(NumberingId::new(BULLETS), IndentLevel::new(0))
                    .add_run(Run::new().add_text(i)),
            );
        }
    }

    /// Label and value pairs as a two-column table.
    fn facts(&mut self, f: &Fmt<'_>, rows: Vec<(String, Vec<String>)>) {
        let mut g = Grid::new(
            &[(2, false), (3, false)],
            vec![f.t("report-col-measure"), f.t("report-col-value")],
        );
        g.size = BODY - 2;
        for (label, value) in rows {
            g.lines(Kind::Plain, vec![vec![label], value]);
        }
        self.table(g);
    }

    fn chart(&mut self, title: Option<&str>, alt: &str, png: &[u8]) -> Result<(), ReportError> {
        let (w, h) =
            png_size(png).ok_or_else(|| ReportError::Image("chart is not a PNG".to_owned()))?;
        if let Some(title) = title {
            self.add(
                Paragraph::new()
                    .style("Caption")
                    .keep_next(true)
                    .add_run(Run::new().add_text(title)),
            );
        }
        // The text width, or less for a tall chart, so the image fits one page.
        let mut tw = TEXT_W as u64;
        let mut th = tw * u64::from(h) / u64::from(w);
        if th > IMAGE_MAX_H as u64 {
            tw = tw * IMAGE_MAX_H as u64 / th;
            th = IMAGE_MAX_H as u64;
        }
        let width = (tw as u32) * EMU_PER_TWIP;
        let height = (th as u32) * EMU_PER_TWIP;
        let pic = Pic::new_with_dimensions(png.to_vec(), w, h).size(width, height);
        self.alts.push(alt.to_owned());
        self.add(
            Paragraph::new()
                .align(AlignmentType::Center)
                .add_run(Run::new().add_image(pic)),
        );
        Ok(())
    }

    fn table(&mut self, g: Grid) {
        let total: usize = g.widths.iter().sum::<usize>().max(1);
        let widths: Vec<usize> = g.widths.iter().map(|w| TEXT_W * w / total).collect();
        let ncols = widths.len();
        let para = |text: &str, right: bool, bold: bool| {
            let mut run = Run::new().add_text(text).size(g.size);
            if bold {
                run = run.bold();
            }
            let p = Paragraph::new().add_run(run);
            if right {
                p.align(AlignmentType::Right)
            } else {
                p
            }
        };
        let shade = || Shading::new().fill("E7EEF5");
        // The header row is marked with `cantSplit`; finish() adds Word's repeat-header flag
        // next to it, which docx-rs cannot write.
        let header = TableRow::new(
            g.header
                .iter()
                .zip(&widths)
                .zip(&g.right)
                .map(|((h, w), right)| {
                    TableCell::new()
                        .width(*w, WidthType::Dxa)
                        .shading(shade())
                        .add_paragraph(para(h, *right, true))
                })
                .collect(),
        )
        .cant_split();
        let mut rows = vec![header];
        for (kind, cells) in &g.rows {
            let row = if *kind == Kind::Group {
                let label = cells
                    .first()
                    .and_then(|c| c.first())
                    .cloned()
                    .unwrap_or_default();
                TableRow::new(vec![
                    TableCell::new()
                        .width(TEXT_W, WidthType::Dxa)
                        .grid_span(ncols)
                        .add_paragraph(para(&label, false, true)),
                ])
            } else {
                TableRow::new(
                    cells
                        .iter()
                        .zip(&widths)
                        .zip(&g.right)
                        .map(|((lines, w), right)| {
                            let mut cell = TableCell::new().width(*w, WidthType::Dxa);
                            for line in lines {
                                cell =
                                    cell.add_paragraph(para(line, *right, *kind == Kind::Strong));
                            }
                            if lines.is_empty() {
                                cell = cell.add_paragraph(Paragraph::new());
                            }
                            cell
                        })
                        .collect(),
                )
            };
            rows.push(row);
        }
        let table = Table::new(rows)
            .set_grid(widths)
            .width(TEXT_W, WidthType::Dxa);
        let docx = std::mem::take(&mut self.docx);
        self.docx = docx.add_table(table);
        if let Some(n) = g.note.as_deref().filter(|n| !n.is_empty()) {
            self.small(n);
        }
        // Space after a table before what follows.
        self.add(Paragraph::new());
    }

    /// Packs the document, adding what docx-rs cannot express: repeating header rows,
    /// alt text and unique ids on images, the document language and title.
    fn finish(self, report: &Report) -> Result<Vec<u8>, ReportError> {
        let mut xml = self.docx.build();
        let document =
            String::from_utf8(xml.document).map_err(|e| ReportError::Docx(e.to_string()))?;
        xml.document = patch_document(&document, &self.alts).into_bytes();
        let styles = String::from_utf8(xml.styles).map_err(|e| ReportError::Docx(e.to_string()))?;
        let lang = if report.english { "en-GB" } else { "da-DK" };
        xml.styles = patch_styles(&styles, lang).into_bytes();
        xml.doc_props.core = core_props(report, lang).into_bytes();
        let mut out = std::io::Cursor::new(Vec::new());
        xml.pack(&mut out)
            .map_err(|e| ReportError::Docx(e.to_string()))?;
        Ok(out.into_inner())
    }
}

/// The header rows (marked `cantSplit`) repeat on every page; each image gets its own id and
/// its alt text.
fn patch_document(xml: &str, alts: &[String]) -> String {
    let xml = xml.replace("<w:cantSplit />", "<w:cantSplit /><w:tblHeader />");
    let marker = r#"<wp:docPr id="1" name="Figure" />"#;
    let mut out = String::with_capacity(xml.len() + alts.iter().map(String::len).sum::<usize>());
    let mut rest = xml.as_str();
    let mut n = 0;
    while let Some(i) = rest.find(marker) {
        out.push_str(&rest[..i]);
        let alt = alts.get(n).map(String::as_str).unwrap_or_default();
        n += 1;
        out.push_str(&format!(
            r#"<wp:docPr id="{n}" name="{}" descr="{}" />"#,
            escape(&format!("Figur {n}")),
            escape(alt)
        ));
        rest = &rest[i + marker.len()..];
    }
    out.push_str(rest);
    out
}

/// The language of all text, for spelling and screen readers.
fn patch_styles(xml: &str, lang: &str) -> String {
    let lang_el = format!(r#"<w:lang w:val="{lang}" w:eastAsia="{lang}" w:bidi="ar-SA" />"#);
    // Last in the run properties, where the schema orders it.
    let end = "</w:rPr></w:rPrDefault>";
    match xml.find(end) {
        Some(i) => format!("{}{lang_el}{}", &xml[..i], &xml[i..]),
        None => xml.to_owned(),
    }
}

/// The package's core properties: title, subject, author, language and the snapshot's time
/// (not the clock, so the same snapshot gives the same properties).
fn core_props(r: &Report, lang: &str) -> String {
    let f = Fmt { r, en: r.english };
    let title = format!("{}: {}", f.t(title_key(&r.audience)), r.round.name);
    let at = r.generated_at.format("%Y-%m-%dT%H:%M:%SZ");
    format!(
        concat!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
            r#"<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" "#,
            r#"xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" "#,
            r#"xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">"#,
            r#"<dc:title>{title}</dc:title><dc:subject>{subject}</dc:subject>"#,
            r#"<dc:creator>{creator}</dc:creator><cp:lastModifiedBy>{creator}</cp:lastModifiedBy>"#,
            r#"<dc:language>{lang}</dc:language>"#,
            r#"<dcterms:created xsi:type="dcterms:W3CDTF">{at}</dcterms:created>"#,
            r#"<dcterms:modified xsi:type="dcterms:W3CDTF">{at}</dcterms:modified>"#,
            r#"<cp:revision>1</cp:revision></cp:coreProperties>"#
        ),
        title = escape(&title),
        subject = escape(&r.round.municipality),
        creator = escape(&r.generated_by),
        lang = lang,
        at = at,
    )
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 allows no other control characters, not even escaped.
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Page, fonts, heading styles (Word's own "heading 1/2", so the navigation pane and a table
/// of contents find them), the bullet list and the footer with the page number.
fn base(f: &Fmt<'_>) -> Docx {
    let font = RunFonts::new()
        .ascii("Calibri")
        .hi_ansi("Calibri")
        .cs("Calibri")
        .east_asia("Calibri");
    let heading = |level: usize, size: usize| {
        Style::new(format!("Heading{level}"), StyleType::Paragraph)
            .name(format!("heading {level}"))
            .based_on("Normal")
            .next("Normal")
            .q_format(true)
            .bold()
            .size(size)
            .color("1F3F66")
            .outline_lvl(level - 1)
            .line_spacing(
                LineSpacing::new()
                    .before(if level == 1 { 360 } else { 240 })
                    .after(120),
            )
    };
    let footer = Footer::new().add_paragraph(
        Paragraph::new()
            .align(AlignmentType::Right)
            .add_run(Run::new().size(SMALL).add_text(format!(
                "{} · {} ",
                f.r.round.name,
                f.t("report-page")
            )))
            .add_page_num(PageNum::new()),
    );
    Docx::new()
        .page_size(PAGE_W, PAGE_H)
        .page_margin(
            PageMargin::new()
                .top(MARGIN)
                .bottom(MARGIN)
                .left(MARGIN)
                .right(MARGIN),
        )
        .default_fonts(font)
        .default_size(BODY)
        .default_line_spacing(LineSpacing::new().after(120))
        .add_style(
            Style::new("Title", StyleType::Paragraph)
                .name("Title")
                .based_on("Normal")
                .q_format(true)
                .bold()
                .size(48)
                .color("1F3F66"),
        )
        .add_style(
            Style::new("Subtitle", StyleType::Paragraph)
                .name("Subtitle")
                .based_on("Normal")
                .q_format(true)
                .size(32),
        )
        .add_style(heading(1, 32))
        .add_style(heading(2, 26))
        .add_style(
            Style::new("Caption", StyleType::Paragraph)
                .name("caption")
                .based_on("Normal")
                .q_format(true)
                .bold()
                .size(19),
        )
        .add_abstract_numbering(
            AbstractNumbering::new(BULLETS).add_level(
                Level::new(
                    0,
                    Start::new(1),
                    NumberFormat::new("bullet"),
                    LevelText::new("•"),
                    LevelJc::new("left"),
                )
                .indent(
                    Some(360),
                    Some(SpecialIndentType::Hanging(360)),
                    None,
                    None,
                ),
            ),
        )
        .add_numbering(Numbering::new(BULLETS, BULLETS))
        .footer(footer)
}

fn front_page(d: &mut Doc, f: &Fmt<'_>) {
    let r = f.r;
    d.add(Paragraph::new().line_spacing(LineSpacing::new().before(2400)));
    if !r.round.municipality.is_empty() {
        d.add(Paragraph::new().add_run(Run::new().add_text(&r.round.municipality).color("3C3C3C")));
    }
    d.add(
        Paragraph::new()
            .style("Title")
            .add_run(Run::new().add_text(f.t(title_key(&r.audience)))),
    );
    d.add(
        Paragraph::new()
            .style("Subtitle")
            .add_run(Run::new().add_text(&r.round.name)),
    );
    d.add(
        Paragraph::new().add_run(
            Run::new()
                .add_text(f.t(r.audience.label_key()))
                .color("3C3C3C"),
        ),
    );
    d.add(Paragraph::new().line_spacing(LineSpacing::new().before(2400)));
    d.text(&f.generated());
    if let Some(fp) = &r.round.fingerprint {
        d.text(&format!("{}: {fp}", f.t("report-fingerprint")));
    }
    d.add(Paragraph::new().add_run(Run::new().add_break(BreakType::Page)));
}

fn summary(d: &mut Doc, f: &Fmt<'_>) {
    let r = f.r;
    d.heading(1, &f.t("report-summary"));
    d.heading(2, &f.t("report-key-figures"));
    d.facts(
        f,
        vec![
            (f.t("report-overall"), vec![f.figure_sentence(&r.overall)]),
            (f.t("report-cases"), vec![f.int(r.round.cases)]),
            (f.t("report-questions"), vec![f.int(r.items.len() as u64)]),
        ],
    );
    let mut ranked: Vec<(String, f64)> = r
        .sections
        .iter()
        .filter(|s| !s.figure.hidden)
        .filter_map(|s| {
            s.figure
                .share
                .map(|sh| (format!("{} {}", s.number, s.label), sh))
        })
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
    let line = |(label, share): &(String, f64)| {
        format!("{}: {}", label.trim(), numfmt::percent(*share, f.en))
    };
    let best: Vec<String> = ranked.iter().take(3).map(line).collect();
    let worst: Vec<String> = ranked.iter().rev().take(3).map(line).collect();
    for (key, list) in [("report-best", best), ("report-worst", worst)] {
        d.heading(2, &f.t(key));
        if list.is_empty() {
            d.text(&f.none());
        } else {
            d.bullets(&list);
        }
    }

    // Significant changes: against the baseline when there is one, else the previous round.
    d.heading(2, &f.t("report-significant"));
    let mut g = Grid::new(
        &[(1, false), (6, false), (2, true), (1, true)],
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
                g.row(vec![row.number.clone(), row.text.clone(), diff, p]);
            }
        }
    }
    if g.rows.is_empty() {
        d.text(&f.none());
    } else {
        g.note = Some(f.t("report-significant-note"));
        d.table(g);
    }
}

fn share_grid(f: &Fmt<'_>, label_key: &str) -> Grid {
    Grid::new(
        &[(1, false), (5, false), (1, true), (2, true), (3, true)],
        vec![
            f.t("report-col-number"),
            f.t(label_key),
            f.t("report-col-n"),
            f.t("report-col-share"),
            f.t("report-col-interval"),
        ],
    )
}

fn with_hidden_note(f: &Fmt<'_>, mut g: Grid) -> Grid {
    if g.hidden {
        let note = f.t("report-hidden-note");
        g.note = Some(match g.note.take() {
            Some(n) => format!("{n} {note}"),
            None => note,
        });
        // The note now carries it; the flag would add it twice.
        g.hidden = false;
    }
    g
}

fn sections(f: &Fmt<'_>) -> Grid {
    let mut g = share_grid(f, "report-col-section");
    for s in &f.r.sections {
        let [n, share, interval] = f.figure(&s.figure, &mut g.hidden);
        g.row(vec![s.number.clone(), s.label.clone(), n, share, interval]);
    }
    let [n, share, interval] = f.figure(&f.r.overall, &mut g.hidden);
    g.strong(vec![
        String::new(),
        f.t("report-overall"),
        n,
        share,
        interval,
    ]);
    with_hidden_note(f, g)
}

fn bearings(f: &Fmt<'_>) -> Grid {
    let mut g = Grid::new(
        &[(6, false), (1, true), (2, true), (3, true)],
        vec![
            f.t("report-col-bearing"),
            f.t("report-col-n"),
            f.t("report-col-share"),
            f.t("report-col-interval"),
        ],
    );
    for b in &f.r.bearings {
        let [n, share, interval] = f.figure(&b.figure, &mut g.hidden);
        g.row(vec![b.label.clone(), n, share, interval]);
    }
    with_hidden_note(f, g)
}

fn items(f: &Fmt<'_>) -> Grid {
    let mut g = share_grid(f, "report-col-question");
    for s in &f.r.sections {
        let list: Vec<&ItemRow> =
            f.r.items
                .iter()
                .filter(|i| i.section == s.key && i.kind == ScaleKind::Compliance)
                .collect();
        if list.is_empty() {
            continue;
        }
        g.group(f.r.section_label(&s.key));
        for i in list {
            let [n, share, interval] = f.figure(&i.figure, &mut g.hidden);
            g.row(vec![i.number.clone(), i.text.clone(), n, share, interval]);
        }
    }
    with_hidden_note(f, g)
}

fn graded(f: &Fmt<'_>) -> Option<Grid> {
    let list: Vec<&ItemRow> =
        f.r.items
            .iter()
            .filter(|i| matches!(i.kind, ScaleKind::Ordinal | ScaleKind::Score))
            .collect();
    if list.is_empty() {
        return None;
    }
    // Means only for score questions: ordinal degrees are not numbers.
    let with_mean = list.iter().any(|i| i.kind == ScaleKind::Score);
    let mut cols = vec![(1, false), (5, false), (1, true), (4, false)];
    let mut header = vec![
        f.t("report-col-number"),
        f.t("report-col-question"),
        f.t("report-col-n"),
        f.t("report-col-distribution"),
    ];
    if with_mean {
        cols.push((1, true));
        header.push(f.t("report-col-mean"));
    }
    let mut g = Grid::new(&cols, header);
    for i in list {
        let fig = &i.figure;
        let mut cells = vec![vec![i.number.clone()], vec![i.text.clone()]];
        if fig.hidden {
            g.hidden = true;
            cells.push(vec![f.mark()]);
            cells.push(vec![f.mark()]);
            if with_mean {
                cells.push(vec![f.mark()]);
            }
        } else {
            let dist: Vec<String> = i
                .points
                .iter()
                .zip(&fig.distribution)
                .map(|(p, s)| format!("{p}: {}", numfmt::percent(*s, f.en)))
                .collect();
            cells.push(vec![fig.n.map(|n| f.int(n)).unwrap_or_else(|| f.none())]);
            cells.push(if dist.is_empty() {
                vec![f.none()]
            } else {
                dist
            });
            if with_mean {
                cells.push(vec![
                    fig.mean
                        .filter(|_| i.kind == ScaleKind::Score)
                        .map(|m| numfmt::decimal(m, 1, f.en))
                        .unwrap_or_else(|| f.none()),
                ]);
            }
        }
        g.lines(Kind::Plain, cells);
    }
    Some(with_hidden_note(f, g))
}

fn breakdown(f: &Fmt<'_>, b: &Breakdown) -> Grid {
    let mut cols = vec![(2, false), (8, false)];
    cols.extend(std::iter::repeat_n((3, true), b.groups.len()));
    let mut header = vec![f.t("report-col-number"), f.t("report-col-question")];
    header.extend(b.groups.iter().cloned());
    let mut g = Grid::new(&cols, header);
    if b.groups.len() > 5 {
        g.size = SMALL;
    }
    // Share over n, two lines, so narrow group columns still fit.
    let cell = |fig: &Figure, hidden: &mut bool| -> Vec<String> {
        let [n, share, _] = f.figure(fig, hidden);
        if fig.hidden || fig.n.is_none() {
            vec![share]
        } else {
            vec![share, format!("n = {n}")]
        }
    };
    for row in &b.rows {
        let mut cells = vec![vec![row.number.clone()], vec![row.label.clone()]];
        for c in &row.cells {
            cells.push(cell(c, &mut g.hidden));
        }
        let kind = if row.section {
            Kind::Strong
        } else {
            Kind::Plain
        };
        g.lines(kind, cells);
    }
    let mut total = vec![vec![String::new()], vec![f.t("report-col-total")]];
    for c in &b.totals {
        total.push(cell(c, &mut g.hidden));
    }
    g.lines(Kind::Strong, total);
    with_hidden_note(f, g)
}

fn agreement(d: &mut Doc, f: &Fmt<'_>) {
    if f.r.agreement.is_empty() {
        return;
    }
    d.heading(1, &f.t("report-agreement"));
    d.text(&f.t("report-agreement-intro"));
    let dec = |x: Option<f64>| {
        x.map(|v| numfmt::decimal(v, 2, f.en))
            .unwrap_or_else(|| f.none())
    };
    for a in &f.r.agreement {
        d.heading(
            2,
            &format!("{} {}–{}", f.t("report-level"), a.lower, a.upper),
        );
        d.text(&format!(
            "{}: {} · {}: {} · {}: {} ({} {})",
            f.t("report-cases"),
            f.int(a.cases),
            f.t("report-col-agreement"),
            f.pct(a.percent),
            f.t("report-col-kappa"),
            dec(a.kappa),
            f.t("report-col-se").to_lowercase(),
            dec(a.se),
        ));
        let mut g = Grid::new(
            &[
                (1, false),
                (6, false),
                (1, true),
                (2, true),
                (1, true),
                (2, true),
                (2, false),
            ],
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
                g.hidden = true;
                let m = f.mark();
                g.row(vec![
                    row.number.clone(),
                    row.text.clone(),
                    m.clone(),
                    m.clone(),
                    m.clone(),
                    m,
                    weighted,
                ]);
            } else {
                g.row(vec![
                    row.number.clone(),
                    row.text.clone(),
                    row.n.map(|n| f.int(n)).unwrap_or_else(|| f.none()),
                    f.pct(row.percent),
                    dec(row.kappa),
                    dec(row.se),
                    weighted,
                ]);
            }
        }
        d.table(with_hidden_note(f, g));
    }
}

fn trends(d: &mut Doc, f: &Fmt<'_>) {
    let Some(tr) = &f.r.trends else {
        return;
    };
    if tr.rows.is_empty() {
        return;
    }
    d.heading(1, &f.t("report-trends"));
    d.text(&f.t("report-trends-intro"));
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
    d.bullets(&rounds);
    // Against the baseline, and against the previous round too when that is another round.
    let last = tr.rounds.len().checked_sub(1);
    let both = tr.baseline.is_some() && tr.baseline != last;
    let mut header = vec![f.t("report-col-number"), f.t("report-col-question")];
    header.extend(tr.rounds.iter().map(|r| r.name.clone()));
    header.push(f.t("report-now"));
    let change_header = |which: &str| format!("{} – {}", f.t("report-col-change"), f.t(which));
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
    let mut cols = vec![(2, false), (8, false)];
    cols.extend(std::iter::repeat_n((3, true), header.len() - 2));
    let mut g = Grid::new(&cols, header);
    g.size = SMALL;
    let none2 = || [f.none(), f.none()];
    for row in &tr.rows {
        let mut cells = vec![row.number.clone(), row.text.clone()];
        for h in &row.history {
            cells.push(match h {
                Some(x) if x.hidden => {
                    g.hidden = true;
                    f.mark()
                }
                Some(x) => f.pct(x.share),
                None => f.none(),
            });
        }
        cells.push(if row.now.hidden {
            g.hidden = true;
            f.mark()
        } else {
            f.pct(row.now.share)
        });
        let first = if tr.baseline.is_some() {
            row.vs_baseline.as_ref()
        } else {
            row.vs_previous.as_ref()
        };
        cells.extend(first.map(|c| f.change(c)).unwrap_or_else(none2));
        if both {
            cells.extend(
                row.vs_previous
                    .as_ref()
                    .map(|c| f.change(c))
                    .unwrap_or_else(none2),
            );
        }
        g.row(cells);
    }
    g.note = Some(f.t("report-significant-note"));
    d.table(with_hidden_note(f, g));
}

fn follow_up(d: &mut Doc, f: &Fmt<'_>) {
    let Some(fu) = f.follow_up() else {
        return;
    };
    d.heading(1, &fu.heading);
    d.text(&fu.intro);
    let widths: &[(usize, bool)] = if fu.owners {
        &[(5, false), (2, false), (2, false), (4, false), (2, false)]
    } else {
        &[(5, false), (2, false), (2, false), (4, false)]
    };
    let mut g = Grid::new(widths, fu.head);
    for r in fu.rows {
        g.row(r);
    }
    d.table(g);
}

fn references(d: &mut Doc, f: &Fmt<'_>) {
    if f.r.references.is_empty() {
        return;
    }
    d.heading(1, &f.t("report-references"));
    d.text(&f.t("report-references-note"));
    let mut g = Grid::new(
        &[
            (1, false),
            (4, false),
            (4, false),
            (2, true),
            (2, true),
            (3, false),
        ],
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
        g.row(vec![
            item.map(|i| i.number.clone()).unwrap_or_default(),
            item.map(|i| i.text.clone())
                .unwrap_or_else(|| v.item.clone()),
            v.measure.clone(),
            period,
            numfmt::percent(v.share, f.en),
            v.source.clone(),
        ]);
    }
    d.table(g);
}

fn method(d: &mut Doc, f: &Fmt<'_>) {
    let r = &f.r.round;
    d.heading(1, &f.t("report-method"));
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
    let opt = |s: &str| {
        if s.is_empty() { f.none() } else { s.to_owned() }
    };
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
    let one = |s: String| vec![s];
    d.facts(
        f,
        vec![
            (f.t("report-method-kind"), one(opt(&kind))),
            (
                f.t("report-method-template"),
                one(format!("{}, version {}", r.template, r.template_version)),
            ),
            (
                f.t("report-method-levels"),
                if levels.is_empty() {
                    one(f.none())
                } else {
                    levels
                },
            ),
            (f.t("report-method-frame"), one(opt(&r.frame))),
            (f.t("report-method-period"), one(opt(&r.period))),
            (
                f.t("report-method-reference-date"),
                one(r
                    .reference_date
                    .map(|d| f.date(d))
                    .unwrap_or_else(|| f.none())),
            ),
            (
                f.t("report-method-look-back"),
                one(f.int(u64::from(r.look_back_months))),
            ),
            (f.t("report-method-seed"), one(seed)),
            (
                f.t("report-method-counting"),
                one(f.t(&r.counting.label_key())),
            ),
            (f.t("report-method-suppression"), one(suppression)),
        ],
    );
    d.text(&f.t("report-method-share"));
    d.text(&f.t("report-method-tests"));
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::analysis_xlsx::tests::{danish, part, parts};
    use crate::sample;

    fn document(bytes: &[u8]) -> String {
        part(bytes, "word/document.xml")
    }

    /// The sample committee report and its chart images, made once: rasterising is slow in
    /// an unoptimised test build.
    type Charts = Vec<(String, Vec<u8>)>;

    static COMMITTEE: LazyLock<(Report, Charts)> = LazyLock::new(|| {
        let r = sample::report(Audience::Committee);
        let charts = chart_pngs(&r).unwrap();
        (r, charts)
    });

    #[test]
    fn the_charts_become_pngs_with_their_alt_text() {
        let (r, charts) = &*COMMITTEE;
        let svgs = crate::svg::charts(r);
        assert_eq!(charts.len(), svgs.len());
        for ((alt, png), svg) in charts.iter().zip(&svgs) {
            assert_eq!(alt, &svg.alt);
            let (w, _) = png_size(png).unwrap();
            assert_eq!(w, (crate::svg::WIDTH as f32 * RASTER_SCALE) as u32);
        }
    }

    #[test]
    fn a_word_document_with_real_tables_headings_and_images() {
        let (r, charts) = &*COMMITTEE;
        let bytes = committee_docx(r, charts).unwrap();
        assert!(bytes.starts_with(b"PK"));
        let xml = document(&bytes);
        roxmltree::Document::parse(&xml).unwrap();
        assert!(xml.contains(&r.round.name));
        assert!(xml.contains("<w:tbl>"));
        assert!(xml.contains("<w:tblHeader />"));
        assert!(xml.contains(r#"<w:pStyle w:val="Heading1" />"#));
        assert!(xml.contains(r#"<w:pStyle w:val="Heading2" />"#));
        // Every table's first row repeats: as many header marks as tables.
        assert_eq!(
            xml.matches("<w:tblHeader />").count(),
            xml.matches("<w:tbl>").count()
        );
        // One image per chart, each with its own id and alt text.
        let media = parts(&bytes)
            .into_iter()
            .filter(|p| p.starts_with("word/media/") && !p.ends_with('/'))
            .count();
        assert_eq!(media, charts.len());
        for (i, (alt, _)) in charts.iter().enumerate() {
            assert!(xml.contains(&format!(
                r#"<wp:docPr id="{}" name="Figur {}" descr="{}" />"#,
                i + 1,
                i + 1,
                escape(alt)
            )));
        }
        let styles = part(&bytes, "word/styles.xml");
        assert!(styles.contains(r#"<w:lang w:val="da-DK""#));
        assert!(styles.contains(r#"w:styleId="Heading1""#));
        let core = part(&bytes, "docProps/core.xml");
        assert!(core.contains(&format!(
            "<dc:title>{}: {}</dc:title>",
            r.text("report-title-committee"),
            escape(&r.round.name)
        )));
    }

    #[test]
    fn hidden_figures_show_the_mark_and_no_number() {
        let mut r = sample::report(Audience::Analyst);
        let secret = r.sections[0].figure.clone();
        let key = r.sections[0].key.clone();
        let hidden = Figure {
            hidden: true,
            ..Figure::default()
        };
        r.sections[0].figure = hidden.clone();
        // The same figure in a one-group breakdown and the trend table is hidden there too, as
        // suppression's lines would.
        for b in &mut r.breakdowns {
            for row in b.rows.iter_mut().filter(|x| x.key == key) {
                for cell in &mut row.cells {
                    if cell.share == secret.share {
                        *cell = hidden.clone();
                    }
                }
            }
        }
        let bytes = committee_docx(&r, &[]).unwrap();
        let xml = document(&bytes);
        let interval = format!(
            "{}–{}",
            numfmt::percent(secret.low.unwrap(), false),
            numfmt::percent(secret.high.unwrap(), false)
        );
        // The interval is specific enough to be the section's own (a share alone may recur).
        assert!(!xml.contains(&interval), "{interval}");
        // The section's row: number, label, then the mark in each figure cell.
        let row = xml
            .split("<w:tr>")
            .find(|row| row.contains(&format!(">{}<", r.sections[0].label)))
            .unwrap();
        assert_eq!(
            row.matches(&format!(">{}<", r.text("report-hidden-mark")))
                .count(),
            3
        );
        assert!(xml.contains(r.text("report-hidden-note")));
    }

    #[test]
    fn markup_in_texts_stays_text() {
        let mut r = sample::report(Audience::Committee);
        r.items[0].text = "<w:p>& \"x\" </w:body>".into();
        r.round.name = "Runde <1> & 'to'".into();
        let bytes = committee_docx(&r, &[]).unwrap();
        let xml = document(&bytes);
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let texts: String = doc
            .descendants()
            .filter(|n| n.has_tag_name("t"))
            .filter_map(|n| n.text())
            .collect();
        assert!(texts.contains("<w:p>& \"x\" </w:body>"));
        roxmltree::Document::parse(&part(&bytes, "docProps/core.xml")).unwrap();
    }

    #[test]
    fn patched_images_get_ids_and_escaped_alt_text() {
        let m = r#"<wp:docPr id="1" name="Figure" />"#;
        let xml = format!("<a>{m}<b/>{m}</a>");
        let out = patch_document(&xml, &["A & B".into(), "\"C\"".into()]);
        assert_eq!(
            out,
            r#"<a><wp:docPr id="1" name="Figur 1" descr="A &amp; B" /><b/><wp:docPr id="2" name="Figur 2" descr="&quot;C&quot;" /></a>"#
        );
    }

    /// Writes the sample committee report as DOCX (Danish texts) to `$TILSYN_SAMPLE_DIR`, for a
    /// look in a word processor; does nothing without it.
    #[test]
    fn write_sample_for_a_look() {
        let Ok(dir) = std::env::var("TILSYN_SAMPLE_DIR") else {
            return;
        };
        let mut r = sample::report(Audience::Committee);
        danish(&mut r);
        let charts = chart_pngs(&r).unwrap();
        for (i, (_, png)) in charts.iter().enumerate() {
            std::fs::write(
                std::path::Path::new(&dir).join(format!("chart-{i}.png")),
                png,
            )
            .unwrap();
        }
        let bytes = committee_docx(&r, &charts).unwrap();
        std::fs::write(std::path::Path::new(&dir).join("udvalg.docx"), bytes).unwrap();
    }
}
