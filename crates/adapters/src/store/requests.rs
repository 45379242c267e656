//! Requests to join (`invites_domain::requests`): asked through a team link
//! or a verified domain in the mode "ask first" (one transaction: the way in
//! still open, the person neither a member nor removed, the resource live,
//! the day's request budget, the request as read), listed and decided by
//! members who may invite with the request's role. An approval is a join
//! (`join.rs`) whose gate is the approver's role and the request still
//! pending: the seat, the membership, the address's holder and the
//! decision commit together or not at all.

use super::items::*;
use super::{Check, Store, Tx, TxError, n, retry, s};
use aws_sdk_dynamodb::types::{Put, Update};
use invites_domain::audit::{Audit, AuditAction};
use invites_domain::budgets::{budget_day, requests_budget_spent};
use invites_domain::members::{changed_meanwhile, may_grant, removed_earlier};
use invites_domain::message::DecisionMail;
use invites_domain::ports::{RequestMailLedger, Requests};
use invites_domain::requests::{
    Ask, DAILY_PER_RESOURCE, JoinRequest, Joined, MyRequest, RequestStatus, RequestView, Via, asks_anew, listed,
    may_decide,
};
use invites_domain::resource::deleted;
use invites_domain::role::Can;
use invites_domain::time::DAY;
use invites_domain::{Error, Identity, ResourceId, Role};

/// Requests listed: every pending one, then the newest decided ones.
const MAX_LISTED: usize = 200;
/// Request items read to list them.
const MAX_READ: usize = 2000;
/// A person's own requests listed at most.
const MAX_MINE: usize = 100;

impl Requests for Store {
    async fn requests(&self, rid: ResourceId, who: &Identity, now: i64) -> Result<Vec<RequestView>, Error> {
        self.member_who_can(rid, who, Can::Invite).await?;
        let query = self.prefix_query(&res_pk(&rid.to_string()), REQUEST_PREFIX, None);
        let items: Vec<RequestItem> = self.pages(query, MAX_READ).await?;
        let requests = listed(items.into_iter().map(|i| i.record).collect(), now, MAX_LISTED);
        Ok(requests.iter().map(|r| RequestView::of(r, now)).collect())
    }

    async fn approve_request(
        &self,
        rid: ResourceId,
        uid: &str,
        who: &Identity,
        now: i64,
    ) -> Result<(RequestView, DecisionMail), Error> {
        let id = rid.to_string();
        retry!({
            let request = self.request_to_decide(rid, uid, who, now).await?;
            if self.membership(&id, uid).await?.is_some() {
                return Err(Error::conflict(
                    invites_domain::error::Code::AlreadyMember,
                    "they are a member already (invited meanwhile); decline the request to close it",
                )
                .into());
            }
            let approved =
                Audit::by(who, AuditAction::RequestApproved, uid).detail(format!("role={}", request.role.as_str()));
            let gate = |tx: &mut Tx| {
                tx.condition(Check::Caller, self.caller_may(&id, who, Can::Invite, &[request.role])?)
                    .update(Check::Request, self.decide(&request, RequestStatus::Approved, who, None, now)?)
                    .put(Check::None, self.audit(&id, approved, now)?);
                Ok(())
            };
            let detail = format!("role={}, request={}", request.role.as_str(), request.request_id);
            let decided = self.try_join(&id, &request.requester(), request.role, gate, detail, now).await;
            match decided {
                Ok(_) => Ok(decision(request, RequestStatus::Approved, who, None, now)),
                Err(f) => Err(self.explain_decision(rid, uid, who, request.role, f, now).await),
            }
        })
    }

    async fn decline_request(
        &self,
        rid: ResourceId,
        uid: &str,
        who: &Identity,
        reason: Option<String>,
        now: i64,
    ) -> Result<(RequestView, DecisionMail), Error> {
        let id = rid.to_string();
        retry!({
            let request = self.request_to_decide(rid, uid, who, now).await?;
            let declined =
                Audit::by(who, AuditAction::RequestDeclined, uid).detail(format!("role={}", request.role.as_str()));
            let mut tx = Tx::new();
            tx.condition(Check::Caller, self.caller_may(&id, who, Can::Invite, &[request.role])?)
                .update(Check::Request, self.decide(&request, RequestStatus::Declined, who, reason.as_deref(), now)?)
                .put(Check::None, self.audit(&id, declined, now)?);
            match self.transact(tx).await {
                Ok(()) => Ok(decision(request, RequestStatus::Declined, who, reason.clone(), now)),
                Err(f) => Err(self.explain_decision(rid, uid, who, request.role, f, now).await),
            }
        })
    }

    async fn my_requests(&self, who: &Identity, now: i64) -> Result<Vec<MyRequest>, Error> {
        let items: Vec<RequestItem> =
            self.query_all(user_gsi(&who.sub), REQUEST_PREFIX, Some("GSI1"), MAX_MINE).await?;
        let rids: Vec<&str> = items.iter().map(|i| i.resource_id.as_str()).collect();
        // Deleted resources are left out (`resource_refs`).
        let refs = self.resource_refs(&rids).await?;
        let mut mine: Vec<MyRequest> = items
            .iter()
            .filter_map(|i| Some(MyRequest::of(&i.record, refs.get(&i.resource_id)?.clone(), now)))
            .collect();
        mine.sort_by(|a, b| b.created_at.cmp(&a.created_at));
        Ok(mine)
    }
}

/// The request as decided, for the answer, and its e-mail.
fn decision(
    request: JoinRequest,
    status: RequestStatus,
    who: &Identity,
    reason: Option<String>,
    now: i64,
) -> (RequestView, DecisionMail) {
    let decided = JoinRequest { status, decided_by: Some(who.sub.clone()), decided_at: Some(now), reason, ..request };
    (RequestView::of(&decided, now), DecisionMail::of(&decided))
}

impl Store {
    /// One round of asking to join `rid` with `role` through `via`; `gate`
    /// adds the way in's own condition (under [`Check::Link`] or
    /// [`Check::Domain`]), which comes back failed for the caller to say why.
    /// A pending request of the person is the answer as it is (asking twice
    /// is asking once); a member gets their membership.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn try_ask(
        &self,
        rid: &str,
        who: &Identity,
        role: Role,
        via: Via,
        ask: Ask,
        gate: impl FnOnce(&mut Tx) -> Result<(), Error>,
        now: i64,
    ) -> Result<Joined, TxError> {
        let earlier = self.request(rid, &who.sub).await?;
        if let Some(pending) = earlier.as_ref().filter(|r| !asks_anew(Some(r), now)) {
            return Ok(Joined::Asked { request: RequestView::of(pending, now) });
        }
        let request = JoinRequest::new(rid, who, role, via, ask, now)?;
        let detail = match &request.via {
            Via::Link(id) => format!("role={}, link={id}", role.as_str()),
            Via::Domain(domain) => format!("role={}, domain={domain}", role.as_str()),
        };
        let day = budget_day(now);
        let mut tx = Tx::new();
        gate(&mut tx)?;
        tx.condition(Check::NotRemoved, self.absent(rid, removed_sk(&who.sub))?)
            .condition(Check::Member, self.absent(rid, member_sk(&who.sub))?)
            .condition(Check::Resource, self.resource_live(rid)?)
            .put(Check::Request, self.put_request(&request, earlier.as_ref())?)
            .update(
                Check::Budget,
                self.count_one(res_pk(rid), request_rate_sk(day), DAILY_PER_RESOURCE, Some((day + 2) * DAY))?,
            )
            .put(
                Check::None,
                self.audit(rid, Audit::by(who, AuditAction::RequestCreated, &who.sub).detail(detail), now)?,
            );
        match self.transact(tx).await {
            Ok(()) => Ok(Joined::Asked { request: RequestView::of(&request, now) }),
            Err(f) if f.failed(Check::Link) || f.failed(Check::Domain) || f.failed(Check::Maker) => Err(f),
            Err(f) if f.failed(Check::Resource) => Err(deleted().into()),
            Err(f) if f.failed(Check::NotRemoved) => Err(removed_earlier().into()),
            // A member meanwhile, or asked in another tab: the next round
            // finds the membership or the request.
            Err(f) if f.failed(Check::Member) || f.failed(Check::Request) => Err(TxError::Retry),
            Err(f) if f.failed(Check::Budget) => Err(requests_budget_spent(now, DAILY_PER_RESOURCE).into()),
            Err(f) => Err(f),
        }
    }

    /// A new request in place of the person's `earlier` one (decided or
    /// expired, as read), or where there was none.
    fn put_request(&self, request: &JoinRequest, earlier: Option<&JoinRequest>) -> Result<Put, Error> {
        let item = super::writes::to_item(&RequestItem::new(request.clone()))?;
        let put = Put::builder().table_name(&self.table).set_item(Some(item));
        let put = match earlier {
            None => put.condition_expression("attribute_not_exists(PK)"),
            Some(e) => put
                .condition_expression("requestId = :seen AND #status = :status")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":seen", s(&e.request_id))
                .expression_attribute_values(":status", s(e.status.as_str())),
        };
        put.build().map_err(Error::internal)
    }

    /// The decision, only on the request as read while it is pending.
    fn decide(
        &self,
        request: &JoinRequest,
        status: RequestStatus,
        who: &Identity,
        reason: Option<&str>,
        now: i64,
    ) -> Result<Update, Error> {
        let keep = JoinRequest { decided_at: Some(now), ..request.clone() }.keep_until();
        let mut update = Update::builder()
            .table_name(&self.table)
            .key("PK", s(res_pk(&request.resource_id)))
            .key("SK", s(request_sk(&request.user_id)))
            .condition_expression("requestId = :id AND #status = :pending AND expiresAt > :now")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#ttl", "ttl")
            .expression_attribute_values(":id", s(&request.request_id))
            .expression_attribute_values(":pending", s(RequestStatus::Pending.as_str()))
            .expression_attribute_values(":decided", s(status.as_str()))
            .expression_attribute_values(":by", s(&who.sub))
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":ttl", n(keep));
        let mut set = "SET #status = :decided, decidedBy = :by, decidedAt = :now, #ttl = :ttl".to_owned();
        if let Some(reason) = reason {
            set.push_str(", reason = :reason");
            update = update.expression_attribute_values(":reason", s(reason));
        }
        update.update_expression(set).build().map_err(Error::internal)
    }

    /// The person's request on the resource, if any.
    async fn request(&self, rid: &str, uid: &str) -> Result<Option<JoinRequest>, Error> {
        Ok(self.get::<RequestItem>(res_pk(rid), request_sk(uid)).await?.map(|i| i.record))
    }

    /// The request the caller is about to decide: they may invite with its
    /// role, and it is still pending.
    async fn request_to_decide(
        &self,
        rid: ResourceId,
        uid: &str,
        who: &Identity,
        now: i64,
    ) -> Result<JoinRequest, Error> {
        let me = self.member_who_can(rid, who, Can::Invite).await?;
        let request = self.request(&rid.to_string(), uid).await?.ok_or(Error::NotFound)?;
        may_grant(me.role, Can::Invite, request.role)?;
        may_decide(&request, now)?;
        Ok(request)
    }

    /// Why a decision did not commit: the caller's role changed (their
    /// answer), or the request was decided meanwhile (the next round reads
    /// it again and says so).
    async fn explain_decision(
        &self,
        rid: ResourceId,
        uid: &str,
        who: &Identity,
        role: Role,
        f: TxError,
        now: i64,
    ) -> TxError {
        if let TxError::Other(_) | TxError::Retry = f {
            return f;
        }
        let id = rid.to_string();
        if let Err(e) = self.recheck_caller(&f, &id, Some(who), Can::Invite, &[role]).await {
            return e.into();
        }
        if f.failed(Check::Caller) {
            return changed_meanwhile().into();
        }
        if f.failed(Check::Request) {
            return match self.request(&id, uid).await {
                Ok(Some(r)) => match may_decide(&r, now) {
                    Err(e) => e.into(),
                    Ok(()) => TxError::Retry,
                },
                Ok(None) => Error::NotFound.into(),
                Err(e) => e.into(),
            };
        }
        Error::internal(format!("decide request: {f:?}")).into()
    }
}

impl RequestMailLedger for Store {
    async fn decided_request(&self, mail: &DecisionMail) -> Result<Option<JoinRequest>, Error> {
        let request = self.request(&mail.resource_id, &mail.user_id).await?;
        Ok(request.filter(|r| {
            r.request_id == mail.request_id && matches!(r.status, RequestStatus::Approved | RequestStatus::Declined)
        }))
    }

    async fn claim_decision_mail(&self, mail: &DecisionMail, now: i64) -> Result<bool, Error> {
        self.update_if(
            &res_pk(&mail.resource_id),
            &request_sk(&mail.user_id),
            "SET notifiedAt = :now",
            "requestId = :id AND attribute_not_exists(notifiedAt)",
            &[(":now", n(now)), (":id", s(&mail.request_id))],
        )
        .await
    }

    async fn release_decision_mail(&self, mail: &DecisionMail) -> Result<(), Error> {
        self.update_if(
            &res_pk(&mail.resource_id),
            &request_sk(&mail.user_id),
            "REMOVE notifiedAt",
            "requestId = :id",
            &[(":id", s(&mail.request_id))],
        )
        .await
        .map(|_| ())
    }
}
