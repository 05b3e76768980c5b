//! Checks beyond the types: what serde cannot say about a flow or a key.

use super::error::ApiError;
use scraper_common::{FlowInput, FlowMode, FlowStatus, NewKey};

/// Users set active, paused or draft; `error` belongs to the server.
pub const STATUS_IS_SERVERS: &str =
    "status: `error` is set by the server when a run fails; use active, paused or draft";

const MAX_NAME: usize = 200;
const MAX_DESCRIPTION: usize = 5_000;
const MAX_STEPS: usize = 100;
const MAX_FIELDS: usize = 100;

pub fn flow(input: &FlowInput) -> Result<(), ApiError> {
    name("name", &input.name)?;
    if let Some(description) = &input.description
        && description.chars().count() > MAX_DESCRIPTION
    {
        return Err(ApiError::invalid(format!(
            "description: at most {MAX_DESCRIPTION} characters"
        )));
    }
    http_url("url", &input.url)?;
    if input.status == Some(FlowStatus::Error) {
        return Err(ApiError::invalid(STATUS_IS_SERVERS));
    }
    if input.steps.len() > MAX_STEPS {
        return Err(ApiError::invalid(format!(
            "steps: at most {MAX_STEPS} steps"
        )));
    }
    for (i, step) in input.steps.iter().enumerate() {
        if let Some(label) = &step.label
            && label.chars().count() > MAX_NAME
        {
            return Err(ApiError::invalid(format!(
                "steps[{i}].label: at most {MAX_NAME} characters"
            )));
        }
        if let Some(url) = step.settings.get("url") {
            match url.as_str() {
                Some(url) => http_url(&format!("steps[{i}].url"), url)?,
                None => {
                    return Err(ApiError::invalid(format!(
                        "steps[{i}].url: expected a string URL"
                    )));
                }
            }
        }
    }
    // What the steps mean is checked now, not when a run fails on it. Interact
    // flows may be saved; their runs say that interact mode is not available.
    if input.mode != FlowMode::Interact {
        crate::engine::plan::plan(
            &input.url,
            input.mode,
            &input.steps,
            input.output_schema.as_ref(),
        )
        .map_err(|e| ApiError::invalid(e.to_string()))?;
    }
    if let Some(schema) = &input.output_schema {
        if schema.len() > MAX_FIELDS {
            return Err(ApiError::invalid(format!(
                "outputSchema: at most {MAX_FIELDS} fields"
            )));
        }
        for field in schema.keys() {
            if field.trim().is_empty() || field.chars().count() > MAX_NAME {
                return Err(ApiError::invalid(format!(
                    "outputSchema: field names must be 1 to {MAX_NAME} characters, got `{field}`"
                )));
            }
        }
    }
    Ok(())
}

pub fn key(input: &NewKey) -> Result<(), ApiError> {
    name("name", &input.name)?;
    if input.scopes.is_empty() {
        return Err(ApiError::invalid(
            "scopes: name at least one scope (flows:read, flows:write, runs:read, runs:write, keys:read, keys:write)",
        ));
    }
    Ok(())
}

fn name(field: &str, value: &str) -> Result<(), ApiError> {
    if value.trim().is_empty() {
        return Err(ApiError::invalid(format!("{field}: must not be empty")));
    }
    if value.chars().count() > MAX_NAME {
        return Err(ApiError::invalid(format!(
            "{field}: at most {MAX_NAME} characters"
        )));
    }
    Ok(())
}

/// Targets are absolute http(s) URLs with a host. Whether the host may be
/// fetched (private networks) is decided when it is fetched, not here.
pub fn http_url(field: &str, value: &str) -> Result<(), ApiError> {
    let problem = match url::Url::parse(value) {
        Ok(url) if !matches!(url.scheme(), "http" | "https") => {
            format!("the scheme is `{}`", url.scheme())
        }
        Ok(url) if url.host_str().is_none_or(str::is_empty) => "it has no host".to_string(),
        Ok(_) => return Ok(()),
        Err(e) => e.to_string(),
    };
    Err(ApiError::invalid(format!(
        "{field}: must be an absolute http(s) URL such as https://example.com/products; \
         `{value}` is not ({problem})"
    )))
}
