//! The typed HTTP client of the Scraper API, used by the TUI and the tests.

use crate::envelope::{DataResponse, ErrorBody, ListResponse, MessageResponse};
use crate::extract::{ExtractRequest, ExtractResult};
use crate::flow::{Flow, FlowFilter, FlowInput};
use crate::key::{ApiKey, CreatedKey, NewKey};
use crate::run::{NewRun, Run, RunDetail, RunFilter};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use url::Url;

/// The header that carries the API key.
pub const API_KEY_HEADER: &str = "X-API-Key";

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("`{0}` is not a valid server URL: {1}")]
    BadUrl(String, url::ParseError),
    #[error("could not reach the server at {url}: {source}")]
    Unreachable { url: String, source: reqwest::Error },
    /// The server answered with an error envelope.
    #[error("{message} ({status} {code})")]
    Api {
        status: u16,
        code: String,
        message: String,
    },
    #[error("unexpected answer from {url} ({status}): {detail}")]
    Unexpected {
        url: String,
        status: u16,
        detail: String,
    },
}

impl ClientError {
    /// The HTTP status of an API error, if the server gave one.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Api { status, .. } | ClientError::Unexpected { status, .. } => {
                Some(*status)
            }
            _ => None,
        }
    }

    /// The error code of an API error (`not_found`, `forbidden`...).
    pub fn code(&self) -> Option<&str> {
        match self {
            ClientError::Api { code, .. } => Some(code),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    /// Always ends with `/api/`.
    base: Url,
    api_key: String,
}

impl Client {
    /// `server` is the server's root (`http://127.0.0.1:8080`) or its API
    /// base (`http://127.0.0.1:8080/api`); both work.
    pub fn new(server: &str, api_key: &str) -> Result<Client, ClientError> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("scraper-client/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|source| ClientError::Unreachable {
                url: server.to_string(),
                source,
            })?;
        Client::with_http(http, server, api_key)
    }

    pub fn with_http(
        http: reqwest::Client,
        server: &str,
        api_key: &str,
    ) -> Result<Client, ClientError> {
        let mut root = server.trim_end_matches('/').to_string();
        if !root.ends_with("/api") {
            root.push_str("/api");
        }
        root.push('/');
        let base = Url::parse(&root).map_err(|e| ClientError::BadUrl(server.to_string(), e))?;
        Ok(Client {
            http,
            base,
            api_key: api_key.to_string(),
        })
    }

    /// The API base URL, ending in `/api/`.
    pub fn base_url(&self) -> &Url {
        &self.base
    }

    /// A URL under the API base; each segment is percent-encoded.
    pub fn url(&self, segments: &[&str]) -> Url {
        let mut url = self.base.clone();
        {
            let mut path = url.path_segments_mut().expect("http URLs have paths");
            path.pop_if_empty();
            path.extend(segments);
        }
        url
    }

    /// A request with the API key set, for calls this client has no method for.
    pub fn request(&self, method: Method, url: Url) -> reqwest::RequestBuilder {
        self.http
            .request(method, url)
            .header(API_KEY_HEADER, &self.api_key)
    }

    pub async fn list_flows(&self, filter: &FlowFilter) -> Result<ListResponse<Flow>, ClientError> {
        let mut url = self.url(&["flows"]);
        {
            let mut q = url.query_pairs_mut();
            if let Some(status) = filter.status {
                q.append_pair("status", status.as_str());
            }
            if let Some(mode) = filter.mode {
                q.append_pair("mode", mode.as_str());
            }
            page_params(&mut q, filter.limit, filter.offset);
        }
        self.send(Method::GET, url, None::<&()>).await
    }

    pub async fn create_flow(&self, flow: &FlowInput) -> Result<Flow, ClientError> {
        self.data(Method::POST, self.url(&["flows"]), Some(flow))
            .await
    }

    pub async fn get_flow(&self, id: &str) -> Result<Flow, ClientError> {
        self.data(Method::GET, self.url(&["flows", id]), None::<&()>)
            .await
    }

    /// `PUT /api/flows/:id` with a JSON merge patch (RFC 7396).
    pub async fn update_flow(
        &self,
        id: &str,
        patch: &serde_json::Value,
    ) -> Result<Flow, ClientError> {
        self.data(Method::PUT, self.url(&["flows", id]), Some(patch))
            .await
    }

    pub async fn delete_flow(&self, id: &str) -> Result<MessageResponse, ClientError> {
        self.send(Method::DELETE, self.url(&["flows", id]), None::<&()>)
            .await
    }

    pub async fn list_runs(&self, filter: &RunFilter) -> Result<ListResponse<Run>, ClientError> {
        let mut url = self.url(&["runs"]);
        {
            let mut q = url.query_pairs_mut();
            if let Some(flow_id) = &filter.flow_id {
                q.append_pair("flowId", flow_id);
            }
            if let Some(status) = filter.status {
                q.append_pair("status", status.as_str());
            }
            page_params(&mut q, filter.limit, filter.offset);
        }
        self.send(Method::GET, url, None::<&()>).await
    }

    pub async fn create_run(&self, flow_id: &str) -> Result<Run, ClientError> {
        let body = NewRun {
            flow_id: flow_id.to_string(),
        };
        self.data(Method::POST, self.url(&["runs"]), Some(&body))
            .await
    }

    pub async fn get_run(&self, id: &str) -> Result<RunDetail, ClientError> {
        self.data(Method::GET, self.url(&["runs", id]), None::<&()>)
            .await
    }

    pub async fn list_keys(&self) -> Result<ListResponse<ApiKey>, ClientError> {
        self.send(Method::GET, self.url(&["keys"]), None::<&()>)
            .await
    }

    pub async fn create_key(&self, key: &NewKey) -> Result<CreatedKey, ClientError> {
        self.data(Method::POST, self.url(&["keys"]), Some(key))
            .await
    }

    pub async fn revoke_key(&self, id: &str) -> Result<MessageResponse, ClientError> {
        self.send(Method::DELETE, self.url(&["keys", id]), None::<&()>)
            .await
    }

    pub async fn extract(&self, request: &ExtractRequest) -> Result<ExtractResult, ClientError> {
        self.data(Method::POST, self.url(&["extract"]), Some(request))
            .await
    }

    async fn data<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Option<&impl Serialize>,
    ) -> Result<T, ClientError> {
        let envelope: DataResponse<T> = self.send(method, url, body).await?;
        Ok(envelope.data)
    }

    async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        body: Option<&impl Serialize>,
    ) -> Result<T, ClientError> {
        let mut request = self.request(method, url.clone());
        if let Some(body) = body {
            request = request.json(body);
        }
        let unreachable = |source| ClientError::Unreachable {
            url: url.to_string(),
            source,
        };
        let response = request.send().await.map_err(unreachable)?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(unreachable)?;
        decode(&url, status, &bytes)
    }
}

fn page_params(
    q: &mut url::form_urlencoded::Serializer<'_, url::UrlQuery<'_>>,
    limit: Option<u32>,
    offset: Option<u64>,
) {
    if let Some(limit) = limit {
        q.append_pair("limit", &limit.to_string());
    }
    if let Some(offset) = offset {
        q.append_pair("offset", &offset.to_string());
    }
}

fn decode<T: DeserializeOwned>(
    url: &Url,
    status: StatusCode,
    bytes: &[u8],
) -> Result<T, ClientError> {
    let unexpected = |detail: String| ClientError::Unexpected {
        url: url.to_string(),
        status: status.as_u16(),
        detail,
    };
    if status.is_success() {
        return serde_json::from_slice(bytes).map_err(|e| unexpected(e.to_string()));
    }
    match serde_json::from_slice::<ErrorBody>(bytes) {
        Ok(body) => Err(ClientError::Api {
            status: status.as_u16(),
            code: body.error.code,
            message: body.error.message,
        }),
        Err(_) => Err(unexpected(
            String::from_utf8_lossy(bytes).chars().take(200).collect(),
        )),
    }
}
