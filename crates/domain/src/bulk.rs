//! Bulk invites: up to [`MAX_ENTRIES`] invites in one request, each
//! answered on its own line. The entries go through
//! [`CreateInvites::create_invites`], which checks each exactly as a single
//! invite (seats, budgets, suppression, the e-mail's holder, also against
//! single invites racing the batch); the store groups them into as few
//! transactions as DynamoDB allows.
//!
//! Idempotency follows the single-invite rules: the batch's
//! `Idempotency-Key` is bound to the batch's content for 24 hours (another
//! batch under the same key: 422 `idempotency_key_reused`), and each entry
//! carries a key derived from it, so a replay never creates an invite twice.
//! Entries created the first time answer `created` again (with no new
//! e-mail); entries refused the first time are tried again.

use crate::error::Code;
use crate::invite::{NewInvite, NewInviteBody, validate_idempotency_key};
use crate::ports::{BatchKeys, CreateInvite, CreateInvites, Created};
use crate::redirect::RedirectOrigins;
use crate::{Error, Identity, ResourceId};
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashSet;

pub const MAX_ENTRIES: usize = 100;

/// `POST /v1/resources/{rid}/invites/batch`. Entries stay raw JSON so a bad
/// entry is refused on its own line, not with the whole request.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchBody {
    pub invites: Vec<Value>,
}

/// One entry: the address as given (for the answer's line) and the
/// validated invite or why it cannot be one.
#[derive(Debug)]
pub struct Entry {
    pub email: String,
    pub invite: Result<NewInvite, Error>,
}

#[derive(Debug)]
pub struct Batch {
    pub entries: Vec<Entry>,
    /// The batch's content, for its idempotency key.
    pub fingerprint: String,
}

impl Batch {
    /// 422 `invalid_batch` unless there are 1 to [`MAX_ENTRIES`] entries.
    /// Each entry is validated like a single invite; an address that
    /// appears earlier in the batch is refused as `duplicate_entry`.
    pub fn validate(rid: ResourceId, body: BatchBody, origins: &RedirectOrigins) -> Result<Self, Error> {
        if body.invites.is_empty() || body.invites.len() > MAX_ENTRIES {
            return Err(Error::invalid(Code::InvalidBatch, format!("send 1 to {MAX_ENTRIES} invites")));
        }
        let fingerprint = fingerprint(&rid.to_string(), &body.invites);
        let mut seen = HashSet::new();
        let entries = body
            .invites
            .into_iter()
            .map(|raw| {
                let email = raw.get("email").and_then(Value::as_str).unwrap_or_default().to_owned();
                let invite = serde_json::from_value::<NewInviteBody>(raw)
                    .map_err(|e| Error::invalid(Code::InvalidEntry, entry_error(&e)))
                    .and_then(|body| NewInvite::validate(body, origins))
                    .and_then(|invite| match seen.insert(invite.email.as_str().to_owned()) {
                        true => Ok(invite),
                        false => {
                            Err(Error::invalid(Code::DuplicateEntry, "this address is already earlier in the batch"))
                        }
                    });
                Entry { email, invite }
            })
            .collect();
        Ok(Self { entries, fingerprint })
    }
}

/// serde's message without the line and column (an entry is not a document).
fn entry_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.find(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

fn fingerprint(rid: &str, invites: &[Value]) -> String {
    use sha2::{Digest, Sha256};
    // serde_json's maps are sorted, so the same entries give the same text.
    let digest = Sha256::digest(serde_json::json!([rid, invites]).to_string().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The idempotency key of entry `index` of a batch sent with `key`: visible
/// ASCII, short, and the same on every replay.
pub fn entry_key(key: &str, index: usize) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(key.as_bytes());
    let short: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("batch-{short}-{index}")
}

/// Whether an error is about the caller (who may not invite here at all)
/// rather than about one entry: such an error ends the batch.
pub fn about_the_caller(e: &Error) -> bool {
    matches!(e, Error::Unauthenticated | Error::NotFound | Error::Forbidden { .. })
}

/// Creates the batch's invites, answered in order. A caller-level refusal
/// (not allowed here, unverified e-mail) when no invite was created fails
/// the whole request; after one was, the entries after it are refused with
/// it.
pub async fn invite_all<S: CreateInvites + BatchKeys>(
    store: &S,
    who: &Identity,
    rid: ResourceId,
    batch: Batch,
    idempotency_key: Option<String>,
    now: i64,
) -> Result<Vec<(String, Result<Created, Error>)>, Error> {
    if let Some(key) = &idempotency_key {
        validate_idempotency_key(key)?;
        store.claim_batch_key(rid, who, key, &batch.fingerprint, now).await?;
    }
    let mut cmds = Vec::new();
    let mut lines: Vec<(String, Option<Result<Created, Error>>)> = Vec::with_capacity(batch.entries.len());
    for (index, Entry { email, invite }) in batch.entries.into_iter().enumerate() {
        match invite {
            Ok(invite) => {
                let key = idempotency_key.as_deref().map(|k| entry_key(k, index));
                cmds.push(CreateInvite { rid, invite, idempotency_key: key });
                lines.push((email, None));
            }
            Err(e) => lines.push((email, Some(Err(e)))),
        }
    }
    let mut results = store.create_invites(who, cmds, now).await.into_iter();
    let lines: Vec<(String, Result<Created, Error>)> = lines
        .into_iter()
        .map(|(email, line)| {
            let result =
                line.or_else(|| results.next()).unwrap_or_else(|| Err(Error::internal("an entry without an answer")));
            (email, result)
        })
        .collect();
    if !lines.iter().any(|(_, r)| r.is_ok())
        && let Some(e) = lines.iter().find_map(|(_, r)| r.as_ref().err().filter(|e| about_the_caller(e)))
    {
        return Err(e.clone());
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn batch(invites: Vec<Value>) -> Result<Batch, Error> {
        Batch::validate(ResourceId::new(), BatchBody { invites }, &RedirectOrigins::default())
    }

    #[test]
    fn one_to_a_hundred_entries() {
        assert_eq!(batch(vec![]).unwrap_err().code(), "invalid_batch");
        let many = (0..=MAX_ENTRIES).map(|i| json!({"email": format!("p{i}@example.com"), "role": "admin"})).collect();
        assert_eq!(batch(many).unwrap_err().code(), "invalid_batch");
    }

    #[test]
    fn each_entry_is_judged_on_its_own() {
        let b = batch(vec![
            json!({"email": "a@example.com", "role": "admin"}),
            json!({"email": "not an address", "role": "admin"}),
            json!({"email": "b@example.com", "role": "owner"}),
            json!({"email": "c@example.com", "role": "admin", "colour": "red"}),
            json!("d@example.com"),
            json!({"email": "A@Example.com", "role": "read_only"}),
        ])
        .unwrap();
        let codes: Vec<&str> =
            b.entries.iter().map(|e| e.invite.as_ref().err().map(|e| e.code().as_str()).unwrap_or("ok")).collect();
        assert_eq!(codes, ["ok", "invalid_email", "invalid_role", "invalid_entry", "invalid_entry", "duplicate_entry"]);
        assert_eq!(b.entries[1].email, "not an address");
        assert_eq!(b.entries[4].email, "");
        let Err(Error::Invalid { message, .. }) = &b.entries[3].invite else { panic!() };
        assert!(message.contains("colour") && !message.contains("line"), "{message}");
    }

    #[test]
    fn the_fingerprint_follows_the_content_not_the_spelling() {
        let rid = ResourceId::new();
        let a = Batch::validate(
            rid,
            BatchBody { invites: vec![json!({"email": "a@example.com", "role": "admin"})] },
            &RedirectOrigins::default(),
        );
        let b = Batch::validate(
            rid,
            BatchBody { invites: vec![json!({"role": "admin", "email": "a@example.com"})] },
            &RedirectOrigins::default(),
        );
        let c = Batch::validate(
            rid,
            BatchBody { invites: vec![json!({"role": "member", "email": "a@example.com"})] },
            &RedirectOrigins::default(),
        );
        assert_eq!(a.unwrap().fingerprint, b.as_ref().unwrap().fingerprint);
        assert_ne!(b.unwrap().fingerprint, c.unwrap().fingerprint);
    }

    #[test]
    fn entry_keys_are_valid_stable_and_distinct() {
        let long = "k".repeat(128);
        for key in ["abc", long.as_str()] {
            let k0 = entry_key(key, 0);
            assert!(validate_idempotency_key(&k0).is_ok());
            assert_eq!(k0, entry_key(key, 0));
            assert_ne!(k0, entry_key(key, 1));
        }
        assert_ne!(entry_key("abc", 0), entry_key("abd", 0));
    }
}
