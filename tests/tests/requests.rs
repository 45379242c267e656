//! Requests to join: a team link or a verified domain in the mode "ask
//! first" makes a request instead of a member; owners and admins approve
//! (a seat taken with the membership) or decline (with a reason); the person
//! sees the state and gets the decision by e-mail in their language. The
//! races: two approvers, approve against decline, against the approver's
//! removal, against a plan downgrade, and two tabs asking at once.

use invites_domain::ResourceId;
use invites_domain::requests::EXPIRY_DAYS;
use invites_domain::time::{DAY, now};
use invites_tests::*;
use serde_json::{Value, json};

const ADMIN: (&str, &str) = ("user-admin", "admin@example.com");

/// A resource with a team link that asks first: (resource id, link token, link id).
async fn asking_link(h: &Harness, max_uses: u32) -> (String, String, String) {
    let rid = new_resource(h).await;
    let req = Req::event("create-team-link").user(OWNER.0, OWNER.1).path("rid", &rid).body(json!({
        "role": "admin", "mode": "ask", "maxUses": max_uses
    }));
    let created = call(team_links::handle, &h.api, &req).await;
    assert_eq!((created.status, created.body["mode"].as_str()), (201, Some("ask")), "{}", created.body);
    let token = created.body["url"].as_str().unwrap().split("#link=").nth(1).unwrap().to_owned();
    (rid, token, created.body["id"].as_str().unwrap().to_owned())
}

async fn ask(h: &Harness, token: &str, who: (&str, &str), body: Value) -> Resp {
    let mut body = body;
    body["token"] = json!(token);
    call(team_links::handle, &h.api, &Req::event("join-team-link").user(who.0, who.1).body(body)).await
}

async fn requests(h: &Harness, rid: &str, by: (&str, &str)) -> Resp {
    call(members::handle, &h.api, &Req::event("list-requests").user(by.0, by.1).path("rid", rid)).await
}

fn approve(rid: &str, uid: &str, by: (&str, &str)) -> Req {
    Req::event("approve-request").user(by.0, by.1).path("rid", rid).path("uid", uid)
}

fn decline(rid: &str, uid: &str, by: (&str, &str), body: Value) -> Req {
    Req::event("decline-request").user(by.0, by.1).path("rid", rid).path("uid", uid).body(body)
}

async fn decide(h: &Harness, req: Req) -> Resp {
    call(members::handle, &h.api, &req).await
}

async fn mine(h: &Harness, who: (&str, &str)) -> Vec<Value> {
    let r = call(me::handle, &h.api, &Req::event("my-requests").user(who.0, who.1)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

/// The person's request to join `rid` under "my invitations" (rounds of a
/// race ask the same person to several resources within one second).
async fn mine_to(h: &Harness, who: (&str, &str), rid: &str) -> Value {
    let all = mine(h, who).await;
    all.iter().find(|r| r["resource"]["id"] == rid).cloned().unwrap_or_else(|| panic!("no request to {rid}: {all:?}"))
}

async fn is_member(h: &Harness, rid: &str, uid: &str) -> bool {
    h.store().member(rid, uid).await.unwrap().is_some()
}

/// The decision e-mails the worker sends for what is queued now.
async fn run_worker(h: &Harness) {
    let worker = h.worker().await;
    worker.handle(h.take_batch().await).await;
}

#[tokio::test]
async fn a_request_through_an_asking_link_is_approved_into_a_membership_and_told_by_email() {
    let h = Harness::new().await;
    let (rid, token, _) = asking_link(&h, 5).await;
    let lookup =
        call(team_links::handle, &h.api, &Req::event("lookup-team-link").body(json!({ "token": token }))).await;
    assert_eq!(lookup.body["mode"], "ask", "the landing page offers a request");

    let to = unique_email("asker");
    let asker = ("user-asker", to.as_str());
    let asked = ask(&h, &token, asker, json!({"note": "I run the support desk.", "locale": "de"})).await;
    assert_eq!(asked.status, 202, "{}", asked.body);
    let request = &asked.body["request"];
    assert_eq!((request["status"].as_str(), request["role"].as_str()), (Some("pending"), Some("admin")));
    assert_eq!(request["note"], "I run the support desk.");
    assert!(!is_member(&h, &rid, "user-asker").await && seats_used(&h, &rid).await == 0, "no seat before approval");
    let again = ask(&h, &token, asker, json!({})).await;
    assert_eq!((again.status, &again.body["request"]["id"]), (202, &request["id"]), "one pending request per person");

    // Managers see it; a read-only member and outsiders do not.
    add_member(&h, &rid, "user-r", "r@example.com", "read_only").await;
    assert_error(&requests(&h, &rid, ("user-r", "r@example.com")).await, 403, "forbidden");
    assert_eq!(requests(&h, &rid, ("user-x", "x@example.com")).await.status, 404);
    let listed = requests(&h, &rid, OWNER).await;
    assert_eq!(listed.body["items"][0]["userId"], "user-asker", "{}", listed.body);
    assert_eq!(mine(&h, asker).await[0]["status"], "pending");

    let approved = decide(&h, approve(&rid, "user-asker", OWNER)).await;
    assert_eq!((approved.status, approved.body["status"].as_str()), (200, Some("approved")), "{}", approved.body);
    assert!(is_member(&h, &rid, "user-asker").await);
    assert_eq!(seats_used(&h, &rid).await, 2, "the read-only member and the approved one");
    let again = decide(&h, approve(&rid, "user-asker", OWNER)).await;
    assert_error(&again, 409, "request_not_pending");
    assert_eq!(mine(&h, asker).await[0]["status"], "approved");
    let joined = ask(&h, &token, asker, json!({})).await;
    assert_eq!((joined.status, joined.body["role"].as_str()), (200, Some("admin")), "a member joins as before");

    // The decision, once, in the language they asked in.
    run_worker(&h).await;
    let mails = inbox(&to).await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0]["subject"], "Sie sind Marketing site beigetreten");

    // Audited (and so published): asked, approved, joined; no address in the details.
    let trail =
        call(resources::handle, &h.api, &Req::event("get-audit").user(OWNER.0, OWNER.1).path("rid", &rid)).await;
    let actions: Vec<&str> =
        trail.body["items"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    for action in ["request.created", "request.approved", "member.joined"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    assert!(!trail.body.to_string().contains(&to), "the audit trail names people by id");
}

#[tokio::test]
async fn a_request_through_an_asking_domain_is_declined_with_a_reason_and_asked_again() {
    let h = Harness::new().await;
    let domain = format!("ask-{}.test", invites_domain::ids::new_ulid().to_lowercase());
    let rid = new_resource(&h).await;
    let add = Req::event("add-domain").user(OWNER.0, OWNER.1).path("rid", &rid);
    let added = call_domains(&h, add.clone().body(json!({"domain": domain, "role": "read_only", "mode": "ask"}))).await;
    assert_eq!((added.status, added.body["mode"].as_str()), (201, Some("ask")), "{}", added.body);
    publish_txt(added.body["txtName"].as_str().unwrap(), added.body["txtValue"].as_str().unwrap());
    let verify = Req::event("verify-domain").user(OWNER.0, OWNER.1).path("rid", &rid).path("domain", &domain);
    assert_eq!(call_domains(&h, verify).await.status, 200);

    let to = format!("colleague-{}@{domain}", invites_domain::ids::new_ulid().to_lowercase());
    let who = ("user-colleague", to.as_str());
    let joinable = call_domains(&h, Req::event("my-joinable").user(who.0, who.1)).await;
    assert_eq!(joinable.body["items"][0]["mode"], "ask", "{}", joinable.body);
    let join = |body: Option<Value>| {
        let req = Req::event("join-by-domain").user(who.0, who.1).path("rid", &rid);
        match body {
            Some(b) => req.body(b),
            None => req,
        }
    };
    let long = "x".repeat(501);
    let before = h.dump().await.len();
    assert_error(&call_domains(&h, join(Some(json!({"note": long})))).await, 422, "invalid_note");
    assert_eq!(h.dump().await.len(), before, "a refused note changes nothing");
    let asked = call_domains(&h, join(None)).await;
    assert_eq!((asked.status, asked.body["request"]["status"].as_str()), (202, Some("pending")), "{}", asked.body);
    let first_id = asked.body["request"]["id"].clone();

    let too_long = decide(&h, decline(&rid, who.0, OWNER, json!({"reason": long}))).await;
    assert_error(&too_long, 422, "invalid_reason");
    let declined = decide(&h, decline(&rid, who.0, OWNER, json!({"reason": "Staff only, sorry."}))).await;
    assert_eq!((declined.status, declined.body["status"].as_str()), (200, Some("declined")), "{}", declined.body);
    assert!(!is_member(&h, &rid, who.0).await && seats_used(&h, &rid).await == 0);
    let seen = mine(&h, who).await;
    assert_eq!(
        (seen[0]["status"].as_str(), seen[0]["reason"].as_str()),
        (Some("declined"), Some("Staff only, sorry."))
    );
    run_worker(&h).await;
    let mails = inbox(&to).await;
    assert_eq!(mails[0]["subject"], "Your request to join Marketing site was declined");
    assert!(mails[0]["body"]["text"].as_str().unwrap().contains("Staff only, sorry."));

    // Asking again after a decision is a new request.
    let again = call_domains(&h, join(Some(json!({"note": "I moved to the staff team."})))).await;
    assert_eq!(again.status, 202, "{}", again.body);
    assert_ne!(again.body["request"]["id"], first_id);
}

#[tokio::test]
async fn deciding_refuses_what_it_must() {
    let h = Harness::new().await;
    let (rid, token, lid) = asking_link(&h, 5).await;
    assert_eq!(ask(&h, &token, ("user-a", "a@example.com"), json!({})).await.status, 202);
    // An admin may decide; a read-only member and strangers may not.
    add_member(&h, &rid, "user-r", "r@example.com", "read_only").await;
    assert_error(&decide(&h, approve(&rid, "user-a", ("user-r", "r@example.com"))).await, 403, "forbidden");
    assert_eq!(decide(&h, approve(&rid, "user-nobody", OWNER)).await.status, 404);
    // Past its expiry: 410, and nothing changes.
    let id = ResourceId::parse(&rid).unwrap();
    let late = h.store().approve_request(id, "user-a", &owner(), now() + EXPIRY_DAYS * DAY + 1).await;
    assert_eq!(late.err().unwrap().code(), "request_expired");
    assert!(!is_member(&h, &rid, "user-a").await);
    // Someone an owner removed does not come back by asking.
    add_member(&h, &rid, "user-gone", "gone@example.com", "read_only").await;
    let remove = Req::event("remove-member").user(OWNER.0, OWNER.1).path("rid", &rid).path("uid", "user-gone");
    assert_eq!(call(revoke_invite::handle, &h.api, &remove).await.status, 204);
    assert_error(&ask(&h, &token, ("user-gone", "gone@example.com"), json!({})).await, 403, "removed_from_resource");
    // Each request takes a use of the link; a used-up link takes no more.
    let revoke = Req::event("revoke-team-link").user(OWNER.0, OWNER.1).path("rid", &rid).path("id", &lid);
    assert_eq!(call(team_links::handle, &h.api, &revoke).await.status, 204);
    assert_error(&ask(&h, &token, ("user-b", "b@example.com"), json!({})).await, 410, "link_revoked");
}

#[tokio::test]
async fn requests_count_against_the_resources_daily_budget() {
    let h = Harness::new().await;
    let (_, token, _) = asking_link(&h, 1000).await;
    let limit = invites_domain::requests::DAILY_PER_RESOURCE;
    for i in 0..limit {
        let r = ask(&h, &token, (&format!("user-{i}"), &format!("p{i}@example.com")), json!({})).await;
        assert_eq!(r.status, 202, "{i}: {}", r.body);
    }
    let over = ask(&h, &token, ("user-over", "over@example.com"), json!({})).await;
    assert_eq!(over.status, 429, "{}", over.body);
}

#[tokio::test]
async fn two_approvers_at_once_make_one_member() {
    let h = Harness::new().await;
    for _ in 0..5 {
        let (rid, token, _) = asking_link(&h, 5).await;
        add_member(&h, &rid, ADMIN.0, ADMIN.1, "admin").await;
        assert_eq!(ask(&h, &token, ("user-a", "a@example.com"), json!({})).await.status, 202);
        let (one, two) =
            tokio::join!(decide(&h, approve(&rid, "user-a", OWNER)), decide(&h, approve(&rid, "user-a", ADMIN)),);
        let mut statuses = [one.status, two.status];
        statuses.sort();
        assert_eq!(statuses, [200, 409], "{} / {}", one.body, two.body);
        assert_eq!(seats_used(&h, &rid).await, 2, "the admin and the one approved, counted once");
    }
}

#[tokio::test]
async fn approve_racing_decline_has_one_outcome() {
    let h = Harness::new().await;
    for _ in 0..5 {
        let (rid, token, _) = asking_link(&h, 5).await;
        add_member(&h, &rid, ADMIN.0, ADMIN.1, "admin").await;
        assert_eq!(ask(&h, &token, ("user-a", "a@example.com"), json!({})).await.status, 202);
        let (approved, declined) = tokio::join!(
            decide(&h, approve(&rid, "user-a", OWNER)),
            decide(&h, decline(&rid, "user-a", ADMIN, json!({}))),
        );
        assert!(
            (approved.status == 200) != (declined.status == 200),
            "exactly one decides: {} / {}",
            approved.body,
            declined.body
        );
        assert_eq!(is_member(&h, &rid, "user-a").await, approved.status == 200);
        let status = &mine_to(&h, ("user-a", "a@example.com"), &rid).await["status"];
        assert_eq!(status, if approved.status == 200 { "approved" } else { "declined" });
    }
}

#[tokio::test]
async fn an_approval_racing_the_approvers_removal_never_lets_someone_in_after_it() {
    let h = Harness::new().await;
    for _ in 0..5 {
        let (rid, token, _) = asking_link(&h, 5).await;
        add_member(&h, &rid, ADMIN.0, ADMIN.1, "admin").await;
        assert_eq!(ask(&h, &token, ("user-a", "a@example.com"), json!({})).await.status, 202);
        let remove = Req::event("remove-member").user(OWNER.0, OWNER.1).path("rid", &rid).path("uid", ADMIN.0);
        let (approved, removed) =
            tokio::join!(decide(&h, approve(&rid, "user-a", ADMIN)), call(revoke_invite::handle, &h.api, &remove),);
        assert_eq!(removed.status, 204, "{}", removed.body);
        match approved.status {
            200 => assert!(is_member(&h, &rid, "user-a").await),
            404 | 403 => {
                assert!(!is_member(&h, &rid, "user-a").await, "refused: nobody got in");
                assert_eq!(mine_to(&h, ("user-a", "a@example.com"), &rid).await["status"], "pending");
            }
            other => panic!("{other}: {}", approved.body),
        }
    }
}

#[tokio::test]
async fn an_approval_racing_a_plan_downgrade_never_exceeds_the_seats() {
    let h = Harness::new().await;
    for _ in 0..5 {
        let (rid, token, _) = asking_link(&h, 5).await;
        assert_eq!(ask(&h, &token, ("user-a", "a@example.com"), json!({})).await.status, 202);
        let downgrade = Req::event("set-plan").path("rid", &rid).body(json!({"invitesEnabled": false}));
        let (approved, planned) =
            tokio::join!(decide(&h, approve(&rid, "user-a", OWNER)), call(resources::handle, &h.api, &downgrade),);
        assert_eq!(planned.status, 200, "{}", planned.body);
        match approved.status {
            200 => assert!(is_member(&h, &rid, "user-a").await),
            403 => {
                assert_error(&approved, 403, "invites_disabled");
                assert!(!is_member(&h, &rid, "user-a").await);
                assert_eq!(seats_used(&h, &rid).await, 0);
            }
            other => panic!("{other}: {}", approved.body),
        }
    }
    // With the seats full, approval waits for a free one.
    let (rid, token, _) = asking_link(&h, 5).await;
    assert_eq!(ask(&h, &token, ("user-a", "a@example.com"), json!({})).await.status, 202);
    let full = Req::event("set-plan").path("rid", &rid).body(json!({"seatLimit": 1}));
    assert_eq!(call(resources::handle, &h.api, &full).await.status, 200);
    add_member(&h, &rid, "user-m", "m@example.com", "read_only").await;
    let r = decide(&h, approve(&rid, "user-a", OWNER)).await;
    assert_error(&r, 409, "seat_limit_reached");
    assert_eq!(mine_to(&h, ("user-a", "a@example.com"), &rid).await["status"], "pending", "still waiting");
}

#[tokio::test]
async fn two_tabs_asking_at_once_make_one_request_and_take_one_use() {
    let h = Harness::new().await;
    for _ in 0..5 {
        let (rid, token, _) = asking_link(&h, 5).await;
        let who = ("user-a", "a@example.com");
        let (one, two) = tokio::join!(ask(&h, &token, who, json!({})), ask(&h, &token, who, json!({})));
        assert_eq!((one.status, two.status), (202, 202), "{} / {}", one.body, two.body);
        assert_eq!(one.body["request"]["id"], two.body["request"]["id"]);
        let listed =
            call(team_links::handle, &h.api, &Req::event("list-team-links").user(OWNER.0, OWNER.1).path("rid", &rid))
                .await;
        assert_eq!(listed.body["items"][0]["uses"], 1);
    }
}

async fn call_domains(h: &Harness, req: Req) -> Resp {
    let dns = invites_adapters::dns::Dns::from_env().expect("INVITES_DNS_SERVER (scripts/stack.sh)");
    call(|api, r| domains::handle(api, &dns, r), &h.api, &req).await
}
