//! Short, human ages for list items ("now", "5m", "3h", "2d") and longer labels for details.

use tidings_protocol::Millis;

const MINUTE: Millis = 60_000;
const HOUR: Millis = 60 * MINUTE;
const DAY: Millis = 24 * HOUR;

/// The compact age of something that happened at `then`, seen at `now`.
/// Clocks disagree a little between server and browser, so the future reads as "now".
pub fn short_age(now: Millis, then: Millis) -> String {
    let elapsed = now.saturating_sub(then);
    if elapsed < MINUTE {
        "now".to_string()
    } else if elapsed < HOUR {
        format!("{}m", elapsed / MINUTE)
    } else if elapsed < DAY {
        format!("{}h", elapsed / HOUR)
    } else {
        format!("{}d", elapsed / DAY)
    }
}

/// A sentence-friendly age: "just now", "5 minutes ago", "1 hour ago", "3 days ago".
pub fn long_age(now: Millis, then: Millis) -> String {
    let elapsed = now.saturating_sub(then);
    let (count, unit) = if elapsed < MINUTE {
        return "just now".to_string();
    } else if elapsed < HOUR {
        (elapsed / MINUTE, "minute")
    } else if elapsed < DAY {
        (elapsed / HOUR, "hour")
    } else {
        (elapsed / DAY, "day")
    };
    let plural = if count == 1 { "" } else { "s" };
    format!("{count} {unit}{plural} ago")
}

/// "14:05" in UTC offset `offset_minutes` (the browser's `-getTimezoneOffset()`).
pub fn clock_time(at: Millis, offset_minutes: i64) -> String {
    let local = at + offset_minutes * MINUTE;
    let minutes_of_day = local.rem_euclid(DAY) / MINUTE;
    format!("{:02}:{:02}", minutes_of_day / 60, minutes_of_day % 60)
}

/// The local day number (days since 1970-01-01) of an instant.
pub fn local_day(at: Millis, offset_minutes: i64) -> i64 {
    (at + offset_minutes * MINUTE).div_euclid(DAY)
}

/// Year, month (1–12) and day of a day number (the proleptic Gregorian calendar).
fn civil_date(day: i64) -> (i64, u32, u32) {
    // Howard Hinnant's days-to-civil algorithm.
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The heading of a day in a conversation: "Today", "Yesterday" or "21 Nov 2026".
pub fn day_label(today: i64, day: i64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    match today - day {
        0 => "Today".to_string(),
        1 => "Yesterday".to_string(),
        _ => {
            let (y, m, d) = civil_date(day);
            format!("{d} {} {y}", MONTHS[(m - 1) as usize])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_ages_pick_the_largest_whole_unit() {
        let now = 10 * DAY;
        assert_eq!(short_age(now, now), "now");
        assert_eq!(short_age(now, now - 59_999), "now");
        assert_eq!(short_age(now, now - MINUTE), "1m");
        assert_eq!(short_age(now, now - 59 * MINUTE), "59m");
        assert_eq!(short_age(now, now - 2 * HOUR - 5), "2h");
        assert_eq!(short_age(now, now - 3 * DAY), "3d");
    }

    #[test]
    fn a_time_slightly_in_the_future_reads_as_now() {
        assert_eq!(short_age(1_000, 5_000), "now");
        assert_eq!(long_age(1_000, 5_000), "just now");
    }

    #[test]
    fn long_ages_are_pluralised() {
        let now = 10 * DAY;
        assert_eq!(long_age(now, now - MINUTE), "1 minute ago");
        assert_eq!(long_age(now, now - 5 * MINUTE), "5 minutes ago");
        assert_eq!(long_age(now, now - HOUR), "1 hour ago");
        assert_eq!(long_age(now, now - 2 * DAY), "2 days ago");
    }

    #[test]
    fn clock_time_applies_the_offset_and_wraps_days() {
        let at = 3 * DAY + 14 * HOUR + 5 * MINUTE;
        assert_eq!(clock_time(at, 0), "14:05");
        assert_eq!(clock_time(at, 120), "16:05");
        assert_eq!(clock_time(at, -15 * 60), "23:05");
    }

    #[test]
    fn days_are_local_and_labelled() {
        // 2025-11-21 23:30 UTC is already the 22nd at UTC+1.
        let at = 1_763_767_800_000; // 2025-11-21T23:30:00Z
        assert_eq!(local_day(at, 0) + 1, local_day(at, 60));
        let day = local_day(at, 0);
        assert_eq!(day_label(day, day), "Today");
        assert_eq!(day_label(day + 1, day), "Yesterday");
        assert_eq!(day_label(day + 7, day), "21 Nov 2025");
        assert_eq!(day_label(100, 0), "1 Jan 1970");
        assert_eq!(day_label(20_000, 11_016), "29 Feb 2000");
    }
}
