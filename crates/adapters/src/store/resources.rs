//! Resources, the caller's membership, seats and the audit trail.

use super::items::*;
use super::{Check, Store, Tx, TxError, cursor, from_item, key, retry, s};
use aws_sdk_dynamodb::types::builders::UpdateBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, Update};
use invites_domain::audit::{Audit, AuditAction};
use invites_domain::budgets::{require_verified_sender, resource_limit_reached};
use invites_domain::members::{require, require_member};
use invites_domain::plan::{Plan, PlanView, invites_disabled};
use invites_domain::ports::{PageRequest, Plans, Resources};
use invites_domain::records::{EmailHolder, Member, Resource};
use invites_domain::resource::{NewResource, ResourceSettings};
use invites_domain::role::{Can, catalogue};
use invites_domain::seats::Seats;
use invites_domain::views::{AuditView, Page, ResourceView};
use invites_domain::{Error, Identity, ResourceId, Role};

impl Resources for Store {
    async fn create_resource(&self, who: &Identity, new: NewResource, now: i64) -> Result<ResourceView, Error> {
        require_verified_sender(who)?;
        let rid = ResourceId::new().to_string();
        let resource = Resource {
            resource_id: rid.clone(),
            name: new.name,
            client_id: new.client_id,
            owner_id: who.sub.clone(),
            seat_limit: self.limits.seat_limit,
            seats_used: 0,
            created_at: now,
            reminders: new.reminders,
            invites_enabled: true,
        };
        let owner = Member {
            resource_id: rid.clone(),
            user_id: who.sub.clone(),
            role: Role::OWNER,
            email: who.verified_email().map(|e| e.as_str().to_owned()),
            name: who.name.clone(),
            invite_id: None,
            joined_at: now,
            term: Some(invites_domain::ids::new_ulid()),
            metadata: None,
        };
        retry!({
            let mut tx = Tx::new();
            tx.update(
                Check::UserBudget,
                self.count_one(user_pk(&who.sub), OWNED_SK.into(), self.limits.resources_per_owner, None)?,
            );
            tx.put(Check::None, self.put_new(&ResourceItem::new(resource.clone()))?);
            tx.put(Check::Member, self.put_new(&MemberItem::new(owner.clone()))?);
            // The owner's address is held as a member's, so nobody can invite the owner.
            if let Some(email) = who.verified_email() {
                let holder = EmailHolder::Member { user_id: Some(who.sub.clone()) };
                tx.put(Check::Email, self.put_new(&EmailLockItem::new(&rid, email.as_str(), &holder))?);
            }
            tx.put(Check::None, self.audit(&rid, Audit::by(who, AuditAction::ResourceCreated, &rid), now)?);
            match self.transact(tx).await {
                Ok(()) => Ok(ResourceView::of(&resource, Role::OWNER, Seats { used: 0, limit: resource.seat_limit })),
                Err(f) if f.failed(Check::UserBudget) => {
                    Err(resource_limit_reached(self.limits.resources_per_owner).into())
                }
                // A fresh ULID cannot collide; any other failed condition is unexpected.
                Err(f @ TxError::Failed(_)) => Err(Error::internal(format!("create resource: {f:?}")).into()),
                // A lost race runs the round again; a fault is the answer.
                Err(other) => Err(other),
            }
        })
    }

    async fn resource(&self, rid: ResourceId, who: &Identity) -> Result<ResourceView, Error> {
        let member = self.member_of(rid, who).await?;
        let r = self.resource_item(&rid.to_string()).await?.ok_or(Error::NotFound)?;
        // Two items, whatever the resource's size: the sweep gives expired
        // invites' seats back at their expiry, so the counter is the figure.
        Ok(ResourceView::of(&r, member.role, Seats::counted(&r)))
    }

    async fn audit_trail(
        &self,
        rid: ResourceId,
        who: &Identity,
        page: PageRequest<'_>,
    ) -> Result<Page<AuditView>, Error> {
        self.member_who_can(rid, who, Can::SeeAudit).await?;
        let rid = rid.to_string();
        let start = match page.cursor {
            None => None,
            Some(c) => {
                let id = cursor::decode(c)?;
                Some(key(res_pk(&rid), audit_sk(&id)))
            }
        };
        let out = self
            .prefix_query(&res_pk(&rid), AUDIT_PREFIX, None)
            .scan_index_forward(false)
            // One more than asked: a next page is promised only if it has items.
            .limit(page.limit as i32 + 1)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| super::sdk::failure("query audit", e))?;
        let mut items = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(|i| {
                let a: AuditItem = from_item(i)?;
                Ok(AuditView::of(a.sk.trim_start_matches(AUDIT_PREFIX).to_owned(), a.record))
            })
            .collect::<Result<Vec<_>, Error>>()?;
        let more = items.len() > page.limit;
        items.truncate(page.limit);
        let next_cursor = if more { items.last().and_then(|a| cursor::encode(&a.id)) } else { None };
        Ok(Page { items, next_cursor })
    }

    async fn update_resource(
        &self,
        rid: ResourceId,
        who: &Identity,
        settings: ResourceSettings,
        now: i64,
    ) -> Result<ResourceView, Error> {
        self.member_who_can(rid, who, Can::Invite).await?;
        let id = rid.to_string();
        let update = Update::builder()
            .table_name(&self.table)
            .key("PK", s(res_pk(&id)))
            .key("SK", s(RESOURCE_SK))
            .update_expression("SET reminders = :on")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":on", AttributeValue::Bool(settings.reminders))
            .build()
            .map_err(Error::internal)?;
        let detail = format!("reminders {}", if settings.reminders { "on" } else { "off" });
        retry!({
            let entry = Audit::by(who, AuditAction::ResourceUpdated, &id).detail(detail.clone());
            let mut tx = Tx::new();
            tx.condition(Check::Caller, self.caller_may(&id, who, Can::Invite, &[])?)
                .update(Check::None, update.clone())
                .put(Check::None, self.audit(&id, entry, now)?);
            if let Err(f) = self.transact(tx).await {
                self.recheck_caller(&f, &id, Some(who), Can::Invite, &[]).await?;
                if let TxError::Failed(_) = f {
                    return Err(Error::internal(format!("update resource: {f:?}")).into());
                }
                return Err(f);
            }
            Ok(self.resource(rid, who).await?)
        })
    }
}

impl Plans for Store {
    /// The plan's values and the audit entry in one transaction.
    async fn set_plan(&self, rid: ResourceId, plan: Plan, by: &str, now: i64) -> Result<PlanView, Error> {
        let id = rid.to_string();
        let before = self.resource_item(&id).await?.ok_or(Error::NotFound)?;
        let mut sets = Vec::new();
        let mut update = Update::builder()
            .table_name(&self.table)
            .key("PK", s(res_pk(&id)))
            .key("SK", s(RESOURCE_SK))
            .condition_expression("attribute_exists(PK)");
        if let Some(limit) = plan.seat_limit {
            sets.push("seatLimit = :limit");
            update = update.expression_attribute_values(":limit", super::n(limit));
        }
        if let Some(on) = plan.invites_enabled {
            sets.push("invitesEnabled = :on");
            update = update.expression_attribute_values(":on", AttributeValue::Bool(on));
        }
        let update = update.update_expression(format!("SET {}", sets.join(", "))).build().map_err(Error::internal)?;
        let detail = plan.detail(&before);
        retry!({
            let entry =
                Audit { action: AuditAction::PlanChanged, actor: by, subject: &id, detail: Some(detail.clone()) };
            let mut tx = Tx::new();
            tx.update(Check::None, update.clone()).put(Check::None, self.audit(&id, entry, now)?);
            match self.transact(tx).await {
                Ok(()) => {}
                // The resource went away meanwhile.
                Err(TxError::Failed(_)) => return Err(Error::NotFound.into()),
                Err(other) => return Err(other),
            }
            let r = self.resource_item(&id).await?.ok_or(Error::NotFound)?;
            let seats = self.seats_in_use(&r, now).await?;
            Ok(PlanView {
                resource_id: id.clone(),
                seat_limit: r.seat_limit,
                invites_enabled: r.invites_enabled,
                seats_used: seats.used,
            })
        })
    }
}

impl Store {
    /// After a seat could not be taken: 403 `invites_disabled` when the
    /// resource's plan has inviting turned off (else the seats are full).
    pub(crate) async fn plan_allows_inviting(&self, rid: &str) -> Result<(), Error> {
        match self.resource_item(rid).await? {
            Some(r) if !r.invites_enabled => Err(invites_disabled()),
            _ => Ok(()),
        }
    }

    /// A member of a resource, if any.
    pub async fn member(&self, rid: &str, uid: &str) -> Result<Option<Member>, Error> {
        Ok(self.get::<MemberItem>(res_pk(rid), member_sk(uid)).await?.map(|m| m.record))
    }

    pub(crate) async fn resource_item(&self, rid: &str) -> Result<Option<Resource>, Error> {
        Ok(self.get::<ResourceItem>(res_pk(rid), RESOURCE_SK.into()).await?.map(|r| r.record))
    }

    /// The caller's membership, or 404 when not a member.
    pub(crate) async fn member_of(&self, rid: ResourceId, who: &Identity) -> Result<Member, Error> {
        require_member(self.member(&rid.to_string(), &who.sub).await?)
    }

    /// The caller's membership, with a role that may do `what` (404 / 403).
    pub(crate) async fn member_who_can(&self, rid: ResourceId, who: &Identity, what: Can) -> Result<Member, Error> {
        require(self.member(&rid.to_string(), &who.sub).await?, what)
    }

    /// Condition: when the write commits, the caller's role still may do
    /// `what` and grant each of `granting` (the catalogue's holders).
    pub(crate) fn caller_may(
        &self,
        rid: &str,
        who: &Identity,
        what: Can,
        granting: &[Role],
    ) -> Result<ConditionCheck, Error> {
        let (expression, values) = role_in(&catalogue().holders(what, granting));
        ConditionCheck::builder()
            .table_name(&self.table)
            .key("PK", s(res_pk(rid)))
            .key("SK", s(member_sk(&who.sub)))
            .condition_expression(expression)
            .expression_attribute_names("#role", "role")
            .set_expression_attribute_values(Some(values))
            .build()
            .map_err(Error::internal)
    }

    /// Seats taken right now (expired, unreclaimed invites are already free).
    pub(crate) async fn seats_in_use(&self, r: &Resource, now: i64) -> Result<Seats, Error> {
        let expired = self.expired_locks(&r.resource_id, now).await?.len() as u32;
        Ok(Seats::in_use(r.seats_used, expired, r.seat_limit))
    }

    /// Takes one seat, only while one is free.
    pub(crate) fn take_seat(&self, rid: &str) -> Result<Update, Error> {
        self.count_seats(rid, 1)
            .condition_expression(
                "attribute_exists(PK) AND seatsUsed < seatLimit AND (attribute_not_exists(invitesEnabled) OR invitesEnabled = :yes)",
            )
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .build()
            .map_err(Error::internal)
    }

    /// Gives one seat back.
    pub(crate) fn free_seat(&self, rid: &str) -> Result<Update, Error> {
        self.count_seats(rid, -1).condition_expression("attribute_exists(PK)").build().map_err(Error::internal)
    }

    /// Adds `delta` to the resource's seats in use.
    fn count_seats(&self, rid: &str, delta: i64) -> UpdateBuilder {
        Update::builder()
            .table_name(&self.table)
            .key("PK", s(res_pk(rid)))
            .key("SK", s(RESOURCE_SK))
            .update_expression("ADD seatsUsed :delta")
            .expression_attribute_values(":delta", super::n(delta))
    }
}

/// `#role IN (:role0, ...)` and its values: a condition that the member's
/// role is one of `roles`.
pub(crate) fn role_in(roles: &[Role]) -> (String, super::Item) {
    // No role at all (granting the owner's role, which nobody does): a value
    // no role id can have, so the condition fails instead of being invalid.
    let roles: Vec<&str> = if roles.is_empty() { vec!["-"] } else { roles.iter().map(|r| r.as_str()).collect() };
    let names: Vec<String> = (0..roles.len()).map(|i| format!(":role{i}")).collect();
    let values = names.iter().zip(roles).map(|(k, r)| (k.clone(), s(r))).collect();
    (format!("#role IN ({})", names.join(", ")), values)
}
