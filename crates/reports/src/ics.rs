//! The year wheel's milestones as an iCalendar file (RFC 5545), for Outlook and the other
//! calendar programs a municipality uses: one all-day event per milestone, with a stable id so
//! a second import updates the events instead of doubling them.

use chrono::{DateTime, NaiveDate, Utc};
use icalendar::{Calendar, Component, Event, EventLike};

/// One milestone as the calendar shows it.
pub struct CalendarEvent {
    /// Stable across exports: the round's id and the milestone's kind.
    pub uid: String,
    pub date: NaiveDate,
    pub summary: String,
    pub description: String,
}

/// The calendar as text; `stamp` is when it was made (DTSTAMP), passed in so output is
/// reproducible.
pub fn calendar(name: &str, events: &[CalendarEvent], stamp: DateTime<Utc>) -> String {
    let mut cal = Calendar::new();
    cal.name(name);
    for e in events {
        cal.push(
            Event::new()
                .uid(&e.uid)
                .timestamp(stamp)
                .all_day(e.date)
                .summary(&e.summary)
                .description(&e.description)
                .done(),
        );
    }
    cal.done().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_parser_reads_every_event_back() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).expect("date");
        let events = vec![
            CalendarEvent {
                uid: "r1-review_start@tilsyn".into(),
                date: d(3, 2),
                summary: "Ledelsestilsyn forår 2026: Gennemgang starter".into(),
                description: "Myndighed Børn og Unge; komma, semikolon; og\nny linje".into(),
            },
            CalendarEvent {
                uid: "r1-committee_report@tilsyn".into(),
                date: d(6, 15),
                summary: "Ledelsestilsyn forår 2026: Afrapportering til udvalget".into(),
                description: String::new(),
            },
        ];
        let text = calendar("Årshjul 2026", &events, DateTime::UNIX_EPOCH);
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n"), "{text}");
        let mut reader = ical::IcalParser::new(text.as_bytes());
        let cal = reader.next().expect("a calendar").expect("parses");
        assert!(reader.next().is_none(), "one calendar");
        assert_eq!(cal.events.len(), 2);
        let prop = |i: usize, name: &str| {
            cal.events[i]
                .properties
                .iter()
                .find(|p| p.name == name)
                .and_then(|p| p.value.clone())
                .unwrap_or_default()
        };
        assert_eq!(prop(0, "DTSTART"), "20260302");
        assert_eq!(prop(0, "UID"), "r1-review_start@tilsyn");
        assert_eq!(
            prop(1, "SUMMARY"),
            "Ledelsestilsyn forår 2026: Afrapportering til udvalget"
        );
        // Special characters are escaped, not lost.
        assert_eq!(
            prop(0, "DESCRIPTION"),
            "Myndighed Børn og Unge\\; komma\\, semikolon\\; og\\nny linje"
        );
        assert_eq!(prop(1, "DTSTAMP"), "19700101T000000Z");
    }
}
