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

use super::{Check, Store, Tx, TxError};
use invites_domain::budgets::require_verified_sender;
use invites_domain::bulk::about_the_caller;
use invites_domain::members::{Made, may_grant, require};
use invites_domain::message::SendInvite;
use invites_domain::ports::{CreateInvite, CreateInvites, Created};
use invites_domain::records::{Invite, Member, Resource};
use invites_domain::role::{Can, catalogue};
use invites_domain::token::Nonce;
use invites_domain::views::InviteView;
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
        if let Err(e) = require_verified_sender(who) {
            return cmds.iter().map(|_| Err(e.clone())).collect();
        }
        let rid_s = rid.to_string();
        let mut answers: Vec<Option<Result<Created, Error>>> = cmds.iter().map(|_| None).collect();
        let mut todo: VecDeque<usize> = (0..cmds.len()).collect();
        let mut alone: Vec<usize> = Vec::new();
        let mut read: Option<(Member, Resource)> = None;
        let mut lost = 0;
        let l = &self.limits;
        let budget = l.daily_invites.min(l.user_daily_invites).min(l.deployment_daily_emails);
        while !todo.is_empty() {
            let (me, mut resource) = match read.take() {
                Some(r) => r,
                None => match self.membership(&rid_s, &who.sub).await {
                    Ok(Some((m, r))) => match require(Some(m), Can::Invite) {
                        Ok(m) => (m, r),
                        Err(e) => {
                            end(&mut answers, todo.drain(..), &e);
                            break;
                        }
                    },
                    Ok(None) => {
                        end(&mut answers, todo.drain(..), &Error::NotFound);
                        break;
                    }
                    Err(e) => {
                        end(&mut answers, todo.drain(..), &e);
                        break;
                    }
                },
            };
            let free =
                if resource.invites_enabled { resource.seat_limit.saturating_sub(resource.seats_used) } else { 0 };
            let most = free.min(budget) as usize;
            if most == 0 || lost >= LOST_ROUNDS {
                // No seat as read (expired invites may free some), a plan
                // that stops invites, or a group that keeps losing: one at
                // a time, where each refusal is explained exactly.
                alone.extend(todo.drain(..));
                break;
            }
            // The group: entries in order while they fit.
            let mut group: Vec<Grouped> = Vec::new();
            let mut writes = Tx::new();
            while let Some(&index) = todo.front() {
                if group.len() == most {
                    break;
                }
                let cmd = &cmds[index];
                if let Err(e) = may_grant(me.role, Can::Invite, cmd.invite.role) {
                    answers[index] = Some(Err(e));
                    todo.pop_front();
                    continue;
                }
                let (iid, nonce) = (InviteId::new(), Nonce::random());
                let invite = super::invites::new_invite(who, &me, cmd, &rid_s, iid, &nonce, now);
                let mut own = Tx::new();
                own.for_entry(Some(index));
                let fingerprint = cmd.invite.fingerprint(&rid_s);
                if let Err(e) = self.invite_writes(&mut own, who, cmd, &invite, &fingerprint, now).await {
                    end(&mut answers, todo.drain(..).chain(group.iter().map(|m| m.index)), &e);
                    break;
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
                end(&mut answers, todo.drain(..).chain(group.iter().map(|m| m.index)), &e);
                break;
            }
            tx.append(writes);
            match self.transact_entries(tx).await {
                Ok(()) => {
                    let keys = match self.keys().await {
                        Ok(keys) => keys,
                        Err(e) => {
                            end(&mut answers, todo.drain(..).chain(group.iter().map(|m| m.index)), &e);
                            break;
                        }
                    };
                    for m in group {
                        let message =
                            SendInvite::new(rid_s.clone(), m.invite.invite_id.clone(), m.invite.send_id.clone());
                        answers[m.index] = Some(Ok(Created {
                            invite: InviteView::of(&m.invite, now),
                            token: keys.mint(rid, m.iid, &m.nonce),
                            message: Some(message),
                        }));
                    }
                    resource.seats_used += k;
                    read = Some((me, resource));
                }
                Err((TxError::Failed(_), whose)) if !whose.is_empty() && whose.iter().all(Option::is_some) => {
                    // Only entries' own conditions: those go one at a time,
                    // the rest of the group is tried again.
                    let refused: Vec<usize> = whose.into_iter().flatten().collect();
                    for m in group.iter().rev() {
                        if refused.contains(&m.index) {
                            alone.push(m.index);
                        } else {
                            todo.push_front(m.index);
                        }
                    }
                    read = Some((me, resource));
                }
                Err((TxError::Failed(checks), _)) if checks.iter().any(|c| is_budget(*c)) => {
                    // A budget cannot take the whole group: one at a time,
                    // up to the budget, then 429 for each beyond it.
                    alone.extend(group.iter().map(|m| m.index).chain(todo.drain(..)));
                }
                Err((TxError::Failed(_) | TxError::Retry, _)) => {
                    // The seats or the caller changed since they were read,
                    // or another writer won: read again and retry.
                    for m in group.iter().rev() {
                        todo.push_front(m.index);
                    }
                    lost += 1;
                    super::tx::backoff(lost).await;
                }
                Err((TxError::Other(e), _)) => {
                    end(&mut answers, todo.drain(..).chain(group.iter().map(|m| m.index)), &e);
                    break;
                }
            }
        }
        // What no group took, one at a time in order, as single invites.
        alone.sort_unstable();
        let mut cmds: Vec<Option<CreateInvite>> = cmds.into_iter().map(Some).collect();
        let mut inviter = None;
        for index in alone {
            let ended =
                answers.iter().flatten().find_map(|a| a.as_ref().err().filter(|e| about_the_caller(e)).cloned());
            let Some(cmd) = cmds[index].take() else { continue };
            answers[index] = Some(match ended {
                Some(e) => Err(e),
                None => self.create_invite_as(who, &mut inviter, cmd, now).await,
            });
        }
        answers
            .into_iter()
            .map(|a| a.unwrap_or_else(|| Err(Error::internal("a bulk entry without an answer"))))
            .collect()
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
