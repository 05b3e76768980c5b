//! Query strings: known parameters only, each at most once, values checked.

use super::error::ApiError;
use std::str::FromStr;
use warp::{Filter, Rejection};

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 1000;

pub fn pairs() -> impl Filter<Extract = (Vec<(String, String)>,), Error = Rejection> + Clone {
    warp::query::<Vec<(String, String)>>()
}

pub struct Params(Vec<(String, String)>);

impl Params {
    /// Refuses parameters outside `allowed` (a typo must not silently widen a
    /// filter) and repeated ones.
    pub fn new(pairs: Vec<(String, String)>, allowed: &[&str]) -> Result<Params, ApiError> {
        for (i, (name, _)) in pairs.iter().enumerate() {
            if !allowed.contains(&name.as_str()) {
                return Err(ApiError::bad_request(format!(
                    "unknown query parameter `{name}`; this endpoint takes {}",
                    allowed.join(", ")
                )));
            }
            if pairs[..i].iter().any(|(seen, _)| seen == name) {
                return Err(ApiError::bad_request(format!(
                    "query parameter `{name}` is given more than once"
                )));
            }
        }
        Ok(Params(pairs))
    }

    fn raw(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// A filter value parsed with its type's own error ("unknown run status ...").
    pub fn get<T: FromStr<Err = String>>(&self, name: &str) -> Result<Option<T>, ApiError> {
        self.raw(name)
            .map(|v| {
                v.parse::<T>()
                    .map_err(|e| ApiError::bad_request(format!("query parameter `{name}`: {e}")))
            })
            .transpose()
    }

    pub fn text(&self, name: &str) -> Result<Option<String>, ApiError> {
        match self.raw(name) {
            Some("") => Err(ApiError::bad_request(format!(
                "query parameter `{name}` is empty"
            ))),
            other => Ok(other.map(str::to_string)),
        }
    }

    /// `limit` (1..=1000, default 50) and `offset` (>= 0, default 0).
    pub fn page(&self) -> Result<(i64, i64), ApiError> {
        let number = |name: &str, min: i64, max: i64, default: i64| {
            match self.raw(name) {
            None => Ok(default),
            Some(v) => v
                .parse::<i64>()
                .ok()
                .filter(|n| (min..=max).contains(n))
                .ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "query parameter `{name}` must be a whole number from {min} to {max}, got `{v}`"
                    ))
                }),
        }
        };
        Ok((
            number("limit", 1, MAX_LIMIT, DEFAULT_LIMIT)?,
            number("offset", 0, i64::MAX, 0)?,
        ))
    }
}
