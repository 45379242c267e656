//! A person's data across all resources (`invites_domain::people`): a scan of
//! the table for the items that hold their address or name their user id.
//! The operator asks rarely; each request reads for a bounded time and hands
//! back a cursor (the scan's last key) to go on from.

use super::items::*;
use super::reads::from_item;
use super::sdk::failure;
use super::{Check, Item, Store, Tx, TxError, s};
use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, Delete, Put, Update};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use invites_domain::Error;
use invites_domain::audit::{Audit, AuditAction, SERVICE};
use invites_domain::error::Code;
use invites_domain::lifecycle::Ending;
use invites_domain::people::{Erasure, Export, Held, Kind, Person, scrub, scrub_token};
use invites_domain::ports::People;
use invites_domain::{InviteStatus, Role};
use std::collections::BTreeSet;
use std::collections::HashMap;
use std::time::{Duration, Instant};

impl People for Store {
    async fn export_person(&self, person: &Person, cursor: Option<&str>, budget: Duration) -> Result<Export, Error> {
        let (found, scanned, next_cursor) = self.find_person(person, cursor, budget).await?;
        let items = found.into_iter().map(held).collect::<Result<_, _>>()?;
        Ok(Export { items, scanned, next_cursor })
    }

    async fn erase_person(
        &self,
        person: &Person,
        cursor: Option<&str>,
        budget: Duration,
        now: i64,
    ) -> Result<Erasure, Error> {
        let keys = self.keys().await?;
        let (value, address, uid) = match person {
            Person::Email(e) => (e.as_str(), Some(e.as_str()), None),
            Person::User(u) => (u.as_str(), None, Some(u.as_str())),
        };
        let pseudonym = keys.pseudonym(value);
        // A user who still owns a resource keeps everything until its
        // ownership moves: what they made stays theirs (pseudonymised, their
        // invitations and links would stop working under the owner).
        if let Some(uid) = uid {
            let owner_of = self.owned_by(uid).await?;
            if !owner_of.is_empty() {
                return Ok(Erasure { pseudonym, owner_of, ..Erasure::default() });
            }
        }
        let (mut found, scanned, next_cursor) = self.find_person(person, cursor, budget).await?;
        // Invites and memberships first: ending them frees their seats and
        // address holders; what is left of those is removed after.
        found.sort_by_key(|i| match kind_of(i) {
            Kind::Invite => 0,
            Kind::Membership | Kind::Resource => 1,
            _ => 2,
        });
        let mut done = Erasure { pseudonym: pseudonym.clone(), scanned, next_cursor, ..Erasure::default() };
        let mut touched = BTreeSet::new();
        let erasing = Erasing { pseudonym: &pseudonym, address, uid, now };
        // Theirs (not somebody else's that they decided or removed).
        let theirs = |item: &Item| {
            uid.is_some_and(|u| text(item, "userId") == u) || address.is_some_and(|a| text(item, "email") == a)
        };
        for item in found {
            let (pk, sk) = (text(&item, "PK"), text(&item, "SK"));
            let rid = pk.strip_prefix("RES#").map(str::to_owned);
            let changed = match Kind::of(&pk, &sk) {
                Kind::Invite => self.erase_invite(item, &erasing, &mut done).await?,
                Kind::Membership => {
                    let member: MemberItem = from_item(item)?;
                    if member.role == Role::OWNER {
                        done.owner_of.push(member.resource_id.clone());
                        false
                    } else {
                        let ended = self.erase_membership(&member, &erasing).await?;
                        done.memberships_ended += u32::from(ended);
                        ended
                    }
                }
                Kind::Resource => {
                    done.owner_of.extend(rid.clone());
                    false
                }
                Kind::Request if theirs(&item) => {
                    done.requests_removed += 1;
                    self.delete_item(&pk, &sk).await?
                }
                Kind::Removed if uid.is_some_and(|u| sk == removed_sk(u)) => {
                    done.removed += 1;
                    self.delete_item(&pk, &sk).await?
                }
                Kind::AddressHolder => {
                    let released = self.release_holder(&item).await?;
                    done.removed += u32::from(released);
                    released
                }
                Kind::Idempotency | Kind::Account => {
                    done.removed += 1;
                    self.delete_item(&pk, &sk).await?
                }
                Kind::Suppression => {
                    let Some(address) = address else { continue };
                    let mut hashed = item.clone();
                    hashed.insert("SK".into(), AttributeValue::S(suppressed_sk(&keys.pseudonym(address))));
                    let put = Put::builder()
                        .table_name(&self.table)
                        .set_item(Some(hashed))
                        .build()
                        .map_err(Error::internal)?;
                    let remove = Delete::builder()
                        .table_name(&self.table)
                        .key("PK", s(&pk))
                        .key("SK", s(&sk))
                        .build()
                        .map_err(Error::internal)?;
                    let mut tx = Tx::new();
                    tx.put(Check::None, put).delete(Check::None, remove);
                    self.commit(tx).await?;
                    done.suppressions_hashed += 1;
                    true
                }
                // What stays: audit entries, other people's requests they
                // decided and removals they made, links and domains they made.
                Kind::AuditEntry | Kind::Request | Kind::Removed | Kind::Other => {
                    let changed = self.pseudonymise(&item, &erasing).await?;
                    done.pseudonymised += u32::from(changed);
                    changed
                }
            };
            if changed {
                touched.extend(rid);
            }
        }
        done.owner_of.sort();
        done.owner_of.dedup();
        // Audited on each resource it changed, under the pseudonym: no
        // address, and nothing about the person's other resources.
        for rid in touched {
            let entry = Audit {
                action: AuditAction::MemberErased,
                actor: SERVICE,
                subject: &pseudonym,
                detail: Some("erased on request".into()),
            };
            self.put_audit(&rid, entry, now).await?;
        }
        Ok(done)
    }
}

/// Whom an erasure is about, and what they become.
struct Erasing<'a> {
    pseudonym: &'a str,
    address: Option<&'a str>,
    uid: Option<&'a str>,
    now: i64,
}

impl Store {
    /// The items holding `person`'s data, from `cursor` on, for at most
    /// `budget` of reading (at least one page), how many items were read,
    /// and where to go on from.
    async fn find_person(
        &self,
        person: &Person,
        cursor: Option<&str>,
        budget: Duration,
    ) -> Result<(Vec<Item>, u64, Option<String>), Error> {
        let (filter, values) = filter(person);
        let mut next = cursor.map(decode).transpose()?;
        let started = Instant::now();
        let (mut items, mut scanned) = (Vec::new(), 0u64);
        loop {
            let page = self
                .db
                .scan()
                .table_name(&self.table)
                .filter_expression(filter)
                .set_expression_attribute_values(Some(values.clone()))
                .set_exclusive_start_key(next.take())
                .consistent_read(true)
                .send()
                .await
                .map_err(|e| failure("scan", e))?;
            scanned += page.scanned_count.max(0) as u64;
            items.extend(page.items.unwrap_or_default());
            next = page.last_evaluated_key.filter(|k| !k.is_empty());
            if next.is_none() || started.elapsed() >= budget {
                break;
            }
        }
        Ok((items, scanned, next.as_ref().map(encode).transpose()?))
    }

    /// An invite to the address: ended while pending (its seat and holder
    /// freed), then kept with the pseudonym for the address and without
    /// the message; an invite they made or accepted: their id replaced.
    async fn erase_invite(&self, item: Item, e: &Erasing<'_>, done: &mut Erasure) -> Result<bool, Error> {
        let invite: InviteItem = from_item(item.clone())?;
        if e.address == Some(invite.email.as_str()) && invite.status == InviteStatus::Pending {
            let (rid, iid) = (invite.resource_id.clone(), invite.invite_id.clone());
            match self.end_invite(invite, Ending::Declined, None, e.now).await {
                Ok(()) => done.invites_ended += 1,
                // Past its expiry (the sweep reclaims its seat) or ended meanwhile.
                Err(Error::Gone { .. }) => {}
                Err(err) => return Err(err),
            }
            let fresh = self
                .db
                .get_item()
                .table_name(&self.table)
                .key("PK", s(res_pk(&rid)))
                .key("SK", s(invite_sk(&iid)))
                .consistent_read(true)
                .send()
                .await
                .map_err(|e| failure("get", e))?
                .item;
            let Some(fresh) = fresh else { return Ok(true) };
            done.pseudonymised += 1;
            return self.pseudonymise(&fresh, e).await.map(|_| true);
        }
        let changed = self.pseudonymise(&item, e).await?;
        done.pseudonymised += u32::from(changed);
        Ok(changed)
    }

    /// Ends a membership (not the owner's): the member item, the seat, the
    /// address's holder, `member.removed` by `service` under the pseudonym.
    async fn erase_membership(&self, member: &MemberItem, e: &Erasing<'_>) -> Result<bool, Error> {
        let rid = &member.resource_id;
        let remove = Delete::builder()
            .table_name(&self.table)
            .key("PK", s(res_pk(rid)))
            .key("SK", s(member_sk(&member.user_id)))
            .condition_expression("attribute_exists(PK) AND #role <> :owner")
            .expression_attribute_names("#role", "role")
            .expression_attribute_values(":owner", s(Role::OWNER.as_str()))
            .build()
            .map_err(Error::internal)?;
        let mut tx = Tx::new();
        tx.delete(Check::Member, remove).update(Check::None, self.free_seat(rid)?);
        if let Some(email) = &member.email {
            let holder = Delete::builder()
                .table_name(&self.table)
                .key("PK", s(res_pk(rid)))
                .key("SK", s(email_sk(email)))
                .build()
                .map_err(Error::internal)?;
            tx.delete(Check::None, holder);
        }
        let removed = Audit {
            action: AuditAction::MemberRemoved,
            actor: SERVICE,
            subject: e.pseudonym,
            detail: Some("erased on request".into()),
        };
        tx.put(Check::None, self.audit(rid, removed, e.now)?);
        match self.transact(tx).await {
            Ok(()) => Ok(true),
            Err(TxError::Other(err)) => Err(err),
            // Gone meanwhile (they left), or made the owner meanwhile: the
            // next run finds what is left.
            Err(f) if f.failed(Check::Member) => Ok(false),
            // A conflict on the resource's counter: this stretch fails and
            // is run again (nothing counted as done that was not).
            Err(_) => Err(super::tx::too_busy()),
        }
    }

    /// Replaces, in an item that stays, every attribute holding the address
    /// or the user id (whole, or quoted in a text) with the pseudonym, and
    /// drops what only they wrote or were sent (an invite's message, a
    /// delivery diagnostic). `false` when nothing held them.
    async fn pseudonymise(&self, item: &Item, e: &Erasing<'_>) -> Result<bool, Error> {
        let mut sets = Vec::new();
        for (name, value) in item {
            if matches!(name.as_str(), "PK" | "SK" | "GSI1PK" | "GSI1SK" | "GSI2PK" | "GSI2SK") {
                continue;
            }
            let Ok(text) = value.as_s() else { continue };
            let new = match (e.uid, e.address) {
                // An attribute that is the user id; their id quoted in a text.
                (Some(uid), _) if text == uid => e.pseudonym.to_owned(),
                (Some(uid), _) if FREE_TEXT.contains(&name.as_str()) => scrub_token(text, uid, e.pseudonym),
                // The address, whole or quoted (a delivery diagnostic) in a text.
                (None, Some(address)) if text.eq_ignore_ascii_case(address) => e.pseudonym.to_owned(),
                (None, Some(address)) if FREE_TEXT.contains(&name.as_str()) => scrub(text, address, e.pseudonym),
                _ => continue,
            };
            if &new != text {
                sets.push((name.clone(), new));
            }
        }
        // Who made an invite: their name goes with their id.
        if e.uid.is_some_and(|u| text(item, "invitedBy") == u) && item.contains_key("inviterName") {
            sets.retain(|(name, _)| name != "inviterName");
            sets.push(("inviterName".into(), e.pseudonym.to_owned()));
        }
        let mut removes = Vec::new();
        // An index key holding it (an invitation's INVITEE#<address>): out of the index.
        let index_keys = ["GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK"];
        let theirs = [e.uid.map(user_gsi), e.address.map(invitee_gsi)];
        if theirs.iter().flatten().any(|key| text(item, "GSI1PK").eq_ignore_ascii_case(key)) {
            removes.extend(index_keys.into_iter().filter(|k| item.contains_key(*k)));
        }
        if e.address.is_some_and(|a| text(item, "email") == a) {
            removes.extend(["message", "deliveryError"].into_iter().filter(|n| item.contains_key(*n)));
            sets.retain(|(name, _)| !removes.contains(&name.as_str()));
        }
        if sets.is_empty() && removes.is_empty() {
            return Ok(false);
        }
        let mut update = Update::builder()
            .table_name(&self.table)
            .key("PK", s(text(item, "PK")))
            .key("SK", s(text(item, "SK")))
            .condition_expression("attribute_exists(PK)");
        let mut expression = Vec::new();
        for (i, (name, value)) in sets.iter().enumerate() {
            update = update
                .expression_attribute_names(format!("#a{i}"), name)
                .expression_attribute_values(format!(":v{i}"), s(value));
            expression.push(format!("#a{i} = :v{i}"));
        }
        let mut clause = if expression.is_empty() { String::new() } else { format!("SET {}", expression.join(", ")) };
        if !removes.is_empty() {
            let names: Vec<String> = (0..removes.len()).map(|i| format!("#r{i}")).collect();
            for (placeholder, name) in names.iter().zip(&removes) {
                update = update.expression_attribute_names(placeholder, *name);
            }
            clause.push_str(&format!(" REMOVE {}", names.join(", ")));
        }
        let update = update.update_expression(clause.trim()).build().map_err(Error::internal)?;
        let mut tx = Tx::new();
        tx.update(Check::None, update);
        self.commit(tx).await?;
        Ok(true)
    }

    /// Removes an address's holder once what it holds for is gone: the
    /// member's item (an owner's stays, and so does its holder), or the
    /// invite's pending state. `false` when it still holds.
    async fn release_holder(&self, item: &Item) -> Result<bool, Error> {
        let (pk, sk) = (text(item, "PK"), text(item, "SK"));
        let (holder, uid, iid) = (text(item, "holder"), text(item, "userId"), text(item, "inviteId"));
        let still = ConditionCheck::builder().table_name(&self.table).key("PK", s(&pk));
        let still = if holder == "member" {
            still.key("SK", s(member_sk(&uid))).condition_expression("attribute_not_exists(PK)")
        } else {
            still
                .key("SK", s(invite_sk(&iid)))
                .condition_expression("attribute_not_exists(PK) OR #s <> :pending")
                .expression_attribute_names("#s", "status")
                .expression_attribute_values(":pending", s(InviteStatus::Pending.as_str()))
        };
        let release = Delete::builder()
            .table_name(&self.table)
            .key("PK", s(&pk))
            .key("SK", s(&sk))
            .condition_expression("holder = :holder")
            .expression_attribute_values(":holder", s(&holder))
            .build()
            .map_err(Error::internal)?;
        let mut tx = Tx::new();
        tx.condition(Check::Email, still.build().map_err(Error::internal)?).delete(Check::Email, release);
        match self.transact(tx).await {
            Ok(()) => Ok(true),
            Err(TxError::Other(err)) => Err(err),
            Err(_) => Ok(false),
        }
    }

    /// The resources `uid` owns (their memberships' index).
    async fn owned_by(&self, uid: &str) -> Result<Vec<String>, Error> {
        let members: Vec<MemberItem> = self.query_all(user_gsi(uid), "RES#", Some("GSI1"), 1000).await?;
        Ok(members.into_iter().filter(|m| m.role == Role::OWNER).map(|m| m.resource_id.clone()).collect())
    }

    async fn delete_item(&self, pk: &str, sk: &str) -> Result<bool, Error> {
        self.db
            .delete_item()
            .table_name(&self.table)
            .key("PK", s(pk))
            .key("SK", s(sk))
            .send()
            .await
            .map_err(|e| failure("delete", e))?;
        Ok(true)
    }

    /// A transaction with no conditions worth explaining: done, or the fault.
    async fn commit(&self, tx: Tx) -> Result<(), Error> {
        match self.transact(tx).await {
            Ok(()) => Ok(()),
            Err(TxError::Other(err)) => Err(err),
            Err(f) => Err(Error::internal(format!("erase: {f:?}"))),
        }
    }
}

/// Attributes that are free text, where an address or a user id can be
/// quoted among other words (every other attribute is replaced only when it
/// is the value itself: ids, nonces and keys never change).
const FREE_TEXT: &[&str] = &["detail", "deliveryError", "message", "inviterName", "name", "note", "reason"];

fn text(item: &Item, name: &str) -> String {
    item.get(name).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default()
}

fn kind_of(item: &Item) -> Kind {
    Kind::of(&text(item, "PK"), &text(item, "SK"))
}

/// The scan's filter: every attribute and key that can hold the address or
/// name the user.
fn filter(person: &Person) -> (&'static str, Item) {
    let s = |v: String| AttributeValue::S(v);
    match person {
        Person::Email(email) => {
            let e = email.as_str();
            (
                "email = :e OR SK = :holder OR SK = :suppressed OR contains(detail, :e)",
                HashMap::from([
                    (":e".into(), s(e.into())),
                    (":holder".into(), s(super::items::email_sk(e))),
                    (":suppressed".into(), s(super::items::suppressed_sk(e))),
                ]),
            )
        }
        Person::User(uid) => (
            "userId = :u OR actor = :u OR subject = :u OR acceptedBy = :u OR invitedBy = :u OR ownerId = :u \
             OR createdBy = :u OR decidedBy = :u OR removedBy = :u OR revokedBy = :u OR contains(detail, :u) OR PK = :own OR SK = :removed \
             OR begins_with(SK, :idempotency)",
            HashMap::from([
                (":u".into(), s(uid.clone())),
                (":own".into(), s(super::items::user_pk(uid))),
                (":removed".into(), s(super::items::removed_sk(uid))),
                (":idempotency".into(), s(format!("IDEMPOTENCY#{uid}#"))),
            ]),
        ),
    }
}

/// An item as the export shows it: its kind, its resource, its attributes
/// (the indexes' keys left out).
fn held(mut item: Item) -> Result<Held, Error> {
    for index_key in ["GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK"] {
        item.remove(index_key);
    }
    let (pk, sk) = (text(&item, "PK"), text(&item, "SK"));
    let resource_id = pk.strip_prefix("RES#").map(str::to_owned);
    let item: serde_json::Value = serde_dynamo::from_item(item).map_err(Error::internal)?;
    Ok(Held { kind: Kind::of(&pk, &sk), resource_id, item })
}

/// The cursor: the scan's last key (`PK`, `SK`), base64url JSON.
fn encode(key: &Item) -> Result<String, Error> {
    let pair: HashMap<&str, &str> =
        key.iter().filter_map(|(k, v)| Some((k.as_str(), v.as_s().ok()?.as_str()))).collect();
    Ok(URL_SAFE_NO_PAD.encode(serde_json::to_vec(&pair).map_err(Error::internal)?))
}

fn decode(cursor: &str) -> Result<Item, Error> {
    let invalid = || Error::invalid(Code::InvalidCursor, "cursor is not valid");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let pair: HashMap<String, String> = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    if pair.len() != 2 || !pair.contains_key("PK") || !pair.contains_key("SK") {
        return Err(invalid());
    }
    Ok(pair.into_iter().map(|(k, v)| (k, AttributeValue::S(v))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let key: Item = HashMap::from([
            ("PK".into(), AttributeValue::S("RES#r".into())),
            ("SK".into(), AttributeValue::S("INVITE#i".into())),
        ]);
        assert_eq!(decode(&encode(&key).unwrap()).unwrap(), key);
        for bad in ["", "!!", "e30", &URL_SAFE_NO_PAD.encode(br#"{"PK":"a","X":"b"}"#)] {
            assert_eq!(decode(bad).unwrap_err().code(), "invalid_cursor", "{bad}");
        }
    }
}
