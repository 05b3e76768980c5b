//! `POST /api/extract`: fetch one page (or take the HTML sent) and return its
//! records, without a flow.

use super::auth::Principal;
use super::body::parse;
use super::error::ApiError;
use super::reply;
use crate::AppState;
use crate::extract::{self as engine, ExtractSpec};
use crate::fetch::fetch_page;
use crate::net::FetchError;
use crate::validate;
use scraper_common::{DataResponse, ErrorBody, ExtractRequest, ExtractResult};
use serde_json::Value;
use url::Url;
use warp::reply::Response;

/// Extract records from one page (fetched, or the HTML sent) without a flow.
#[utoipa::path(post, path = "/api/extract", operation_id = "extract", tag = "extract", request_body = ExtractRequest,
    responses(
        (status = 200, description = "The records found", body = DataResponse<ExtractResult>),
        (status = 400, description = "The body is not a JSON object (`invalid_json`)", body = ErrorBody),
        (status = 413, description = "The body is larger than 1 MiB", body = ErrorBody),
        (status = 415, description = "The body is not `application/json`", body = ErrorBody),
        (status = 422, description = "A field is wrong; the message names it", body = ErrorBody),
        (status = 502, description = "The page could not be fetched (DNS, connect, HTTP status, redirects)", body = ErrorBody),
        (status = 504, description = "The page took too long", body = ErrorBody),
    ),
    extensions(("x-scope" = json!("runs:write"))),
)]
pub async fn extract(state: AppState, _: Principal, body: Value) -> Result<Response, ApiError> {
    let request: ExtractRequest = parse(body)?;
    let spec = ExtractSpec {
        schema: request.schema,
        instructions: request.instructions,
        selector: request.selector,
        fields: request.fields,
    };
    let spec = engine::compile(&spec).map_err(|e| ApiError::invalid(e.to_string()))?;
    if let Some(url) = &request.url {
        validate::http_url("url", url)?;
    }

    let (url, base, html, warnings) = match (request.html, request.url) {
        (Some(html), Some(url)) => {
            let base = Url::parse(&url).expect("validated above");
            (Some(url), base, html, Vec::new())
        }
        (Some(html), None) => {
            // No base: relative links cannot be resolved, so url fields stay null.
            let base = Url::parse("about:blank").expect("a valid URL");
            let warning = "no `url` given: relative links cannot be made absolute".to_string();
            (None, base, html, vec![warning])
        }
        (None, Some(url)) => {
            let page = fetch_page(&state.http, &state.policy, &url, &state.fetch)
                .await
                .map_err(fetch_error)?;
            let final_url = page.final_url.to_string();
            (Some(final_url), page.final_url, page.html, page.warnings)
        }
        (None, None) => {
            return Err(ApiError::invalid(
                "url: is required (or send the page itself in `html`)",
            ));
        }
    };

    // Parsing and matching are CPU work: keep them off the async workers.
    let extraction = tokio::task::spawn_blocking(move || engine::extract(&html, &base, &spec))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "extraction task failed");
            ApiError::internal()
        })?;
    let method = serde_json::to_value(extraction.method)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    Ok(reply::data(ExtractResult {
        url,
        extracted_at: chrono::Utc::now(),
        item_count: extraction.items.len() as u64,
        items: extraction.items,
        fields: extraction.schema,
        method,
        uncoerced: extraction.uncoerced as u64,
        warnings,
    }))
}

/// The fetcher's message names the URL or host and the reason.
fn fetch_error(err: FetchError) -> ApiError {
    ApiError::new(err.kind().error_code(), err.to_string())
}
