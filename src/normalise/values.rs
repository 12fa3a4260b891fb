//! Scalars and lists: numbers, booleans, dates, tags, licences, Wikidata ids.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

/// A whole number (`1,234` and `1234.0` accepted).
pub fn integer(s: &str) -> Option<i64> {
    let s = s.trim().replace([',', '_'], "");
    s.parse::<i64>().ok().or_else(|| {
        s.parse::<f64>()
            .ok()
            .filter(|f| f.fract() == 0.0 && f.is_finite())
            .map(|f| f as i64)
    })
}

/// A boolean in the spellings sources use.
pub fn boolean(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" | "oui" | "y" | "t" => Some(true),
        "false" | "no" | "0" | "non" | "n" | "f" => Some(false),
        _ => None,
    }
}

/// A date or date-time: RFC 3339, `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS`, or epoch seconds or
/// milliseconds (SILL gives milliseconds). Truncated to whole seconds, UTC.
pub fn datetime(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    let parsed = DateTime::parse_from_rfc3339(s)
        .map(|d| d.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
                .ok()
                .map(|n| n.and_utc())
        })
        .or_else(|| {
            NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|n| n.and_utc())
        })
        .or_else(|| {
            let n: i64 = s.parse().ok()?;
            // Epoch milliseconds beyond year 2286 in seconds: treat 12+ digits as ms.
            let secs = if n.unsigned_abs() >= 100_000_000_000 {
                n / 1000
            } else {
                n
            };
            Utc.timestamp_opt(secs, 0).single()
        })?;
    Utc.timestamp_opt(parsed.timestamp(), 0).single()
}

/// A tag in lower-kebab-case.
pub fn tag(s: &str) -> String {
    let lower = s.trim().to_lowercase();
    let mut out = String::new();
    for c in lower.chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// Normalises each value, drops empties and duplicates, sorts.
pub fn list(values: &[String], f: impl Fn(&str) -> String) -> Vec<String> {
    let mut out: Vec<String> = values
        .iter()
        .map(|v| f(v))
        .filter(|v| !v.is_empty())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// A Wikidata item id (`Q42`) from an id or an entity URL.
pub fn wikidata(s: &str) -> Option<String> {
    let last = s.trim().trim_end_matches('/').rsplit('/').next()?;
    let up = last.to_ascii_uppercase();
    (up.len() > 1 && up.starts_with('Q') && up[1..].bytes().all(|b| b.is_ascii_digit()))
        .then_some(up)
}

/// A licence as an SPDX expression (see [`super::license::normalise`]): deprecated ids and
/// common names mapped; `NOASSERTION`, `other` and unparseable values give `None`.
pub fn license(s: &str) -> Option<String> {
    super::license::normalise(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_booleans_and_dates_parse_in_source_spellings() {
        assert_eq!(integer("1,234"), Some(1234));
        assert_eq!(integer("12.0"), Some(12));
        assert_eq!(integer("many"), None);
        assert_eq!(boolean("False"), Some(false));
        assert_eq!(boolean("oui"), Some(true));
        let t = datetime("2019-04-23T06:13:20.123Z").unwrap();
        assert_eq!(t.to_rfc3339(), "2019-04-23T06:13:20+00:00");
        assert_eq!(
            datetime("1556000000000").unwrap(),
            datetime("2019-04-23T06:13:20Z").unwrap()
        );
        assert_eq!(
            datetime("2020-01-02").unwrap().to_rfc3339(),
            "2020-01-02T00:00:00+00:00"
        );
        assert_eq!(datetime("soon"), None);
    }

    #[test]
    fn tags_are_kebab_case_and_lists_sorted_unique() {
        assert_eq!(tag(" Civic Tech "), "civic-tech");
        assert_eq!(tag("open_data!"), "open-data");
        let l = list(&["b".into(), "a".into(), "b".into(), "".into()], tag);
        assert_eq!(l, ["a", "b"]);
    }

    #[test]
    fn wikidata_ids_from_urls() {
        assert_eq!(
            wikidata("https://www.wikidata.org/wiki/Q698"),
            Some("Q698".into())
        );
        assert_eq!(wikidata("q5"), Some("Q5".into()));
        assert_eq!(wikidata("hal-123"), None);
    }
}
