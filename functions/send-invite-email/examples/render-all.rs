//! Renders every kind of e-mail in every language into a folder, one HTML
//! file each (`<kind>.<lang>.html`), with long names and a long message, for
//! the browser suite to check at 375 px (web/tests/emails.spec.ts).
//!   cargo run -p send-invite-email --example render-all -- DIR

use invites_domain::{Locale, Role};
use send_invite_email::render::{DecisionMail, InviteMail, Renderer};

fn main() {
    let dir = std::env::args().nth(1).expect("usage: render-all DIR");
    std::fs::create_dir_all(&dir).expect("the folder");
    let renderer = Renderer::default();
    let now = 1_800_000_000;
    let invite = |locale, reminder| InviteMail {
        locale,
        to: "a.very.long.address.of.the.invitee@subdomain.example.com",
        inviter: "Alexandra Featherstonehaugh-Montgomery",
        resource: "Quarterly planning of the northern region's distribution centres",
        role: Role::ADMIN,
        message: Some(
            "Welcome aboard! Here is a rather long personal message with a link https://example.com/a/very/long/path/that/does/not/break/easily and some more words.",
        ),
        url: "https://app.example.com/invite#token=ApkBojzSnvTVjVtbEs3t7ad9AaI80rDgb-F4e8F0DctHvwV0SwEZEeMVyapyFA53HQe9oowoBD91cyjDziVajYAM",
        expires_at: now + 7 * 86_400,
        now,
        reminder,
    };
    let decision = |locale, approved| DecisionMail {
        locale,
        to: "a.very.long.address.of.the.invitee@subdomain.example.com",
        resource: "Quarterly planning of the northern region's distribution centres",
        role: Role::READ_ONLY,
        approved,
        reason: Some("Only the planning team joins this one; ask the regional lead for an invitation."),
        url: "https://app.example.com/",
    };
    let mut written = 0;
    for locale in Locale::ALL {
        let lang = locale.as_str();
        let mails = [
            ("invite", renderer.invite(&invite(locale, false))),
            ("reminder", renderer.invite(&invite(locale, true))),
            ("approved", renderer.decision(&decision(locale, true))),
            ("declined", renderer.decision(&decision(locale, false))),
        ];
        for (kind, mail) in mails {
            let mail = mail.unwrap_or_else(|e| panic!("{kind}.{lang}: {e}"));
            std::fs::write(format!("{dir}/{kind}.{lang}.html"), mail.html).expect("written");
            written += 1;
        }
    }
    println!("render-all: {written} e-mails in {dir}");
}
