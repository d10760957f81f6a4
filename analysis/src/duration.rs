//! Go's `time.Duration` text: `String()` (what `go tool trace` prints, e.g.
//! `1.386ms`) and `time.ParseDuration` (for command-line times).

/// Formats nanoseconds as Go's `time.Duration.String()`: `0s`, `999ns`,
/// `1.5µs`, `1.386ms`, `2.000000001s`, `1m30s`, `-2h0m0.5s`.
pub fn format(d: i64) -> String {
    let neg = d < 0;
    let mut u = d.unsigned_abs();
    let mut out = String::new();
    if u < 1_000_000_000 {
        if u == 0 {
            return "0s".to_owned();
        }
        let (prec, unit) = if u < 1_000 {
            (0, "ns")
        } else if u < 1_000_000 {
            (3, "µs")
        } else {
            (6, "ms")
        };
        let frac = frac_digits(u, prec);
        u /= 10u64.pow(prec);
        out.push_str(&u.to_string());
        out.push_str(&frac);
        out.push_str(unit);
    } else {
        let frac = frac_digits(u, 9);
        u /= 1_000_000_000;
        let (s, m, h) = (u % 60, u / 60 % 60, u / 3600);
        if h > 0 {
            out.push_str(&format!("{h}h{m}m"));
        } else if m > 0 {
            out.push_str(&format!("{m}m"));
        }
        out.push_str(&s.to_string());
        out.push_str(&frac);
        out.push('s');
    }
    if neg {
        out.insert(0, '-');
    }
    out
}

/// Go's `fmtFrac`: `.ddd` of the low `prec` digits of `v` without trailing
/// zeros, or nothing when they are all zero.
fn frac_digits(v: u64, prec: u32) -> String {
    if prec == 0 {
        return String::new();
    }
    let digits = format!("{:0width$}", v % 10u64.pow(prec), width = prec as usize);
    let digits = digits.trim_end_matches('0');
    if digits.is_empty() {
        String::new()
    } else {
        format!(".{digits}")
    }
}

/// Parses a duration as Go's `time.ParseDuration` (`1.5s`, `300ms`, `2h45m`,
/// `-1.5h`, units `ns`, `us`, `µs`, `ms`, `s`, `m`, `h`; a bare number
/// only for `0`). Returns nanoseconds.
pub fn parse(s: &str) -> Result<i64, String> {
    let err = || format!("invalid duration {s:?} (examples: 1.5s, 250ms, 10us, 1234ns)");
    if s.len() > 100 {
        return Err(err());
    }
    let mut rest = s;
    let neg = match rest.as_bytes().first() {
        Some(b'-') => {
            rest = &rest[1..];
            true
        }
        Some(b'+') => {
            rest = &rest[1..];
            false
        }
        _ => false,
    };
    if rest.is_empty() {
        return Err(err());
    }
    if rest == "0" {
        return Ok(0);
    }
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (int, after) = rest.split_at(int_len);
        let (frac, after) = match after.strip_prefix('.') {
            Some(a) => {
                let n = a.bytes().take_while(u8::is_ascii_digit).count();
                a.split_at(n)
            }
            None => ("", after),
        };
        if int.is_empty() && frac.is_empty() {
            return Err(err());
        }
        let unit_len = after
            .char_indices()
            .find(|&(_, c)| c == '.' || c.is_ascii_digit())
            .map_or(after.len(), |(i, _)| i);
        let (unit, after) = after.split_at(unit_len);
        let scale: u128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => return Err(err()),
        };
        let int: u128 = if int.is_empty() {
            0
        } else {
            int.parse().map_err(|_| err())?
        };
        let mut v = int.checked_mul(scale).ok_or_else(err)?;
        // Fraction: as Go, truncated to whole nanoseconds.
        let mut f_scale: u128 = 1;
        let mut f: u128 = 0;
        for b in frac.bytes().take(30) {
            f = f * 10 + (b - b'0') as u128;
            f_scale *= 10;
        }
        v += f * scale / f_scale;
        total = total.checked_add(v).ok_or_else(err)?;
        rest = after;
    }
    let total = i64::try_from(total).map_err(|_| err())?;
    Ok(if neg { -total } else { total })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_matches_go() {
        // Values checked against Go's time.Duration.String().
        let cases: &[(i64, &str)] = &[
            (0, "0s"),
            (1, "1ns"),
            (999, "999ns"),
            (1_000, "1µs"),
            (1_500, "1.5µs"),
            (1_386_000, "1.386ms"),
            (1_386_123, "1.386123ms"),
            (1_000_000_000, "1s"),
            (2_000_000_001, "2.000000001s"),
            (90_000_000_000, "1m30s"),
            (3_600_000_000_000, "1h0m0s"),
            (-1_500, "-1.5µs"),
            (i64::MIN, "-2562047h47m16.854775808s"),
        ];
        for &(d, s) in cases {
            assert_eq!(format(d), s, "{d}");
        }
    }

    #[test]
    fn parse_like_go() {
        assert_eq!(parse("1.5s"), Ok(1_500_000_000));
        assert_eq!(parse("250ms"), Ok(250_000_000));
        assert_eq!(parse("10us"), Ok(10_000));
        assert_eq!(parse("10µs"), Ok(10_000));
        assert_eq!(parse("1h2m3s"), Ok(3_723_000_000_000));
        assert_eq!(parse("-2ms"), Ok(-2_000_000));
        assert!(parse("1234").is_err());
        assert_eq!(parse("0"), Ok(0));
        assert_eq!(parse(".5s"), Ok(500_000_000));
        assert!(parse("").is_err());
        assert!(parse("1x").is_err());
        assert!(parse("s").is_err());
        assert!(parse("1.s").is_ok());
    }
}
