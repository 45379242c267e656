//! Reads: one item, a partition's prefix page by page, batches of keys, and
//! the page cursors handed to clients.

use super::{Item, Store, s};
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};
use invites_domain::Error;
use serde::de::DeserializeOwned;
use std::collections::HashMap;

/// Rounds of a batched read before giving up on keys DynamoDB keeps leaving
/// unprocessed (throttling): a few hundred milliseconds of back-off, well
/// inside a function's timeout.
const BATCH_READ_ATTEMPTS: u32 = 6;

/// The key of one item.
pub(crate) fn key(pk: String, sk: String) -> Item {
    HashMap::from([("PK".to_owned(), s(pk)), ("SK".to_owned(), s(sk))])
}

pub(crate) fn from_item<T: DeserializeOwned>(item: Item) -> Result<T, Error> {
    serde_dynamo::from_item(item).map_err(Error::internal)
}

impl Store {
    /// One page of `query` (items of partition `pk` whose sort keys are
    /// `prefix` and an id, in either order) from the page's cursor on, each
    /// item read by `row`; `id` names a row's id for the next cursor. One
    /// more item than asked is read: a next page is promised only if it has
    /// items.
    pub(crate) async fn id_page<T>(
        &self,
        pk: &str,
        prefix: &str,
        query: QueryFluentBuilder,
        page: invites_domain::ports::PageRequest<'_>,
        row: impl Fn(Item) -> Result<T, Error>,
        id: impl Fn(&T) -> &str,
    ) -> Result<invites_domain::views::Page<T>, Error> {
        let start = page.cursor.map(cursor::decode).transpose()?.map(|c| key(pk.to_owned(), format!("{prefix}{c}")));
        let out = query
            .limit(page.limit as i32 + 1)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| super::sdk::failure("query page", e))?;
        let mut items = out.items.unwrap_or_default().into_iter().map(row).collect::<Result<Vec<_>, Error>>()?;
        let more = items.len() > page.limit;
        items.truncate(page.limit);
        let next_cursor = if more { items.last().and_then(|r| cursor::encode(id(r))) } else { None };
        Ok(invites_domain::views::Page { items, next_cursor })
    }

    pub(crate) async fn get<T: DeserializeOwned>(&self, pk: String, sk: String) -> Result<Option<T>, Error> {
        let out = self
            .db
            .get_item()
            .table_name(&self.table)
            .key("PK", AttributeValue::S(pk))
            .key("SK", AttributeValue::S(sk))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| super::sdk::failure("get", e))?;
        out.item.map(|i| from_item(i)).transpose()
    }

    /// The query of a partition (or GSI1 partition) for the items whose sort
    /// key starts with `prefix`: consistent on the table, for callers to add
    /// order, limit, filter or a start key to.
    pub(crate) fn prefix_query(&self, pk: &str, prefix: &str, index: Option<&str>) -> QueryFluentBuilder {
        let (pk_attr, sk_attr) = if index.is_some() { ("GSI1PK", "GSI1SK") } else { ("PK", "SK") };
        self.db
            .query()
            .table_name(&self.table)
            .set_index_name(index.map(str::to_owned))
            .key_condition_expression(format!("{pk_attr} = :pk AND begins_with({sk_attr}, :prefix)"))
            .expression_attribute_values(":pk", s(pk))
            .expression_attribute_values(":prefix", s(prefix))
            .consistent_read(index.is_none())
    }

    /// Every item of a partition (or GSI1 partition) whose sort key starts
    /// with `prefix`, page after page, stopping once `cap` are read.
    pub(crate) async fn query_all<T: DeserializeOwned>(
        &self,
        pk: String,
        prefix: &str,
        index: Option<&str>,
        cap: usize,
    ) -> Result<Vec<T>, Error> {
        self.pages(self.prefix_query(&pk, prefix, index), cap).await
    }

    /// The items a query reads, page after page, stopping once `cap` are read.
    pub(crate) async fn pages<T: DeserializeOwned>(
        &self,
        query: QueryFluentBuilder,
        cap: usize,
    ) -> Result<Vec<T>, Error> {
        let mut out = Vec::new();
        let mut start = None;
        loop {
            let page = query
                .clone()
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| super::sdk::failure("query", e))?;
            for item in page.items.unwrap_or_default() {
                out.push(from_item(item)?);
            }
            start = page.last_evaluated_key;
            if start.is_none() || out.len() >= cap {
                return Ok(out);
            }
        }
    }

    /// The items at these keys that exist, read consistently with only the
    /// attributes in `projection` (`#x` placeholders resolved by `names`;
    /// empty: whole items):
    /// one `BatchGetItem` per 100 keys, asked again for any DynamoDB leaves
    /// unprocessed, instead of one read per key.
    pub(crate) async fn batch_get(
        &self,
        keys: &[Item],
        projection: &str,
        names: &[(&str, &str)],
    ) -> Result<Vec<Item>, Error> {
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(100) {
            let mut wanted = KeysAndAttributes::builder()
                .set_keys(Some(chunk.to_vec()))
                .consistent_read(true)
                .set_projection_expression((!projection.is_empty()).then(|| projection.to_owned()))
                .set_expression_attribute_names(
                    (!names.is_empty())
                        .then(|| names.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()),
                )
                .build()
                .map_err(Error::internal)?;
            for attempt in 0.. {
                let answer = self
                    .db
                    .batch_get_item()
                    .request_items(&self.table, wanted)
                    .send()
                    .await
                    .map_err(|e| super::sdk::failure("batch get", e))?;
                out.extend(answer.responses.and_then(|mut r| r.remove(&self.table)).unwrap_or_default());
                match answer.unprocessed_keys.and_then(|mut u| u.remove(&self.table)) {
                    Some(rest) if !rest.keys.is_empty() && attempt < BATCH_READ_ATTEMPTS => {
                        super::tx::backoff(attempt).await;
                        wanted = rest;
                    }
                    Some(rest) if !rest.keys.is_empty() => {
                        return Err(Error::internal("batch read kept leaving keys unprocessed; giving up"));
                    }
                    _ => break,
                }
            }
        }
        Ok(out)
    }
}

/// Page cursors: base64url of the last returned item's ULID (invite or audit
/// id). They hold no partition: the resource always comes from the path.
pub(crate) mod cursor {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use invites_domain::{Error, InviteId};

    pub fn encode(ulid: &str) -> Option<String> {
        InviteId::parse(ulid).ok().map(|id| URL_SAFE_NO_PAD.encode(id.to_bytes()))
    }

    /// The ULID (as text) a cursor points at, or 422 `invalid_cursor`.
    pub fn decode(c: &str) -> Result<String, Error> {
        URL_SAFE_NO_PAD
            .decode(c)
            .ok()
            .and_then(|b| <[u8; 16]>::try_from(b).ok())
            .map(|b| InviteId::from_bytes(b).to_string())
            .ok_or_else(|| Error::invalid(invites_domain::error::Code::InvalidCursor, "cursor is not valid"))
    }
}
