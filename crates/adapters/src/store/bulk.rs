//! A bulk invite in as few transactions as DynamoDB allows. A group of
//! entries shares one check of the caller, one seat update for all of them
//! (only while every seat fits, against the limit as read) and one update
//! per budget (only while all of them fit); each entry adds its own writes
//! (the address's holder, the invite, its audit entry, the suppression
//! check, the idempotency record), up to DynamoDB's 100 writes. When a
//! group is cancelled, its reasons say whose condition failed: those
//! entries go the single-invite way (which explains them exactly: taken,
//! suppressed, a replay), and the rest is tried again. When a shared
//! condition fails (the seats, a budget, the caller), the seats and the
//! caller are read again, and what cannot go in a group (no seat left, a
//! budget full, a race lost too often) goes one at a time, so seats,
//! budgets and the address's holder are exactly as with single invites.

use super::invites::{created, new_invite};
use super::{Check, Store, Tx, TxError};
use invites_domain::budgets::require_verified_sender;
use invites_domain::bulk::about_the_caller;
use invites_domain::members::{Made, may_grant, require};
use invites_domain::ports::{CreateInvite, CreateInvites, Created};
use invites_domain::records::{Invite, Member, Resource};
use invites_domain::role::{Can, catalogue};
use invites_domain::token::Nonce;
use invites_domain::{Error, Identity, InviteId};
use std::collections::VecDeque;

/// DynamoDB's limit on the writes of one transaction.
const MAX_WRITES: usize = 100;
/// The writes a group shares: the caller, the seats, three budgets.
const SHARED_WRITES: usize = 5;
/// Rounds a group may lose (to other writers, or to a shared condition that
/// changed since it was read) before the rest goes one at a time.
const LOST_ROUNDS: u32 = 5;

/// One entry of a group: its index and what will be stored.
struct Grouped {
    index: usize,
    invite: Invite,
    iid: InviteId,
    nonce: Nonce,
}

impl Store {
    pub(crate) async fn create_grouped(
        &self,
        who: &Identity,
        cmds: Vec<CreateInvite>,
        now: i64,
    ) -> Vec<Result<Created, Error>> {
        let Some(rid) = cmds.first().map(|c| c.rid) else { return Vec::new() };
        let every = |e: Error| cmds.iter().map(|_| Err(e.clone())).collect();
        if let Err(e) = require_verified_sender(who) {
            return every(e);
        }
        let keys = match self.keys().await {
            Ok(keys) => keys,
            Err(e) => return every(e),
        };
        let rid_s = rid.to_string();
        let mut todo: VecDeque<usize> = (0..cmds.len()).collect();
        let mut run = Run {
            answers: cmds.iter().map(|_| None).collect(),
            cmds: cmds.into_iter().map(Some).collect(),
            inviter: None,
            ended: None,
        };
        let mut read: Option<(Member, Resource)> = None;
        let mut lost = 0;
        while !todo.is_empty() {
            if let Some(e) = &run.ended {
                end(&mut run.answers, todo.drain(..), e);
                break;
            }
            let (me, mut resource) = match read.take() {
                Some(r) => r,
                None => {
                    let found = self.membership(&rid_s, &who.sub).await;
                    match found
                        .and_then(|f| f.ok_or(Error::NotFound))
                        .and_then(|(m, r)| Ok((require(Some(m), Can::Invite)?, r)))
                    {
                        Ok(read) => read,
                        Err(e) => {
                            end(&mut run.answers, todo.drain(..), &e);
                            break;
                        }
                    }
                }
            };
            let free =
                if resource.invites_enabled { resource.seat_limit.saturating_sub(resource.seats_used) } else { 0 };
            let most = free.min(self.budget_cap()) as usize;
            if most == 0 || lost >= LOST_ROUNDS {
                // No seat as read (expired invites may free some), a plan
                // that stops invites, or a group that keeps losing: the rest
                // one at a time, where each refusal is explained exactly.
                break;
            }
            // The group: entries in order while they fit.
            let mut group: Vec<Grouped> = Vec::new();
            let mut writes = Tx::new();
            while let Some(&index) = todo.front() {
                if group.len() == most {
                    break;
                }
                let cmd = run.cmds[index].as_ref().expect("an entry not answered yet");
                if let Err(e) = may_grant(me.role, Can::Invite, cmd.invite.role) {
                    // A role the caller may not grant ends the batch here,
                    // as for one invite at a time.
                    todo.pop_front();
                    run.answer(index, Err(e));
                    break;
                }
                let (iid, nonce) = (InviteId::new(), Nonce::random());
                let invite = new_invite(who, &me, cmd, &rid_s, iid, &nonce, now);
                let mut own = Tx::new();
                own.for_entry(Some(index));
                let fingerprint = cmd.invite.fingerprint(&rid_s);
                if let Err(e) = self.invite_writes(&mut own, who, cmd, &invite, &fingerprint, now).await {
                    todo.pop_front();
                    run.answer(index, Err(e));
                    continue;
                }
                if SHARED_WRITES + writes.len() + own.len() > MAX_WRITES {
                    break;
                }
                writes.append(own);
                group.push(Grouped { index, invite, iid, nonce });
                todo.pop_front();
            }
            if group.is_empty() {
                read = Some((me, resource));
                continue;
            }
            let k = group.len() as u32;
            let mut roles = Vec::new();
            for m in &group {
                if !roles.contains(&m.invite.role) {
                    roles.push(m.invite.role);
                }
            }
            let made = Made {
                rid: &rid_s,
                maker: &who.sub,
                term: me.term.as_deref(),
                at: now,
                what: Can::Invite,
                role: roles[0],
            };
            let mut tx = Tx::new();
            let shared = self.in_term_holding(made, &catalogue().holders(Can::Invite, &roles)).and_then(|caller| {
                tx.condition(Check::Caller, caller)
                    .update(Check::Seat, self.take_seats(&rid_s, k, resource.seat_limit)?);
                self.count_sends(&mut tx, &rid_s, who, now, k)
            });
            if let Err(e) = shared {
                end(&mut run.answers, todo.drain(..).chain(group.iter().map(|m| m.index)), &e);
                break;
            }
            tx.append(writes);
            let back = |todo: &mut VecDeque<usize>, group: &[Grouped]| {
                for m in group.iter().rev() {
                    todo.push_front(m.index);
                }
            };
            match self.transact_entries(tx).await {
                Ok(()) => {
                    for m in group {
                        run.answer(m.index, Ok(created(&m.invite, keys.mint(rid, m.iid, &m.nonce), now)));
                    }
                    resource.seats_used += k;
                    read = Some((me, resource));
                    lost = 0;
                }
                Err((TxError::Failed(_), whose)) if !whose.is_empty() && whose.iter().all(Option::is_some) => {
                    // Only entries' own conditions failed: those are answered
                    // one at a time now, in order (taken, suppressed, a
                    // replay), the rest of the group goes in again.
                    let refused: Vec<usize> = whose.into_iter().flatten().collect();
                    let (mine, again): (Vec<Grouped>, Vec<Grouped>) =
                        group.into_iter().partition(|m| refused.contains(&m.index));
                    back(&mut todo, &again);
                    for m in mine {
                        run.single(self, who, m.index, now).await;
                    }
                    // Those may have taken seats or freed expired ones.
                    read = None;
                }
                Err((TxError::Failed(checks), _)) if checks.iter().any(|c| is_budget(*c)) => {
                    // A budget cannot take the whole group: one at a time,
                    // up to the budget, then 429 for each beyond it.
                    back(&mut todo, &group);
                    break;
                }
                Err((TxError::Failed(_) | TxError::Retry, _)) => {
                    // The seats or the caller changed since they were read,
                    // or another writer won: read again and retry.
                    back(&mut todo, &group);
                    lost += 1;
                    super::tx::backoff(lost).await;
                }
                Err((TxError::Other(e), _)) => {
                    end(&mut run.answers, todo.drain(..).chain(group.iter().map(|m| m.index)), &e);
                    break;
                }
            }
        }
        // What no group took, one at a time in order, as single invites.
        for index in todo {
            run.single(self, who, index, now).await;
        }
        run.answers
            .into_iter()
            .map(|a| a.unwrap_or_else(|| Err(Error::internal("a bulk entry without an answer"))))
            .collect()
    }

    /// The most e-mails every daily budget could take at once.
    fn budget_cap(&self) -> u32 {
        let l = &self.limits;
        l.daily_invites.min(l.user_daily_invites).min(l.deployment_daily_emails)
    }
}

/// A bulk invite's answers as they come, and what the single-invite way
/// needs for the entries it answers.
struct Run {
    answers: Vec<Option<Result<Created, Error>>>,
    cmds: Vec<Option<CreateInvite>>,
    /// The caller's membership as the single-invite way last read it.
    inviter: Option<Member>,
    /// A refusal about the caller (no longer allowed here): every entry
    /// answered after it gets it too.
    ended: Option<Error>,
}

impl Run {
    fn answer(&mut self, index: usize, answer: Result<Created, Error>) {
        if let Err(e) = &answer
            && about_the_caller(e)
            && self.ended.is_none()
        {
            self.ended = Some(e.clone());
        }
        self.cmds[index] = None;
        self.answers[index] = Some(answer);
    }

    /// Entry `index` as a single invite (unless the batch ended).
    async fn single(&mut self, store: &Store, who: &Identity, index: usize, now: i64) {
        let answer = match (&self.ended, self.cmds[index].take()) {
            (Some(e), _) => Err(e.clone()),
            (None, Some(cmd)) => store.create_invite_as(who, &mut self.inviter, cmd, now).await,
            (None, None) => return,
        };
        self.answer(index, answer);
    }
}

fn is_budget(check: Check) -> bool {
    matches!(check, Check::Budget | Check::UserBudget | Check::DeploymentBudget)
}

/// Answers every entry in `indices` with `e`.
fn end(answers: &mut [Option<Result<Created, Error>>], indices: impl IntoIterator<Item = usize>, e: &Error) {
    for i in indices {
        answers[i] = Some(Err(e.clone()));
    }
}
