//! A deployment's own roles (`tests/fixtures/roles.json`: admin, editor,
//! read_only, German labels, host permissions): nobody grants or assigns a
//! role above their own, checked in the write's transaction even racing a
//! demotion; memberships, lists and the e-mail carry the catalogue's words
//! and permissions. Every test of this binary installs the same catalogue
//! (the process's one, as a function's start does).

use aws_sdk_dynamodb::types::AttributeValue;
use invites_domain::role::{Catalogue, install};
use invites_tests::*;
use serde_json::{Value, json};

const EDITOR: (&str, &str) = ("user-editor", "editor@example.com");
const ADMIN: (&str, &str) = ("user-admin", "admin@example.com");

fn three_roles() {
    let catalogue = Catalogue::parse(include_str!("../fixtures/roles.json")).unwrap();
    install(catalogue).unwrap();
}

async fn change_role(h: &Harness, rid: &str, by: (&str, &str), uid: &str, role: &str) -> Resp {
    let req =
        Req::event("change-member-role").user(by.0, by.1).path("rid", rid).path("uid", uid).body(json!({"role": role}));
    call(members::handle, &h.api, &req).await
}

async fn remove(h: &Harness, rid: &str, by: (&str, &str), uid: &str) -> Resp {
    let req = Req::event("remove-member").user(by.0, by.1).path("rid", rid).path("uid", uid);
    call(revoke_invite::handle, &h.api, &req).await
}

#[tokio::test]
async fn an_editor_grants_and_assigns_only_roles_at_or_below_their_own() {
    three_roles();
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    add_member(&h, &rid, EDITOR.0, EDITOR.1, "editor").await;
    add_member(&h, &rid, ADMIN.0, ADMIN.1, "admin").await;
    add_member(&h, &rid, "user-reader", "reader@example.com", "read_only").await;

    // Inviting: their own role and below, never above; unknown ids are 422.
    assert_eq!(invite(&h, &rid, EDITOR, "e2@example.com", "editor").await.status, 201);
    assert_eq!(invite(&h, &rid, EDITOR, "r2@example.com", "read_only").await.status, 201);
    assert_error(&invite(&h, &rid, EDITOR, "a2@example.com", "admin").await, 403, "role_not_grantable");
    assert_error(&invite(&h, &rid, EDITOR, "o2@example.com", "owner").await, 422, "invalid_role");
    assert_error(&invite(&h, &rid, OWNER, "x@example.com", "billing").await, 422, "invalid_role");
    // Members: a reader up to editor, never to admin; an admin is out of reach.
    assert_eq!(change_role(&h, &rid, EDITOR, "user-reader", "editor").await.status, 200);
    assert_error(&change_role(&h, &rid, EDITOR, "user-reader", "admin").await, 403, "role_not_grantable");
    assert_error(&change_role(&h, &rid, EDITOR, ADMIN.0, "read_only").await, 403, "role_not_grantable");
    assert_error(&remove(&h, &rid, EDITOR, ADMIN.0).await, 403, "role_not_grantable");
    assert_error(&change_role(&h, &rid, ADMIN, "user-reader", "owner").await, 422, "invalid_role");
    // A pending invite's role: only within the editor's reach, both the role it has and the one it gets.
    let theirs = invite(&h, &rid, EDITOR, "r3@example.com", "read_only").await;
    let above = invite(&h, &rid, OWNER, "a3@example.com", "admin").await;
    let change_invite = |id: &Value, role: &str| {
        Req::event("change-invite-role")
            .user(EDITOR.0, EDITOR.1)
            .path("rid", &rid)
            .path("id", id.as_str().unwrap())
            .body(json!({ "role": role }))
    };
    let up = call(manage_invite::handle, &h.api, &change_invite(&theirs.body["invite"]["id"], "admin")).await;
    assert_error(&up, 403, "role_not_grantable");
    let down = call(manage_invite::handle, &h.api, &change_invite(&above.body["invite"]["id"], "read_only")).await;
    assert_error(&down, 403, "role_not_grantable");
    // A bulk invite: an entry above the editor's role is refused with the single invite's answer.
    let batch = Req::event("create-invite-batch")
        .user(EDITOR.0, EDITOR.1)
        .path("rid", &rid)
        .body(json!({"invites": [{"email": "b1@example.com", "role": "admin"}]}));
    let b = call(create_invite::handle, &h.api, &batch).await;
    let refused = b.status == 403 || b.body.to_string().contains("role_not_grantable");
    assert!(refused, "{} {}", b.status, b.body);
    // What the editor's role may not do at all: team links, the audit trail.
    let link = Req::event("create-team-link").user(EDITOR.0, EDITOR.1).path("rid", &rid);
    let r =
        call(team_links::handle, &h.api, &link.body(json!({"role": "read_only", "expiresInDays": 7, "maxUses": 5})))
            .await;
    assert_error(&r, 403, "forbidden");
    let audit = Req::event("get-audit").user(EDITOR.0, EDITOR.1).path("rid", &rid).no_query();
    assert_error(&call(resources::handle, &h.api, &audit).await, 403, "forbidden");
    // The resource tells the editor what they may do and grant.
    let get = Req::event("get-resource").user(EDITOR.0, EDITOR.1).path("rid", &rid);
    let mine = call(resources::handle, &h.api, &get).await.body;
    assert_eq!(mine["can"], json!(["invite", "manage_members"]), "{mine}");
    assert_eq!(mine["grants"], json!(["editor", "read_only"]));
    assert_eq!(mine["permissions"], json!(["reports:export", "articles:write"]));
    // Nothing was written by a refusal.
    let roles: Vec<Option<String>> = roles_of(&h, &rid, &[ADMIN.0, "user-reader"]).await;
    assert_eq!(roles, [Some("admin".into()), Some("editor".into())]);
}

async fn roles_of(h: &Harness, rid: &str, uids: &[&str]) -> Vec<Option<String>> {
    let mut out = Vec::new();
    for uid in uids {
        out.push(h.store().member(rid, uid).await.unwrap().map(|m| m.role.as_str().to_owned()));
    }
    out
}

#[tokio::test]
async fn memberships_carry_the_roles_permissions_and_the_mail_its_words() {
    three_roles();
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let to = unique_email("redakteur");
    let created = invite_to(&h, &rid, &to, json!({"role": "editor", "locale": "de"})).await;
    assert_eq!(created.status, 201, "{}", created.body);
    let worker = h.worker().await;
    worker.handle(h.take_batch().await).await;
    let mail = &inbox(&to).await[0];
    let text = mail["body"]["text"].as_str().unwrap();
    assert!(
        text.contains("als Redakteur beizutreten (kann Artikel schreiben und Redakteure und Leser einladen)"),
        "{text}"
    );

    let joined = accept(&h, &token_of(&created), "user-new", &to).await;
    assert_eq!(joined.status, 200, "{}", joined.body);
    assert_eq!(
        (joined.body["role"].as_str(), &joined.body["permissions"]),
        (Some("editor"), &json!(["reports:export", "articles:write"]))
    );
    let mine = call(me::handle, &h.api, &Req::event("my-resources").user("user-new", &to)).await.body;
    let entry = mine["items"].as_array().unwrap().iter().find(|i| i["resource"]["id"] == rid.as_str()).unwrap();
    assert_eq!(entry["permissions"], json!(["reports:export", "articles:write"]));

    // The public catalogue: every role's words in every language, no permissions.
    let roles = call(me::handle, &h.api, &Req::event("list-roles")).await;
    assert_eq!(roles.status, 200, "{}", roles.body);
    let editor = roles.body["roles"].as_array().unwrap().iter().find(|r| r["id"] == "editor").unwrap().clone();
    assert_eq!((&editor["label"]["en"], &editor["label"]["de"]), (&json!("Editor"), &json!("Redakteur")));
    assert_eq!(editor["label"].as_object().unwrap().len(), 10, "{}", editor["label"]);
    assert_eq!(editor["grants"], json!(["editor", "read_only"]));
    assert!(!roles.body.to_string().contains("reports:export"), "permissions stay private: {}", roles.body);
}

/// An admin demoted to read-only while granting admin through an invite: the
/// invite is refused, or it was made first and stops working with the
/// demotion. Never a new admin through someone who no longer may grant it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_demotion_racing_a_grant_never_lets_the_grant_through() {
    three_roles();
    let (mut refused, mut withdrawn) = (0, 0);
    for round in 0..8 {
        let h = Harness::new().await;
        let rid = new_resource(&h).await;
        add_member(&h, &rid, ADMIN.0, ADMIN.1, "admin").await;
        let to = format!("new-admin-{round}@example.com");
        let (granted, demoted) =
            tokio::join!(invite(&h, &rid, ADMIN, &to, "admin"), change_role(&h, &rid, OWNER, ADMIN.0, "read_only"));
        if demoted.status == 409 {
            // Lost to the invite's transaction: it was made while they were an admin.
            assert_error(&demoted, 409, "changed_meanwhile");
            assert_eq!(granted.status, 201, "round {round}: {}", granted.body);
            continue;
        }
        assert_eq!(demoted.status, 200, "round {round}: {}", demoted.body);
        match granted.status {
            403 => {
                assert_error(&granted, 403, "forbidden");
                refused += 1;
            }
            201 => {
                let r = accept(&h, &token_of(&granted), &format!("user-new-{round}"), &to).await;
                assert_error(&r, 410, "invite_withdrawn");
                withdrawn += 1;
            }
            other => panic!("round {round}: {other}: {}", granted.body),
        }
        let members: Value =
            call(members::handle, &h.api, &Req::event("list-members").user(OWNER.0, OWNER.1).path("rid", &rid))
                .await
                .body;
        let admins = members["items"].as_array().unwrap().iter().filter(|m| m["role"] == "admin").count();
        assert_eq!(admins, 0, "round {round}: {members}");
    }
    println!("refused {refused}, made then withdrawn {withdrawn}");
}

/// An editor demoted to read-only while promoting a reader to editor: one
/// outcome, and the reader is an editor only if the change committed first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_demotion_racing_a_role_change_has_one_outcome() {
    three_roles();
    for round in 0..8 {
        let h = Harness::new().await;
        let rid = new_resource(&h).await;
        add_member(&h, &rid, EDITOR.0, EDITOR.1, "editor").await;
        add_member(&h, &rid, "user-reader", "reader@example.com", "read_only").await;
        let (promoted, demoted) = tokio::join!(
            change_role(&h, &rid, EDITOR, "user-reader", "editor"),
            change_role(&h, &rid, OWNER, EDITOR.0, "read_only")
        );
        assert_eq!(demoted.status, 200, "round {round}: {}", demoted.body);
        let reader = roles_of(&h, &rid, &["user-reader"]).await.remove(0);
        match promoted.status {
            200 => assert_eq!(reader.as_deref(), Some("editor"), "round {round}"),
            403 => assert_eq!(reader.as_deref(), Some("read_only"), "round {round}: {}", promoted.body),
            other => panic!("round {round}: {other}: {}", promoted.body),
        }
    }
}

/// A membership written under an earlier catalogue, with a role this one no
/// longer has: it reads and lists as it is, and may do nothing.
#[tokio::test]
async fn a_retired_role_in_the_table_reads_and_may_do_nothing() {
    three_roles();
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    add_member(&h, &rid, "user-billing", "billing@example.com", "read_only").await;
    h.store()
        .client()
        .update_item()
        .table_name(&h.table)
        .key("PK", AttributeValue::S(format!("RES#{rid}")))
        .key("SK", AttributeValue::S("MEMBER#user-billing".into()))
        .update_expression("SET #role = :retired")
        .expression_attribute_names("#role", "role")
        .expression_attribute_values(":retired", AttributeValue::S("billing".into()))
        .send()
        .await
        .unwrap();
    let list =
        call(members::handle, &h.api, &Req::event("list-members").user(OWNER.0, OWNER.1).path("rid", &rid)).await;
    assert!(list.body["items"].as_array().unwrap().iter().any(|m| m["role"] == "billing"), "{}", list.body);
    assert_error(
        &invite(&h, &rid, ("user-billing", "billing@example.com"), "x@example.com", "read_only").await,
        403,
        "forbidden",
    );
    // An owner moves them onto a role of the catalogue.
    assert_eq!(change_role(&h, &rid, OWNER, "user-billing", "editor").await.status, 200);
}

/// The escalation check is part of the invite's own write: an editor's
/// invite whose reads came before their demotion to read_only, and whose
/// transaction commits after it, is refused and leaves nothing behind. The
/// proxy holds the create's transaction while the demotion commits, so this
/// happens every time; a check made only by reading beforehand would let
/// the invite through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_demotion_between_an_invites_read_and_its_write_refuses_it() {
    three_roles();
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    add_member(&h, &rid, EDITOR.0, EDITOR.1, "editor").await;
    let (proxy, arrived) = holding_the_next_transaction(std::time::Duration::from_millis(700)).await;
    let catalogue = format!("{}/fixtures/roles.json", env!("CARGO_MANIFEST_DIR"));
    let mut create =
        h.function_through_with("create-invite", &proxy.url, vec![("INVITES_ROLES_FILE", catalogue)]).await;
    let req = Req::event("create-invite")
        .user(EDITOR.0, EDITOR.1)
        .path("rid", &rid)
        .body(json!({"email": "late@example.com", "role": "editor"}));
    let demote = async {
        arrived.notified().await;
        change_role(&h, &rid, OWNER, EDITOR.0, "read_only").await
    };
    let (answer, demoted) = tokio::join!(create.invoke(&req.0), demote);
    assert_eq!(demoted.status, 200, "{}", demoted.body);
    let answer = answer.expect("the function answers");
    let body: Value = serde_json::from_str(answer["body"].as_str().unwrap()).unwrap();
    assert_eq!(answer["statusCode"], 403, "the grant after the demotion: {body}");
    let items = h.dump().await;
    let holds = items.iter().any(|i| i.values().any(|v| v.as_s().is_ok_and(|s| s.contains("late@example.com"))));
    assert!(!holds, "nothing of the refused invite was written");
}

/// A bad catalogue stops a function at start with every problem named: the
/// real binary, started as Lambda would, with each kind of mistake.
#[test]
fn a_bad_catalogue_stops_a_function_at_start() {
    let good: Value = serde_json::from_str(include_str!("../fixtures/roles.json")).unwrap();
    let bad = |change: &dyn Fn(&mut Value)| {
        let mut c = good.clone();
        change(&mut c);
        c
    };
    let cases: [(Value, &str); 4] = [
        (bad(&|c| c["roles"][1]["id"] = json!("admin")), "duplicate role id"),
        (bad(&|c| c["roles"][0]["can"] = json!(["invite", "fly"])), "unknown variant `fly`"),
        (bad(&|c| c["roles"][2]["grants"] = json!(["auditor"])), "auditor\\\", which does not exist"),
        (
            bad(&|c| {
                c["roles"][1]["label"].as_object_mut().unwrap().remove("de");
            }),
            "needs a label in",
        ),
    ];
    let dir = std::env::temp_dir().join(format!("roles-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (i, (catalogue, says)) in cases.iter().enumerate() {
        let file = dir.join(format!("bad-{i}.json"));
        std::fs::write(&file, catalogue.to_string()).unwrap();
        let out = std::process::Command::new(binary("resources"))
            .env_clear()
            .env("INVITES_TABLE", "t")
            .env("INVITES_ACCEPT_URL", ACCEPT_URL)
            .env("INVITES_TOKEN_KEY", TOKEN_KEY_B64)
            .env("AWS_REGION", "eu-central-1")
            .env("INVITES_ROLES_FILE", &file)
            .output()
            .unwrap();
        let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(!out.status.success(), "started with {catalogue}");
        assert!(said.contains("INVITES_ROLES_FILE") && said.contains(says), "{says:?} in {said}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
