//! E-mail templates (minijinja): table-based HTML with inline styles (what
//! mail clients render) with auto-escaping, and a plain-text part saying the
//! same, in English and German, with the operator's branding. The subject
//! comes from its own one-line template. Each compiles once per cold start,
//! when first used.

use invites_adapters::config::ConfigError;
use invites_domain::text::one_line;
use invites_domain::{Locale, Role};
use minijinja::{AutoEscape, Environment, context};
use serde::Serialize;

pub struct Renderer {
    env: Environment<'static>,
    brand: Brand,
}

pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// The operator's branding, from configuration.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Brand {
    /// `INVITES_BRAND_NAME` (default "Invites").
    pub name: String,
    /// `INVITES_BRAND_LOGO_URL`: an https image, shown instead of the name.
    pub logo_url: Option<String>,
    /// `INVITES_BRAND_COLOR`: accent colour, `#rrggbb` (default #3451b2).
    pub color: String,
    /// `INVITES_SUPPORT_EMAIL`: where questions go.
    pub support: Option<String>,
}

impl Default for Brand {
    fn default() -> Self {
        Self { name: "Invites".into(), logo_url: None, color: "#3451b2".into(), support: None }
    }
}

impl Brand {
    pub fn from_env() -> Result<Self, ConfigError> {
        let var = |n: &str| std::env::var(n).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let d = Self::default();
        let color = var("INVITES_BRAND_COLOR").unwrap_or(d.color);
        if !(color.len() == 7 && color.starts_with('#') && color[1..].chars().all(|c| c.is_ascii_hexdigit())) {
            return Err(ConfigError("INVITES_BRAND_COLOR must look like #3451b2".into()));
        }
        let logo_url = var("INVITES_BRAND_LOGO_URL");
        if logo_url.as_deref().is_some_and(|u| !u.starts_with("https://")) {
            return Err(ConfigError("INVITES_BRAND_LOGO_URL must be an https URL".into()));
        }
        Ok(Self {
            name: var("INVITES_BRAND_NAME").map(|n| one_line(&n)).unwrap_or(d.name),
            logo_url,
            color,
            support: var("INVITES_SUPPORT_EMAIL"),
        })
    }
}

/// What an invite e-mail says.
pub struct InviteMail<'a> {
    pub locale: Locale,
    /// The invitee's address (the mail goes there; the text tells them to use it).
    pub to: &'a str,
    pub inviter: &'a str,
    pub resource: &'a str,
    pub role: Role,
    pub message: Option<&'a str>,
    pub url: &'a str,
    pub expires_at: i64,
    /// The one reminder before expiry (its own subject and templates).
    pub reminder: bool,
}

/// What the e-mail telling a person the decision on their request says.
pub struct DecisionMail<'a> {
    pub locale: Locale,
    /// Their address (the mail goes there).
    pub to: &'a str,
    pub resource: &'a str,
    pub role: Role,
    pub approved: bool,
    /// Why it was declined, if the admin said.
    pub reason: Option<&'a str>,
    /// Where the product opens.
    pub url: &'a str,
}

/// The role's label and description in the invitee's language (the catalogue's).
fn role_words(role: Role, locale: Locale) -> (&'static str, &'static str) {
    invites_domain::role::catalogue().words(role, locale)
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
        Self::new(Brand::default())
    }
}

/// The bundled templates, by name. Each compiles the first time a message
/// needs it (most cold starts send one language and one kind: 4 of these 21),
/// not at start; the unit test below compiles them all.
const TEMPLATES: &[(&str, &str)] = &[
    ("subject.en.txt", "{{ inviter }} invited you to {{ resource }}"),
    ("subject.de.txt", "{{ inviter }} hat Sie zu {{ resource }} eingeladen"),
    ("reminder-subject.en.txt", "Reminder: {{ inviter }} invited you to {{ resource }}"),
    ("reminder-subject.de.txt", "Erinnerung: {{ inviter }} hat Sie zu {{ resource }} eingeladen"),
    ("layout.html", include_str!("../templates/layout.html")),
    ("invite.en.txt", include_str!("../templates/invite.en.txt")),
    ("invite.de.txt", include_str!("../templates/invite.de.txt")),
    ("invite.en.html", include_str!("../templates/invite.en.html")),
    ("invite.de.html", include_str!("../templates/invite.de.html")),
    ("reminder.en.txt", include_str!("../templates/reminder.en.txt")),
    ("reminder.de.txt", include_str!("../templates/reminder.de.txt")),
    ("reminder.en.html", include_str!("../templates/reminder.en.html")),
    ("reminder.de.html", include_str!("../templates/reminder.de.html")),
    ("approved-subject.en.txt", "You joined {{ resource }}"),
    ("approved-subject.de.txt", "Sie sind {{ resource }} beigetreten"),
    ("declined-subject.en.txt", "Your request to join {{ resource }} was declined"),
    ("declined-subject.de.txt", "Ihre Anfrage, {{ resource }} beizutreten, wurde abgelehnt"),
    ("decision.en.txt", include_str!("../templates/decision.en.txt")),
    ("decision.de.txt", include_str!("../templates/decision.de.txt")),
    ("decision.en.html", include_str!("../templates/decision.en.html")),
    ("decision.de.html", include_str!("../templates/decision.de.html")),
];

impl Renderer {
    pub fn new(brand: Brand) -> Self {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|name| if name.ends_with(".html") { AutoEscape::Html } else { AutoEscape::None });
        env.set_loader(|name| Ok(TEMPLATES.iter().find(|(n, _)| *n == name).map(|(_, src)| (*src).to_owned())));
        Self { env, brand }
    }

    pub fn invite(&self, m: &InviteMail) -> Result<Rendered, minijinja::Error> {
        let (role, role_meaning) = role_words(m.role, m.locale);
        // Names people chose: one line each, whatever they typed.
        let (inviter, resource) = (one_line(m.inviter), one_line(m.resource));
        let lang = m.locale.as_str();
        let (kind, subject_kind) = if m.reminder { ("reminder", "reminder-subject") } else { ("invite", "subject") };
        let subject =
            self.env.get_template(&format!("{subject_kind}.{lang}.txt"))?.render(context! { inviter, resource })?;
        let subject = one_line(&subject);
        let ctx = context! {
            subject,
            inviter,
            resource,
            role,
            role_meaning,
            to => m.to,
            message => m.message,
            url => m.url,
            expires => date(m.expires_at, m.locale),
            brand => &self.brand,
        };
        let text = self.env.get_template(&format!("{kind}.{lang}.txt"))?.render(&ctx)?;
        let html = self.env.get_template(&format!("{kind}.{lang}.html"))?.render(&ctx)?;
        Ok(Rendered { subject, text, html })
    }

    pub fn decision(&self, m: &DecisionMail) -> Result<Rendered, minijinja::Error> {
        let (role, role_meaning) = role_words(m.role, m.locale);
        let resource = one_line(m.resource);
        let lang = m.locale.as_str();
        let kind = if m.approved { "approved-subject" } else { "declined-subject" };
        let subject = one_line(&self.env.get_template(&format!("{kind}.{lang}.txt"))?.render(context! { resource })?);
        let ctx = context! {
            subject,
            resource,
            role,
            role_meaning,
            approved => m.approved,
            reason => m.reason,
            to => m.to,
            url => m.url,
            brand => &self.brand,
        };
        let text = self.env.get_template(&format!("decision.{lang}.txt"))?.render(&ctx)?;
        let html = self.env.get_template(&format!("decision.{lang}.html"))?.render(&ctx)?;
        Ok(Rendered { subject, text, html })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(locale: Locale, inviter: &str, resource: &str, message: Option<&str>, reminder: bool) -> Rendered {
        Renderer::default()
            .invite(&InviteMail {
                locale,
                to: "ann@example.com",
                inviter,
                resource,
                role: Role::ADMIN,
                message,
                url: "https://app.example.com/invite#token=abc",
                expires_at: 1_800_000_000,
                reminder,
            })
            .unwrap()
    }

    fn mail_from(locale: Locale, inviter: &str, resource: &str, message: Option<&str>) -> Rendered {
        render(locale, inviter, resource, message, false)
    }

    fn mail(locale: Locale, message: Option<&str>) -> Rendered {
        mail_from(locale, "Ann <Admin>", "Shop & Co", message)
    }

    #[test]
    fn every_bundled_template_compiles() {
        let r = Renderer::default();
        for (name, _) in TEMPLATES {
            r.env.get_template(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        assert!(r.env.get_template("missing.en.txt").is_err());
    }

    #[test]
    fn reminders_have_their_own_subject_and_opening_in_both_languages() {
        let en = render(Locale::En, "Ann <Admin>", "Shop & Co", Some("Hi"), true);
        assert_eq!(en.subject, "Reminder: Ann <Admin> invited you to Shop & Co");
        assert!(en.text.starts_with("Reminder: Ann <Admin> invited you to join \"Shop & Co\""), "{}", en.text);
        assert!(en.text.contains("only reminder") && en.text.contains("15 January 2027"));
        assert!(en.text.contains("https://app.example.com/invite#token=abc") && en.text.contains("Message from"));
        assert!(en.html.contains("Your invitation to Shop &amp; Co expires soon") && en.html.contains("only reminder"));
        assert!(en.html.contains("Accept the invitation") && !en.html.contains("{%"));
        let de = render(Locale::De, "Ann", "Shop", None, true);
        assert_eq!(de.subject, "Erinnerung: Ann hat Sie zu Shop eingeladen");
        assert!(de.text.starts_with("Erinnerung:") && de.text.contains("einzige Erinnerung"), "{}", de.text);
        assert!(de.html.contains("Ihre Einladung zu Shop läuft bald ab") && de.html.contains("Einladung annehmen"));
        let plain = mail(Locale::En, None);
        assert!(!plain.text.contains("Reminder") && !plain.html.contains("expires soon"));
    }

    #[test]
    fn english_subject_text_and_escaped_html() {
        let m = mail(Locale::En, Some("<script>alert(1)</script> Welcome!"));
        assert_eq!(m.subject, "Ann <Admin> invited you to Shop & Co");
        assert!(m.text.contains("as Administrator (can invite people and manage users)"));
        assert!(m.text.contains("<script>alert(1)</script> Welcome!"), "plain text is not escaped");
        assert!(m.text.contains("https://app.example.com/invite#token=abc"));
        assert!(m.text.contains("15 January 2027"));
        assert!(m.text.contains("Use this address, ann@example.com"));
        assert!(m.html.contains("&lt;script&gt;"));
        assert!(!m.html.contains("<script>"));
        assert!(m.html.contains("Ann &lt;Admin&gt;") && m.html.contains("Shop &amp; Co"));
        assert!(m.html.contains("word-break:break-all"), "the raw link wraps at 375 px");
    }

    #[test]
    fn german_and_no_message() {
        let m = mail(Locale::De, None);
        assert_eq!(m.subject, "Ann <Admin> hat Sie zu Shop & Co eingeladen");
        assert!(m.text.contains("15.01.2027"));
        assert!(!m.text.contains("Nachricht von"));
        assert!(m.html.contains("Einladung annehmen"));
        assert!(m.html.contains("So geht es weiter"));
    }

    #[test]
    fn hostile_names_stay_on_their_line_in_both_languages() {
        for locale in [Locale::En, Locale::De] {
            let m = mail_from(
                locale,
                "Eve\r\nSubject: Your account is locked\u{2028}",
                "Bank\u{202E}moc.evil\n\nClick here",
                None,
            );
            assert!(!m.subject.contains(['\r', '\n', '\u{2028}', '\u{202E}']), "{}", m.subject);
            assert!(m.subject.starts_with("Eve Subject: Your account is locked"), "{}", m.subject);
            let first_line = m.text.lines().next().unwrap();
            assert!(first_line.contains("Bankmoc.evil Click here"), "{first_line}");
            assert!(!m.html.contains('\u{202E}'));
        }
    }

    #[test]
    fn decisions_in_both_languages_with_the_reason_escaped() {
        let decide = |locale, approved, reason| {
            Renderer::default()
                .decision(&DecisionMail {
                    locale,
                    to: "ann@example.com",
                    resource: "Shop & Co\nBcc: x",
                    role: Role::ADMIN,
                    approved,
                    reason,
                    url: "https://app.example.com/invite",
                })
                .unwrap()
        };
        let yes = decide(Locale::En, true, None);
        assert_eq!(yes.subject, "You joined Shop & Co Bcc: x");
        assert!(yes.text.contains("was approved") && yes.text.contains("as Administrator"), "{}", yes.text);
        assert!(yes.html.contains("Open Invites") && yes.html.contains("https:"));
        let no = decide(Locale::En, false, Some("<b>Only staff</b>"));
        assert_eq!(no.subject, "Your request to join Shop & Co Bcc: x was declined");
        assert!(no.text.contains("Reason given:\n<b>Only staff</b>") && !no.text.contains("Open Invites"));
        assert!(no.html.contains("&lt;b&gt;Only staff") && !no.html.contains("<b>Only"));
        let nein = decide(Locale::De, false, None);
        assert!(nein.subject.starts_with("Ihre Anfrage") && !nein.text.contains("Grund"), "{}", nein.text);
        assert!(decide(Locale::De, true, None).html.contains("Invites öffnen"));
    }

    #[test]
    fn branding_from_configuration() {
        let brand = Brand {
            name: "Acme Cloud".into(),
            logo_url: Some("https://acme.example/logo.png".into()),
            color: "#aa3300".into(),
            support: Some("help@acme.example".into()),
        };
        let m = Renderer::new(brand)
            .invite(&InviteMail {
                locale: Locale::En,
                to: "a@b.co",
                inviter: "Ann",
                resource: "Site",
                role: Role::READ_ONLY,
                message: None,
                url: "https://x/invite#token=t",
                expires_at: 0,
                reminder: false,
            })
            .unwrap();
        // (HTML escaping writes "/" as &#x2f;, which attributes decode.)
        assert!(m.html.contains("logo.png") && m.html.contains("#aa3300"));
        assert!(m.html.contains("help@acme.example") && m.text.contains("Questions: help@acme.example"));
        assert!(m.text.contains("on Acme Cloud as Read-only"));
    }
}
