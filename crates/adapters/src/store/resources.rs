//! Resources, the caller's membership, seats and the audit trail.

use super::items::*;
use super::{Check, Store, Tx, TxError, from_item, key, n, retry, s};
use aws_sdk_dynamodb::types::builders::UpdateBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, Update};
use invites_domain::audit::{Audit, AuditAction, SERVICE};
use invites_domain::budgets::{require_verified_sender, resource_limit_reached};
use invites_domain::members::{require, require_member, require_owner};
use invites_domain::plan::{Plan, PlanView, invites_disabled};
use invites_domain::ports::{PageRequest, Plans, Resources};
use invites_domain::records::{EmailHolder, Member, Resource};
use invites_domain::resource::{NewResource, ResourceSettings, deleted};
use invites_domain::role::{Can, catalogue};
use invites_domain::seats::Seats;
use invites_domain::views::{AuditView, Page, ResourceView};
use invites_domain::{Error, Identity, ResourceId, Role};

impl Store {
    /// One page of audit entries of `query` (a query of the resource's
    /// `AUDIT#` items, in either order), from the page's cursor on.
    async fn audit_page(
        &self,
        pk: &str,
        query: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
        page: PageRequest<'_>,
    ) -> Result<Page<AuditView>, Error> {
        let row = |i| {
            let a: AuditItem = from_item(i)?;
            Ok(AuditView::of(a.sk.trim_start_matches(AUDIT_PREFIX).to_owned(), a.record))
        };
        self.id_page(pk, AUDIT_PREFIX, query, page, row, |a: &AuditView| &a.id).await
    }
}

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
            deleted_at: None,
            default_locale: None,
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
                Ok(()) => Ok(ResourceView::of(
                    &resource,
                    Role::OWNER,
                    Seats { used: 0, limit: resource.seat_limit },
                    self.limits.default_locale,
                )),
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
        // Two items in one read, whatever the resource's size: the sweep
        // gives expired invites' seats back at their expiry, so the counter
        // is the figure.
        let (member, r) = self.membership(&rid.to_string(), &who.sub).await?.ok_or(Error::NotFound)?;
        Ok(ResourceView::of(&r, member.role, Seats::counted(&r), self.limits.default_locale))
    }

    async fn audit_trail(
        &self,
        rid: ResourceId,
        who: &Identity,
        page: PageRequest<'_>,
    ) -> Result<Page<AuditView>, Error> {
        self.member_who_can(rid, who, Can::SeeAudit).await?;
        let pk = res_pk(&rid.to_string());
        let query = self.prefix_query(&pk, AUDIT_PREFIX, None).scan_index_forward(false);
        self.audit_page(&pk, query, page).await
    }

    async fn audit_export(
        &self,
        rid: ResourceId,
        who: &Identity,
        range: invites_domain::audit_export::Range,
        page: PageRequest<'_>,
    ) -> Result<Page<AuditView>, Error> {
        self.member_who_can(rid, who, Can::SeeAudit).await?;
        let pk = res_pk(&rid.to_string());
        // Audit ids are ULIDs: the range's days are a range of sort keys.
        let (from, until) = range.id_bounds();
        let query = self
            .db
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND SK BETWEEN :from AND :until")
            .expression_attribute_values(":pk", s(pk.clone()))
            .expression_attribute_values(":from", s(audit_sk(&from)))
            .expression_attribute_values(":until", s(audit_sk(&until)))
            .consistent_read(true)
            .scan_index_forward(true);
        self.audit_page(&pk, query, page).await
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
        let (mut set, mut remove) = (Vec::new(), "");
        let mut update = Update::builder().table_name(&self.table).key("PK", s(res_pk(&id))).key("SK", s(RESOURCE_SK));
        if let Some(on) = settings.reminders {
            set.push("reminders = :on");
            update = update.expression_attribute_values(":on", AttributeValue::Bool(on));
        }
        match settings.default_locale {
            Some(Some(l)) => {
                set.push("defaultLocale = :locale");
                update = update.expression_attribute_values(":locale", s(l.as_str().to_owned()));
            }
            Some(None) => remove = " REMOVE defaultLocale",
            None => {}
        }
        let set = if set.is_empty() { String::new() } else { format!("SET {}", set.join(", ")) };
        let update = update
            .update_expression(format!("{set}{remove}").trim())
            .condition_expression("attribute_exists(PK)")
            .build()
            .map_err(Error::internal)?;
        let details = settings.details();
        retry!({
            let mut tx = Tx::new();
            tx.condition(Check::Caller, self.caller_may(&id, who, Can::Invite, &[])?)
                .update(Check::None, update.clone());
            // One entry per setting changed (two entries of one request: ids in one millisecond stay apart).
            for detail in &details {
                let entry = Audit::by(who, AuditAction::ResourceUpdated, &id).detail(detail.clone());
                tx.put(Check::None, self.audit(&id, entry, now)?);
            }
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

    async fn delete_resource(&self, rid: ResourceId, by: Option<&Identity>, now: i64) -> Result<(), Error> {
        let id = rid.to_string();
        retry!({
            let r = self.resource_item(&id).await?.ok_or(Error::NotFound)?;
            if let Some(who) = by {
                require_owner(Some(self.member_of(rid, who).await?))?;
            }
            let actor = by.map_or(SERVICE, |who| who.sub.as_str());
            // The mark every path checks, and the sweep's way to it (its
            // index's own partition for deleted resources).
            let mark = Update::builder()
                .table_name(&self.table)
                .key("PK", s(res_pk(&id)))
                .key("SK", s(RESOURCE_SK))
                .update_expression("SET deletedAt = :now, deletedBy = :by, GSI2PK = :deleted, GSI2SK = :now")
                .condition_expression("attribute_exists(PK) AND attribute_not_exists(deletedAt) AND ownerId = :owner")
                .expression_attribute_values(":now", n(now))
                .expression_attribute_values(":by", s(actor))
                .expression_attribute_values(":deleted", s(DELETED_PK))
                .expression_attribute_values(":owner", s(&r.owner_id))
                .build()
                .map_err(Error::internal)?;
            let one_less = Update::builder()
                .table_name(&self.table)
                .key("PK", s(user_pk(&r.owner_id)))
                .key("SK", s(OWNED_SK))
                .update_expression("ADD #count :minus")
                .expression_attribute_names("#count", "count")
                .expression_attribute_values(":minus", n(-1))
                .build()
                .map_err(Error::internal)?;
            let mut tx = Tx::new();
            tx.update(Check::Caller, mark).update(Check::None, one_less).put(
                Check::None,
                self.audit(
                    &id,
                    Audit { action: AuditAction::ResourceDeleted, actor, subject: &id, detail: None },
                    now,
                )?,
            );
            match self.transact(tx).await {
                Ok(()) => Ok(()),
                // Deleted or handed over meanwhile: the next round reads it again.
                Err(TxError::Failed(_)) => Err(TxError::Retry),
                Err(other) => Err(other),
            }
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
            .condition_expression("attribute_exists(PK) AND attribute_not_exists(deletedAt)");
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
            Some(_) => Ok(()),
            // Deleted meanwhile: nobody takes a seat any more.
            None => Err(deleted()),
        }
    }

    /// A member of a resource, if any.
    pub async fn member(&self, rid: &str, uid: &str) -> Result<Option<Member>, Error> {
        Ok(self.get::<MemberItem>(res_pk(rid), member_sk(uid)).await?.map(|m| m.record))
    }

    /// The resource, unless it is missing or deleted.
    pub(crate) async fn resource_item(&self, rid: &str) -> Result<Option<Resource>, Error> {
        Ok(self.resource_any(rid).await?.filter(|r| r.deleted_at.is_none()))
    }

    /// The resource's item as stored, deleted or not.
    pub(crate) async fn resource_any(&self, rid: &str) -> Result<Option<Resource>, Error> {
        Ok(self.get::<ResourceItem>(res_pk(rid), RESOURCE_SK.into()).await?.map(|r| r.record))
    }

    /// A user's membership of a live resource, with the resource: both
    /// items in one consistent batched read. `None` for outsiders, and for
    /// everyone once the resource is deleted (members lose access at once,
    /// though their items go only with the clean-up).
    pub(crate) async fn membership(&self, rid: &str, uid: &str) -> Result<Option<(Member, Resource)>, Error> {
        let keys = [key(res_pk(rid), member_sk(uid)), key(res_pk(rid), RESOURCE_SK.into())];
        let (mut member, mut resource) = (None, None);
        for item in self.batch_get(&keys, "", &[]).await? {
            if item.get("SK").and_then(|v| v.as_s().ok()).is_some_and(|sk| sk == RESOURCE_SK) {
                resource = Some(from_item::<ResourceItem>(item)?.record);
            } else {
                member = Some(from_item::<MemberItem>(item)?.record);
            }
        }
        Ok(match (member, resource) {
            (Some(m), Some(r)) if r.deleted_at.is_none() => Some((m, r)),
            _ => None,
        })
    }

    /// The caller's membership, or 404 when not a member.
    pub(crate) async fn member_of(&self, rid: ResourceId, who: &Identity) -> Result<Member, Error> {
        require_member(self.membership(&rid.to_string(), &who.sub).await?.map(|(m, _)| m))
    }

    /// The caller's membership, with a role that may do `what` (404 / 403).
    pub(crate) async fn member_who_can(&self, rid: ResourceId, who: &Identity, what: Can) -> Result<Member, Error> {
        require(self.membership(&rid.to_string(), &who.sub).await?.map(|(m, _)| m), what)
    }

    /// Condition: the resource is not deleted when the write commits.
    pub(crate) fn resource_live(&self, rid: &str) -> Result<ConditionCheck, Error> {
        ConditionCheck::builder()
            .table_name(&self.table)
            .key("PK", s(res_pk(rid)))
            .key("SK", s(RESOURCE_SK))
            .condition_expression("attribute_exists(PK) AND attribute_not_exists(deletedAt)")
            .build()
            .map_err(Error::internal)
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
                "attribute_exists(PK) AND attribute_not_exists(deletedAt) AND seatsUsed < seatLimit \
                 AND (attribute_not_exists(invitesEnabled) OR invitesEnabled = :yes)",
            )
            .expression_attribute_values(":yes", AttributeValue::Bool(true))
            .build()
            .map_err(Error::internal)
    }

    /// Takes `k` seats at once (a bulk invite's group): only while the
    /// resource is live, its plan lets admins invite, its seat limit is
    /// still `limit` (as read) and all `k` fit under it.
    pub(crate) fn take_seats(&self, rid: &str, k: u32, limit: u32) -> Result<Update, Error> {
        self.count_seats(rid, i64::from(k))
            .condition_expression(
                "attribute_exists(PK) AND attribute_not_exists(deletedAt) AND seatLimit = :limit \
                 AND seatsUsed <= :most AND (attribute_not_exists(invitesEnabled) OR invitesEnabled = :yes)",
            )
            .expression_attribute_values(":limit", n(limit))
            .expression_attribute_values(":most", n(limit.saturating_sub(k)))
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
