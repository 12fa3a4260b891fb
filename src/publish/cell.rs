//! A release cell and its bytes: how one value of a row is borrowed ([`Cell`]) and written
//! (RFC 3339 datetimes, JSON strings, the provenance object), shared by every encoder.

use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};

use super::schema::Column;
#[cfg(test)]
use super::schema::ColumnType;
use crate::model::Provenance;

/// One cell, borrowed from its row. Datetimes are already truncated to whole seconds.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Cell<'a> {
    Str(Option<&'a str>),
    Bool(Option<bool>),
    Int(Option<i64>),
    Time(Option<DateTime<Utc>>),
    List(&'a [String]),
    /// `provenance`: the fields a record supplied, each printed with the record's source.
    Object(Provenance, &'a str),
}

impl<'a> Cell<'a> {
    pub(super) fn text(value: &'a str) -> Self {
        Cell::Str(Some(value))
    }

    pub(super) fn opt(value: &'a Option<String>) -> Self {
        Cell::Str(value.as_deref())
    }

    pub(super) fn time(value: Option<DateTime<Utc>>) -> Self {
        Cell::Time(value.map(|t| t.trunc_subsecs(0)))
    }

    /// The logical type this cell belongs to.
    #[cfg(test)]
    pub(crate) fn kind(&self) -> ColumnType {
        match self {
            Cell::Str(_) => ColumnType::String,
            Cell::Bool(_) => ColumnType::Boolean,
            Cell::Int(_) => ColumnType::Integer,
            Cell::Time(_) => ColumnType::Datetime,
            Cell::List(_) => ColumnType::List,
            Cell::Object(..) => ColumnType::Object,
        }
    }
}

/// The cell of `column` for `row`.
pub(crate) fn cell<'a, R>(column: &Column<R>, row: &'a R) -> Cell<'a> {
    (column.get)(row)
}

/// RFC 3339, UTC, whole seconds, `Z`: the one text form of a datetime in every format.
pub(crate) fn format_time(t: &DateTime<Utc>) -> String {
    let mut out = Vec::with_capacity(20);
    push_time(&mut out, t);
    // ASCII digits and separators, or chrono's own text.
    String::from_utf8(out).unwrap_or_default()
}

/// Appends [`format_time`] of `t` to `out` without allocating: `YYYY-MM-DDTHH:MM:SSZ`,
/// written by hand for years 0–9999 (what chrono writes for them), chrono's text otherwise.
pub(crate) fn push_time(out: &mut Vec<u8>, t: &DateTime<Utc>) {
    use chrono::{Datelike, Timelike};
    let year = t.year();
    if !(0..=9999).contains(&year) || t.nanosecond() >= 1_000_000_000 {
        // Out-of-range years and leap seconds: chrono's own formatting.
        out.extend_from_slice(t.to_rfc3339_opts(SecondsFormat::Secs, true).as_bytes());
        return;
    }
    let two = |n: u32| [b'0' + (n / 10) as u8, b'0' + (n % 10) as u8];
    let y = year as u32;
    let [y0, y1] = two(y / 100);
    let [y2, y3] = two(y % 100);
    let [mo0, mo1] = two(t.month());
    let [d0, d1] = two(t.day());
    let [h0, h1] = two(t.hour());
    let [mi0, mi1] = two(t.minute());
    let [s0, s1] = two(t.second());
    out.extend_from_slice(&[
        y0, y1, y2, y3, b'-', mo0, mo1, b'-', d0, d1, b'T', h0, h1, b':', mi0, mi1, b':', s0, s1,
        b'Z',
    ]);
}

/// Appends `value` as a JSON string, escaped exactly as `serde_json` escapes it.
pub(crate) fn push_json_str(out: &mut Vec<u8>, value: &str) {
    // A `&str` into a `Vec` cannot fail.
    let _ = serde_json::to_writer(out, value);
}

/// Compact JSON text of an object cell, keys sorted (CSV and Parquet form).
pub(crate) fn object_text(fields: Provenance, source: &str) -> String {
    let mut out = Vec::new();
    push_object_text(&mut out, fields, source);
    // Built from `&str`s and ASCII punctuation only.
    String::from_utf8(out).unwrap_or_default()
}

/// Appends [`object_text`] to `out`: `{"field":"source",…}`, keys sorted, the bytes
/// `serde_json` writes for the same map.
pub(crate) fn push_object_text(out: &mut Vec<u8>, fields: Provenance, source: &str) {
    out.push(b'{');
    for (i, field) in fields.fields().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_json_str(out, field);
        out.push(b':');
        push_json_str(out, source);
    }
    out.push(b'}');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_written_times_equal_chrono() {
        use chrono::{Duration, NaiveDate, TimeZone};
        let mut t = Utc.with_ymd_and_hms(-3, 1, 1, 0, 0, 0).unwrap();
        let mut step = 1u64;
        let end = Utc.with_ymd_and_hms(10_050, 1, 1, 0, 0, 0).unwrap();
        let mut times = vec![
            Utc.with_ymd_and_hms(0, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(10_000, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(-1, 12, 31, 23, 59, 59).unwrap(),
            NaiveDate::from_ymd_opt(2016, 12, 31)
                .unwrap()
                .and_hms_milli_opt(23, 59, 59, 1_500)
                .unwrap()
                .and_utc(),
        ];
        while t < end {
            times.push(t);
            t += Duration::seconds(step as i64)
                + Duration::nanoseconds((step % 1_000_000_000) as i64);
            step = step.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1) % 40_000_000;
        }
        for t in &times {
            assert_eq!(
                format_time(t),
                t.to_rfc3339_opts(SecondsFormat::Secs, true),
                "{t:?}"
            );
        }
    }

    #[test]
    fn datetimes_lose_their_subseconds() {
        let t = DateTime::parse_from_rfc3339("2026-11-26T03:00:00.987654Z")
            .unwrap()
            .with_timezone(&Utc);
        let Cell::Time(Some(cut)) = Cell::time(Some(t)) else {
            panic!("not a time")
        };
        assert_eq!(format_time(&cut), "2026-11-26T03:00:00Z");
    }

    #[test]
    fn object_text_is_compact_sorted_json() {
        let fields: Provenance = ["name", "license"].into_iter().collect();
        assert_eq!(
            object_text(fields, "a\"b"),
            r#"{"license":"a\"b","name":"a\"b"}"#
        );
        assert_eq!(object_text(Provenance::default(), "x"), "{}");
    }
}
