//! The adaptive revisit policy of detail pages and home pages (issue 19, docs/sources.md
//! "Revisiting pages that do not change"): a page whose body has come back unchanged `k` runs
//! in a row (a 304, or a 200 with the same SHA-256) is asked again only once
//! `min(2^k days, revisit_max_days)` have passed since it was last asked, less a tolerance
//! of one hour (so a daily or weekly schedule whose run starts a few seconds earlier than the
//! last one does not skip a run). Meanwhile its archived body stands in for it. `k` is 0 after
//! a page first answers or changes, so the next ask comes a day later, then 2, 4 and (capped
//! by the default of 7) every 7 days.
//!
//! Pure: the fetcher (`mod.rs`) applies it with the validators of the state store.

use chrono::{DateTime, TimeDelta, Utc};

/// The default cap of the interval, in days (`revisit_max_days`).
pub const DEFAULT_MAX_DAYS: u32 = 7;

/// The longest cap a declaration may set, in days.
pub const MAX_MAX_DAYS: u32 = 365;

/// How much earlier than its interval a page is already due.
pub const TOLERANCE: TimeDelta = TimeDelta::hours(1);

/// The revisit policy of one request: a page under it may be answered from the archive
/// instead of being asked. Listing pages, feeds and API calls carry none (they are always
/// asked: they reveal new and removed items).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Revisit {
    /// The longest interval between two asks, in days; 0 asks every run.
    pub max_days: u32,
}

impl Revisit {
    /// The interval after `unchanged` unchanged answers in a row: `min(2^unchanged days,
    /// max_days days)`.
    pub fn interval(&self, unchanged: u32) -> TimeDelta {
        let days = 1u64
            .checked_shl(unchanged)
            .unwrap_or(u64::MAX)
            .min(u64::from(self.max_days));
        TimeDelta::days(days as i64)
    }

    /// True when a page last asked at `asked_at` (`None`: never under this policy, or its
    /// last ask failed) after `unchanged` unchanged answers in a row must be asked at `now`.
    /// A last ask later than `now` (the clock was set back) makes the page due.
    pub fn due(&self, unchanged: u32, asked_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
        let Some(asked_at) = asked_at else {
            return true;
        };
        if self.max_days == 0 || asked_at > now {
            return true;
        }
        now >= asked_at + self.interval(unchanged) - TOLERANCE
    }
}

impl Default for Revisit {
    fn default() -> Self {
        Revisit {
            max_days: DEFAULT_MAX_DAYS,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    #[test]
    fn the_interval_doubles_with_each_unchanged_answer_up_to_the_cap() {
        let r = Revisit::default();
        let days: Vec<i64> = (0..6).map(|k| r.interval(k).num_days()).collect();
        assert_eq!(days, [1, 2, 4, 7, 7, 7]);
        let r = Revisit { max_days: 30 };
        assert_eq!(r.interval(4).num_days(), 16);
        assert_eq!(r.interval(5).num_days(), 30);
        assert_eq!(r.interval(200).num_days(), 30, "no overflow");
        assert_eq!(Revisit { max_days: 1 }.interval(0).num_days(), 1);
    }

    #[test]
    fn a_page_is_due_once_its_interval_less_an_hour_has_passed() {
        let r = Revisit::default();
        let asked = t("2026-06-01T03:00:05Z");
        // Just asked, or asked yesterday and unchanged once: not due.
        assert!(!r.due(0, Some(asked), t("2026-06-01T04:00:00Z")));
        assert!(!r.due(1, Some(asked), t("2026-06-02T03:00:00Z")));
        // A daily run starting a few seconds earlier than the last ask: due all the same.
        assert!(r.due(0, Some(asked), t("2026-06-02T03:00:00Z")));
        assert!(!r.due(0, Some(asked), t("2026-06-02T02:00:04Z")));
        // Unchanged 3 times: 7 days (the cap), and a weekly run is never skipped.
        assert!(!r.due(3, Some(asked), t("2026-06-07T03:00:00Z")));
        assert!(r.due(3, Some(asked), t("2026-06-08T03:00:00Z")));
        assert!(r.due(9, Some(asked), t("2026-06-08T02:59:00Z")));
    }

    #[test]
    fn never_asked_pages_a_cap_of_zero_and_a_clock_set_back_are_always_due() {
        let now = t("2026-06-01T03:00:00Z");
        assert!(Revisit::default().due(5, None, now));
        assert!(Revisit { max_days: 0 }.due(5, Some(now), now));
        // The clock set back past the last ask.
        assert!(Revisit::default().due(0, Some(t("2026-06-01T03:00:01Z")), now));
    }
}
