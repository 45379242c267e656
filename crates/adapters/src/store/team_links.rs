//! Team links: made, listed and revoked by owners and admins; looked up and
//! joined through their token. A join (`join.rs`) takes a use of the link,
//! while it works and has uses left, in the same transaction as the seat.

use super::items::*;
use super::{Check, Store, Tx, TxError, n, retry, s};
use aws_sdk_dynamodb::types::Update;
use invites_domain::audit::{Audit, AuditAction};
use invites_domain::members::Made;
use invites_domain::members::{changed_meanwhile, may_grant};
use invites_domain::ports::TeamLinks;
use invites_domain::requests::{Ask, JoinMode, Joined, Via};
use invites_domain::resource::deleted;
use invites_domain::role::Can;
use invites_domain::team_links::{
    LinkStatus, NewTeamLink, TeamLink, TeamLinkLookup, TeamLinkView, gone, listed, may_create, may_join,
};
use invites_domain::token::{Kind, Nonce};
use invites_domain::views::{Membership, ResourceRef};
use invites_domain::{Error, Identity, InviteId, ResourceId};

/// Team links listed: every active one, then the newest ended ones.
const MAX_LISTED: usize = 200;
/// Team link items read to list and count them (active ones are at most
/// `MAX_ACTIVE`; ended ones stay until retention removes them).
const MAX_READ: usize = 2000;

impl TeamLinks for Store {
    async fn create_link(
        &self,
        rid: ResourceId,
        who: &Identity,
        new: NewTeamLink,
        now: i64,
    ) -> Result<(TeamLinkView, String), Error> {
        let me = self.member_who_can(rid, who, Can::ManageTeamLinks).await?;
        may_grant(me.role, Can::ManageTeamLinks, new.role)?;
        let id = rid.to_string();
        may_create(self.team_links(&id, now).await?.into_iter().map(|(_, status)| status))?;
        let (lid, nonce) = (InviteId::new(), Nonce::random());
        let link = TeamLink::new(&id, lid.to_string(), new, nonce.encode(), &me, now);
        let detail = format!("role={}, uses={}", link.role.as_str(), link.max_uses);
        let item = TeamLinkItem::new(link.clone(), self.limits.keep_pending_until(link.expires_at));
        let mut tx = Tx::new();
        tx.condition(Check::Caller, self.in_term(Made::link(&link))?).put(Check::None, self.put_new(&item)?).put(
            Check::None,
            self.audit(&id, Audit::by(who, AuditAction::TeamLinkCreated, &link.link_id).detail(detail), now)?,
        );
        match self.transact(tx).await {
            Ok(()) => {
                Ok((TeamLinkView::of(&link, link.status(now)), self.keys().await?.mint_team_link(rid, lid, &nonce)))
            }
            Err(TxError::Other(e)) => Err(e),
            Err(f) => {
                self.recheck_caller(&f, &id, Some(who), Can::ManageTeamLinks, &[link.role]).await?;
                // Demoted and promoted again meanwhile: a new term.
                Err(if f.failed(Check::Caller) {
                    changed_meanwhile()
                } else {
                    Error::internal(format!("create team link: {f:?}"))
                })
            }
        }
    }

    async fn links(&self, rid: ResourceId, who: &Identity, now: i64) -> Result<Vec<(TeamLinkView, String)>, Error> {
        self.member_who_can(rid, who, Can::ManageTeamLinks).await?;
        let links = listed(self.team_links(&rid.to_string(), now).await?, MAX_LISTED);
        let keys = self.keys().await?;
        let mut out = Vec::with_capacity(links.len());
        for (link, status) in links {
            let (Ok(lid), Some(nonce)) = (InviteId::parse(&link.link_id), Nonce::decode(&link.nonce)) else {
                continue;
            };
            out.push((TeamLinkView::of(&link, status), keys.mint_team_link(rid, lid, &nonce)));
        }
        Ok(out)
    }

    async fn revoke_link(&self, rid: ResourceId, lid: InviteId, who: &Identity, now: i64) -> Result<(), Error> {
        self.member_who_can(rid, who, Can::ManageTeamLinks).await?;
        let (id, lid) = (rid.to_string(), lid.to_string());
        let link: TeamLinkItem = self.get(res_pk(&id), link_sk(&lid)).await?.ok_or(Error::NotFound)?;
        if link.record.revoked_at.is_some() {
            return Ok(());
        }
        let update = Update::builder()
            .table_name(&self.table)
            .key("PK", s(res_pk(&id)))
            .key("SK", s(link_sk(&lid)))
            .update_expression("SET revokedAt = :now, revokedBy = :by")
            .condition_expression("attribute_exists(PK) AND attribute_not_exists(revokedAt)")
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":by", s(&who.sub))
            .build()
            .map_err(Error::internal)?;
        let mut tx = Tx::new();
        tx.condition(Check::Caller, self.caller_may(&id, who, Can::ManageTeamLinks, &[])?)
            .update(Check::Link, update)
            .put(Check::None, self.audit(&id, Audit::by(who, AuditAction::TeamLinkRevoked, &lid), now)?);
        match self.transact(tx).await {
            Ok(()) => Ok(()),
            Err(TxError::Other(e)) => Err(e),
            // Revoked meanwhile by someone else: the same end.
            Err(f) if f.failed(Check::Link) && !f.failed(Check::Caller) => Ok(()),
            Err(f) => {
                self.recheck_caller(&f, &id, Some(who), Can::ManageTeamLinks, &[]).await?;
                Err(changed_meanwhile())
            }
        }
    }

    async fn lookup_link(&self, token: &str, now: i64) -> Result<TeamLinkLookup, Error> {
        let link = self.open_team_link(token).await?;
        let (manages, resource) = self.maker_and_resource(Made::link(&link)).await?;
        let resource = resource.ok_or(Error::NotFound)?;
        if resource.deleted_at.is_some() {
            return Err(deleted());
        }
        let name = resource.name;
        Ok(TeamLinkLookup {
            resource: ResourceRef { id: link.resource_id.clone(), name },
            role: link.role,
            status: link.status_given(now, manages),
            mode: link.mode,
            expires_at: invites_domain::time::rfc3339(link.expires_at),
        })
    }

    async fn join(&self, token: &str, who: &Identity, ask: Ask, now: i64) -> Result<Joined, Error> {
        retry!({
            let link = self.open_team_link(token).await?;
            let rid = link.resource_id.clone();
            if let Some((member, _)) = self.membership(&rid, &who.sub).await? {
                // Joined before (through this link or any other way).
                return Ok(Joined::Member(Membership::from(&member)));
            }
            may_join(&link, who, now)?;
            if link.created_by == who.sub {
                // Their own link, and not a member: they no longer manage.
                gone(LinkStatus::Withdrawn)?;
            }
            let use_one = |tx: &mut Tx| {
                let update = Update::builder()
                    .table_name(&self.table)
                    .key("PK", s(res_pk(&rid)))
                    .key("SK", s(link_sk(&link.link_id)))
                    .update_expression("ADD uses :one")
                    .condition_expression(
                        "attribute_exists(PK) AND attribute_not_exists(revokedAt) AND uses < maxUses \
                         AND expiresAt > :now AND nonce = :nonce",
                    )
                    .expression_attribute_values(":one", n(1))
                    .expression_attribute_values(":now", n(now))
                    .expression_attribute_values(":nonce", s(&link.nonce))
                    .build()
                    .map_err(Error::internal)?;
                tx.update(Check::Link, update);
                self.maker_manages(tx, Made::link(&link))
            };
            let joined = match link.mode {
                // Asking takes a use too: a link's uses bound its requests.
                JoinMode::Ask => {
                    let via = Via::Link(link.link_id.clone());
                    self.try_ask(&rid, who, link.role, via, ask.clone(), use_one, now).await
                }
                JoinMode::Direct => {
                    let detail = format!("role={}, link={}", link.role.as_str(), link.link_id);
                    self.try_join(&rid, who, link.role, use_one, detail, now).await.map(Joined::Member)
                }
            };
            match joined {
                // Used up, expired or revoked meanwhile: say which.
                Err(f) if f.failed(Check::Link) => {
                    gone(self.open_team_link(token).await?.status(now))?;
                    Err(TxError::Retry)
                }
                Err(f) if f.failed(Check::Maker) => Err(gone(LinkStatus::Withdrawn).unwrap_err().into()),
                other => other,
            }
        })
    }
}

impl Store {
    /// A resource's team links, newest first, each with its status (a
    /// withdrawn one when its maker no longer manages).
    async fn team_links(&self, rid: &str, now: i64) -> Result<Vec<(TeamLink, LinkStatus)>, Error> {
        let query = self.prefix_query(&res_pk(rid), LINK_PREFIX, None).scan_index_forward(false);
        let items: Vec<TeamLinkItem> = self.pages(query, MAX_READ).await?;
        let links: Vec<TeamLink> = items.into_iter().map(|i| i.record).collect();
        let mut statuses: Vec<LinkStatus> = links.iter().map(|l| l.status(now)).collect();
        // Only an active link can be withdrawn: read the makers of those.
        let active = |s: &LinkStatus| *s == LinkStatus::Active;
        let made: Vec<Made> =
            links.iter().zip(&statuses).filter(|(_, s)| active(s)).map(|(l, _)| Made::link(l)).collect();
        let mut manages = self.makers_manage(&made).await?.into_iter();
        for status in statuses.iter_mut().filter(|s| active(s)) {
            if manages.next() == Some(false) {
                *status = LinkStatus::Withdrawn;
            }
        }
        Ok(links.into_iter().zip(statuses).collect())
    }

    /// The team link a token opens (`open_as`: the same work for every token).
    async fn open_team_link(&self, token: &str) -> Result<TeamLink, Error> {
        self.open_as(token, Kind::TeamLink, async |ids| {
            let item: Option<TeamLinkItem> =
                self.get(res_pk(&ids.rid.to_string()), link_sk(&ids.iid.to_string())).await?;
            Ok(item.map(|i| (i.record.nonce.clone(), i.record)))
        })
        .await
    }
}
