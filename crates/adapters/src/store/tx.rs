//! Transactions: a write set with a named condition per write ([`Check`]),
//! one call to commit it ([`Store::transact`]), and one way to run a use
//! case's rounds until it commits or has an answer ([`retry`]).

use super::Store;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{ConditionCheck, Delete, Put, TransactWriteItem, Update};
use invites_domain::Error;
use std::time::Duration;

/// How long a use case keeps running rounds that lose races to other
/// writers (a hot item: one resource's seat counter under a crowd joining)
/// before it answers 503: well inside the functions' 10 s timeout.
pub(crate) const ROUNDS_BUDGET: Duration = Duration::from_secs(7);
/// Rounds at most, however quick.
pub(crate) const MAX_ATTEMPTS: u32 = 200;

/// The name of a condition in a transaction, so a failure is read by what
/// it guarded, never by its position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Check {
    /// The caller's membership and role.
    Caller,
    /// A free seat on the resource.
    Seat,
    /// Who holds the e-mail on the resource.
    Email,
    /// The invite's state as it was read.
    Invite,
    /// A member item (new, or as read).
    Member,
    /// The resource's daily invite budget.
    Budget,
    /// The caller's own budget across all their resources (daily e-mails,
    /// owned resources).
    UserBudget,
    /// The deployment's daily e-mail cap.
    DeploymentBudget,
    /// The idempotency record.
    Idempotency,
    /// The address is not on the resource's suppression list.
    Suppressed,
    /// A team link, still usable (join) or not yet revoked (revoke).
    Link,
    /// A domain claim: verified (join), as read (verify), absent (add).
    Domain,
    /// The caller was not removed by an owner or admin (joins without an invitation).
    NotRemoved,
    /// Whoever made the invite or team link in use still manages the
    /// resource (`makers.rs`).
    Maker,
    /// The resource is not deleted.
    Resource,
    /// A request to join: as read (pending, the same request), or absent.
    Request,
    /// The deployment's count of webhook endpoints is under its limit.
    Webhooks,
    /// A webhook endpoint is new (the configured one, registered by one instance).
    WebhookEndpoint,
    /// An unconditional write (audit entries, counters).
    None,
}

/// A transaction under construction: each write with the name of its condition.
#[derive(Default)]
pub(crate) struct Tx {
    items: Vec<TransactWriteItem>,
    checks: Vec<Check>,
    /// Whose write each is, in a transaction of many entries (bulk invites).
    entries: Vec<Option<usize>>,
    entry: Option<usize>,
}

impl Tx {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Tags the writes added from now on as entry `entry`'s (`None`: shared
    /// by all), so a failed condition is read back to the entry it guarded.
    pub(crate) fn for_entry(&mut self, entry: Option<usize>) -> &mut Self {
        self.entry = entry;
        self
    }

    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// Adds `other`'s writes after these, each with its entry.
    pub(crate) fn append(&mut self, other: Tx) -> &mut Self {
        self.items.extend(other.items);
        self.checks.extend(other.checks);
        self.entries.extend(other.entries);
        self
    }

    pub(crate) fn put(&mut self, check: Check, put: Put) -> &mut Self {
        self.push(check, TransactWriteItem::builder().put(put).build())
    }

    pub(crate) fn update(&mut self, check: Check, update: Update) -> &mut Self {
        self.push(check, TransactWriteItem::builder().update(update).build())
    }

    pub(crate) fn delete(&mut self, check: Check, delete: Delete) -> &mut Self {
        self.push(check, TransactWriteItem::builder().delete(delete).build())
    }

    pub(crate) fn condition(&mut self, check: Check, cc: ConditionCheck) -> &mut Self {
        self.push(check, TransactWriteItem::builder().condition_check(cc).build())
    }

    fn push(&mut self, check: Check, item: TransactWriteItem) -> &mut Self {
        self.items.push(item);
        self.checks.push(check);
        self.entries.push(self.entry);
        self
    }
}

/// Why a round of a use case did not finish.
#[derive(Debug)]
pub(crate) enum TxError {
    /// These conditions failed; the round explains them (or tries again).
    Failed(Vec<Check>),
    /// Lost a race with another writer, or cleared the way (freed a seat or
    /// an address): wait a moment and run the round again.
    Retry,
    /// The answer for the caller (a refusal, or a fault).
    Other(Error),
}

impl TxError {
    pub(crate) fn failed(&self, check: Check) -> bool {
        matches!(self, Self::Failed(checks) if checks.contains(&check))
    }
}

impl From<Error> for TxError {
    fn from(e: Error) -> Self {
        Self::Other(e)
    }
}

/// Runs a round (a block that may `return` early and use `?`) until it
/// finishes: a [`TxError::Retry`] (or a failed condition the round left
/// unexplained) waits a jittered moment and runs it again, up to
/// [`MAX_ATTEMPTS`]; any other error is the answer. Evaluates to
/// `Result<T, Error>`. A macro rather than a function over an async closure:
/// the round borrows the caller's values, and a future built from an
/// `AsyncFnMut` cannot be shown to be `Send` for every borrow (the Lambda
/// runtime needs it).
macro_rules! retry {
    ($round:block) => {{
        use $crate::store::tx::{MAX_ATTEMPTS, ROUNDS_BUDGET};
        let mut answer = Err($crate::store::tx::too_busy());
        let started = std::time::Instant::now();
        for attempt in 0..MAX_ATTEMPTS {
            let round: Result<_, $crate::store::TxError> = async $round.await;
            if let Some(done) = $crate::store::tx::after_round(round, attempt).await {
                answer = done;
                break;
            }
            if started.elapsed() > ROUNDS_BUDGET {
                break;
            }
        }
        answer
    }};
}
pub(crate) use retry;

/// What [`retry!`] does after a round: `Some` answer, or `None` to run it
/// again (after a back-off).
pub(crate) async fn after_round<T>(round: Result<T, TxError>, attempt: u32) -> Option<Result<T, Error>> {
    match round {
        Ok(done) => Some(Ok(done)),
        Err(TxError::Other(e)) => Some(Err(e)),
        Err(TxError::Retry | TxError::Failed(_)) => {
            backoff(attempt).await;
            None
        }
    }
}

/// Why DynamoDB cancelled a transaction, from its reasons (one per item, in
/// order) and the checks the items carried. A conflict with another
/// transaction runs the round again even when a condition failed beside it:
/// the items were changing, and the next round reads them as they are, so
/// a conflict is never answered as a refusal ("no seat").
fn cancelled(codes: &[&str], checks: &[Check]) -> TxError {
    if codes.iter().any(|c| matches!(*c, "TransactionConflict" | "ThrottlingError")) {
        return TxError::Retry;
    }
    let failed: Vec<Check> =
        codes.iter().zip(checks).filter(|(code, _)| **code == "ConditionalCheckFailed").map(|(_, c)| *c).collect();
    if failed.is_empty() {
        TxError::Other(Error::internal(format!("transaction cancelled: {codes:?}")))
    } else {
        TxError::Failed(failed)
    }
}

/// Sends of one transaction (with one token) while DynamoDB is busy or an
/// answer is lost, before the caller gets 503.
const SAME_TOKEN_ATTEMPTS: u32 = 5;

/// Back-off before running a round again: a random wait up to a ceiling
/// that doubles from 10 ms to 80 ms and stays there. Random spreads a crowd
/// contending for one item instead of waking it in waves; a low ceiling
/// keeps it fair (a round that lost many times does not wait longer than a
/// newcomer, so it is not the one that starves).
pub(crate) async fn backoff(attempt: u32) {
    let r = u16::from_le_bytes(invites_domain::token::random_bytes::<2>());
    let ceiling = 10u64 << attempt.min(3);
    tokio::time::sleep(Duration::from_millis(1 + u64::from(r) % ceiling)).await;
}

/// A round that kept losing races (or kept being throttled): 503, try again.
pub(crate) fn too_busy() -> Error {
    Error::unavailable("transaction kept conflicting; giving up")
}

impl Store {
    /// Commits `tx` in one `TransactWriteItems` call and names what stopped it.
    ///
    /// The call carries a client request token, and a busy or lost answer
    /// (throttled, DynamoDB's 500s, a connection cut after the request went
    /// out) sends the same request with the same token again: DynamoDB
    /// commits a token's transaction at most once and answers a repeat with
    /// success, so a commit whose answer was lost is never done twice nor
    /// reported as a failure. Still busy after that: 503.
    pub(crate) async fn transact(&self, tx: Tx) -> Result<(), TxError> {
        self.transact_entries(tx).await.map_err(|(e, _)| e)
    }

    /// [`Store::transact`] of a transaction of many entries: with a failed
    /// condition, also whose each failed condition was ([`Tx::for_entry`]),
    /// in the order of [`TxError::Failed`]'s checks.
    pub(crate) async fn transact_entries(&self, tx: Tx) -> Result<(), (TxError, Vec<Option<usize>>)> {
        let Tx { items, checks, entries, .. } = tx;
        let token = invites_domain::ids::new_ulid();
        let mut attempt = 0;
        let err = loop {
            let res = self
                .db
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .client_request_token(&token)
                .send()
                .await;
            match res {
                Ok(_) => return Ok(()),
                Err(e) if super::sdk::transient(&e) && attempt + 1 < SAME_TOKEN_ATTEMPTS => {
                    backoff(attempt).await;
                    attempt += 1;
                }
                Err(e) => break e,
            }
        };
        Err(match err.as_service_error() {
            Some(TransactWriteItemsError::TransactionCanceledException(e)) => {
                let codes: Vec<&str> = e.cancellation_reasons().iter().map(|r| r.code().unwrap_or("None")).collect();
                let whose =
                    codes.iter().zip(&entries).filter(|(c, _)| **c == "ConditionalCheckFailed").map(|(_, e)| *e);
                (cancelled(&codes, &checks), whose.collect())
            }
            Some(TransactWriteItemsError::TransactionInProgressException(_)) => (TxError::Retry, Vec::new()),
            Some(e) if e.meta().code() == Some("ThrottlingException") => (TxError::Retry, Vec::new()),
            _ => (TxError::Other(super::sdk::failure("transact", err)), Vec::new()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_conflict_runs_the_round_again_even_beside_a_failed_condition() {
        let checks = [Check::Seat, Check::Member, Check::None];
        assert!(matches!(
            cancelled(&["ConditionalCheckFailed", "None", "None"], &checks),
            TxError::Failed(ref f) if f == &vec![Check::Seat]
        ));
        assert!(matches!(cancelled(&["None", "TransactionConflict", "None"], &checks), TxError::Retry));
        assert!(matches!(
            cancelled(&["ConditionalCheckFailed", "TransactionConflict", "None"], &checks),
            TxError::Retry
        ));
        assert!(matches!(cancelled(&["None", "ValidationError", "None"], &checks), TxError::Other(_)));
    }
}
