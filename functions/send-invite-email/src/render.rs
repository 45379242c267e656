//! E-mail templates (minijinja): HTML with auto-escaping and plain text, in
//! English and German. Compiled once per cold start.

use invites_domain::{Locale, Role};
use minijinja::{AutoEscape, Environment, context};

pub struct Renderer {
    env: Environment<'static>,
}

pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// What an invite e-mail says.
pub struct InviteMail<'a> {
    pub locale: Locale,
    pub inviter: &'a str,
    pub resource: &'a str,
    pub role: Role,
    pub message: Option<&'a str>,
    pub url: &'a str,
    pub expires_at: i64,
}

fn role_name(role: Role, locale: Locale) -> &'static str {
    match (locale, role) {
        (Locale::En, Role::Owner) => "owner",
        (Locale::En, Role::Admin) => "administrator",
        (Locale::En, Role::ReadOnly) => "read-only user",
        (Locale::De, Role::Owner) => "Eigentümer",
        (Locale::De, Role::Admin) => "Administrator",
        (Locale::De, Role::ReadOnly) => "Nur-Lese-Benutzer",
    }
}

fn date(epoch: i64, locale: Locale) -> String {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(epoch) else { return String::new() };
    match locale {
        Locale::En => format!("{} {} {} ({:02}:{:02} UTC)", t.day(), t.month(), t.year(), t.hour(), t.minute()),
        Locale::De => {
            format!("{:02}.{:02}.{} ({:02}:{:02} UTC)", t.day(), u8::from(t.month()), t.year(), t.hour(), t.minute())
        }
    }
}

impl Default for Renderer {
    fn default() -> Self {
        Self::new()
    }
}

impl Renderer {
    pub fn new() -> Self {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|name| if name.ends_with(".html") { AutoEscape::Html } else { AutoEscape::None });
        for (name, src) in [
            ("invite.en.txt", include_str!("../templates/invite.en.txt")),
            ("invite.de.txt", include_str!("../templates/invite.de.txt")),
            ("invite.en.html", include_str!("../templates/invite.en.html")),
            ("invite.de.html", include_str!("../templates/invite.de.html")),
        ] {
            env.add_template(name, src).expect("bundled templates compile");
        }
        Self { env }
    }

    pub fn invite(&self, m: &InviteMail) -> Result<Rendered, minijinja::Error> {
        let ctx = context! {
            inviter => m.inviter,
            resource => m.resource,
            role => role_name(m.role, m.locale),
            message => m.message,
            url => m.url,
            expires => date(m.expires_at, m.locale),
        };
        let lang = m.locale.as_str();
        let text = self.env.get_template(&format!("invite.{lang}.txt"))?.render(&ctx)?;
        let html = self.env.get_template(&format!("invite.{lang}.html"))?.render(&ctx)?;
        // The first line of the text template is the subject.
        let (subject, body) = text.split_once('\n').unwrap_or((&text, ""));
        Ok(Rendered { subject: subject.trim().to_owned(), text: body.trim_start().to_owned(), html })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(locale: Locale, message: Option<&str>) -> Rendered {
        Renderer::new()
            .invite(&InviteMail {
                locale,
                inviter: "Ann <Admin>",
                resource: "Shop & Co",
                role: Role::Admin,
                message,
                url: "https://app.example.com/invite?token=abc",
                expires_at: 1_800_000_000,
            })
            .unwrap()
    }

    #[test]
    fn english_subject_text_and_escaped_html() {
        let m = mail(Locale::En, Some("<script>alert(1)</script> Welcome!"));
        assert_eq!(m.subject, "Ann <Admin> invited you to Shop & Co");
        assert!(m.text.contains("as administrator"));
        assert!(m.text.contains("<script>alert(1)</script> Welcome!"), "plain text is not escaped");
        assert!(m.text.contains("https://app.example.com/invite?token=abc"));
        assert!(m.text.contains("15 January 2027"));
        assert!(m.html.contains("&lt;script&gt;"));
        assert!(!m.html.contains("<script>"));
        assert!(m.html.contains("Ann &lt;Admin&gt;") && m.html.contains("Shop &amp; Co"));
    }

    #[test]
    fn german_and_no_message() {
        let m = mail(Locale::De, None);
        assert_eq!(m.subject, "Ann <Admin> hat Sie zu Shop & Co eingeladen");
        assert!(m.text.contains("15.01.2027"));
        assert!(!m.text.contains("Nachricht:"));
        assert!(m.html.contains("Einladung annehmen"));
    }
}
