//! E-mail templates (minijinja): table-based HTML with inline styles (what
//! mail clients render) with auto-escaping, and a plain-text part saying the
//! same, in every UI language (right to left in Arabic), with the operator's
//! branding. Plural rules and dates come from CLDR (ICU4X). The templates
//! compile once per cold start, when first used.

use invites_adapters::config::ConfigError;
use invites_domain::text::one_line;
use invites_domain::time::DAY;
use invites_domain::{Locale, Role};
use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, context};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

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
    /// When it is sent (the days left until expiry are counted from it).
    pub now: i64,
    /// The one reminder before expiry (its own subject and opening).
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

/// Each language's strings (`locales/<tag>.json`: English is the source;
/// `docs/locales.md` says how to add one), parsed the first time a mail needs
/// them. A string is a small template (`{{ resource }}`) that may mark words
/// `<strong>`; a plural is an object of CLDR plural categories chosen by
/// `count`.
const STRINGS: [(Locale, &str); 10] = [
    (Locale::En, include_str!("../locales/en.json")),
    (Locale::De, include_str!("../locales/de.json")),
    (Locale::Fr, include_str!("../locales/fr.json")),
    (Locale::Es, include_str!("../locales/es.json")),
    (Locale::It, include_str!("../locales/it.json")),
    (Locale::Nl, include_str!("../locales/nl.json")),
    (Locale::Pl, include_str!("../locales/pl.json")),
    (Locale::PtBr, include_str!("../locales/pt-BR.json")),
    (Locale::Ja, include_str!("../locales/ja.json")),
    (Locale::Ar, include_str!("../locales/ar.json")),
];

#[derive(Debug, serde::Deserialize)]
#[serde(untagged)]
enum Entry {
    Text(String),
    Plural(BTreeMap<String, String>),
}

type Strings = BTreeMap<String, Entry>;

fn strings(locale: Locale) -> &'static Strings {
    static PARSED: [OnceLock<Strings>; 10] = [const { OnceLock::new() }; 10];
    let at = STRINGS.iter().position(|(l, _)| *l == locale).unwrap_or(0);
    // The files are compiled in and checked by the unit tests: a parse error cannot ship.
    PARSED[at].get_or_init(|| serde_json::from_str(STRINGS[at].1).unwrap_or_default())
}

fn icu_locale(locale: Locale) -> icu_locale_core::Locale {
    icu_locale_core::Locale::try_from_str(locale.as_str()).unwrap_or(icu_locale_core::Locale::UNKNOWN)
}

/// The CLDR plural category of `n` in `locale` ("one", "few", "other", ...).
fn plural_category(locale: Locale, n: u64) -> &'static str {
    use icu_plurals::{PluralCategory, PluralRules};
    let Ok(rules) = PluralRules::try_new_cardinal((&icu_locale(locale)).into()) else { return "other" };
    match rules.category_for(n) {
        PluralCategory::Zero => "zero",
        PluralCategory::One => "one",
        PluralCategory::Two => "two",
        PluralCategory::Few => "few",
        PluralCategory::Many => "many",
        _ => "other",
    }
}

/// A date and time in the invitee's language, with its time zone named:
/// "15 January 2027 at 08:00 UTC", "15. Januar 2027 um 08:00 UTC", ...
fn date(epoch: i64, locale: Locale) -> String {
    use icu_datetime::FixedCalendarDateTimeFormatter;
    use icu_datetime::fieldsets::YMDT;
    use icu_datetime::input::{Date, DateTime, Time};
    use icu_datetime::options::TimePrecision;
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(epoch) else { return String::new() };
    let (Ok(date), Ok(time)) =
        (Date::try_new_gregorian(t.year(), u8::from(t.month()), t.day()), Time::try_new(t.hour(), t.minute(), 0, 0))
    else {
        return String::new();
    };
    let fields = YMDT::long().with_time_precision(TimePrecision::Minute);
    match FixedCalendarDateTimeFormatter::<icu_calendar::Gregorian, _>::try_new((&icu_locale(locale)).into(), fields) {
        Ok(f) => format!("{} UTC", f.format(&DateTime { date, time })),
        Err(_) => format!("{} UTC", t.date()),
    }
}

/// Whole days from `now` until `at`, at least one.
fn days_left(at: i64, now: i64) -> u64 {
    u64::try_from((at - now + DAY / 2) / DAY).unwrap_or(0).max(1)
}

impl Default for Renderer {
    fn default() -> Self {
        Self::new(Brand::default())
    }
}

/// The bundled templates, one per kind and part, in every language (their
/// words come from [`STRINGS`]). Each compiles the first time a message
/// needs it; the unit test below compiles them all.
const TEMPLATES: &[(&str, &str)] = &[
    ("layout.html", include_str!("../templates/layout.html")),
    ("invite.txt", include_str!("../templates/invite.txt")),
    ("invite.html", include_str!("../templates/invite.html")),
    ("decision.txt", include_str!("../templates/decision.txt")),
    ("decision.html", include_str!("../templates/decision.html")),
];

/// Which strings a kind of mail says, by the name its templates use.
const INVITE: &[(&str, &str)] = &[
    ("heading", "invite.heading"),
    ("intro", "invite.intro"),
    ("message_from", "invite.messageFrom"),
    ("accept", "invite.accept"),
    ("next", "invite.next"),
    ("new_here", "invite.newHere"),
    ("have_account", "invite.haveAccount"),
    ("expires", "invite.expires"),
    ("link_fallback", "invite.linkFallback"),
    ("ignore", "invite.ignore"),
    ("questions", "questions"),
];
const REMINDER: &[(&str, &str)] = &[("heading", "reminder.heading"), ("intro", "reminder.intro")];
const APPROVED: &[(&str, &str)] = &[("body", "approved.body"), ("open", "approved.open")];
const DECLINED: &[(&str, &str)] =
    &[("body", "declined.body"), ("reason", "declined.reason"), ("ask_admin", "declined.askAdmin")];
const DECISION: &[(&str, &str)] = &[("why", "decision.why"), ("questions", "questions")];

impl Renderer {
    pub fn new(brand: Brand) -> Self {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|name| if name.ends_with(".html") { AutoEscape::Html } else { AutoEscape::None });
        env.set_loader(|name| Ok(TEMPLATES.iter().find(|(n, _)| *n == name).map(|(_, src)| (*src).to_owned())));
        Self { env, brand }
    }

    /// One string of `locale` (English where it has none) rendered with
    /// `ctx`: escaped for HTML (its own `<strong>` kept), or as plain text
    /// (without the marks).
    fn say(&self, locale: Locale, key: &str, ctx: &Value, html: bool) -> Result<String, minijinja::Error> {
        let entry = strings(locale).get(key).or_else(|| strings(Locale::En).get(key));
        let source = match entry {
            Some(Entry::Text(t)) => t.as_str(),
            Some(Entry::Plural(forms)) => {
                let n = ctx.get_attr("count").ok().and_then(|c| u64::try_from(c).ok()).unwrap_or(0);
                let forms = forms.get(plural_category(locale, n)).or_else(|| forms.get("other"));
                forms.map_or("", String::as_str)
            }
            None => "",
        };
        if html {
            self.env.template_from_named_str("string.html", source)?.render(ctx)
        } else {
            let plain = source.replace("<strong>", "").replace("</strong>", "");
            self.env.template_from_named_str("string.txt", &plain)?.render(ctx)
        }
    }

    /// The mail's strings for one of its parts (`html` or not); a later list
    /// names what it says instead of an earlier one (a reminder's opening).
    fn words(
        &self,
        locale: Locale,
        lists: &[&[(&str, &str)]],
        ctx: &Value,
        html: bool,
    ) -> Result<Value, minijinja::Error> {
        let mut out = BTreeMap::new();
        for (name, key) in lists.iter().rev().flat_map(|l| l.iter()) {
            if out.contains_key(name) {
                continue;
            }
            let said = self.say(locale, key, ctx, html)?;
            out.insert(*name, if html { Value::from_safe_string(said) } else { Value::from(said) });
        }
        Ok(Value::from(out))
    }

    /// Renders both parts of a mail of `kind` with its strings.
    fn parts(
        &self,
        kind: &str,
        locale: Locale,
        lists: &[&[(&str, &str)]],
        ctx: Value,
    ) -> Result<(String, String), minijinja::Error> {
        let text_ctx = context! { s => self.words(locale, lists, &ctx, false)?, ..ctx.clone() };
        let html_ctx = context! { s => self.words(locale, lists, &ctx, true)?, ..ctx };
        let text = self.env.get_template(&format!("{kind}.txt"))?.render(text_ctx)?;
        let html = self.env.get_template(&format!("{kind}.html"))?.render(html_ctx)?;
        Ok((text, html))
    }

    /// What every mail's templates know: the language, its direction and the brand.
    fn frame(&self, locale: Locale) -> Value {
        context! {
            lang => locale.as_str(),
            dir => if locale.is_rtl() { "rtl" } else { "ltr" },
            start => if locale.is_rtl() { "right" } else { "left" },
            brand => &self.brand,
            product => &self.brand.name,
        }
    }

    pub fn invite(&self, m: &InviteMail) -> Result<Rendered, minijinja::Error> {
        let (role, role_meaning) = role_words(m.role, m.locale);
        // Names people chose: one line each, whatever they typed.
        let (inviter, resource) = (one_line(m.inviter), one_line(m.resource));
        let ctx = context! {
            inviter,
            resource,
            role,
            role_meaning,
            to => m.to,
            message => m.message,
            url => m.url,
            expires => date(m.expires_at, m.locale),
            count => days_left(m.expires_at, m.now),
            ..self.frame(m.locale)
        };
        let subject_key = if m.reminder { "reminder.subject" } else { "invite.subject" };
        let subject = one_line(&self.say(m.locale, subject_key, &ctx, false)?);
        let ctx = context! { subject, ..ctx };
        let lists: &[&[(&str, &str)]] = if m.reminder { &[INVITE, REMINDER] } else { &[INVITE] };
        let (text, html) = self.parts("invite", m.locale, lists, ctx)?;
        Ok(Rendered { subject, text, html })
    }

    pub fn decision(&self, m: &DecisionMail) -> Result<Rendered, minijinja::Error> {
        let (role, role_meaning) = role_words(m.role, m.locale);
        let resource = one_line(m.resource);
        let ctx = context! {
            resource,
            role,
            role_meaning,
            approved => m.approved,
            reason => m.reason,
            to => m.to,
            url => m.url,
            ..self.frame(m.locale)
        };
        let subject_key = if m.approved { "approved.subject" } else { "declined.subject" };
        let subject = one_line(&self.say(m.locale, subject_key, &ctx, false)?);
        let ctx = context! { subject, ..ctx };
        let lists: &[&[(&str, &str)]] = if m.approved { &[APPROVED, DECISION] } else { &[DECLINED, DECISION] };
        let (text, html) = self.parts("decision", m.locale, lists, ctx)?;
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
                now: 1_800_000_000 - 7 * DAY,
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
        assert!(r.env.get_template("missing.txt").is_err());
    }

    #[test]
    fn reminders_have_their_own_subject_and_opening_in_both_languages() {
        let en = render(Locale::En, "Ann <Admin>", "Shop & Co", Some("Hi"), true);
        assert_eq!(en.subject, "Reminder: Ann <Admin> invited you to Shop & Co");
        assert!(
            en.text
                .starts_with("Your invitation to Shop & Co expires soon\n\nAnn <Admin> invited you to join Shop & Co"),
            "{}",
            en.text
        );
        assert!(en.text.contains("only reminder") && en.text.contains("January 15, 2027"), "{}", en.text);
        assert!(en.text.contains("https://app.example.com/invite#token=abc") && en.text.contains("Message from"));
        assert!(en.html.contains("Your invitation to Shop &amp; Co expires soon") && en.html.contains("only reminder"));
        assert!(en.html.contains("Accept the invitation") && !en.html.contains("{%"));
        let de = render(Locale::De, "Ann", "Shop", None, true);
        assert_eq!(de.subject, "Erinnerung: Ann hat Sie zu Shop eingeladen");
        assert!(
            de.text.starts_with("Ihre Einladung zu Shop läuft bald ab") && de.text.contains("einzige Erinnerung"),
            "{}",
            de.text
        );
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
        assert!(m.text.contains("expires in 7 days, on January 15, 2027"), "{}", m.text);
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
        assert!(m.text.contains("in 7 Tagen ab, am 15. Januar 2027"), "{}", m.text);
        assert!(!m.text.contains("Nachricht von"));
        assert!(m.html.contains("Einladung annehmen"));
        assert!(m.html.contains("So geht es weiter"));
    }

    #[test]
    fn hostile_names_stay_on_their_line_in_every_language() {
        for locale in Locale::ALL {
            let m = mail_from(
                locale,
                "Eve\r\nSubject: Your account is locked\u{2028}",
                "Bank\u{202E}moc.evil\n\nClick here",
                None,
            );
            assert!(!m.subject.contains(['\r', '\n', '\u{2028}', '\u{202E}']), "{}", m.subject);
            assert!(m.subject.contains("Eve Subject: Your account is locked"), "{}", m.subject);
            let first_line = m.text.lines().next().unwrap();
            assert!(first_line.contains("Bankmoc.evil Click here"), "{first_line}");
            assert_eq!(
                m.text.lines().filter(|l| l.contains("Bankmoc.evil")).count(),
                2,
                "{locale:?}: heading and opening"
            );
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
                now: 0,
                reminder: false,
            })
            .unwrap();
        // (HTML escaping writes "/" as &#x2f;, which attributes decode.)
        assert!(m.html.contains("logo.png") && m.html.contains("#aa3300"));
        assert!(m.html.contains("help@acme.example") && m.text.contains("Questions: help@acme.example"));
        assert!(m.text.contains("on Acme Cloud as Read-only"));
    }

    #[test]
    fn every_language_renders_every_mail_completely() {
        for locale in Locale::ALL {
            for reminder in [false, true] {
                let m = render(locale, "Ann", "Shop", Some("Hi"), reminder);
                check_complete(locale, &m);
                assert!(m.text.contains("https://app.example.com/invite#token=abc"), "{locale:?}");
            }
            for approved in [false, true] {
                let m = Renderer::default()
                    .decision(&DecisionMail {
                        locale,
                        to: "ann@example.com",
                        resource: "Shop",
                        role: Role::ADMIN,
                        approved,
                        reason: Some("why"),
                        url: "https://app.example.com/",
                    })
                    .unwrap();
                check_complete(locale, &m);
            }
        }
    }

    /// Its language and direction named, every string said (none empty,
    /// nothing left of a template), and not the English words unless English.
    fn check_complete(locale: Locale, m: &Rendered) {
        let dir = if locale == Locale::Ar { "rtl" } else { "ltr" };
        assert!(m.html.contains(&format!("lang=\"{}\" dir=\"{dir}\"", locale.as_str())), "{locale:?}");
        for part in [&m.subject, &m.text, &m.html] {
            assert!(!part.contains("{{") && !part.contains("{%"), "{locale:?}: {part}");
        }
        assert!(!m.text.contains("<strong>") && !m.subject.is_empty(), "{locale:?}: {}", m.text);
        assert!(
            !m.html.contains("<p style=\"margin:0 0 16px;font-size:15px;line-height:1.55;\"></p>"),
            "{locale:?}: an empty string"
        );
        if locale != Locale::En {
            for english in ["Accept the invitation", "What happens next", "was declined", "You joined"] {
                assert!(!m.text.contains(english), "{locale:?} says {english:?}");
            }
        }
    }

    #[test]
    fn plurals_and_dates_follow_each_language() {
        let days = |locale, left: i64| {
            let mut m = InviteMail {
                locale,
                to: "a@b.co",
                inviter: "Ann",
                resource: "Site",
                role: Role::ADMIN,
                message: None,
                url: "https://x/invite#token=t",
                expires_at: 1_800_000_000,
                now: 0,
                reminder: false,
            };
            m.now = m.expires_at - left * DAY;
            Renderer::default().invite(&m).unwrap().text
        };
        assert!(days(Locale::En, 1).contains("expires in 1 day, on"), "{}", days(Locale::En, 1));
        assert!(days(Locale::En, 2).contains("expires in 2 days, on"));
        // Polish: 2 (few) and 5 (many) take different words; Arabic has a dual.
        let (pl2, pl5) = (days(Locale::Pl, 2), days(Locale::Pl, 5));
        assert_ne!(pl2.replace('2', ""), pl5.replace('5', ""), "{pl2}\n{pl5}");
        assert_ne!(days(Locale::Ar, 2), days(Locale::Ar, 3));
        assert_eq!(plural_category(Locale::Ar, 2), "two");
        assert_eq!(plural_category(Locale::Pl, 5), "many");
        assert_eq!(plural_category(Locale::Ja, 1), "other");
        assert_eq!(date(1_800_000_000, Locale::En), "January 15, 2027 at 8:00\u{202f}AM UTC");
        assert!(date(1_800_000_000, Locale::De).starts_with("15. Januar 2027"), "{}", date(1_800_000_000, Locale::De));
        assert!(date(1_800_000_000, Locale::Ja).contains("2027年1月15日"), "{}", date(1_800_000_000, Locale::Ja));
        assert!(date(1_800_000_000, Locale::Ar).ends_with("UTC"));
        assert_eq!(days_left(100 + 7 * DAY, 100), 7);
        assert_eq!(days_left(100 + DAY / 3, 100), 1);
    }

    #[test]
    fn arabic_reads_right_to_left_with_the_link_left_to_right() {
        let m = render(Locale::Ar, "Ann", "Shop", Some("مرحبا"), false);
        assert!(m.html.contains("dir=\"rtl\"") && m.html.contains("text-align:right"));
        assert!(m.html.contains("border-right:4px"), "the message's bar on the reading side");
        assert!(m.html.contains("<p dir=\"ltr\""), "the raw link stays left to right");
    }
}
