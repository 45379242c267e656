//! What a manager handed out (a pending invite, a team link) works only
//! while its maker still manages the resource in the same term
//! (`members::still_manages`). Accept, join, resend and copy-link hold to it
//! with a condition on the maker's membership in their own transaction; the
//! lists read the makers in one batch to show what is withdrawn. Removing,
//! demoting or leaving writes nothing to the invites and links.

use super::items::*;
use super::resources::role_in;
use super::{Check, Item, Store, Tx, from_item, key, n, s};
use aws_sdk_dynamodb::types::ConditionCheck;
use invites_domain::lifecycle::gone_for;
use invites_domain::members::{Made, still_manages};
use invites_domain::records::{Member, Resource};
use invites_domain::role::Can;
use invites_domain::{Error, Identity, InviteStatus, ResourceId};
use std::collections::{BTreeSet, HashMap};

impl Store {
    /// Adds [`Check::Maker`] to `tx`: the maker manages the resource in the
    /// term they made it in (`members::still_manages`, the same rule).
    pub(crate) fn maker_manages(&self, tx: &mut Tx, made: Made<'_>) -> Result<(), Error> {
        tx.condition(Check::Maker, self.in_term(made)?);
        Ok(())
    }

    /// The condition that `made.maker` manages `made.rid` in `made.term`.
    /// Making something is held to it too (under [`Check::Caller`]), so what
    /// is recorded as made in a term was made while that term lasted.
    pub(crate) fn in_term(&self, made: Made<'_>) -> Result<ConditionCheck, Error> {
        self.in_term_holding(made, &made.makers())
    }

    /// [`Store::in_term`] with the roles that qualify given (a bulk invite's
    /// caller: roles that may grant every role of the batch).
    pub(crate) fn in_term_holding(
        &self,
        made: Made<'_>,
        roles: &[invites_domain::Role],
    ) -> Result<ConditionCheck, Error> {
        let check = ConditionCheck::builder()
            .table_name(&self.table)
            .key("PK", s(res_pk(made.rid)))
            .key("SK", s(member_sk(made.maker)))
            .expression_attribute_names("#role", "role")
            .expression_attribute_names("#term", "term");
        let (role_in, values) = role_in(roles);
        let check = check.set_expression_attribute_values(Some(values));
        let check = match made.term {
            Some(term) => check
                .condition_expression(format!("{role_in} AND #term = :term"))
                .expression_attribute_values(":term", s(term)),
            None => check
                .condition_expression(format!("{role_in} AND attribute_not_exists(#term) AND joinedAt <= :made"))
                .expression_attribute_values(":made", n(made.at)),
        };
        check.build().map_err(Error::internal)
    }

    /// For a manager acting on an invite someone made (resend, copy link):
    /// the caller manages and so does the maker ([`Check::Caller`],
    /// [`Check::Maker`]), one check when they are the same person.
    pub(crate) fn caller_and_maker(&self, tx: &mut Tx, who: &Identity, made: Made<'_>) -> Result<(), Error> {
        if made.maker != who.sub {
            tx.condition(Check::Caller, self.caller_may(made.rid, who, made.what, &[made.role])?);
        }
        self.maker_manages(tx, made)
    }

    /// After [`Check::Maker`] failed for a manager's action on an invite:
    /// 404 / 403 when the caller no longer may invite (they may be the
    /// maker), else 410 `invite_withdrawn`.
    pub(crate) async fn withdrawn_for(&self, rid: &str, who: &Identity) -> Error {
        match ResourceId::parse(rid) {
            Ok(id) => match self.member_who_can(id, who, Can::Invite).await {
                Err(e) => e,
                Ok(_) => gone_for(InviteStatus::Withdrawn),
            },
            Err(e) => e,
        }
    }

    /// Whether the maker of each of these still manages its resource: one
    /// batched, consistent read of the distinct makers' memberships.
    pub(crate) async fn makers_manage(&self, made: &[Made<'_>]) -> Result<Vec<bool>, Error> {
        let distinct: BTreeSet<(&str, &str)> = made.iter().map(|m| (m.rid, m.maker)).collect();
        let keys: Vec<Item> = distinct.iter().map(|(rid, uid)| key(res_pk(rid), member_sk(uid))).collect();
        let mut members: HashMap<(String, String), Member> = HashMap::new();
        let projection = "resourceId, userId, #role, joinedAt, #term";
        for item in self.batch_get(&keys, projection, &[("#role", "role"), ("#term", "term")]).await? {
            let m: Member = from_item(item)?;
            members.insert((m.resource_id.clone(), m.user_id.clone()), m);
        }
        Ok(made.iter().map(|m| still_manages(members.get(&(m.rid.to_owned(), m.maker.to_owned())), *m)).collect())
    }

    /// Whether one maker still manages a resource that is not deleted (the
    /// mail worker and the sweep send nothing otherwise).
    pub(crate) async fn maker_still_manages(&self, made: Made<'_>) -> Result<bool, Error> {
        let (manages, resource) = self.maker_and_resource(made).await?;
        Ok(manages && resource.is_some_and(|r| r.deleted_at.is_none()))
    }

    /// Whether the maker still manages, and the resource as stored (deleted
    /// or not): both items in one batched, consistent read (the lookups).
    pub(crate) async fn maker_and_resource(&self, made: Made<'_>) -> Result<(bool, Option<Resource>), Error> {
        let keys = [key(res_pk(made.rid), member_sk(made.maker)), key(res_pk(made.rid), RESOURCE_SK.into())];
        let (mut maker, mut resource) = (None, None);
        for item in self.batch_get(&keys, "", &[]).await? {
            if item.get("SK").and_then(|v| v.as_s().ok()).is_some_and(|sk| sk == RESOURCE_SK) {
                resource = Some(from_item::<ResourceItem>(item)?.record);
            } else {
                maker = Some(from_item::<MemberItem>(item)?.record);
            }
        }
        Ok((still_manages(maker.as_ref(), made), resource))
    }
}
