//! Names people choose (display names, resource names) end up in e-mail
//! subjects and on screens. One line, no control, bidi or line-separator
//! characters, so a name can neither add a header line nor reorder the text
//! around it.

/// The name as one line: control characters, bidi controls and line or
/// paragraph separators removed, runs of whitespace collapsed, trimmed.
pub fn one_line(s: &str) -> String {
    let kept: String = s
        .chars()
        .map(|c| if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') { ' ' } else { c })
        .filter(|c| !is_bidi_control(*c))
        .collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn hostile_names_become_one_plain_line() {
        assert_eq!(one_line("Ann\r\nBcc: victim@example.com"), "Ann Bcc: victim@example.com");
        assert_eq!(one_line("evil\u{202E}moc.elgoog"), "evilmoc.elgoog");
        assert_eq!(one_line("a\u{2028}b\u{2029}c\u{2066}d\u{2069}"), "a b cd");
        assert_eq!(one_line("  Site\tOwner  "), "Site Owner");
        assert_eq!(one_line("Jörg Müller"), "Jörg Müller");
    }
}

/// `deserialize_with` (with `default`) for an optional field of a request
/// body: left out is `None`; present, it must be a value of its type. An
/// explicit `null` is refused, as `openapi.yaml` says (no field is nullable).
pub fn present<'de, D: serde::Deserializer<'de>, T: serde::Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// `deserialize_with` (with `default`) for an optional whole number in a
/// request body: JSON Schema's `integer` includes `11.0`, so a client that
/// writes it gets the same answer as for `11` (a fraction, like `11.5`, and
/// `null` are still refused).
pub fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    use serde::Deserialize;
    use serde::de::Error as _;
    let n = serde_json::Number::deserialize(d)?;
    match (n.as_i64(), n.as_f64()) {
        (Some(i), _) => Ok(Some(i)),
        (None, Some(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(Some(f as i64)),
        _ => Err(D::Error::custom(format!("invalid type: {n} is not a whole number"))),
    }
}

#[cfg(test)]
mod whole_number_tests {
    #[derive(serde::Deserialize)]
    struct Body {
        #[serde(default, deserialize_with = "super::whole_number")]
        days: Option<i64>,
    }

    fn days(json: &str) -> Result<Option<i64>, serde_json::Error> {
        serde_json::from_str::<Body>(json).map(|b| b.days)
    }

    #[test]
    fn integral_floats_are_whole_numbers_and_fractions_are_refused() {
        assert_eq!(days(r#"{"days": 11}"#).unwrap(), Some(11));
        assert_eq!(days(r#"{"days": 11.0}"#).unwrap(), Some(11));
        assert_eq!(days(r#"{"days": -3.0}"#).unwrap(), Some(-3));
        assert_eq!(days(r#"{}"#).unwrap(), None);
        assert!(days(r#"{"days": null}"#).is_err(), "no field is nullable");
        assert!(days(r#"{"days": 11.5}"#).is_err());
        assert!(days(r#"{"days": "11"}"#).is_err());
        assert!(days(r#"{"days": 1e300}"#).is_err());
    }
}
