//! Revoke is permanent under every race, and every write checks the
//! caller's role in its own transaction. Each round runs the writes at the
//! same time and asserts that it ended in one consistent state.

use invites_domain::invite::{NewInvite, NewInviteBody};
use invites_domain::ports::ResendOptions;
use invites_domain::time::{DAY, now};
use invites_domain::{InviteId, ResourceId};
use invites_tests::*;
use serde_json::json;

const ROUNDS: usize = 12;

/// Starts one side a little later each round, so the rounds sweep the
/// window between the other side's read and its write.
async fn after(round: usize) {
    tokio::time::sleep(std::time::Duration::from_millis((round as u64 % 6) * 3)).await;
}

async fn status_of(h: &Harness, rid: &str, iid: &str) -> String {
    h.store().invite_item(rid, iid).await.unwrap().unwrap().status.as_str().to_owned()
}

#[tokio::test]
async fn revoke_racing_resend_of_an_expired_invite_always_ends_revoked() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    let (mut resent_first, mut revoked_first) = (0, 0);
    for round in 0..ROUNDS {
        // Expired a day ago: resend would renew it and take a seat again.
        let body = NewInviteBody {
            email: format!("late-{round}@example.com"),
            role: "read_only".into(),
            expires_in_days: Some(7),
            ..Default::default()
        };
        let cmd = CreateInvite {
            rid: ResourceId::parse(&rid).unwrap(),
            invite: NewInvite::validate(body, &Default::default()).unwrap(),
            idempotency_key: None,
        };
        let iid = h.store().create_invite(&owner(), cmd, now() - 8 * DAY).await.unwrap().invite.id;
        let ids = (ResourceId::parse(&rid).unwrap(), InviteId::parse(&iid).unwrap());
        let (revoke_req, me) = (on_invite("revoke-invite", &rid, &iid), owner());
        let revoke = call(revoke_invite::handle, &h.api, &revoke_req);
        let resend = async {
            after(round).await;
            h.store()
                .resend(ids.0, ids.1, &me, ResendOptions { rotate: round % 2 == 1, ..Default::default() }, now())
                .await
        };
        let (revoked, resent) = tokio::join!(revoke, resend);
        assert_eq!(revoked.status, 204, "round {round}: {}", revoked.body);
        match resent {
            Ok(_) => resent_first += 1,
            Err(e) => {
                assert_eq!(e.code(), "invite_not_pending", "round {round}");
                revoked_first += 1;
            }
        }
        assert_eq!(status_of(&h, &rid, &iid).await, "revoked", "round {round}: a revoke is never undone");
    }
    // Every seat came back: nothing the race left behind holds one.
    assert_eq!(seats_used(&h, &rid).await, 0);
    println!(
        "revoke vs resend: {ROUNDS} rounds, resend first {resent_first}, revoke first {revoked_first}, all revoked"
    );
}

#[tokio::test]
async fn revoke_racing_accept_and_role_change_ends_in_one_state() {
    let h = Harness::new().await;
    let (mut accepted, mut revoked) = (0, 0);
    for round in 0..ROUNDS {
        // A resource per round: seats are counted per round.
        let rid = new_resource(&h).await;
        let email = format!("racer-{round}@example.com");
        let created = invite(&h, &rid, OWNER, &email, "read_only").await;
        let iid = created.body["invite"]["id"].as_str().unwrap().to_owned();
        let token = token_of(&created);
        let sub = format!("user-racer-{round}");
        let revoke_req = on_invite("revoke-invite", &rid, &iid);
        let role_req = on_invite("change-invite-role", &rid, &iid).body(json!({"role": "admin"}));
        let revoke = call(revoke_invite::handle, &h.api, &revoke_req);
        let role = async {
            after(round).await;
            call(manage_invite::handle, &h.api, &role_req).await
        };
        let join = async {
            after(round + 3).await;
            accept(&h, &token, &sub, &email).await
        };
        let (revoke, role, join) = tokio::join!(revoke, role, join);
        assert!(matches!(role.status, 200 | 409), "round {round}: {}", role.body);
        let member = h.store().member(&rid, &sub).await.unwrap();
        match status_of(&h, &rid, &iid).await.as_str() {
            "accepted" => {
                accepted += 1;
                assert_eq!(join.status, 200, "round {round}");
                assert_eq!(revoke.body["error"]["code"], "invite_not_pending", "round {round}");
                assert!(member.is_some(), "round {round}: accepted means a member");
            }
            "revoked" => {
                revoked += 1;
                assert_eq!(revoke.status, 204, "round {round}");
                assert!(matches!(join.status, 404 | 410), "round {round}: {}", join.body);
                assert!(member.is_none(), "round {round}: revoked means no member");
            }
            other => panic!("round {round}: ended {other}"),
        }
        // Seats: one for a member who got in, none for a revoked invite.
        assert_eq!(seats_used(&h, &rid).await, u64::from(member.is_some()), "round {round}");
    }
    println!("revoke vs accept vs role change: {ROUNDS} rounds, {accepted} accepted, {revoked} revoked");
}

#[tokio::test]
async fn an_admin_demoted_while_acting_never_gets_a_write_through_afterwards() {
    let h = Harness::new().await;
    let (mut before, mut refused) = (0, 0);
    for round in 0..ROUNDS {
        let rid = new_resource(&h).await;
        let admin = (format!("user-admin-{round}"), format!("admin-{round}@example.com"));
        add_member(&h, &rid, &admin.0, &admin.1, "admin").await;
        let target = invite(&h, &rid, OWNER, &format!("target-{round}@example.com"), "read_only").await;
        let iid = target.body["invite"]["id"].as_str().unwrap().to_owned();
        let demote = Req::event("change-member-role")
            .user(OWNER.0, OWNER.1)
            .path("rid", &rid)
            .path("uid", &admin.0)
            .body(json!({"role": "read_only"}));
        let revoke = Req::event("revoke-invite").user(&admin.0, &admin.1).path("rid", &rid).path("id", &iid);
        let revoking = async {
            after(round).await;
            call(revoke_invite::handle, &h.api, &revoke).await
        };
        let (demoted, revoked) = tokio::join!(call(members::handle, &h.api, &demote), revoking);
        assert_eq!(demoted.status, 200, "round {round}: {}", demoted.body);
        match revoked.status {
            204 => {
                before += 1;
                assert_eq!(status_of(&h, &rid, &iid).await, "revoked");
            }
            403 => {
                refused += 1;
                assert_eq!(
                    status_of(&h, &rid, &iid).await,
                    "pending",
                    "round {round}: a refused revoke changed nothing"
                );
            }
            other => panic!("round {round}: {other} {}", revoked.body),
        }
        // Once demoted, every write is refused.
        let again = Req::event("resend-invite").user(&admin.0, &admin.1).path("rid", &rid).path("id", &iid);
        assert_eq!(call(manage_invite::handle, &h.api, &again).await.status, 403, "round {round}");
    }
    println!("demote vs revoke: {ROUNDS} rounds, revoke first {before}, refused {refused}");
}

#[tokio::test]
async fn accept_grants_the_role_it_read_when_a_role_change_races_it() {
    let h = Harness::new().await;
    let (mut old_role, mut new_role) = (0, 0);
    for round in 0..ROUNDS * 2 {
        let rid = new_resource(&h).await;
        let email = format!("downgrade-{round}@example.com");
        let created = invite(&h, &rid, OWNER, &email, "admin").await;
        let iid = created.body["invite"]["id"].as_str().unwrap().to_owned();
        let token = token_of(&created);
        let sub = format!("user-downgrade-{round}");
        let downgrade = on_invite("change-invite-role", &rid, &iid).body(json!({"role": "read_only"}));
        // The change reads twice (caller, invite) before it writes, the
        // accept once: the accept starts 0 to 46 ms later, so some rounds
        // land the change between the accept's read and its write.
        let change = call(manage_invite::handle, &h.api, &downgrade);
        let join = async {
            tokio::time::sleep(std::time::Duration::from_millis(round as u64 * 2)).await;
            accept(&h, &token, &sub, &email).await
        };
        let (change, join) = tokio::join!(change, join);
        assert_eq!(join.status, 200, "round {round}: {}", join.body);
        assert!(matches!(change.status, 200 | 409), "round {round}: {}", change.body);
        let member = h.store().member(&rid, &sub).await.unwrap().expect("accepted means a member");
        // The answer names the role the person holds, and a change that
        // answered 200 took effect: it came before the accept, which then
        // granted read-only (never "changed" while the person became admin).
        assert_eq!(join.body["role"].as_str(), Some(member.role.as_str()), "round {round}");
        if change.status == 200 {
            assert_eq!(member.role.as_str(), "read_only", "round {round}: the change answered 200");
        }
        match member.role.as_str() {
            "admin" => old_role += 1,
            _ => new_role += 1,
        }
    }
    println!("role change vs accept: {} rounds, {old_role} kept admin, {new_role} read-only", ROUNDS * 2);
}
