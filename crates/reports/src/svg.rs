//! Our own accessible SVG charts of a report, the same image on a web page, in the PDF and in
//! Word: data in words, values printed on the chart, hidden cells hatched with the mark.

use tilsyn_domain::analysis::Dimension;
use tilsyn_domain::numfmt;
use tilsyn_domain::report::{Figure, ItemRow, Report};
use tilsyn_domain::template::ScaleKind;

/// One chart: `svg` is a complete standalone document; `alt` is the data in words (the same
/// text as the SVG's `<desc>`), for `alt` attributes and PDF alt text.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    pub key: &'static str,
    pub title: String,
    pub alt: String,
    pub svg: String,
}

/// Width of every chart in SVG user units; the height follows the data.
pub const WIDTH: f64 = 700.0;
const FONT: f64 = 13.0;
const SMALL: f64 = 11.0;
/// Rough advance of one character as a share of the font size. Generous, so labels rather end
/// early with "…" than run into the bars in a wider font than expected.
const CHAR_EM: f64 = 0.56;

// Colours. Text is near-black or white on whatever it sits on, picked for WCAG AA contrast
// (checked in the tests); bars and lines have at least 3:1 against white.
const INK: &str = "#1a1a1a";
const MUTED: &str = "#595959";
const GRID: &str = "#d0d0d0";
const BAR: &str = "#2c6aa0";
const HATCH: &str = "#6e6e6e";
const WHITE: &str = "#ffffff";
/// Light to dark: graded answers are ordered, so a sequential scale reads in their order.
const SEQUENTIAL: [&str; 6] = [
    "#e3eef8", "#b3d0ea", "#7aabd6", "#4a88c4", "#2b64a0", "#163f66",
];

// Bar charts: label column, bar area and value column.
const LABEL_W: f64 = 240.0;
const BAR_X: f64 = 250.0;
const BAR_W: f64 = 280.0;
const VALUE_X: f64 = 540.0;
const TOP: f64 = 34.0;
const BAR_H: f64 = 16.0;

/// Questions per part of the per-question chart, so one part fits an A4 page.
const ITEMS_PER_PART: usize = 24;
const ITEM_PART_KEYS: [&str; 12] = [
    "items-1", "items-2", "items-3", "items-4", "items-5", "items-6", "items-7", "items-8",
    "items-9", "items-10", "items-11", "items-12",
];

/// Charts for a report, in the order they appear: compliance per section, compliance per
/// ja/nej question (in page-sized parts, whole sections each), distribution of graded
/// questions, trend per section (when trends exist), heat map section × team (when a Team
/// breakdown exists) and the mean per theme of score questions (when any has a mean).
pub fn charts(report: &Report) -> Vec<Chart> {
    let mut out = vec![];
    if !report.sections.is_empty() {
        out.push(sections_chart(report));
    }
    out.extend(items_chart_parts(report));
    if let Some(c) = distribution_chart(report) {
        out.push(c);
    }
    if let Some(c) = trend_chart(report) {
        out.push(c);
    }
    if let Some(c) = heatmap_chart(report) {
        out.push(c);
    }
    if let Some(c) = radar_chart(report) {
        out.push(c);
    }
    out
}

/// Share compliant per section: horizontal bars with the 95 % interval, value and n.
pub fn sections_chart(report: &Report) -> Chart {
    let rows: Vec<BarRow> = report
        .sections
        .iter()
        .map(|s| BarRow::Bar {
            label: join_label(&s.number, &s.label),
            figure: s.figure.clone(),
        })
        .collect();
    bar_chart(
        report,
        "sections",
        report.text("report-chart-sections"),
        &rows,
    )
}

/// Share compliant per ja/nej question, grouped under section headings, as one chart (for a
/// web page; see [`items_chart_parts`] for page-sized parts).
pub fn items_chart(report: &Report) -> Chart {
    let keys: Vec<&str> = report.sections.iter().map(|s| s.key.as_str()).collect();
    let rows = item_rows(report, &keys);
    bar_chart(report, "items", report.text("report-chart-items"), &rows)
}

/// The per-question chart in parts of whole sections with about [`ITEMS_PER_PART`] questions
/// each, titled "(1/3)" and so on when there is more than one.
pub fn items_chart_parts(report: &Report) -> Vec<Chart> {
    let count = |key: &str| {
        report
            .items
            .iter()
            .filter(|i| i.section == key && i.kind == ScaleKind::Compliance)
            .count()
    };
    let mut parts: Vec<Vec<&str>> = vec![];
    let mut current: Vec<&str> = vec![];
    let mut size = 0;
    for s in &report.sections {
        let n = count(&s.key);
        if n == 0 {
            continue;
        }
        let last_slot = parts.len() + 1 == ITEM_PART_KEYS.len();
        if size > 0 && size + n > ITEMS_PER_PART && !last_slot {
            parts.push(std::mem::take(&mut current));
            size = 0;
        }
        current.push(&s.key);
        size += n;
    }
    if !current.is_empty() {
        parts.push(current);
    }
    let total = parts.len();
    parts
        .iter()
        .zip(ITEM_PART_KEYS)
        .map(|(keys, key)| {
            let base = report.text("report-chart-items");
            let title = if total > 1 {
                let i = ITEM_PART_KEYS.iter().position(|k| *k == key).unwrap_or(0) + 1;
                format!("{base} ({i}/{total})")
            } else {
                base.to_owned()
            };
            bar_chart(report, key, &title, &item_rows(report, keys))
        })
        .collect()
}

fn item_rows(report: &Report, sections: &[&str]) -> Vec<BarRow> {
    let mut rows = vec![];
    for key in sections {
        let items: Vec<&ItemRow> = report
            .items
            .iter()
            .filter(|i| i.section == *key && i.kind == ScaleKind::Compliance)
            .collect();
        if items.is_empty() {
            continue;
        }
        rows.push(BarRow::Heading(report.section_label(key)));
        for i in items {
            rows.push(BarRow::Bar {
                label: join_label(&i.number, &i.text),
                figure: i.figure.clone(),
            });
        }
    }
    rows
}

/// The distribution of answers to graded (ordinal and score) questions as 100 % stacked bars,
/// with a legend per scale; None when the report has no graded question.
pub fn distribution_chart(report: &Report) -> Option<Chart> {
    let items: Vec<&ItemRow> = report
        .items
        .iter()
        .filter(|i| matches!(i.kind, ScaleKind::Ordinal | ScaleKind::Score) && !i.points.is_empty())
        .collect();
    if items.is_empty() {
        return None;
    }
    let en = report.english;
    let key = "distribution";
    let title = report.text("report-chart-distribution");
    // Questions on the same scale share one legend; scales keep their first appearance's order.
    let mut groups: Vec<(Vec<String>, Vec<&ItemRow>)> = vec![];
    for i in items {
        match groups.iter_mut().find(|(p, _)| *p == i.points) {
            Some((_, list)) => list.push(i),
            None => groups.push((i.points.clone(), vec![i])),
        }
    }
    let x0 = BAR_X;
    let w = WIDTH - BAR_X;
    let mut body = String::new();
    let mut desc = vec![];
    let mut y = 8.0;
    let mut any_hidden = false;
    for (points, items) in &groups {
        let colours = palette(points.len());
        // Legend: swatch and label, wrapped onto more lines when needed.
        let mut lx = 0.0;
        y += 6.0;
        for (p, colour) in points.iter().zip(&colours) {
            let lw = 18.0 + text_width(p, SMALL) + 16.0;
            if lx > 0.0 && lx + lw > WIDTH {
                lx = 0.0;
                y += 18.0;
            }
            body.push_str(&rect(lx, y, 12.0, 12.0, colour, Some(INK)));
            body.push_str(&text(
                lx + 18.0,
                y + 10.5,
                p,
                Anchor::Start,
                SMALL,
                INK,
                false,
            ));
            lx += lw;
        }
        y += 26.0;
        for item in items {
            let label = join_label(&item.number, &item.text);
            let lines = wrap(&label, chars_for(LABEL_W, FONT), 2);
            let row_h = row_height(lines.len());
            body.push_str(&label_lines(&lines, 0.0, y, row_h));
            let by = y + (row_h - BAR_H - 4.0) / 2.0;
            let f = &item.figure;
            if f.hidden {
                any_hidden = true;
                body.push_str(&hatched(key, x0, by, w - 40.0, BAR_H + 4.0));
                body.push_str(&text(
                    WIDTH - 30.0,
                    by + 14.0,
                    report.text("report-hidden-mark"),
                    Anchor::Start,
                    FONT,
                    INK,
                    true,
                ));
                desc.push(format!("{label}: {}", report.text("report-hidden-mark")));
            } else if f.distribution.is_empty() {
                body.push_str(&text(
                    x0,
                    by + 14.0,
                    report.text("report-no-data"),
                    Anchor::Start,
                    FONT,
                    INK,
                    false,
                ));
                desc.push(format!("{label}: {}", report.text("report-no-data")));
            } else {
                let mut x = x0;
                let mut words = vec![];
                for (i, share) in f.distribution.iter().enumerate() {
                    let sw = share.clamp(0.0, 1.0) * w;
                    let colour = colours.get(i).copied().unwrap_or(BAR);
                    let value = numfmt::percent(*share, en);
                    if sw > 0.0 {
                        body.push_str(&rect(x, by, sw, BAR_H + 4.0, colour, Some(WHITE)));
                        if sw >= text_width(&value, SMALL) + 6.0 {
                            body.push_str(&text(
                                x + sw / 2.0,
                                by + 14.0,
                                &value,
                                Anchor::Middle,
                                SMALL,
                                text_on(colour),
                                false,
                            ));
                        }
                    }
                    x += sw;
                    if let Some(p) = points.get(i) {
                        words.push(format!("{p} {value}"));
                    }
                }
                let mut line = format!("{label}: {}", words.join(", "));
                if let Some(n) = f.n {
                    line.push_str(&format!(" (n = {})", numfmt::integer(n, en)));
                }
                if let (Some(m), ScaleKind::Score) = (f.mean, item.kind) {
                    line.push_str(&format!(
                        "; {} {}",
                        report.text("report-col-mean"),
                        numfmt::decimal(m, 1, en)
                    ));
                }
                desc.push(line);
            }
            y += row_h;
        }
        y += 8.0;
    }
    let h = (y + 8.0).ceil();
    let desc = finish_desc(report, title, desc, any_hidden);
    Some(assemble(key, title, &desc, h, &body))
}

/// Share compliant per section over the rounds: one small panel per section with a line
/// through the earlier rounds and this round, values printed at each point. None without
/// trends.
pub fn trend_chart(report: &Report) -> Option<Chart> {
    let tr = report.trends.as_ref()?;
    if tr.sections.is_empty() || tr.rounds.is_empty() {
        return None;
    }
    let en = report.english;
    let key = "trend";
    let title = report.text("report-chart-trend");
    let now_label = report.text("report-now");
    let mut x_labels: Vec<String> = tr
        .rounds
        .iter()
        .map(|r| short_date(r.reference_date, en))
        .collect();
    x_labels.push(now_label.to_owned());
    let mut round_names: Vec<String> = tr.rounds.iter().map(|r| r.name.clone()).collect();
    round_names.push(now_label.to_owned());

    let cols = 2usize;
    let gap = 20.0;
    let pw = (WIDTH - gap) / cols as f64;
    let ph = 170.0;
    let mut body = String::new();
    let mut desc = vec![];
    let mut any_hidden = false;
    for (idx, s) in tr.sections.iter().enumerate() {
        let px = (idx % cols) as f64 * (pw + gap);
        let py = 6.0 + (idx / cols) as f64 * (ph + 12.0);
        // Each earlier round against this round on the questions both had; "now" is taken from
        // the comparison with the latest earlier round that has one, so the last step of the
        // line compares like with like.
        let mut values: Vec<Option<Figure>> = s
            .history
            .iter()
            .map(|h| h.as_ref().map(|(then, _)| then.clone()))
            .collect();
        let now = s
            .history
            .iter()
            .rev()
            .find_map(|h| h.as_ref().map(|(_, now)| now.clone()));
        values.push(now);

        let label = join_label(&s.number, &s.label);
        let head = wrap(&label, chars_for(pw, FONT), 1);
        body.push_str(&text(
            px,
            py + 14.0,
            head.first().map(String::as_str).unwrap_or(""),
            Anchor::Start,
            FONT,
            INK,
            true,
        ));
        // Plot area inside the panel.
        let ax = px + 44.0;
        let aw = pw - 44.0 - 40.0;
        let ay = py + 34.0;
        let ah = ph - 34.0 - 40.0;
        let yv = |share: f64| ay + ah - share.clamp(0.0, 1.0) * ah;
        for tick in [0.0, 0.5, 1.0] {
            body.push_str(&line(ax, yv(tick), ax + aw, yv(tick), GRID, 1.0));
            body.push_str(&text(
                ax - 6.0,
                yv(tick) + 4.0,
                &numfmt::percent(tick, en).replace(",0", ""),
                Anchor::End,
                SMALL,
                MUTED,
                false,
            ));
        }
        let n = values.len();
        let xv = |i: usize| {
            if n <= 1 {
                ax + aw / 2.0
            } else {
                ax + aw * i as f64 / (n - 1) as f64
            }
        };
        for (i, l) in x_labels.iter().enumerate() {
            let anchor = if n > 1 && i == 0 {
                Anchor::Start
            } else if n > 1 && i == n - 1 {
                Anchor::End
            } else {
                Anchor::Middle
            };
            let lx = match anchor {
                Anchor::Start => xv(i) - 10.0,
                Anchor::End => xv(i) + 10.0,
                Anchor::Middle => xv(i),
            };
            body.push_str(&text(lx, ay + ah + 18.0, l, anchor, SMALL, MUTED, false));
        }
        // The line, broken where a round is missing or hidden.
        let mut run: Vec<(f64, f64)> = vec![];
        let mut runs = vec![];
        for (i, v) in values.iter().enumerate() {
            match v
                .as_ref()
                .and_then(|f| (!f.hidden).then_some(f.share).flatten())
            {
                Some(share) => run.push((xv(i), yv(share))),
                None => {
                    if !run.is_empty() {
                        runs.push(std::mem::take(&mut run));
                    }
                }
            }
        }
        if !run.is_empty() {
            runs.push(run);
        }
        for r in runs.iter().filter(|r| r.len() > 1) {
            body.push_str(&polyline(r, BAR, 2.5));
        }
        let mut words = vec![];
        for (i, v) in values.iter().enumerate() {
            let name = round_names.get(i).map(String::as_str).unwrap_or("");
            match v {
                Some(f) if f.hidden => {
                    any_hidden = true;
                    // A hatched band over the whole height, so no height reads as a value, with
                    // the mark above it.
                    body.push_str(&hatched(key, xv(i) - 6.0, ay, 12.0, ah));
                    body.push_str(&text(
                        xv(i),
                        ay - 4.0,
                        report.text("report-hidden-mark"),
                        Anchor::Middle,
                        FONT,
                        INK,
                        true,
                    ));
                    words.push(format!("{name} {}", report.text("report-hidden-mark")));
                }
                Some(Figure {
                    share: Some(share), ..
                }) => {
                    let (x, y) = (xv(i), yv(*share));
                    body.push_str(&rect(x - 4.0, y - 4.0, 8.0, 8.0, BAR, None));
                    // Above the point, or below when it sits near the top of the panel; the
                    // end points' values lean inwards, clear of the axis labels.
                    let ty = if y - 9.0 < ay + 4.0 {
                        y + 18.0
                    } else {
                        y - 9.0
                    };
                    let (tx, anchor) = if n > 1 && i == 0 {
                        (x - 4.0, Anchor::Start)
                    } else if n > 1 && i == n - 1 {
                        (x + 4.0, Anchor::End)
                    } else {
                        (x, Anchor::Middle)
                    };
                    let value = numfmt::percent(*share, en);
                    body.push_str(&text(tx, ty, &value, anchor, SMALL, INK, true));
                    words.push(format!("{name} {value}"));
                }
                _ => words.push(format!("{name} {}", report.text("report-no-data"))),
            }
        }
        desc.push(format!("{label}: {}", words.join(", ")));
    }
    let rows = tr.sections.len().div_ceil(cols);
    let h = (6.0 + rows as f64 * (ph + 12.0)).ceil();
    let desc = finish_desc(report, title, desc, any_hidden);
    Some(assemble(key, title, &desc, h, &body))
}

/// Share compliant per section and team as a table of coloured cells with the value printed in
/// each; the bottom row is every ja/nej question of the team. None without a team breakdown.
pub fn heatmap_chart(report: &Report) -> Option<Chart> {
    let b = report
        .breakdowns
        .iter()
        .find(|b| b.dimension == Dimension::Team)?;
    if b.groups.is_empty() {
        return None;
    }
    let en = report.english;
    let key = "heatmap";
    let title = report.text("report-chart-heatmap");
    let ng = b.groups.len();
    let cw = (WIDTH - BAR_X) / ng as f64;
    let mut body = String::new();
    let mut desc = vec![];
    let mut any_hidden = false;
    // Column headings: the team names, up to two lines each.
    let head: Vec<Vec<String>> = b
        .groups
        .iter()
        .map(|g| wrap(g, chars_for(cw - 8.0, FONT), 2))
        .collect();
    let head_lines = head.iter().map(Vec::len).max().unwrap_or(1);
    for (gi, lines) in head.iter().enumerate() {
        let cx = BAR_X + cw * (gi as f64 + 0.5);
        for (li, l) in lines.iter().enumerate() {
            body.push_str(&text(
                cx,
                18.0 + li as f64 * 16.0,
                l,
                Anchor::Middle,
                FONT,
                INK,
                true,
            ));
        }
    }
    let mut y = 18.0 + head_lines as f64 * 16.0;
    let total_label = report.text("report-col-total").to_owned();
    let mut rows: Vec<(String, &[Figure])> = b
        .rows
        .iter()
        .filter(|r| r.section)
        .map(|r| (join_label(&r.number, &r.label), r.cells.as_slice()))
        .collect();
    rows.push((total_label, b.totals.as_slice()));
    let show_n = cw >= 90.0;
    for (label, cells) in &rows {
        let lines = wrap(label, chars_for(LABEL_W, FONT), 2);
        let row_h = 40.0_f64.max(row_height(lines.len()));
        body.push_str(&label_lines(&lines, 0.0, y, row_h));
        let mut words = vec![];
        for (gi, (f, g)) in cells.iter().zip(&b.groups).enumerate() {
            let x = BAR_X + cw * gi as f64;
            let cx = x + cw / 2.0;
            if f.hidden {
                any_hidden = true;
                body.push_str(&hatched(key, x + 1.0, y + 1.0, cw - 2.0, row_h - 2.0));
                body.push_str(&rect(
                    cx - 9.0,
                    y + row_h / 2.0 - 10.0,
                    18.0,
                    20.0,
                    WHITE,
                    None,
                ));
                body.push_str(&text(
                    cx,
                    y + row_h / 2.0 + 5.0,
                    report.text("report-hidden-mark"),
                    Anchor::Middle,
                    FONT,
                    INK,
                    true,
                ));
                words.push(format!("{g} {}", report.text("report-hidden-mark")));
                continue;
            }
            match f.share {
                Some(share) => {
                    let fill = heat_colour(share);
                    body.push_str(&rect(x + 1.0, y + 1.0, cw - 2.0, row_h - 2.0, fill, None));
                    let value = numfmt::percent(share, en);
                    let ink = text_on(fill);
                    let vy = if show_n {
                        y + row_h / 2.0
                    } else {
                        y + row_h / 2.0 + 5.0
                    };
                    body.push_str(&text(cx, vy, &value, Anchor::Middle, FONT, ink, true));
                    let mut word = format!("{g} {value}");
                    if let Some(n) = f.n {
                        let n_text = format!("n = {}", numfmt::integer(n, en));
                        if show_n {
                            body.push_str(&text(
                                cx,
                                vy + 14.0,
                                &n_text,
                                Anchor::Middle,
                                SMALL,
                                ink,
                                false,
                            ));
                        }
                        word.push_str(&format!(" ({n_text})"));
                    }
                    words.push(word);
                }
                None => {
                    body.push_str(&rect(
                        x + 1.0,
                        y + 1.0,
                        cw - 2.0,
                        row_h - 2.0,
                        WHITE,
                        Some(GRID),
                    ));
                    body.push_str(&text(
                        cx,
                        y + row_h / 2.0 + 5.0,
                        report.text("report-no-data"),
                        Anchor::Middle,
                        FONT,
                        INK,
                        false,
                    ));
                    words.push(format!("{g} {}", report.text("report-no-data")));
                }
            }
        }
        desc.push(format!("{label}: {}", words.join(", ")));
        y += row_h;
    }
    let h = (y + 8.0).ceil();
    let desc = finish_desc(report, title, desc, any_hidden);
    Some(assemble(key, title, &desc, h, &body))
}

/// Mean of the score questions (the quality model's 1–5) per theme: a radar with three or more
/// themes, bars with fewer. The theme mean weighs each visible question by its n. None when no
/// question has a mean.
pub fn radar_chart(report: &Report) -> Option<Chart> {
    // Ordinal questions carry a mean of their point values too, but are reported as
    // distributions only: their degrees are not numbers.
    if !report
        .items
        .iter()
        .any(|i| i.kind == ScaleKind::Score && i.figure.mean.is_some())
    {
        return None;
    }
    let en = report.english;
    let key = "radar";
    let title = report.text("report-chart-radar");
    // (label, mean or None when every score question of the theme is hidden).
    let mut themes: Vec<(String, Option<f64>)> = vec![];
    let mut any_hidden = false;
    for s in &report.sections {
        let scored: Vec<&ItemRow> = report
            .items
            .iter()
            .filter(|i| i.section == s.key && i.kind == ScaleKind::Score)
            .collect();
        if scored.is_empty() {
            continue;
        }
        let (mut sum, mut weight) = (0.0, 0.0);
        for i in &scored {
            if let (Some(m), Some(n)) = (i.figure.mean, i.figure.n) {
                sum += m * n as f64;
                weight += n as f64;
            }
        }
        let all_hidden = scored.iter().all(|i| i.figure.hidden);
        if all_hidden {
            any_hidden = true;
        }
        let mean = (weight > 0.0).then(|| sum / weight);
        if mean.is_none() && !all_hidden {
            continue;
        }
        themes.push((join_label(&s.number, &s.label), mean));
    }
    if themes.is_empty() {
        return None;
    }
    let mark = report.text("report-hidden-mark");
    let desc: Vec<String> = themes
        .iter()
        .map(|(l, m)| match m {
            Some(m) => format!("{l}: {}", numfmt::decimal(*m, 1, en)),
            None => format!("{l}: {mark}"),
        })
        .collect();
    let desc = finish_desc(report, title, desc, any_hidden);
    let (body, h) = if themes.len() >= 3 {
        radar_body(key, &themes, mark, en)
    } else {
        mean_bars_body(key, &themes, mark, en)
    };
    Some(assemble(key, title, &desc, h, &body))
}

fn radar_body(key: &str, themes: &[(String, Option<f64>)], mark: &str, en: bool) -> (String, f64) {
    let h = 460.0;
    let (cx, cy, r) = (WIDTH / 2.0, h / 2.0 + 4.0, 150.0);
    let k = themes.len();
    let angle =
        |i: usize| -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * i as f64 / k as f64;
    let at = |i: usize, v: f64| {
        let a = angle(i);
        (cx + r * v / 5.0 * a.cos(), cy + r * v / 5.0 * a.sin())
    };
    let mut body = String::new();
    // Rings at 1–5, the spokes, and the ring values along the first spoke.
    for ring in 1..=5 {
        let mut pts: Vec<(f64, f64)> = (0..k).map(|i| at(i, ring as f64)).collect();
        pts.push(at(0, ring as f64));
        body.push_str(&polyline(&pts, GRID, 1.0));
        let (x, y) = at(0, ring as f64);
        body.push_str(&text(
            x + 4.0,
            y + 4.0,
            &ring.to_string(),
            Anchor::Start,
            SMALL,
            MUTED,
            false,
        ));
    }
    for i in 0..k {
        let (x, y) = at(i, 5.0);
        body.push_str(&line(cx, cy, x, y, GRID, 1.0));
    }
    // The shape through the visible themes.
    let pts: Vec<(f64, f64)> = themes
        .iter()
        .enumerate()
        .filter_map(|(i, (_, m))| m.map(|m| at(i, m)))
        .collect();
    if pts.len() >= 2 {
        let mut closed = pts.clone();
        if let Some(first) = pts.first() {
            closed.push(*first);
        }
        body.push_str(&format!(
            r#"<polyline points="{}" fill="{BAR}" fill-opacity="0.18" stroke="{BAR}" stroke-width="2.5"/>"#,
            points(&closed)
        ));
    }
    for (i, (label, m)) in themes.iter().enumerate() {
        let a = angle(i);
        let (lx, ly) = (cx + (r + 22.0) * a.cos(), cy + (r + 22.0) * a.sin());
        let anchor = if a.cos().abs() < 0.2 {
            Anchor::Middle
        } else if a.cos() > 0.0 {
            Anchor::Start
        } else {
            Anchor::End
        };
        let lines = wrap(label, 24, 2);
        let top = if a.sin() < -0.5 {
            ly - 16.0 * (lines.len() as f64 - 1.0)
        } else if a.sin() > 0.5 {
            ly + 8.0
        } else {
            ly
        };
        for (li, l) in lines.iter().enumerate() {
            body.push_str(&text(
                lx,
                top + li as f64 * 16.0,
                l,
                anchor,
                FONT,
                INK,
                false,
            ));
        }
        match m {
            Some(m) => {
                let (x, y) = at(i, *m);
                body.push_str(&rect(x - 4.0, y - 4.0, 8.0, 8.0, BAR, None));
                body.push_str(&text(
                    x + 7.0,
                    y - 6.0,
                    &numfmt::decimal(*m, 1, en),
                    Anchor::Start,
                    FONT,
                    INK,
                    true,
                ));
            }
            None => {
                body.push_str(&hatched(key, cx - 5.0, cy - 5.0, 10.0, 10.0));
                let (x, y) = at(i, 1.0);
                body.push_str(&text(x, y, mark, Anchor::Middle, FONT, INK, true));
            }
        }
    }
    (body, h)
}

fn mean_bars_body(
    key: &str,
    themes: &[(String, Option<f64>)],
    mark: &str,
    en: bool,
) -> (String, f64) {
    let mut body = axis(
        TOP,
        5.0,
        |v| numfmt::integer(v as u64, en),
        [0.0, 1.0, 2.0, 3.0, 4.0, 5.0],
    );
    let mut y = TOP;
    for (label, m) in themes {
        let lines = wrap(label, chars_for(LABEL_W, FONT), 2);
        let row_h = row_height(lines.len());
        body.push_str(&label_lines(&lines, 0.0, y, row_h));
        let by = y + (row_h - BAR_H) / 2.0;
        match m {
            Some(m) => {
                body.push_str(&rect(BAR_X, by, BAR_W * m / 5.0, BAR_H, BAR, None));
                body.push_str(&text(
                    VALUE_X,
                    by + 12.5,
                    &numfmt::decimal(*m, 1, en),
                    Anchor::Start,
                    FONT,
                    INK,
                    true,
                ));
            }
            None => {
                body.push_str(&hatched(key, BAR_X, by, BAR_W, BAR_H));
                body.push_str(&text(
                    VALUE_X,
                    by + 12.5,
                    mark,
                    Anchor::Start,
                    FONT,
                    INK,
                    true,
                ));
            }
        }
        y += row_h;
    }
    body.push_str(&grid_lines(TOP, y, 5.0, [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]));
    (body, (y + 10.0).ceil())
}

/// A row of a bar chart: a section heading or a labelled figure.
enum BarRow {
    Heading(String),
    Bar { label: String, figure: Figure },
}

/// Horizontal bars of shares on a 0–100 % axis: bar, 95 % interval whisker, and in the value
/// column the share and n, or the hidden mark beside a hatched bar.
fn bar_chart(report: &Report, key: &'static str, title: &str, rows: &[BarRow]) -> Chart {
    let en = report.english;
    let ticks = [0.0, 0.25, 0.5, 0.75, 1.0];
    let mut body = axis(
        TOP,
        1.0,
        |v| numfmt::percent(v, en).replace(",0", "").replace(".0", ""),
        ticks,
    );
    let mut grid_at = vec![];
    let mut y = TOP;
    let mut desc = vec![];
    let mut any_hidden = false;
    let interval = report.text("report-col-interval");
    for row in rows {
        match row {
            BarRow::Heading(label) => {
                let lines = wrap(label, chars_for(WIDTH, FONT), 1);
                y += 6.0;
                body.push_str(&text(
                    0.0,
                    y + 17.0,
                    lines.first().map(String::as_str).unwrap_or(""),
                    Anchor::Start,
                    FONT,
                    INK,
                    true,
                ));
                body.push_str(&line(0.0, y + 23.0, WIDTH, y + 23.0, GRID, 1.0));
                y += 26.0;
                desc.push(format!("{label}."));
            }
            BarRow::Bar { label, figure: f } => {
                let lines = wrap(label, chars_for(LABEL_W, FONT), 2);
                let row_h = row_height(lines.len());
                body.push_str(&label_lines(&lines, 0.0, y, row_h));
                grid_at.push((y, y + row_h));
                let by = y + (row_h - BAR_H) / 2.0;
                let ty = by + 12.5;
                if f.hidden {
                    any_hidden = true;
                    body.push_str(&hatched(key, BAR_X, by, BAR_W, BAR_H));
                    body.push_str(&text(
                        VALUE_X,
                        ty,
                        report.text("report-hidden-mark"),
                        Anchor::Start,
                        FONT,
                        INK,
                        true,
                    ));
                    desc.push(format!("{label}: {}", report.text("report-hidden-mark")));
                } else if let Some(share) = f.share {
                    body.push_str(&rect(
                        BAR_X,
                        by,
                        BAR_W * share.clamp(0.0, 1.0),
                        BAR_H,
                        BAR,
                        None,
                    ));
                    if let (Some(lo), Some(hi)) = (f.low, f.high) {
                        let (x1, x2) = (BAR_X + BAR_W * lo, BAR_X + BAR_W * hi);
                        let my = by + BAR_H / 2.0;
                        body.push_str(&line(x1, my, x2, my, INK, 1.5));
                        body.push_str(&line(x1, my - 5.0, x1, my + 5.0, INK, 1.5));
                        body.push_str(&line(x2, my - 5.0, x2, my + 5.0, INK, 1.5));
                    }
                    let value = numfmt::percent(share, en);
                    let mut shown = value.clone();
                    let mut word = format!("{label}: {value}");
                    if let (Some(lo), Some(hi)) = (f.low, f.high) {
                        word.push_str(&format!(
                            ", {interval} {}–{}",
                            numfmt::percent(lo, en),
                            numfmt::percent(hi, en)
                        ));
                    }
                    if let Some(n) = f.n {
                        let n = numfmt::integer(n, en);
                        shown.push_str(&format!(" (n = {n})"));
                        word.push_str(&format!(", n = {n}"));
                    }
                    body.push_str(&text(VALUE_X, ty, &shown, Anchor::Start, FONT, INK, false));
                    desc.push(word);
                } else {
                    body.push_str(&text(
                        VALUE_X,
                        ty,
                        report.text("report-no-data"),
                        Anchor::Start,
                        FONT,
                        INK,
                        false,
                    ));
                    desc.push(format!("{label}: {}", report.text("report-no-data")));
                }
                y += row_h;
            }
        }
    }
    // Grid lines under the bars only, so headings stay clean.
    let mut grid = String::new();
    for (y1, y2) in grid_at {
        grid.push_str(&grid_lines(y1, y2, 1.0, ticks));
    }
    let h = (y + 10.0).ceil();
    let desc = finish_desc(report, title, desc, any_hidden);
    assemble(key, title, &desc, h, &format!("{grid}{body}"))
}

/// Tick labels above the bar area for a scale from 0 to `max`.
fn axis<const N: usize>(
    top: f64,
    max: f64,
    label: impl Fn(f64) -> String,
    ticks: [f64; N],
) -> String {
    let mut out = String::new();
    for t in ticks {
        let x = BAR_X + BAR_W * t / max;
        out.push_str(&text(
            x,
            top - 10.0,
            &label(t),
            Anchor::Middle,
            SMALL,
            MUTED,
            false,
        ));
        out.push_str(&line(x, top - 6.0, x, top, MUTED, 1.0));
    }
    out
}

fn grid_lines<const N: usize>(y1: f64, y2: f64, max: f64, ticks: [f64; N]) -> String {
    ticks
        .iter()
        .map(|t| {
            let x = BAR_X + BAR_W * t / max;
            line(x, y1, x, y2, GRID, 1.0)
        })
        .collect()
}

/// Ends the words: title first, then one sentence per row, then the hidden note if any.
fn finish_desc(report: &Report, title: &str, rows: Vec<String>, any_hidden: bool) -> String {
    let mut out = format!("{title}. ");
    out.push_str(&rows.join("; "));
    if !out.ends_with('.') {
        out.push('.');
    }
    if any_hidden {
        out.push(' ');
        out.push_str(report.text("report-hidden-note"));
    }
    out
}

fn assemble(key: &'static str, title: &str, desc: &str, h: f64, body: &str) -> Chart {
    let w = WIDTH;
    let svg = format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" "#,
            r#"role="img" aria-labelledby="{key}-title {key}-desc" font-family="sans-serif" font-size="{fs}">"#,
            r#"<title id="{key}-title">{title}</title><desc id="{key}-desc">{desc}</desc>"#,
            r#"<defs><pattern id="{key}-hatch" patternUnits="userSpaceOnUse" width="8" height="8">"#,
            r#"<rect width="8" height="8" fill="{white}"/>"#,
            r#"<line x1="0" y1="8" x2="8" y2="0" stroke="{hatch}" stroke-width="1.5"/>"#,
            r#"<line x1="-2" y1="2" x2="2" y2="-2" stroke="{hatch}" stroke-width="1.5"/>"#,
            r#"<line x1="6" y1="10" x2="10" y2="6" stroke="{hatch}" stroke-width="1.5"/>"#,
            r#"</pattern></defs>"#,
            r#"<rect width="{w}" height="{h}" fill="{white}"/>{body}</svg>"#
        ),
        w = w,
        h = h,
        key = key,
        fs = FONT,
        title = esc(title),
        desc = esc(desc),
        white = WHITE,
        hatch = HATCH,
        body = body,
    );
    Chart {
        key,
        title: title.to_owned(),
        alt: desc.to_owned(),
        svg,
    }
}

#[derive(Clone, Copy)]
enum Anchor {
    Start,
    Middle,
    End,
}

fn text(x: f64, y: f64, s: &str, anchor: Anchor, size: f64, fill: &str, bold: bool) -> String {
    let anchor = match anchor {
        Anchor::Start => "start",
        Anchor::Middle => "middle",
        Anchor::End => "end",
    };
    let weight = if bold { r#" font-weight="bold""# } else { "" };
    format!(
        r#"<text x="{}" y="{}" text-anchor="{anchor}" font-size="{size}" fill="{fill}"{weight}>{}</text>"#,
        num(x),
        num(y),
        esc(s)
    )
}

fn rect(x: f64, y: f64, w: f64, h: f64, fill: &str, stroke: Option<&str>) -> String {
    let stroke = stroke
        .map(|s| format!(r#" stroke="{s}" stroke-width="1""#))
        .unwrap_or_default();
    format!(
        r#"<rect x="{}" y="{}" width="{}" height="{}" fill="{fill}"{stroke}/>"#,
        num(x),
        num(y),
        num(w.max(0.0)),
        num(h.max(0.0))
    )
}

/// A hidden figure: an outlined bar filled with diagonal lines, never a length.
fn hatched(key: &str, x: f64, y: f64, w: f64, h: f64) -> String {
    format!(
        r#"<rect x="{}" y="{}" width="{}" height="{}" fill="url(#{key}-hatch)" stroke="{HATCH}" stroke-width="1"/>"#,
        num(x),
        num(y),
        num(w),
        num(h)
    )
}

fn line(x1: f64, y1: f64, x2: f64, y2: f64, stroke: &str, width: f64) -> String {
    format!(
        r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{stroke}" stroke-width="{width}"/>"#,
        num(x1),
        num(y1),
        num(x2),
        num(y2)
    )
}

fn polyline(pts: &[(f64, f64)], stroke: &str, width: f64) -> String {
    format!(
        r#"<polyline points="{}" fill="none" stroke="{stroke}" stroke-width="{width}"/>"#,
        points(pts)
    )
}

fn points(pts: &[(f64, f64)]) -> String {
    pts.iter()
        .map(|(x, y)| format!("{},{}", num(*x), num(*y)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Coordinates with at most one decimal: smaller files, same picture.
fn num(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

fn label_lines(lines: &[String], x: f64, y: f64, row_h: f64) -> String {
    let first = y + row_h / 2.0 - (lines.len() as f64 - 1.0) * 8.0 + 4.5;
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            text(
                x,
                first + i as f64 * 16.0,
                l,
                Anchor::Start,
                FONT,
                INK,
                false,
            )
        })
        .collect()
}

fn row_height(lines: usize) -> f64 {
    if lines > 1 { 40.0 } else { 28.0 }
}

fn join_label(number: &str, label: &str) -> String {
    if number.is_empty() {
        label.to_owned()
    } else {
        format!("{number} {label}")
    }
}

fn text_width(s: &str, size: f64) -> f64 {
    s.chars().count() as f64 * size * CHAR_EM
}

fn chars_for(width: f64, size: f64) -> usize {
    ((width / (size * CHAR_EM)).floor() as usize).max(4)
}

/// Greedy word wrap into at most `max_lines` lines of `max_chars`; what does not fit ends in "…"
/// (the full text is in the description and the tables).
fn wrap(s: &str, max_chars: usize, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = vec![];
    let mut cur = String::new();
    let mut overflow = false;
    for word in s.split_whitespace() {
        let len = cur.chars().count() + usize::from(!cur.is_empty()) + word.chars().count();
        if len <= max_chars || cur.is_empty() {
            if !cur.is_empty() {
                cur.push(' ');
            }
            cur.push_str(word);
        } else {
            lines.push(std::mem::take(&mut cur));
            if lines.len() == max_lines {
                overflow = true;
                break;
            }
            cur.push_str(word);
        }
    }
    if !overflow && !cur.is_empty() {
        lines.push(cur);
    }
    if (overflow || lines.iter().any(|l| l.chars().count() > max_chars))
        && let Some(last) = lines.last_mut()
    {
        let keep: String = last.chars().take(max_chars.saturating_sub(1)).collect();
        *last = format!("{}…", keep.trim_end());
    }
    lines
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// Short date for axis labels: `1.4.2025` (da), `2025-04-01` (en).
pub fn short_date(d: chrono::NaiveDate, english: bool) -> String {
    if english {
        d.format("%Y-%m-%d").to_string()
    } else {
        d.format("%-d.%-m.%Y").to_string()
    }
}

/// `k` colours spread over the sequential scale, light to dark.
fn palette(k: usize) -> Vec<&'static str> {
    let last = SEQUENTIAL.len() - 1;
    match k {
        0 => vec![],
        1 => vec![SEQUENTIAL[3]],
        _ => (0..k)
            .map(|i| SEQUENTIAL[(i * last + (k - 1) / 2) / (k - 1)])
            .collect(),
    }
}

/// Heat map fill: darker is higher, in bands so equal colours mean roughly equal values.
fn heat_colour(share: f64) -> &'static str {
    match share {
        s if s < 0.5 => SEQUENTIAL[0],
        s if s < 0.7 => SEQUENTIAL[1],
        s if s < 0.8 => SEQUENTIAL[2],
        s if s < 0.9 => SEQUENTIAL[4],
        _ => SEQUENTIAL[5],
    }
}

/// Near-black or white, whichever has more contrast with the fill.
fn text_on(fill: &str) -> &'static str {
    if contrast(fill, INK) >= contrast(fill, WHITE) {
        INK
    } else {
        WHITE
    }
}

/// WCAG contrast ratio of two `#rrggbb` colours.
fn contrast(a: &str, b: &str) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

fn luminance(hex: &str) -> f64 {
    let h = hex.trim_start_matches('#');
    let ch = |i: usize| {
        let v = h
            .get(i..i + 2)
            .and_then(|s| u8::from_str_radix(s, 16).ok())
            .unwrap_or(0) as f64
            / 255.0;
        if v <= 0.03928 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * ch(0) + 0.7152 * ch(2) + 0.0722 * ch(4)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
