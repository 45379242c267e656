//! Verified domains: added (again with another role: the role changes),
//! verified and removed by the owner; listed as joinable to whoever has a
//! verified address in one (unless an owner or admin removed them), and
//! joined (`join.rs`) while the claim is still verified with the same role,
//! in the same transaction as the seat.

use super::items::*;
use super::{Check, Item, Store, Tx, TxError, key, n, retry, s};
use aws_sdk_dynamodb::types::{AttributeValue, ConditionCheck, Delete, Update};
use invites_domain::audit::{Audit, AuditAction};
use invites_domain::domains::{
    Adding, DomainClaim, DomainView, Joinable, MAX_PER_RESOURCE, NewDomain, adding, domain_of, may_join, normalise,
    verify,
};
use invites_domain::members::{changed_meanwhile, may_grant};
use invites_domain::ports::{Domains, TxtLookup};
use invites_domain::requests::{Ask, JoinMode, Joined, Via};
use invites_domain::role::Can;
use invites_domain::token::Nonce;
use invites_domain::views::Membership;
use invites_domain::{Error, Identity, ResourceId, Role};
use std::collections::HashSet;

/// Resources listed as joinable at most (one domain is rarely on more).
const MAX_JOINABLE: usize = 50;

impl Domains for Store {
    async fn add_domain(
        &self,
        rid: ResourceId,
        who: &Identity,
        new: NewDomain,
        now: i64,
    ) -> Result<(DomainView, bool), Error> {
        let id = rid.to_string();
        let held = self.domain_claims(rid, who).await?;
        self.may_grant_by_domain(rid, who, new.role).await?;
        match adding(&held, &new)? {
            Adding::Held(existing) => return Ok((DomainView::from(existing), false)),
            Adding::Change(existing) => {
                return self.change_domain(existing, &new, who, now).await.map(|v| (v, false));
            }
            Adding::New => {}
        }
        let claim = DomainClaim::new(&id, new, Nonce::random().encode(), &who.sub, now);
        let detail = format!("role={}", claim.role.as_str());
        let mut tx = Tx::new();
        tx.condition(Check::Caller, self.caller_may(&id, who, Can::ManageDomains, &[claim.role])?)
            .put(Check::Domain, self.put_new(&DomainItem::unverified(claim.clone()))?)
            .put(
                Check::None,
                self.audit(&id, Audit::by(who, AuditAction::DomainAdded, &claim.domain).detail(detail), now)?,
            );
        match self.transact(tx).await {
            Ok(()) => Ok((DomainView::from(&claim), true)),
            Err(TxError::Other(e)) => Err(e),
            // Added meanwhile (a second tab): answer that one.
            Err(f) if f.failed(Check::Domain) && !f.failed(Check::Caller) => {
                let claim = self.domain_claim(&id, &claim.domain).await?.ok_or_else(changed_meanwhile)?;
                Ok((DomainView::from(&claim), false))
            }
            Err(_) => {
                self.may_grant_by_domain(rid, who, claim.role).await?;
                Err(changed_meanwhile())
            }
        }
    }

    async fn domains(&self, rid: ResourceId, who: &Identity) -> Result<Vec<DomainView>, Error> {
        Ok(self.domain_claims(rid, who).await?.iter().map(DomainView::from).collect())
    }

    async fn verify_domain(
        &self,
        rid: ResourceId,
        domain: &str,
        who: &Identity,
        dns: &impl TxtLookup,
        now: i64,
    ) -> Result<DomainView, Error> {
        self.manager_of_domains(rid, who).await?;
        let id = rid.to_string();
        let domain = normalise(domain).map_err(|_| Error::NotFound)?;
        let claim = self.domain_claim(&id, &domain).await?.ok_or(Error::NotFound)?;
        if claim.verified_at.is_some() {
            return Ok(DomainView::from(&claim));
        }
        verify(&claim, &dns.txt(&claim.txt_name()).await)?;
        let mark = Update::builder()
            .table_name(&self.table)
            .key("PK", s(res_pk(&id)))
            .key("SK", s(domain_key(&domain)))
            .update_expression("SET verifiedAt = :now, GSI1PK = :gpk, GSI1SK = :gsk")
            .condition_expression(
                "attribute_exists(PK) AND challenge = :challenge AND attribute_not_exists(verifiedAt)",
            )
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":gpk", s(domain_key(&domain)))
            .expression_attribute_values(":gsk", s(res_pk(&id)))
            .expression_attribute_values(":challenge", s(&claim.challenge))
            .build()
            .map_err(Error::internal)?;
        let mut tx = Tx::new();
        tx.condition(Check::Caller, self.caller_may(&id, who, Can::ManageDomains, &[])?)
            .update(Check::Domain, mark)
            .put(Check::None, self.audit(&id, Audit::by(who, AuditAction::DomainVerified, &domain), now)?);
        match self.transact(tx).await {
            Ok(()) => Ok(DomainView::from(&DomainClaim { verified_at: Some(now), ..claim })),
            Err(TxError::Other(e)) => Err(e),
            Err(_) => {
                self.manager_of_domains(rid, who).await?;
                // Verified meanwhile → that answer; removed → 404; added
                // again with a new challenge → try again (and find that).
                match self.domain_claim(&id, &domain).await? {
                    Some(now) if now.verified_at.is_some() => Ok(DomainView::from(&now)),
                    Some(_) => Err(changed_meanwhile()),
                    None => Err(Error::NotFound),
                }
            }
        }
    }

    async fn remove_domain(&self, rid: ResourceId, domain: &str, who: &Identity, now: i64) -> Result<(), Error> {
        self.manager_of_domains(rid, who).await?;
        let id = rid.to_string();
        let domain = normalise(domain).map_err(|_| Error::NotFound)?;
        if self.domain_claim(&id, &domain).await?.is_none() {
            return Ok(());
        }
        let delete = Delete::builder()
            .table_name(&self.table)
            .key("PK", s(res_pk(&id)))
            .key("SK", s(domain_key(&domain)))
            .condition_expression("attribute_exists(PK)")
            .build()
            .map_err(Error::internal)?;
        let mut tx = Tx::new();
        tx.condition(Check::Caller, self.caller_may(&id, who, Can::ManageDomains, &[])?)
            .delete(Check::Domain, delete)
            .put(Check::None, self.audit(&id, Audit::by(who, AuditAction::DomainRemoved, &domain), now)?);
        match self.transact(tx).await {
            Ok(()) => Ok(()),
            Err(TxError::Other(e)) => Err(e),
            // Removed meanwhile: the same end.
            Err(f) if f.failed(Check::Domain) && !f.failed(Check::Caller) => Ok(()),
            Err(_) => {
                self.manager_of_domains(rid, who).await?;
                Err(changed_meanwhile())
            }
        }
    }

    async fn joinable(&self, who: &Identity) -> Result<Vec<Joinable>, Error> {
        let Some(domain) = who.verified_email().and_then(domain_of) else { return Ok(Vec::new()) };
        let claims: Vec<DomainItem> = self.query_all(domain_key(&domain), "RES#", Some("GSI1"), MAX_JOINABLE).await?;
        // Resources the caller is a member of, or was removed from, are not
        // joinable: both looked up in one batched read.
        let claims: Vec<_> = claims.into_iter().take(MAX_JOINABLE).map(|c| c.record).collect();
        let keys: Vec<Item> = claims
            .iter()
            .flat_map(|c| {
                let pk = res_pk(&c.resource_id);
                [key(pk.clone(), member_sk(&who.sub)), key(pk, removed_sk(&who.sub))]
            })
            .collect();
        let closed: HashSet<String> = self
            .batch_get(&keys, "PK", &[])
            .await?
            .into_iter()
            .filter_map(|i| i.get("PK").and_then(|v| v.as_s().ok()).cloned())
            .collect();
        let open: Vec<_> = claims.into_iter().filter(|c| !closed.contains(&res_pk(&c.resource_id))).collect();
        let refs = self.resource_refs(&open.iter().map(|c| c.resource_id.as_str()).collect::<Vec<_>>()).await?;
        Ok(open
            .into_iter()
            .filter_map(|c| {
                Some(Joinable {
                    resource: refs.get(&c.resource_id)?.clone(),
                    role: c.role,
                    domain: c.domain,
                    mode: c.mode,
                })
            })
            .collect())
    }

    async fn join_by_domain(&self, rid: ResourceId, who: &Identity, ask: Ask, now: i64) -> Result<Joined, Error> {
        let id = rid.to_string();
        retry!({
            if let Some((member, _)) = self.membership(&id, &who.sub).await? {
                return Ok(Joined::Member(Membership::from(&member)));
            }
            let domain = who.verified_email().and_then(domain_of);
            let claim = match &domain {
                Some(d) => self.domain_claim(&id, d).await?,
                None => None,
            };
            may_join(claim.as_ref(), who)?;
            let Some(claim) = claim else { return Err(Error::NotFound.into()) };
            let (mode_was, was) = mode_is(claim.mode);
            let still_verified = |tx: &mut Tx| {
                let check = ConditionCheck::builder()
                    .table_name(&self.table)
                    .key("PK", s(res_pk(&id)))
                    .key("SK", s(domain_key(&claim.domain)))
                    .condition_expression(format!(
                        "attribute_exists(verifiedAt) AND #role = :role AND challenge = :challenge AND {mode_was}"
                    ))
                    .expression_attribute_names("#role", "role")
                    .expression_attribute_names("#mode", "mode")
                    .expression_attribute_values(":mode_was", was)
                    .expression_attribute_values(":role", s(claim.role.as_str()))
                    .expression_attribute_values(":challenge", s(&claim.challenge))
                    .build()
                    .map_err(Error::internal)?;
                tx.condition(Check::Domain, check);
                Ok(())
            };
            // A closed gate (the domain removed, or its role or mode changed,
            // meanwhile): the next round reads the claim again.
            match claim.mode {
                JoinMode::Ask => {
                    let via = Via::Domain(claim.domain.clone());
                    self.try_ask(&id, who, claim.role, via, ask.clone(), still_verified, now).await
                }
                JoinMode::Direct => {
                    let detail = format!("role={}, domain={}", claim.role.as_str(), claim.domain);
                    self.try_join(&id, who, claim.role, still_verified, detail, now).await.map(Joined::Member)
                }
            }
        })
    }
}

impl Store {
    /// A held domain's role and mode, changed by adding it again with others.
    async fn change_domain(
        &self,
        claim: &DomainClaim,
        new: &NewDomain,
        who: &Identity,
        now: i64,
    ) -> Result<DomainView, Error> {
        let (id, role, mode) = (&claim.resource_id, new.role, new.mode);
        let (mode_was, was) = mode_is(claim.mode);
        let update = Update::builder()
            .table_name(&self.table)
            .key("PK", s(res_pk(id)))
            .key("SK", s(domain_key(&claim.domain)))
            .update_expression("SET #role = :role, #mode = :mode")
            .condition_expression(format!("challenge = :challenge AND #role = :seen AND {mode_was}"))
            .expression_attribute_values(":mode_was", was)
            .expression_attribute_names("#role", "role")
            .expression_attribute_names("#mode", "mode")
            .expression_attribute_values(":role", s(role.as_str()))
            .expression_attribute_values(":mode", s(mode.as_str()))
            .expression_attribute_values(":seen", s(claim.role.as_str()))
            .expression_attribute_values(":challenge", s(&claim.challenge))
            .build()
            .map_err(Error::internal)?;
        let mut tx = Tx::new();
        tx.condition(Check::Caller, self.caller_may(id, who, Can::ManageDomains, &[claim.role, role])?)
            .update(Check::Domain, update);
        let changes = [
            (claim.role != role, AuditAction::DomainRoleChanged, (claim.role.as_str(), role.as_str())),
            (claim.mode != mode, AuditAction::DomainModeChanged, (claim.mode.as_str(), mode.as_str())),
        ];
        for (_, action, (from, to)) in changes.into_iter().filter(|(changed, ..)| *changed) {
            let entry = Audit::by(who, action, &claim.domain).detail(format!("{from} -> {to}"));
            tx.put(Check::None, self.audit(id, entry, now)?);
        }
        match self.transact(tx).await {
            Ok(()) => Ok(DomainView::from(&DomainClaim { role, mode, ..claim.clone() })),
            Err(TxError::Other(e)) => Err(e),
            Err(_) => {
                self.may_grant_by_domain(ResourceId::parse(id)?, who, role).await?;
                Err(changed_meanwhile())
            }
        }
    }

    /// The view of a resource's domains for members who manage them (404 / 403 for others).
    async fn domain_claims(&self, rid: ResourceId, who: &Identity) -> Result<Vec<DomainClaim>, Error> {
        self.manager_of_domains(rid, who).await?;
        let items: Vec<DomainItem> =
            self.query_all(res_pk(&rid.to_string()), DOMAIN_PREFIX, None, MAX_PER_RESOURCE * 2).await?;
        Ok(items.into_iter().map(|i| i.record).collect())
    }

    async fn domain_claim(&self, rid: &str, domain: &str) -> Result<Option<DomainClaim>, Error> {
        Ok(self.get::<DomainItem>(res_pk(rid), domain_key(domain)).await?.map(|i| i.record))
    }

    async fn manager_of_domains(&self, rid: ResourceId, who: &Identity) -> Result<(), Error> {
        self.member_who_can(rid, who, Can::ManageDomains).await.map(|_| ())
    }

    /// Whether the caller's role may let people join with `role` by a domain.
    async fn may_grant_by_domain(&self, rid: ResourceId, who: &Identity, role: Role) -> Result<(), Error> {
        let me = self.member_who_can(rid, who, Can::ManageDomains).await?;
        may_grant(me.role, Can::ManageDomains, role)
    }
}

/// The condition that a claim is in `mode` (claims stored before modes
/// existed have none: direct), under the names `#mode` and `:mode_was`.
fn mode_is(mode: JoinMode) -> (&'static str, AttributeValue) {
    match mode {
        JoinMode::Direct => ("(attribute_not_exists(#mode) OR #mode = :mode_was)", s(mode.as_str())),
        JoinMode::Ask => ("#mode = :mode_was", s(mode.as_str())),
    }
}
