//! The response envelopes every endpoint uses.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A list: `{"data": [...], "total": N}`; `total` counts every match, not just this page.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct ListResponse<T> {
    pub data: Vec<T>,
    pub total: u64,
}

/// One object: `{"data": {...}}`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct DataResponse<T> {
    pub data: T,
}

/// The answer to a delete: `{"message": "..."}`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct MessageResponse {
    pub message: String,
}

/// Every error: `{"error": {"code": "...", "message": "..."}}`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, ToSchema)]
pub struct ErrorDetail {
    /// Stable, machine-readable: `invalid_json`, `validation_failed`, `not_found`...
    #[schema(value_type = crate::ErrorCode)]
    pub code: String,
    /// For a person: what was wrong and what to do about it.
    pub message: String,
}
