//! Dates for deadlines in case law: calendar months with end-of-month clamping, and Danish
//! working days (hverdage) with the public holidays (helligdage), for the date rules that
//! pre-fill review answers (e.g. BFU within 4 months, kvittering within 6 working days).

use chrono::{Datelike, Days, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// A Danish public holiday (helligdag).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Holiday {
    NewYearsDay,
    MaundyThursday,
    GoodFriday,
    EasterSunday,
    EasterMonday,
    /// Store bededag: a holiday until 2023, abolished from 2024.
    GreatPrayerDay,
    AscensionDay,
    WhitSunday,
    WhitMonday,
    ChristmasDay,
    BoxingDay,
}

/// The last year with store bededag as a public holiday.
pub const LAST_GREAT_PRAYER_DAY_YEAR: i32 = 2023;

/// Easter Sunday of a Gregorian year (the anonymous Gregorian algorithm, "Meeus/Jones/
/// Butcher"). `None` outside the years chrono can represent.
pub fn easter_sunday(year: i32) -> Option<NaiveDate> {
    let a = year.rem_euclid(19);
    let b = year.div_euclid(100);
    let c = year.rem_euclid(100);
    let d = b.div_euclid(4);
    let e = b.rem_euclid(4);
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let i = c.div_euclid(4);
    let k = c.rem_euclid(4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l).div_euclid(451);
    let month = (h + l - 7 * m + 114).div_euclid(31);
    let day = (h + l - 7 * m + 114).rem_euclid(31) + 1;
    NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, u32::try_from(day).ok()?)
}

/// The public holidays of `year`, in date order.
pub fn public_holidays(year: i32) -> Vec<(NaiveDate, Holiday)> {
    let Some(easter) = easter_sunday(year) else {
        return Vec::new();
    };
    let rel = |days: i64| easter.checked_add_signed(chrono::Duration::days(days));
    let mut v: Vec<(Option<NaiveDate>, Holiday)> = vec![
        (NaiveDate::from_ymd_opt(year, 1, 1), Holiday::NewYearsDay),
        (rel(-3), Holiday::MaundyThursday),
        (rel(-2), Holiday::GoodFriday),
        (Some(easter), Holiday::EasterSunday),
        (rel(1), Holiday::EasterMonday),
        (rel(39), Holiday::AscensionDay),
        (rel(49), Holiday::WhitSunday),
        (rel(50), Holiday::WhitMonday),
        (NaiveDate::from_ymd_opt(year, 12, 25), Holiday::ChristmasDay),
        (NaiveDate::from_ymd_opt(year, 12, 26), Holiday::BoxingDay),
    ];
    if year <= LAST_GREAT_PRAYER_DAY_YEAR {
        // The fourth Friday after Easter.
        v.push((rel(26), Holiday::GreatPrayerDay));
    }
    let mut out: Vec<(NaiveDate, Holiday)> = v
        .into_iter()
        .filter_map(|(d, h)| d.map(|d| (d, h)))
        .collect();
    out.sort();
    out
}

/// The holiday on `date`, if it is one.
pub fn holiday_on(date: NaiveDate) -> Option<Holiday> {
    public_holidays(date.year())
        .into_iter()
        .find(|(d, _)| *d == date)
        .map(|(_, h)| h)
}

/// A working day (hverdag): Monday to Friday and not a public holiday.
pub fn is_working_day(date: NaiveDate) -> bool {
    !matches!(date.weekday(), Weekday::Sat | Weekday::Sun) && holiday_on(date).is_none()
}

/// The date `n` working days after `from` (`from` itself is not counted, whatever day it
/// is): received on a Thursday, "within 6 working days" ends on that count's sixth hverdag.
pub fn add_working_days(from: NaiveDate, n: u32) -> Option<NaiveDate> {
    let mut d = from;
    let mut left = n;
    while left > 0 {
        d = d.checked_add_days(Days::new(1))?;
        if is_working_day(d) {
            left -= 1;
        }
    }
    Some(d)
}

/// `n` calendar months after `from`; a day the target month lacks becomes its last day
/// (31 January + 1 month = 28 or 29 February).
pub fn add_months(from: NaiveDate, n: u32) -> Option<NaiveDate> {
    from.checked_add_months(Months::new(n))
}

/// A deadline counted from a start date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "unit", content = "n")]
pub enum Period {
    Days(u32),
    WorkingDays(u32),
    Months(u32),
}

impl Period {
    /// The last day that still meets the deadline.
    pub fn due(self, start: NaiveDate) -> Option<NaiveDate> {
        match self {
            Period::Days(n) => start.checked_add_days(Days::new(u64::from(n))),
            Period::WorkingDays(n) => add_working_days(start, n),
            Period::Months(n) => add_months(start, n),
        }
    }
}

/// Whether a step was done in time, as far as the dates tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "outcome")]
pub enum Deadline {
    /// Done on or before the due date.
    Met { due: NaiveDate },
    /// Done after the due date, or not done and the due date has passed.
    Missed { due: NaiveDate },
    /// Not done, and the due date has not passed yet.
    Open { due: NaiveDate },
    /// No start date (or a date out of range): the dates cannot tell.
    Unknown,
}

/// Checks a step against its deadline: `start` (e.g. the day the municipality became
/// aware), `done` (e.g. the BFU's end), `today` for steps not done yet.
pub fn check_deadline(
    period: Period,
    start: Option<NaiveDate>,
    done: Option<NaiveDate>,
    today: NaiveDate,
) -> Deadline {
    let Some(due) = start.and_then(|s| period.due(s)) else {
        return Deadline::Unknown;
    };
    match done {
        Some(d) if d <= due => Deadline::Met { due },
        Some(_) => Deadline::Missed { due },
        None if today > due => Deadline::Missed { due },
        None => Deadline::Open { due },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
    }

    #[test]
    fn easter_matches_published_dates() {
        // Published Western Easter dates, including the earliest (22 March) and latest
        // (25 April) possible.
        for (y, m, day) in [
            (1818, 3, 22),
            (1943, 4, 25),
            (2000, 4, 23),
            (2008, 3, 23),
            (2011, 4, 24),
            (2019, 4, 21),
            (2023, 4, 9),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2038, 4, 25),
            (2285, 3, 22),
        ] {
            assert_eq!(easter_sunday(y), Some(d(y, m, day)), "{y}");
        }
    }

    #[test]
    fn easter_is_always_a_sunday_between_22_march_and_25_april() {
        for y in 1583..=4099 {
            let e = easter_sunday(y).expect("in range");
            assert_eq!(e.weekday(), Weekday::Sun, "{y}");
            assert!(e >= d(y, 3, 22) && e <= d(y, 4, 25), "{y}: {e}");
        }
    }

    #[test]
    fn holidays_of_2023_and_2024_differ_by_store_bededag() {
        let y23: Vec<NaiveDate> = public_holidays(2023).into_iter().map(|(d, _)| d).collect();
        assert_eq!(
            y23,
            vec![
                d(2023, 1, 1),
                d(2023, 4, 6),
                d(2023, 4, 7),
                d(2023, 4, 9),
                d(2023, 4, 10),
                d(2023, 5, 5),
                d(2023, 5, 18),
                d(2023, 5, 28),
                d(2023, 5, 29),
                d(2023, 12, 25),
                d(2023, 12, 26),
            ]
        );
        assert_eq!(holiday_on(d(2023, 5, 5)), Some(Holiday::GreatPrayerDay));
        // 2024: Easter 31 March; store bededag (26 April) is an ordinary Friday.
        assert_eq!(holiday_on(d(2024, 4, 26)), None);
        assert!(is_working_day(d(2024, 4, 26)));
        assert_eq!(public_holidays(2024).len(), 10);
        assert_eq!(holiday_on(d(2024, 5, 9)), Some(Holiday::AscensionDay));
        assert_eq!(holiday_on(d(2024, 5, 20)), Some(Holiday::WhitMonday));
        // Grundlovsdag is not a public holiday in the law's sense.
        assert_eq!(holiday_on(d(2024, 6, 5)), None);
    }

    #[test]
    fn working_days_skip_weekends_and_easter() {
        // Received Thursday 21 March 2024: Fri 22 (1), Mon 25 (2), Tue 26 (3), Wed 27 (4);
        // 28 skærtorsdag, 29 langfredag, 31 påskedag, 1 April 2. påskedag; Tue 2 (5), Wed 3 (6).
        assert_eq!(add_working_days(d(2024, 3, 21), 6), Some(d(2024, 4, 3)));
        // Received on a Saturday: Monday is the first.
        assert_eq!(add_working_days(d(2025, 11, 22), 1), Some(d(2025, 11, 24)));
        // Over Christmas and New Year 2025/26: Tue 23 Dec + 6 = Wed 24 (1), Mon 29 (2),
        // Tue 30 (3), Wed 31 (4), Fri 2 Jan (5), Mon 5 Jan (6).
        assert_eq!(add_working_days(d(2025, 12, 23), 6), Some(d(2026, 1, 5)));
        assert_eq!(add_working_days(d(2025, 12, 23), 0), Some(d(2025, 12, 23)));
    }

    #[test]
    fn months_clamp_to_the_end_of_shorter_months() {
        assert_eq!(
            add_months(d(2024, 1, 31), 1),
            Some(d(2024, 2, 29)),
            "leap year"
        );
        assert_eq!(add_months(d(2023, 1, 31), 1), Some(d(2023, 2, 28)));
        assert_eq!(add_months(d(2024, 10, 31), 4), Some(d(2025, 2, 28)));
        assert_eq!(add_months(d(2024, 2, 29), 12), Some(d(2025, 2, 28)));
        assert_eq!(add_months(d(2024, 8, 31), 3), Some(d(2024, 11, 30)));
        assert_eq!(add_months(d(2024, 3, 15), 3), Some(d(2024, 6, 15)));
    }

    #[test]
    fn deadlines_are_met_missed_open_or_unknown() {
        let bfu = Period::Months(4);
        let aware = Some(d(2024, 10, 31));
        let today = d(2025, 6, 1);
        // Due 28 February 2025 (clamped): the last day still counts.
        assert_eq!(
            check_deadline(bfu, aware, Some(d(2025, 2, 28)), today),
            Deadline::Met {
                due: d(2025, 2, 28)
            }
        );
        assert_eq!(
            check_deadline(bfu, aware, Some(d(2025, 3, 1)), today),
            Deadline::Missed {
                due: d(2025, 2, 28)
            }
        );
        assert_eq!(
            check_deadline(bfu, aware, None, d(2025, 2, 28)),
            Deadline::Open {
                due: d(2025, 2, 28)
            }
        );
        assert_eq!(
            check_deadline(bfu, aware, None, d(2025, 3, 1)),
            Deadline::Missed {
                due: d(2025, 2, 28)
            }
        );
        assert_eq!(check_deadline(bfu, None, None, today), Deadline::Unknown);
        let kvittering = Period::WorkingDays(6);
        assert_eq!(
            check_deadline(kvittering, Some(d(2024, 3, 21)), Some(d(2024, 4, 3)), today),
            Deadline::Met { due: d(2024, 4, 3) }
        );
        assert_eq!(
            Period::Days(10).due(d(2024, 2, 25)),
            Some(d(2024, 3, 6)),
            "through 29 February"
        );
    }
}
