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
