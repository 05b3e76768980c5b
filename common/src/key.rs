//! API keys. The full key is shown once, at creation; lists show it masked.

use crate::Scope;
use crate::time::{self, Timestamp};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A key as lists return it: `key` is masked (`scr_live_****abcd`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiKey {
    pub id: String,
    pub name: String,
    pub key: String,
    #[serde(with = "time")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    pub scopes: Vec<Scope>,
}

/// The answer to `POST /api/keys`: the only time `key` holds the full key.
pub type CreatedKey = ApiKey;

/// The body of `POST /api/keys`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewKey {
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub name: String,
    #[schema(min_items = 1)]
    pub scopes: Vec<Scope>,
}
