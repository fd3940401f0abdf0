//! formatdate and timeadd (cty stdlib datetime.go), and buildx's timestamp.
//!
//! Timestamps are parsed like Go's `time.Parse(time.RFC3339, s)` (including its
//! error messages as cty rewords them); durations like `time.ParseDuration`.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Timelike, Utc};

use super::{PTy, Param, as_str, fixed_args};
use crate::bake::value::Value;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// A parse error as cty reports it (see `parseTimestamp` in datetime.go).
fn perr(layout_elem: &str, value_elem: &str) -> String {
    let what = match layout_elem {
        "2006" => "year",
        "01" => "month",
        "02" => "day of month",
        "15" => "hour",
        "04" => "minute",
        "05" => "second",
        "Z07:00" => "UTC offset",
        "T" => return "not a valid RFC3339 timestamp: missing required time introducer 'T'".into(),
        ":" | "-" => {
            return if value_elem.is_empty() {
                format!(
                    "not a valid RFC3339 timestamp: end of string where \"{layout_elem}\" is expected"
                )
            } else {
                format!(
                    "not a valid RFC3339 timestamp: found {} where \"{layout_elem}\" is expected",
                    go_quote(value_elem)
                )
            };
        }
        _ => "timestamp segment",
    };
    if value_elem.is_empty() {
        format!("not a valid RFC3339 timestamp: end of string before {what}")
    } else {
        format!(
            "not a valid RFC3339 timestamp: cannot use {} as {what}",
            go_quote(value_elem)
        )
    }
}

fn go_quote(s: &str) -> String {
    super::convert::go_quote(s)
}

/// Go's `getnum`: one or two digits (exactly two when `fixed`).
fn getnum(s: &str, fixed: bool) -> Option<(u32, &str)> {
    let b = s.as_bytes();
    if b.is_empty() || !b[0].is_ascii_digit() {
        return None;
    }
    if b.len() < 2 || !b[1].is_ascii_digit() {
        if fixed {
            return None;
        }
        return Some(((b[0] - b'0') as u32, &s[1..]));
    }
    Some((((b[0] - b'0') * 10 + (b[1] - b'0')) as u32, &s[2..]))
}

fn skip<'a>(value: &'a str, lit: &str) -> Result<&'a str, String> {
    value.strip_prefix(lit).ok_or_else(|| perr(lit, value))
}

/// Parses an RFC 3339 timestamp the way Go's time.Parse does.
pub fn parse_timestamp(ts: &str) -> Result<DateTime<FixedOffset>, String> {
    let mut v = ts;
    // 2006
    if v.len() < 4 || !v.as_bytes()[0].is_ascii_digit() {
        return Err(perr("2006", v));
    }
    // Go slices 4 bytes off before checking them; the input may be any UTF-8,
    // so check before slicing the str.
    if !v.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
        return Err(perr("2006", &String::from_utf8_lossy(&v.as_bytes()[4..])));
    }
    let (y, rest) = v.split_at(4);
    v = rest;
    let year: i32 = y.parse().unwrap_or(0);
    v = skip(v, "-")?;
    let (month, rest) = getnum(v, true).ok_or_else(|| perr("01", v))?;
    v = rest;
    if !(1..=12).contains(&month) {
        return Err(perr("01", v));
    }
    v = skip(v, "-")?;
    let (day, rest) = getnum(v, true).ok_or_else(|| perr("02", v))?;
    v = rest;
    v = skip(v, "T")?;
    let (hour, rest) = getnum(v, false).ok_or_else(|| perr("15", v))?;
    v = rest;
    if hour >= 24 {
        return Err(perr("15", v));
    }
    v = skip(v, ":")?;
    let (min, rest) = getnum(v, true).ok_or_else(|| perr("04", v))?;
    v = rest;
    if min >= 60 {
        return Err(perr("04", v));
    }
    v = skip(v, ":")?;
    let (sec, rest) = getnum(v, true).ok_or_else(|| perr("05", v))?;
    v = rest;
    if sec >= 60 {
        return Err(perr("05", v));
    }
    let mut nanos = 0u32;
    let b = v.as_bytes();
    if b.len() >= 2 && (b[0] == b'.' || b[0] == b',') && b[1].is_ascii_digit() {
        let n = 1 + b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        let frac = &v[1..n];
        if frac.len() > 9 {
            return Err(perr("05", &v[n..]));
        }
        nanos = format!("{frac:0<9}").parse().unwrap_or(0);
        v = &v[n..];
    }
    let offset: i32;
    if let Some(rest) = v.strip_prefix('Z') {
        v = rest;
        offset = 0;
    } else {
        let b = v.as_bytes();
        if b.len() < 6 || b[3] != b':' {
            return Err(perr("Z07:00", v));
        }
        let (Some((hr, _)), Some((mm, _))) = (
            v.get(1..3).and_then(|x| getnum(x, true)),
            v.get(4..6).and_then(|x| getnum(x, true)),
        ) else {
            return Err(perr("Z07:00", v));
        };
        if hr > 24 || mm > 60 {
            return Err(perr("Z07:00", &v[6..]));
        }
        let o = ((hr * 60 + mm) * 60) as i32;
        offset = match b[0] {
            b'+' => o,
            b'-' => -o,
            _ => return Err(perr("Z07:00", v)),
        };
        v = &v[6..];
    }
    if !v.is_empty() {
        return Err(perr("", v));
    }
    let date = NaiveDate::from_ymd_opt(year, month, day)
        .ok_or("not a valid RFC3339 timestamp: day out of range")?;
    let naive = date
        .and_hms_nano_opt(hour, min, sec, nanos)
        .ok_or("not a valid RFC3339 timestamp")?;
    let tz = FixedOffset::east_opt(offset).ok_or("not a valid RFC3339 timestamp: bad offset")?;
    naive
        .and_local_timezone(tz)
        .single()
        .ok_or_else(|| "not a valid RFC3339 timestamp".into())
}

fn offset_str(t: &DateTime<FixedOffset>, colon: bool, z: bool) -> String {
    let off = t.offset().local_minus_utc();
    if z && off == 0 {
        return "Z".into();
    }
    let sign = if off < 0 { '-' } else { '+' };
    let (h, m) = (off.abs() / 3600, off.abs() / 60 % 60);
    if colon {
        format!("{sign}{h:02}:{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}")
    }
}

/// Go's `Format(time.RFC3339)`.
pub fn format_rfc3339(t: &DateTime<FixedOffset>) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        offset_str(t, true, true)
    )
}

/// Splits a format string into tokens as cty's `splitDateFormat` does.
fn split_format(s: &str) -> Vec<&str> {
    let b = s.as_bytes();
    let mut toks = vec![];
    let mut i = 0;
    let is_verb = |c: u8| c.is_ascii_alphabetic();
    while i < b.len() {
        let start = i;
        if b[i] == b'\'' {
            if i + 1 < b.len() && b[i + 1] == b'\'' {
                i += 2;
            } else {
                i += 1;
                loop {
                    if i >= b.len() {
                        break;
                    }
                    if b[i] == b'\'' {
                        if i + 1 < b.len() && b[i + 1] == b'\'' {
                            i += 2;
                            continue;
                        }
                        i += 1;
                        break;
                    }
                    i += 1;
                }
            }
        } else if is_verb(b[i]) {
            let rep = b[i];
            while i < b.len() && b[i] == rep {
                i += 1;
            }
        } else {
            i += 1;
            while i < b.len() && b[i] != b'\'' && !is_verb(b[i]) {
                i += 1;
            }
        }
        toks.push(&s[start..i]);
    }
    toks
}

pub fn formatdate(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(
        args,
        &[Param::new("format", PTy::Str), Param::new("time", PTy::Str)],
    )?;
    let t = parse_timestamp(as_str(&a[1]))?;
    let mut buf = String::new();
    for tok in split_format(as_str(&a[0])) {
        let b = tok.as_bytes();
        let n = tok.len();
        let bad = |why: &str| Err(format!("invalid date format verb {}: {why}", go_quote(tok)));
        if b[0] == b'\'' {
            if b[n - 1] != b'\'' || n == 1 {
                return Err("unterminated literal '".into());
            }
            if n == 2 {
                buf.push('\'');
            } else {
                let raw = &b[1..n - 1];
                let mut out = vec![];
                let mut i = 0;
                while i < raw.len() {
                    out.push(raw[i]);
                    if raw[i] == b'\'' {
                        i += 1;
                    }
                    i += 1;
                }
                buf.push_str(&String::from_utf8_lossy(&out));
            }
            continue;
        }
        if !b[0].is_ascii_alphabetic() {
            buf.push_str(tok);
            continue;
        }
        match (b[0], n) {
            (b'Y', 2) => buf.push_str(&format!("{:02}", t.year().rem_euclid(100))),
            (b'Y', 4) => buf.push_str(&format!("{:04}", t.year())),
            (b'Y', _) => return bad("year must either be \"YY\" or \"YYYY\""),
            (b'M', 1) => buf.push_str(&t.month().to_string()),
            (b'M', 2) => buf.push_str(&format!("{:02}", t.month())),
            (b'M', 3) => buf.push_str(&MONTHS[t.month0() as usize][..3]),
            (b'M', 4) => buf.push_str(MONTHS[t.month0() as usize]),
            (b'M', _) => return bad("month must be \"M\", \"MM\", \"MMM\", or \"MMMM\""),
            (b'D', 1) => buf.push_str(&t.day().to_string()),
            (b'D', 2) => buf.push_str(&format!("{:02}", t.day())),
            (b'D', _) => return bad("day of month must either be \"D\" or \"DD\""),
            (b'E', 3) => buf.push_str(&WEEKDAYS[t.weekday().num_days_from_monday() as usize][..3]),
            (b'E', 4) => buf.push_str(WEEKDAYS[t.weekday().num_days_from_monday() as usize]),
            (b'E', _) => return bad("day of week must either be \"EEE\" or \"EEEE\""),
            (b'h', 1) => buf.push_str(&t.hour().to_string()),
            (b'h', 2) => buf.push_str(&format!("{:02}", t.hour())),
            (b'h', _) => return bad("24-hour must either be \"h\" or \"hh\""),
            (b'H', 1 | 2) => {
                let h = match t.hour() % 12 {
                    0 => 12,
                    h => h,
                };
                buf.push_str(&if n == 1 {
                    h.to_string()
                } else {
                    format!("{h:02}")
                });
            }
            (b'H', _) => return bad("12-hour must either be \"H\" or \"HH\""),
            (b'A' | b'a', 2) => {
                let pm = t.hour() >= 12;
                buf.push_str(match (b[0] == b'A', pm) {
                    (true, false) => "AM",
                    (true, true) => "PM",
                    (false, false) => "am",
                    (false, true) => "pm",
                });
            }
            (b'A' | b'a', _) => {
                let c = b[0] as char;
                return bad(&format!("must be \"{c}{c}\""));
            }
            (b'm', 1) => buf.push_str(&t.minute().to_string()),
            (b'm', 2) => buf.push_str(&format!("{:02}", t.minute())),
            (b'm', _) => return bad("minute must either be \"m\" or \"mm\""),
            (b's', 1) => buf.push_str(&t.second().to_string()),
            (b's', 2) => buf.push_str(&format!("{:02}", t.second())),
            (b's', _) => return bad("second must either be \"s\" or \"ss\""),
            (b'Z', 1) => buf.push_str(&offset_str(&t, true, true)),
            (b'Z', 3) => {
                let s = offset_str(&t, false, false);
                buf.push_str(if s == "+0000" { "UTC" } else { &s });
            }
            (b'Z', 4) => buf.push_str(&offset_str(&t, false, false)),
            (b'Z', 5) => buf.push_str(&offset_str(&t, true, false)),
            (b'Z', _) => return bad("timezone must be Z, ZZZZ, or ZZZZZ"),
            _ => return Err(format!("invalid date format verb {}", go_quote(tok))),
        }
    }
    Ok(Value::string(buf))
}

/// Go's `time.ParseDuration`, in nanoseconds.
pub fn parse_duration(orig: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {}", go_quote(orig));
    let mut s = orig;
    let mut neg = false;
    if let Some(c) = s.chars().next()
        && (c == '-' || c == '+')
    {
        neg = c == '-';
        s = &s[1..];
    }
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: f64 = 0.0;
    let mut total_int: i128 = 0;
    while !s.is_empty() {
        let b = s.as_bytes();
        if !(b[0] == b'.' || b[0].is_ascii_digit()) {
            return Err(invalid());
        }
        let int_len = b.iter().take_while(|c| c.is_ascii_digit()).count();
        let int_part = &s[..int_len];
        s = &s[int_len..];
        let mut frac_part = "";
        let mut post = false;
        if s.starts_with('.') {
            s = &s[1..];
            let fl = s.bytes().take_while(|c| c.is_ascii_digit()).count();
            frac_part = &s[..fl];
            post = fl > 0;
            s = &s[fl..];
        }
        if int_len == 0 && !post {
            return Err(invalid());
        }
        let ulen = s
            .char_indices()
            .find(|(_, c)| *c == '.' || c.is_ascii_digit())
            .map_or(s.len(), |(i, _)| i);
        if ulen == 0 {
            return Err(format!("time: missing unit in duration {}", go_quote(orig)));
        }
        let u = &s[..ulen];
        s = &s[ulen..];
        let unit: i128 = match u {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    go_quote(u),
                    go_quote(orig)
                ));
            }
        };
        let v: i128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| invalid())?
        };
        total_int = v
            .checked_mul(unit)
            .and_then(|x| x.checked_add(total_int))
            .filter(|x| *x <= i64::MAX as i128)
            .ok_or_else(invalid)?;
        if !frac_part.is_empty() {
            let f: f64 = format!("0.{frac_part}").parse().unwrap_or(0.0);
            total += f * unit as f64;
        }
    }
    let sum = total_int + total as i128;
    if sum > i64::MAX as i128 {
        return Err(invalid());
    }
    Ok(if neg { -(sum as i64) } else { sum as i64 })
}

pub fn timeadd(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(
        args,
        &[
            Param::new("timestamp", PTy::Str),
            Param::new("duration", PTy::Str),
        ],
    )?;
    let t = parse_timestamp(as_str(&a[0]))?;
    let d = parse_duration(as_str(&a[1]))?;
    let r = t
        .checked_add_signed(Duration::nanoseconds(d))
        .ok_or("resulting time is out of range")?;
    Ok(Value::string(format_rfc3339(&r)))
}

pub fn timestamp(args: &[Value]) -> Result<Value, String> {
    fixed_args(args, &[])?;
    Ok(Value::string(
        Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::string(x)
    }
    fn fd(f: &str) -> Result<Value, String> {
        formatdate(&[s(f), s("2006-01-02T15:04:05Z")])
    }

    #[test]
    fn formatdate_cty_cases() {
        assert_eq!(fd("").unwrap(), s(""));
        assert_eq!(fd("YYYY-MM-DD").unwrap(), s("2006-01-02"));
        assert_eq!(fd("EEE, MMM D ''YY").unwrap(), s("Mon, Jan 2 '06"));
        assert_eq!(fd("hh:mm:ss").unwrap(), s("15:04:05"));
        assert_eq!(fd("H 'o''clock' AA").unwrap(), s("3 o'clock PM"));
        assert_eq!(fd("hh:mm:ssZZZZ").unwrap(), s("15:04:05+0000"));
        assert_eq!(fd("hh:mm:ssZZZZZ").unwrap(), s("15:04:05+00:00"));
        assert_eq!(fd("MMMM").unwrap(), s("January"));
        assert_eq!(fd("EEEE").unwrap(), s("Monday"));
        assert_eq!(fd("aa").unwrap(), s("pm"));
        assert_eq!(
            fd("YYYY-MM-DD'T'hh:mm:ssZ").unwrap(),
            s("2006-01-02T15:04:05Z")
        );
        assert_eq!(
            fd("DD MMM YYYY hh:mm ZZZ").unwrap(),
            s("02 Jan 2006 15:04 UTC")
        );
        assert_eq!(
            fd("EEEE, DD-MMM-YY hh:mm:ss ZZZ").unwrap(),
            s("Monday, 02-Jan-06 15:04:05 UTC")
        );
        assert_eq!(
            formatdate(&[s("hh:mm Z ZZZ"), s("2006-01-02T15:04:05+05:30")]).unwrap(),
            s("15:04 +05:30 +0530")
        );
        assert_eq!(
            fd("Y").unwrap_err(),
            "invalid date format verb \"Y\": year must either be \"YY\" or \"YYYY\""
        );
        assert_eq!(
            fd("YYYYY").unwrap_err(),
            "invalid date format verb \"YYYYY\": year must either be \"YY\" or \"YYYY\""
        );
        assert_eq!(
            fd("A").unwrap_err(),
            "invalid date format verb \"A\": must be \"AA\""
        );
        assert_eq!(
            fd("a").unwrap_err(),
            "invalid date format verb \"a\": must be \"aa\""
        );
        assert_eq!(fd("'blah blah").unwrap_err(), "unterminated literal '");
        assert_eq!(fd("'").unwrap_err(), "unterminated literal '");
        assert_eq!(fd("x").unwrap_err(), "invalid date format verb \"x\"");
    }

    #[test]
    fn parse_errors() {
        let cases = [
            (
                "",
                "not a valid RFC3339 timestamp: end of string before year",
            ),
            (
                "2017-01-02",
                "not a valid RFC3339 timestamp: missing required time introducer 'T'",
            ),
            (
                "2017-12-02t00:00:00Z",
                "not a valid RFC3339 timestamp: missing required time introducer 'T'",
            ),
            (
                "2017:01:02",
                "not a valid RFC3339 timestamp: found \":01:02\" where \"-\" is expected",
            ),
            (
                "2017",
                "not a valid RFC3339 timestamp: end of string where \"-\" is expected",
            ),
            (
                "2017-01-02T",
                "not a valid RFC3339 timestamp: end of string before hour",
            ),
            (
                "2017-01-02T00",
                "not a valid RFC3339 timestamp: end of string where \":\" is expected",
            ),
            (
                "2017-01-02T00:00:00",
                "not a valid RFC3339 timestamp: end of string before UTC offset",
            ),
            (
                "2017-01-02T26:00:00Z",
                "not a valid RFC3339 timestamp: cannot use \":00:00Z\" as hour",
            ),
            (
                "2017-13-02T00:00:00Z",
                "not a valid RFC3339 timestamp: cannot use \"-02T00:00:00Z\" as month",
            ),
            (
                "2017-02-31T00:00:00Z",
                "not a valid RFC3339 timestamp: day out of range",
            ),
            (
                "\"2017-12-02T00:00:00Z\"",
                "not a valid RFC3339 timestamp: cannot use \"\\\"2017-12-02T00:00:00Z\\\"\" as year",
            ),
            (
                "2-12-02T00:00:00Z",
                "not a valid RFC3339 timestamp: cannot use \"-02T00:00:00Z\" as year",
            ),
        ];
        for (ts, want) in cases {
            assert_eq!(formatdate(&[s(""), s(ts)]).unwrap_err(), want, "{ts}");
        }
    }

    #[test]
    fn timeadd_cases() {
        let ta = |t: &str, d: &str| timeadd(&[s(t), s(d)]);
        assert_eq!(
            ta("2017-11-22T00:00:00Z", "1s").unwrap(),
            s("2017-11-22T00:00:01Z")
        );
        assert_eq!(
            ta("2017-11-22T00:00:00Z", "10m1s").unwrap(),
            s("2017-11-22T00:10:01Z")
        );
        assert_eq!(
            ta("2017-11-22T00:00:00Z", "-1h").unwrap(),
            s("2017-11-21T23:00:00Z")
        );
        assert_eq!(
            ta("2017-11-22T00:00:00Z", "1.5h").unwrap(),
            s("2017-11-22T01:30:00Z")
        );
        assert_eq!(
            ta("2017-11-22T00:00:00+01:00", "24h").unwrap(),
            s("2017-11-23T00:00:00+01:00")
        );
        assert_eq!(
            ta("2017-11-22T00:00:00.5Z", "500ms").unwrap(),
            s("2017-11-22T00:00:01Z")
        );
        assert_eq!(
            ta("2017-11-22T00:00:00Z", "0").unwrap(),
            s("2017-11-22T00:00:00Z")
        );
        assert_eq!(
            ta("2017-11-22T00:00:00Z", "1").unwrap_err(),
            "time: missing unit in duration \"1\""
        );
        assert_eq!(
            ta("2017-11-22T00:00:00Z", "1x").unwrap_err(),
            "time: unknown unit \"x\" in duration \"1x\""
        );
        assert_eq!(
            ta("2017-11-22T00:00:00Z", "").unwrap_err(),
            "time: invalid duration \"\""
        );
        assert!(ta("2017-11-22", "1s").is_err());
    }

    #[test]
    fn timestamp_shape() {
        let Value::String(t) = timestamp(&[]).unwrap() else {
            panic!()
        };
        assert!(parse_timestamp(&t).is_ok());
        assert!(t.ends_with('Z'));
        assert!(timestamp(&[s("x")]).is_err());
    }

    #[test]
    fn non_ascii_year_is_an_error_not_a_panic() {
        // Found by the bake fuzzer: a multi-byte character inside the year.
        assert!(parse_timestamp("17\u{a5}60-01-01T00:00:00Z").is_err());
        assert!(parse_timestamp("20é4-01-01T00:00:00Z").is_err());
    }
}
