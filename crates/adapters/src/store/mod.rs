//! The single-table DynamoDB store: it implements the domain's use-case
//! ports (`invites_domain::ports`). Decisions come from the domain; this
//! module turns them into keys, conditions and items, keeps each rule set in
//! one `TransactWriteItems` call, and maps a failed condition back to a
//! named outcome. Expiry is always checked against the clock, never left to
//! TTL.
//!
//! Rooms: `tx` (transactions and the one retry loop), `reads`, `writes`,
//! `explain` (why a transaction failed, shared by the use cases), `items`
//! (keys and stored shapes), and one module per use case (`webhooks`: the
//! operator's endpoints and the deliveries to them).

mod bulk;
mod delivery;
mod domains;
mod explain;
mod invites;
pub mod items;
mod join;
mod links;
mod makers;
mod manage;
mod members;
mod people;
mod reads;
mod requests;
mod resources;
mod sdk;
mod send;
mod sweep;
mod team_links;
mod tx;
mod webhooks;
mod writes;

use crate::keys::Keys;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use invites_domain::limits::Limits;
use invites_domain::records::Invite;
use invites_domain::token::{Keyring, Nonce};
use invites_domain::{Error, InviteId, ResourceId};
use std::collections::HashMap;
use std::sync::Arc;

pub(crate) use reads::{cursor, from_item, key};
pub(crate) use tx::{Check, Tx, TxError, retry};
pub(crate) use writes::{n, s};

pub type Item = HashMap<String, AttributeValue>;

/// The key [`Store::prime`] reads: no item is ever stored under it.
const PRIME_KEY: &str = "PRIME";

/// The condition of an invite that still works: stored as pending (`:pending`)
/// and not expired at `:now` (TTL deletes late; the clock decides).
pub(crate) const LIVE_INVITE: &str = "#s = :pending AND expiresAt > :now";

#[derive(Clone)]
pub struct Store {
    pub(crate) db: Client,
    pub(crate) table: String,
    /// Link keys; only functions that mint or check links have them.
    keys: Option<Arc<Keys>>,
    pub(crate) limits: Limits,
}

impl Store {
    pub fn new(sdk: &aws_config::SdkConfig, table: String, keys: Option<Arc<Keys>>, limits: Limits) -> Self {
        Self { db: Client::new(sdk), table, keys, limits }
    }

    pub fn from_config(sdk: &aws_config::SdkConfig, cfg: &crate::Config) -> Self {
        Self::new(sdk, cfg.table.clone(), cfg.keys.clone(), cfg.limits)
    }

    /// The link keys; functions that use links require them at start.
    pub(crate) async fn keys(&self) -> Result<&Keyring, Error> {
        match &self.keys {
            Some(keys) => keys.get().await,
            None => Err(Error::internal("no link signing key configured in this function")),
        }
    }

    /// The link keys, when this function has them.
    pub(crate) async fn keys_if_any(&self) -> Result<Option<&Keyring>, Error> {
        match &self.keys {
            Some(keys) => keys.get().await.map(Some),
            None => Ok(None),
        }
    }

    /// Opens the connection during init, where Lambda gives the function
    /// burst CPU, instead of on the first request under the memory size's
    /// share of a vCPU: the TLS handshake, the credentials, the endpoint's
    /// resolution and the first signature (`docs/performance.md`, "The cold
    /// request"). One eventually consistent read of a key that never
    /// exists, which every function's policy allows. A failure only means
    /// the first request opens the connection instead: callers log it.
    pub async fn prime(&self) -> Result<(), Error> {
        let read = self.db.get_item().table_name(&self.table).key("PK", s(PRIME_KEY)).key("SK", s(PRIME_KEY));
        read.send().await.map(drop).map_err(|e| sdk::failure("prime the connection", e))
    }

    pub fn client(&self) -> &Client {
        &self.db
    }

    /// The working link token of an invite (derived, never stored).
    pub async fn link_token(&self, invite: &Invite) -> Result<String, Error> {
        let rid = ResourceId::parse(&invite.resource_id).map_err(|_| Error::internal("bad stored resource id"))?;
        let iid = InviteId::parse(&invite.invite_id).map_err(|_| Error::internal("bad stored invite id"))?;
        let nonce = Nonce::decode(&invite.nonce).ok_or_else(|| Error::internal("bad stored nonce"))?;
        Ok(self.keys().await?.mint(rid, iid, &nonce))
    }
}
