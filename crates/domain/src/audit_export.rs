//! A resource's audit trail for download (owners and admins, `see_audit`):
//! a date range of UTC days, oldest first, in pages of at most
//! [`MAX_PAGE`] entries, as JSON or as CSV that is safe to open in a
//! spreadsheet (a cell that starts with `=`, `+`, `-`, `@`, a tab or a
//! carriage return is read as text, never as a formula: OWASP's CSV
//! injection advice).

use crate::Error;
use crate::error::Code;
use crate::views::AuditView;

/// Entries per request at most; the answer names the next page.
pub const MAX_PAGE: usize = 1000;
/// The longest range one export covers, in days.
pub const MAX_DAYS: i64 = 366;

/// UTC days `from` to `to`, both included, as epoch milliseconds
/// `[start, end)`: the bounds of the audit ids (ULIDs) it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub start_ms: u64,
    pub end_ms: u64,
}

fn day(text: &str) -> Option<i64> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = time::Date::parse(text, &format).ok()?;
    Some(date.midnight().assume_utc().unix_timestamp() / crate::time::DAY)
}

impl Range {
    /// `from` and `to` as `YYYY-MM-DD`; left out: the last 30 days up to `today` (epoch day).
    pub fn parse(from: Option<&str>, to: Option<&str>, now: i64) -> Result<Self, Error> {
        let bad = |m: &str| Error::invalid(Code::InvalidDateRange, m.to_owned());
        let today = now / crate::time::DAY;
        let to = match to {
            Some(t) => day(t).ok_or_else(|| bad("to must be a date, YYYY-MM-DD"))?,
            None => today,
        };
        let from = match from {
            Some(f) => day(f).ok_or_else(|| bad("from must be a date, YYYY-MM-DD"))?,
            None => to - 29,
        };
        if from > to {
            return Err(bad("from must not be after to"));
        }
        if to - from + 1 > MAX_DAYS {
            return Err(bad("a range covers at most 366 days"));
        }
        let ms = |d: i64| u64::try_from(d * crate::time::DAY * 1000).unwrap_or(0);
        Ok(Self { start_ms: ms(from), end_ms: ms(to + 1) })
    }

    /// The smallest audit id at `start_ms` and the smallest after the range.
    pub fn id_bounds(self) -> (String, String) {
        (ulid::Ulid::from_parts(self.start_ms, 0).to_string(), ulid::Ulid::from_parts(self.end_ms, 0).to_string())
    }
}

/// One CSV cell: quoted where needed, and a formula never.
pub fn cell(value: &str) -> String {
    let neutral = match value.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{value}"),
        _ => value.to_owned(),
    };
    if neutral.contains([',', '"', '\r', '\n']) || neutral != neutral.trim() {
        format!("\"{}\"", neutral.replace('"', "\"\""))
    } else {
        neutral
    }
}

pub const CSV_HEADER: &str = "id,at,action,actor,subject,detail\r\n";

/// The entries as CSV rows (RFC 4180, CRLF), with the header when `header`.
pub fn csv(entries: &[AuditView], header: bool) -> String {
    let mut out = if header { CSV_HEADER.to_owned() } else { String::new() };
    for e in entries {
        let row =
            [&e.id, &e.at, &e.action, &e.actor, &e.subject, e.detail.as_deref().unwrap_or("")].map(cell).join(",");
        out.push_str(&row);
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_become_text_and_cells_are_quoted_where_needed() {
        assert_eq!(cell("=HYPERLINK(\"http://x\",\"y\")"), "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
        assert_eq!(cell("+1"), "'+1");
        assert_eq!(cell("-2+3"), "'-2+3");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("\tx"), "'\tx");
        assert_eq!(cell("role=admin, link=01J"), "\"role=admin, link=01J\"");
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn a_range_is_whole_utc_days_of_at_most_a_year() {
        let now = 1_795_348_800; // 2026-11-22T12:00:00Z
        let r = Range::parse(Some("2026-11-01"), Some("2026-11-22"), now).unwrap();
        assert_eq!(r.start_ms, 1_793_491_200_000);
        assert_eq!(r.end_ms - r.start_ms, 22 * 86_400_000);
        let (lo, hi) = r.id_bounds();
        assert!(lo < hi && lo.len() == 26);
        assert_eq!(
            Range::parse(None, None, now).unwrap().end_ms - Range::parse(None, None, now).unwrap().start_ms,
            30 * 86_400_000
        );
        for (from, to) in [
            (Some("2026-11-23"), Some("2026-11-22")),
            (Some("2025-01-01"), Some("2026-11-22")),
            (Some("22.11.2026"), None),
            (None, Some("2026-13-01")),
        ] {
            assert_eq!(
                Range::parse(from, to, now).map_err(|e| e.code()),
                Err(Code::InvalidDateRange),
                "{from:?} {to:?}"
            );
        }
    }
}
