//! Members of a resource, and the invitee's own views (my invitations, my
//! resources, leave).

use super::items::*;
use super::{Check, Item, Store, Tx, from_item, key, n, retry, s};
use aws_sdk_dynamodb::types::{Delete, Update};
use invites_domain::audit::{Audit, AuditAction, SERVICE};
use invites_domain::budgets::resource_limit_reached;
use invites_domain::members::Made;
use invites_domain::members::{self as rules, Removal, Transferred, require_owner};
use invites_domain::ports::{Members, OwnViews};
use invites_domain::role::Can;
use invites_domain::time::rfc3339;
use invites_domain::views::{MemberView, MyInvite, MyResource, ResourceRef};
use invites_domain::{Error, Identity, InviteStatus, ResourceId, Role};
use std::collections::{BTreeSet, HashMap};

/// Most items an unpaged list (members, my invitations, my resources) returns.
const LIST_CAP: usize = 1000;

impl Members for Store {
    async fn members(&self, rid: ResourceId, who: &Identity) -> Result<Vec<MemberView>, Error> {
        let me = self.member_of(rid, who).await?;
        let items: Vec<MemberItem> = self.query_all(res_pk(&rid.to_string()), "MEMBER#", None, LIST_CAP).await?;
        let manages = rules::sees_metadata(me.role);
        Ok(items
            .iter()
            .map(|m| MemberView {
                metadata: m.record.metadata.clone().filter(|_| manages),
                ..MemberView::from(&m.record)
            })
            .collect())
    }

    async fn change_member_role(
        &self,
        rid: ResourceId,
        uid: &str,
        role: Role,
        who: &Identity,
        now: i64,
    ) -> Result<MemberView, Error> {
        let me = self.member_who_can(rid, who, Can::ManageMembers).await?;
        let rid = rid.to_string();
        let member = self.member(&rid, uid).await?.ok_or(Error::NotFound)?;
        let Some(role) = rules::change_role(me.role, &member, role)? else {
            return Ok(MemberView::from(&member));
        };
        let update = self.set_member_role(&rid, uid, member.role, role)?;
        // (A demotion's `admin -> read_only` says on its own that what they
        // made stops working.)
        let detail = format!("{} -> {}", member.role.as_str(), role.as_str());
        let mut tx = Tx::new();
        // A manager changing their own role: the update's condition is the check.
        let granting = [member.role, role];
        if uid != who.sub {
            tx.condition(Check::Caller, self.caller_may(&rid, who, Can::ManageMembers, &granting)?);
        }
        tx.update(Check::Member, update).put(
            Check::None,
            self.audit(&rid, Audit::by(who, AuditAction::MemberRoleChanged, uid).detail(detail), now)?,
        );
        self.commit_role_change(tx, &rid, who, Can::ManageMembers, &granting).await?;
        let fresh = self.member(&rid, uid).await?.ok_or(Error::NotFound)?;
        Ok(MemberView::from(&fresh))
    }

    async fn remove_member(&self, rid: ResourceId, uid: &str, who: &Identity, now: i64) -> Result<(), Error> {
        self.end_membership(&rid.to_string(), uid, who, Removal::Removed, now).await
    }

    async fn transfer_ownership(
        &self,
        rid: ResourceId,
        to: &str,
        by: Option<&Identity>,
        now: i64,
    ) -> Result<Transferred, Error> {
        if let Some(who) = by {
            require_owner(self.membership(&rid.to_string(), &who.sub).await?.map(|(m, _)| m))?;
        }
        let id = rid.to_string();
        let former = rules::former_owner_role();
        retry!({
            let resource = self.resource_item(&id).await?.ok_or(Error::NotFound)?;
            if resource.deleted_at.is_some() {
                return Err(Error::NotFound.into());
            }
            let owner = self.member(&id, &resource.owner_id).await?.ok_or(Error::NotFound)?;
            if by.is_some_and(|who| who.sub != owner.user_id) {
                // Handed over meanwhile: the caller is no longer the owner.
                return Err(require_owner(None).unwrap_err().into());
            }
            let target = self.member(&id, to).await?.ok_or(Error::NotFound)?;
            rules::transfer(&owner, &target)?;
            let owner_moves = Update::builder()
                .table_name(&self.table)
                .key("PK", s(res_pk(&id)))
                .key("SK", s(RESOURCE_SK))
                .update_expression("SET ownerId = :to")
                // Deleted meanwhile: the delete gave the owner's count back; nothing moves.
                .condition_expression("ownerId = :from AND attribute_not_exists(deletedAt)")
                .expression_attribute_values(":to", s(to))
                .expression_attribute_values(":from", s(&owner.user_id))
                .build()
                .map_err(Error::internal)?;
            let one_less = Update::builder()
                .table_name(&self.table)
                .key("PK", s(user_pk(&owner.user_id)))
                .key("SK", s(OWNED_SK))
                .update_expression("ADD #count :minus")
                .expression_attribute_names("#count", "count")
                .expression_attribute_values(":minus", n(-1))
                .build()
                .map_err(Error::internal)?;
            let actor = by.map_or(SERVICE, |who| who.sub.as_str());
            let detail = format!("from {}", owner.user_id);
            let mut tx = Tx::new();
            tx.update(Check::Caller, self.set_member_role(&id, &owner.user_id, Role::OWNER, former)?)
                .update(Check::Member, self.set_member_role(&id, to, target.role, Role::OWNER)?)
                .update(Check::Caller, owner_moves)
                .update(Check::None, one_less)
                .update(
                    Check::UserBudget,
                    self.count_one(user_pk(to), OWNED_SK.into(), self.limits.resources_per_owner, None)?,
                )
                .put(
                    Check::None,
                    self.audit(
                        &id,
                        Audit { action: AuditAction::MemberBecameOwner, actor, subject: to, detail: Some(detail) },
                        now,
                    )?,
                );
            match self.transact(tx).await {
                Ok(()) => Ok(Transferred {
                    resource_id: id.clone(),
                    owner_id: to.to_owned(),
                    previous_owner_id: owner.user_id.clone(),
                    previous_owner_role: former,
                }),
                Err(f) if f.failed(Check::UserBudget) => {
                    Err(resource_limit_reached(self.limits.resources_per_owner).into())
                }
                // Changed meanwhile (a role change, a removal, another
                // transfer): the next round reads it again.
                Err(f) => Err(f),
            }
        })
    }

    async fn leave(&self, rid: ResourceId, who: &Identity, now: i64) -> Result<(), Error> {
        let me = self.member_of(rid, who).await?;
        rules::remove(&me, Removal::Left, None)?;
        self.end_membership(&rid.to_string(), &who.sub, who, Removal::Left, now).await
    }
}

impl Store {
    /// A member's role from `seen` (the condition) to `role`. A promotion
    /// starts a new term: what they made before a demotion stays withdrawn
    /// (`members::still_manages`); a manager who stays one keeps theirs.
    fn set_member_role(&self, rid: &str, uid: &str, seen: Role, role: Role) -> Result<Update, Error> {
        let promoted = rules::promotes(seen, role);
        let mut update = Update::builder()
            .table_name(&self.table)
            .key("PK", s(res_pk(rid)))
            .key("SK", s(member_sk(uid)))
            .update_expression(if promoted { "SET #role = :role, #term = :term" } else { "SET #role = :role" })
            .condition_expression("#role = :seen")
            .expression_attribute_names("#role", "role")
            .expression_attribute_values(":role", s(role.as_str()))
            .expression_attribute_values(":seen", s(seen.as_str()));
        if promoted {
            update = update
                .expression_attribute_names("#term", "term")
                .expression_attribute_values(":term", s(invites_domain::ids::new_ulid()));
        }
        update.build().map_err(Error::internal)
    }

    /// Removes a member (never the owner) and frees the seat and e-mail.
    /// Removed by a manager: their role is a condition of the same
    /// transaction (unless they remove themselves, whose own item is guarded).
    async fn end_membership(&self, rid: &str, uid: &str, who: &Identity, how: Removal, now: i64) -> Result<(), Error> {
        let actor = who.sub.as_str();
        let check_caller = how == Removal::Removed && uid != who.sub;
        retry!({
            // The remover's role, read each round: they remove only roles they may grant.
            let by = if check_caller {
                Some(self.member_who_can(ResourceId::parse(rid)?, who, Can::ManageMembers).await?.role)
            } else {
                None
            };
            let member = self.member(rid, uid).await?.ok_or(Error::NotFound)?;
            let by = by.or((how == Removal::Removed).then_some(member.role));
            rules::remove(&member, how, by)?;
            let delete_member = Delete::builder()
                .table_name(&self.table)
                .key("PK", s(res_pk(rid)))
                .key("SK", s(member_sk(uid)))
                .condition_expression("attribute_exists(PK) AND #role = :seen")
                .expression_attribute_names("#role", "role")
                .expression_attribute_values(":seen", s(member.role.as_str()))
                .build()
                .map_err(Error::internal)?;
            let mut tx = Tx::new();
            if check_caller {
                tx.condition(Check::Caller, self.caller_may(rid, who, Can::ManageMembers, &[member.role])?);
            }
            let detail = rules::stops_managing(member.role).map(str::to_owned);
            tx.delete(Check::Member, delete_member)
                .update(Check::None, self.free_seat(rid)?)
                .put(Check::None, self.audit(rid, Audit { action: how.action(), actor, subject: uid, detail }, now)?);
            if how == Removal::Removed {
                tx.put(Check::None, self.put(&RemovedItem::new(rid, uid, actor, now), None, &[])?);
            }
            if let Some(email) = &member.email {
                let lock = Delete::builder()
                    .table_name(&self.table)
                    .key("PK", s(res_pk(rid)))
                    .key("SK", s(email_sk(email)))
                    .build()
                    .map_err(Error::internal)?;
                tx.delete(Check::None, lock);
            }
            if let Err(f) = self.transact(tx).await {
                self.recheck_caller(&f, rid, check_caller.then_some(who), Can::ManageMembers, &[member.role]).await?;
                return Err(f);
            }
            Ok(())
        })
    }

    /// The id and name of each of these resources that still exists and is
    /// not deleted (lists leave the others out), in batched reads of the
    /// names only (`Store::batch_get`).
    pub(crate) async fn resource_refs(&self, rids: &[&str]) -> Result<HashMap<String, ResourceRef>, Error> {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Named {
            resource_id: String,
            name: String,
            #[serde(default)]
            deleted_at: Option<i64>,
        }
        let unique: BTreeSet<&str> = rids.iter().copied().collect();
        let keys: Vec<Item> = unique.iter().map(|rid| key(res_pk(rid), RESOURCE_SK.into())).collect();
        let mut out = HashMap::new();
        for item in self.batch_get(&keys, "resourceId, #n, deletedAt", &[("#n", "name")]).await? {
            let named: Named = from_item(item)?;
            if named.deleted_at.is_none() {
                out.insert(named.resource_id.clone(), ResourceRef { id: named.resource_id, name: named.name });
            }
        }
        Ok(out)
    }
}

impl OwnViews for Store {
    async fn my_invites(&self, who: &Identity, now: i64) -> Result<Vec<MyInvite>, Error> {
        let Some(email) = who.verified_email() else { return Ok(Vec::new()) };
        let mut items: Vec<InviteItem> =
            self.query_all(invitee_gsi(email.as_str()), "INVITE#", Some("GSI1"), LIST_CAP).await?;
        items.retain(|i| i.effective_status(now) == InviteStatus::Pending);
        // Withdrawn ones (the inviter no longer manages) are not offered.
        let manages = self.makers_manage(&items.iter().map(|i| Made::invite(i)).collect::<Vec<_>>()).await?;
        let mut manages = manages.into_iter();
        items.retain(|_| manages.next().unwrap_or(false));
        items.sort_by(|a, b| b.invite_id.cmp(&a.invite_id));
        let rids: Vec<&str> = items.iter().map(|i| i.resource_id.as_str()).collect();
        let refs = self.resource_refs(&rids).await?;
        let mut out = Vec::with_capacity(items.len());
        for i in &items {
            let Some(resource) = refs.get(&i.resource_id) else { continue };
            out.push(MyInvite {
                id: i.invite_id.clone(),
                resource: resource.clone(),
                inviter: i.inviter_name.clone(),
                role: i.role,
                expires_at: rfc3339(i.expires_at),
                token: self.link_token(i).await?,
            });
        }
        Ok(out)
    }

    async fn my_resources(&self, who: &Identity) -> Result<Vec<MyResource>, Error> {
        let members: Vec<MemberItem> = self.query_all(user_gsi(&who.sub), "RES#", Some("GSI1"), LIST_CAP).await?;
        let rids: Vec<&str> = members.iter().map(|m| m.resource_id.as_str()).collect();
        let refs = self.resource_refs(&rids).await?;
        let mut out = Vec::with_capacity(members.len());
        for m in &members {
            let Some(resource) = refs.get(&m.resource_id) else { continue };
            out.push(MyResource {
                resource: resource.clone(),
                role: m.role,
                permissions: m.role.permissions(),
                joined_at: rfc3339(m.joined_at),
            });
        }
        Ok(out)
    }
}
