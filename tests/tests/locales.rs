//! Which language an invitation speaks: the invite's own, else its
//! resource's default, else the deployment's; a language the service does
//! not speak falls back instead of failing; the landing page learns the
//! language from the lookup. Through the handlers, the worker and the SES
//! emulator.

use invites_domain::Locale;
use invites_domain::limits::Limits;
use invites_tests::*;
use serde_json::{Value, json};

/// The language of the newest e-mail to `to` (its HTML's `lang`) and its subject.
async fn mailed_in(h: &Harness, to: &str) -> (String, String) {
    h.worker().await.handle(h.take_batch().await).await;
    let mail = inbox(to).await.pop().expect("an e-mail");
    let html = mail["body"]["html"].as_str().unwrap();
    let lang = html.split("lang=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    (lang, mail["subject"].as_str().unwrap().to_owned())
}

async fn settings(h: &Harness, rid: &str, body: Value) -> Resp {
    let patch = Req::event("update-resource").user(OWNER.0, OWNER.1).path("rid", rid).body(body);
    call(resources::handle, &h.api, &patch).await
}

#[tokio::test]
async fn the_invites_language_else_the_resources_else_the_deployments() {
    let h = Harness::with_limits(Limits { default_locale: Locale::Fr, ..Limits::default() }).await;
    let rid = new_resource(&h).await;

    // Nothing named anywhere: the deployment's (French), in the e-mail and the lookup.
    let to = unique_email("plain");
    let created = invite_to(&h, &rid, &to, json!({})).await;
    assert!(created.body["invite"].get("locale").is_none(), "{}", created.body);
    let (lang, subject) = mailed_in(&h, &to).await;
    assert_eq!(lang, "fr", "{subject}");
    assert_eq!(lookup(&h, &token_of(&created)).await.body["locale"], "fr");

    // A language the service does not speak (Swedish) falls back the same way; an unknown region keeps its language.
    let to = unique_email("sv");
    let created = invite_to(&h, &rid, &to, json!({"locale": "sv-SE"})).await;
    assert_eq!(mailed_in(&h, &to).await.0, "fr");
    assert_eq!(lookup(&h, &token_of(&created)).await.body["locale"], "fr");
    let to = unique_email("pt");
    invite_to(&h, &rid, &to, json!({"locale": "pt-PT"})).await;
    assert_eq!(mailed_in(&h, &to).await.0, "pt-BR");

    // The resource's default (set as a tag, kept as the language) beats the deployment's.
    let r = settings(&h, &rid, json!({"defaultLocale": "ja-JP"})).await;
    assert_eq!((r.status, &r.body["defaultLocale"], &r.body["deploymentLocale"]), (200, &json!("ja"), &json!("fr")));
    assert_eq!(r.body["reminders"], true, "a setting left out stays as it was");
    let to = unique_email("ja");
    let japanese = invite_to(&h, &rid, &to, json!({})).await;
    let (lang, subject) = mailed_in(&h, &to).await;
    assert_eq!(lang, "ja");
    assert!(subject.contains("招待"), "{subject}");
    assert_eq!(lookup(&h, &token_of(&japanese)).await.body["locale"], "ja");

    // The invite's own beats both; Arabic right to left.
    let to = unique_email("ar");
    let created = invite_to(&h, &rid, &to, json!({"locale": "ar"})).await;
    assert_eq!(created.body["invite"]["locale"], "ar");
    assert_eq!(mailed_in(&h, &to).await.0, "ar");
    let html = inbox(&to).await.pop().unwrap()["body"]["html"].as_str().unwrap().to_owned();
    assert!(html.contains("dir=\"rtl\""));

    // A default the service cannot speak is refused and changes nothing; "" goes back to the deployment's.
    let r = settings(&h, &rid, json!({"defaultLocale": "sv"})).await;
    assert_error(&r, 422, "invalid_locale");
    assert_error(&settings(&h, &rid, json!({})).await, 422, "invalid_request");
    assert_error(&settings(&h, &rid, json!({"defaultLocale": null})).await, 422, "invalid_request");
    let r = settings(&h, &rid, json!({"defaultLocale": ""})).await;
    assert!(r.status == 200 && r.body.get("defaultLocale").is_none(), "{}", r.body);
    let to = unique_email("back");
    invite_to(&h, &rid, &to, json!({})).await;
    assert_eq!(mailed_in(&h, &to).await.0, "fr");
    // An invite keeps the language its first e-mail spoke: its landing page
    // and its list entry say Japanese still, though the default changed.
    assert_eq!(lookup(&h, &token_of(&japanese)).await.body["locale"], "ja");
    let iid = japanese.body["invite"]["id"].as_str().unwrap();
    assert_eq!(h.store().invite_item(&rid, iid).await.unwrap().unwrap().locale, Some(Locale::Ja));

    // Each change is audited once, in words the trail shows.
    let audit = Req::event("get-audit").user(OWNER.0, OWNER.1).path("rid", &rid).no_query();
    let trail = call(resources::handle, &h.api, &audit).await.body;
    let details: Vec<&str> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["action"] == "resource.updated")
        .map(|a| a["detail"].as_str().unwrap())
        .collect();
    assert_eq!(details, ["locale default", "locale ja"], "newest first");
}

#[tokio::test]
async fn invites_stored_before_the_fallback_keep_their_language() {
    // Before: every invite stored a language ("en" when none was named).
    let h = Harness::with_limits(Limits { default_locale: Locale::De, ..Limits::default() }).await;
    let rid = new_resource(&h).await;
    let to = unique_email("old");
    let created = invite_to(&h, &rid, &to, json!({"locale": "en"})).await;
    let iid = created.body["invite"]["id"].as_str().unwrap();
    let item = h.store().invite_item(&rid, iid).await.unwrap().unwrap();
    assert_eq!(item.locale, Some(Locale::En));
    assert_eq!(mailed_in(&h, &to).await.0, "en", "its own language, not the deployment's German");
}
