//! The scheduled sweep (EventBridge Scheduler, every few minutes): reads
//! the invites that are due from the sparse due index and, as
//! `invites_domain::sweep` decides, queues again an e-mail that never went
//! out (a lost queue send, a worker that died after its claim), queues the
//! one reminder before expiry, or moves the invite along the index. Every
//! write is conditioned on the due time it read, so overlapping sweeps act
//! once; a queue send that fails is retried by the next sweep. First it
//! removes the items of deleted resources (`Sweep::clean_up`).

use futures::StreamExt;
use invites_adapters::{Queue, Store};
use invites_domain::budgets::{budget_day, cap_used_percent};
use invites_domain::limits::Limits;
use invites_domain::ports::{Due, Reminder, Sweep};
use invites_domain::resource::CLEAN_UP_PER_RUN;
use invites_domain::sweep::{Action, decide, due_after_queued};
use invites_domain::time::DAY;
use invites_domain::{Error, message::SendInvite};
use serde::Serialize;

/// Invites handled per run; the rest are found by the next run.
pub const BATCH: usize = 500;
/// Invites handled at the same time.
pub const CONCURRENCY: usize = 8;
/// Deleted resources looked at per run.
const DELETED_PER_RUN: usize = 20;

pub struct Sweeper {
    pub store: Store,
    pub queue: Queue,
    pub limits: Limits,
}

/// What one run did.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub due: u64,
    pub requeued: u64,
    pub reminders: u64,
    pub suppressed: u64,
    pub later: u64,
    pub done: u64,
    /// Reminders held back until tomorrow: the resource's daily budget or
    /// the deployment's cap was spent.
    pub over_budget: u64,
    /// Expired invites whose seat went back.
    pub expired: u64,
    /// Taken by another sweep or changed meanwhile.
    pub lost: u64,
    pub errors: u64,
    /// How much of the deployment's daily e-mail cap is used (published as
    /// the metric `EmailCapUsedPercent`; an alarm fires at 80).
    pub email_cap_used_percent: u64,
    /// Items of deleted resources removed, and deleted resources finished.
    pub deleted_items_removed: u64,
    pub deleted_resources_finished: u64,
}

#[derive(Debug, Clone, Copy)]
enum Did {
    Requeued,
    Reminder,
    Suppressed,
    Later,
    OverBudget,
    Expired,
    Done,
    Lost,
}

impl Sweeper {
    /// One pass at `now` (the clock is a parameter so tests can move it).
    pub async fn run(&self, now: i64) -> Result<Summary, Error> {
        let mut s = Summary::default();
        self.clean_up_deleted(&mut s, now).await;
        let due = self.store.due_invites(now, BATCH).await?;
        let results: Vec<Result<Did, Error>> =
            futures::stream::iter(&due).map(|d| self.one(d, now)).buffer_unordered(CONCURRENCY).collect().await;
        s.due = due.len() as u64;
        for r in results {
            match r {
                Ok(Did::Requeued) => s.requeued += 1,
                Ok(Did::Reminder) => s.reminders += 1,
                Ok(Did::Suppressed) => s.suppressed += 1,
                Ok(Did::Later) => s.later += 1,
                Ok(Did::OverBudget) => s.over_budget += 1,
                Ok(Did::Expired) => s.expired += 1,
                Ok(Did::Done) => s.done += 1,
                Ok(Did::Lost) => s.lost += 1,
                Err(e) => {
                    tracing::error!(error = %e, "sweep: one invite failed; the next run retries it");
                    s.errors += 1;
                }
            }
        }
        s.email_cap_used_percent =
            cap_used_percent(self.store.emails_today(now).await?, self.limits.deployment_daily_emails);
        invites_adapters::metrics::emit(
            "sweep-invites",
            &[
                ("Requeued", s.requeued),
                ("RemindersQueued", s.reminders),
                ("RemindersSuppressed", s.suppressed),
                ("RemindersOverBudget", s.over_budget),
                ("SeatsFreed", s.expired),
                ("EmailCapUsedPercent", s.email_cap_used_percent),
                ("DeletedItemsRemoved", s.deleted_items_removed),
            ],
        );
        Ok(s)
    }

    /// Removes the items of deleted resources, oldest deletion first, at
    /// most `CLEAN_UP_PER_RUN` a run (the rest go in the next). A failure
    /// is counted and left to the next run; the invites' sweep goes on.
    async fn clean_up_deleted(&self, s: &mut Summary, now: i64) {
        let deleted = match self.store.deleted_resources(DELETED_PER_RUN).await {
            Ok(d) => d,
            Err(e) => {
                tracing::error!(error = %e, "sweep: could not list deleted resources; the next run retries");
                s.errors += 1;
                return;
            }
        };
        for rid in deleted {
            let budget = CLEAN_UP_PER_RUN.saturating_sub(s.deleted_items_removed as usize);
            if budget == 0 {
                break;
            }
            match self.store.clean_up(&rid, budget, now).await {
                Ok(done) => {
                    s.deleted_items_removed += done.removed;
                    s.deleted_resources_finished += u64::from(done.finished);
                    tracing::info!(resource_id = %rid, removed = done.removed, finished = done.finished, "sweep: deleted resource cleaned up");
                }
                Err(e) => {
                    tracing::error!(resource_id = %rid, error = %e, "sweep: clean-up failed; the next run retries");
                    s.errors += 1;
                }
            }
        }
    }

    async fn one(&self, due: &Due, now: i64) -> Result<Did, Error> {
        let i = &due.invite;
        let mut action = decide(i, true, &self.limits, now);
        // The resource's setting is read only when a reminder is due.
        if action == Action::Remind && !self.store.reminders_on(&i.resource_id).await? {
            action = decide(i, false, &self.limits, now);
        }
        // Mail for a withdrawn invite (its inviter no longer manages) is
        // over; its seat goes back at the expiry.
        if matches!(action, Action::Requeue | Action::Remind) && !self.store.inviter_manages(i).await? {
            action = Action::Later(i.expires_at);
        }
        match action {
            Action::FreeSeat => Ok(if self.store.free_seat(due, now).await? { Did::Expired } else { Did::Lost }),
            Action::Done => Ok(if self.store.reschedule(due, None).await? { Did::Done } else { Did::Lost }),
            Action::Later(at) => Ok(if self.store.reschedule(due, Some(at)).await? { Did::Later } else { Did::Lost }),
            Action::Requeue => {
                // Moved first: if the queue send fails, the next run finds it again.
                if !self.store.reschedule(due, Some(due_after_queued(&self.limits, now))).await? {
                    return Ok(Did::Lost);
                }
                let msg = SendInvite::new(i.resource_id.clone(), i.invite_id.clone(), i.send_id.clone());
                self.queue.send(&msg).await?;
                tracing::info!(invite_id = %i.invite_id, "sweep: queued again");
                Ok(Did::Requeued)
            }
            Action::Remind => match self.store.claim_reminder(due, now).await? {
                Reminder::Claimed(msg) => {
                    self.queue.send(&msg).await?;
                    tracing::info!(invite_id = %i.invite_id, "sweep: reminder queued");
                    Ok(Did::Reminder)
                }
                Reminder::Suppressed => {
                    Ok(if self.store.reschedule(due, None).await? { Did::Suppressed } else { Did::Lost })
                }
                Reminder::OverBudget => {
                    let tomorrow = (budget_day(now) + 1) * DAY;
                    Ok(if self.store.reschedule(due, Some(tomorrow)).await? { Did::OverBudget } else { Did::Lost })
                }
                Reminder::Lost => Ok(Did::Lost),
            },
        }
    }
}
