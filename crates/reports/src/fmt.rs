//! How the PDF and the Word report print a snapshot's figures and texts: one formatter, so
//! both say "72,3 % (95 %-interval 68,0 %–76,2 %; n = 1.234)" the same way.

use tilsyn_domain::numfmt;
use tilsyn_domain::report::{Figure, Report, TrendChange};

/// The earlier round's actions as both outputs print them.
pub(crate) struct FollowUpTable {
    pub heading: String,
    /// "Tiltag besluttet efter Ledelsestilsyn forår 2025: 1 udført, 1 i gang, …".
    pub intro: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Whether the last column names owners.
    pub owners: bool,
}

pub(crate) struct Fmt<'a> {
    pub r: &'a Report,
    pub en: bool,
}

impl Fmt<'_> {
    pub fn t(&self, key: &str) -> String {
        self.r.text(key).to_owned()
    }

    pub fn mark(&self) -> String {
        self.t("report-hidden-mark")
    }

    pub fn none(&self) -> String {
        self.t("report-no-data")
    }

    pub fn pct(&self, share: Option<f64>) -> String {
        share
            .map(|s| numfmt::percent(s, self.en))
            .unwrap_or_else(|| self.none())
    }

    pub fn int(&self, n: u64) -> String {
        numfmt::integer(n, self.en)
    }

    pub fn date(&self, d: chrono::NaiveDate) -> String {
        crate::svg::short_date(d, self.en)
    }

    /// n, share and interval of a figure, or the mark three times when it is hidden.
    pub fn figure(&self, f: &Figure, hidden: &mut bool) -> [String; 3] {
        if f.hidden {
            *hidden = true;
            return [self.mark(), self.mark(), self.mark()];
        }
        let interval = match (f.low, f.high) {
            (Some(lo), Some(hi)) => format!(
                "{}–{}",
                numfmt::percent(lo, self.en),
                numfmt::percent(hi, self.en)
            ),
            _ => self.none(),
        };
        [
            f.n.map(|n| self.int(n)).unwrap_or_else(|| self.none()),
            self.pct(f.share),
            interval,
        ]
    }

    /// "72,3 % (95 %-interval 68,0 %–76,2 %; n = 1.234)".
    pub fn figure_sentence(&self, f: &Figure) -> String {
        if f.hidden {
            return self.mark();
        }
        let mut out = self.pct(f.share);
        let mut extra = vec![];
        if let (Some(lo), Some(hi)) = (f.low, f.high) {
            extra.push(format!(
                "{} {}–{}",
                self.t("report-col-interval"),
                numfmt::percent(lo, self.en),
                numfmt::percent(hi, self.en)
            ));
        }
        if let Some(n) = f.n {
            extra.push(format!("n = {}", self.int(n)));
        }
        if !extra.is_empty() {
            out.push_str(&format!(" ({})", extra.join("; ")));
        }
        out
    }

    /// A change with its direction mark when significant ("▲ +12,5") and the p-value.
    pub fn change(&self, c: &TrendChange) -> [String; 2] {
        let mut diff = numfmt::signed_points(c.diff, self.en);
        if c.significant {
            let arrow = if c.diff >= 0.0 { "▲" } else { "▼" };
            diff = format!("{arrow} {diff}");
        }
        [diff, numfmt::p_value(c.p_value, self.en)]
    }

    /// "Dannet 23.11.2026 af Karsten Berg".
    pub fn generated(&self) -> String {
        format!(
            "{} {} {} {}",
            self.t("report-generated"),
            self.date(self.r.generated_at.date_naive()),
            self.t("report-generated-by"),
            self.r.generated_by
        )
    }

    /// The follow-up table, when the report has one.
    pub fn follow_up(&self) -> Option<FollowUpTable> {
        let f = self.r.follow_up.as_ref()?;
        let c = &f.counts;
        let status =
            |s: tilsyn_domain::action::ActionStatus| self.t(&format!("action-status-{}", s.code()));
        use tilsyn_domain::action::ActionStatus as S;
        let mut counts: Vec<String> = [
            (c.done, S::Done),
            (c.in_progress, S::InProgress),
            (c.planned, S::Planned),
            (c.dropped, S::Dropped),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, s)| format!("{} {}", self.int(n), status(s).to_lowercase()))
        .collect();
        if c.overdue > 0 {
            counts.push(format!(
                "{} {}",
                self.int(c.overdue),
                self.t("report-action-overdue")
            ));
        }
        let owners = f.actions.iter().any(|a| a.owner.is_some());
        let mut head = vec![
            self.t("report-col-action"),
            self.t("report-col-due"),
            self.t("report-col-status"),
            self.t("report-col-note"),
        ];
        if owners {
            head.push(self.t("report-col-owner"));
        }
        let rows = f
            .actions
            .iter()
            .map(|a| {
                let mut st = status(a.status);
                if a.overdue {
                    st = format!("{st} ({})", self.t("report-action-overdue"));
                }
                let mut row = vec![a.description.clone(), self.date(a.due), st, a.note.clone()];
                if owners {
                    row.push(a.owner.clone().unwrap_or_default());
                }
                row
            })
            .collect();
        Some(FollowUpTable {
            heading: self.t("report-follow-up"),
            intro: format!(
                "{} {}: {}.",
                self.t("report-follow-up-intro"),
                f.round,
                if counts.is_empty() {
                    self.none()
                } else {
                    counts.join(", ")
                }
            ),
            head,
            rows,
            owners,
        })
    }
}
