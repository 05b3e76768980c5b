//! The typed HTTP client of the Scraper API, used by the TUI and the tests.

use crate::envelope::{DataResponse, ErrorBody, ListResponse, MessageResponse};
use crate::extract::{ExtractRequest, ExtractResult};
use crate::flow::{Flow, FlowFilter, FlowInput};
use crate::key::{ApiKey, CreatedKey, NewKey};
use crate::monitor::{ChangeEntry, ChangeKind, Delivery};
use crate::run::{LogEnd, LogEntry, NewRun, Node, Run, RunDetail, RunFilter, Screenshot};
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use url::Url;

/// The header that carries the API key.
pub const API_KEY_HEADER: &str = "X-API-Key";

/// How many times a rate-limited request is tried again.
const RATE_RETRIES: u32 = 5;

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
            // A host that drops packets would otherwise hold a request for
            // the OS's minutes; no overall timeout, as log streams stay open.
            .connect_timeout(std::time::Duration::from_secs(5))
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

    /// The key this client sends.
    pub fn api_key(&self) -> &str {
        &self.api_key
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
    /// Sends what `build` makes; a `429` (the key's rate limit) is waited
    /// out as its `Retry-After` says and tried again, a few times, rather
    /// than handed to the caller as an error.
    async fn execute(
        &self,
        url: &Url,
        build: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, ClientError> {
        let mut tries = 0;
        loop {
            let response = build()
                .send()
                .await
                .map_err(|source| ClientError::Unreachable {
                    url: url.to_string(),
                    source,
                })?;
            if response.status() != reqwest::StatusCode::TOO_MANY_REQUESTS || tries >= RATE_RETRIES
            {
                return Ok(response);
            }
            tries += 1;
            let wait = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .unwrap_or(1)
                .clamp(1, 10);
            tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
        }
    }

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

    /// `GET /api/nodes`: the live server processes on this database.
    pub async fn nodes(&self) -> Result<ListResponse<Node>, ClientError> {
        self.send(Method::GET, self.url(&["nodes"]), None::<&()>)
            .await
    }

    /// `GET /api/runs/:id/screenshots`: a browser run's screenshots.
    pub async fn screenshots(&self, run_id: &str) -> Result<ListResponse<Screenshot>, ClientError> {
        self.send(
            Method::GET,
            self.url(&["runs", run_id, "screenshots"]),
            None::<&()>,
        )
        .await
    }

    /// `GET /api/runs/:id/screenshots/:n`: the PNG.
    pub async fn screenshot_png(&self, run_id: &str, n: u32) -> Result<Vec<u8>, ClientError> {
        let url = self.url(&["runs", run_id, "screenshots", &n.to_string()]);
        let response = self
            .execute(&url, || self.request(Method::GET, url.clone()))
            .await?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|source| ClientError::Unreachable {
                url: url.to_string(),
                source,
            })?;
        if !status.is_success() {
            return decode::<Value>(&url, status, &bytes).map(|_| Vec::new());
        }
        Ok(bytes.to_vec())
    }

    /// `GET /api/runs/:id/changes`: what a monitor's run changed.
    pub async fn run_changes(
        &self,
        id: &str,
        kind: Option<ChangeKind>,
        limit: Option<u32>,
        offset: Option<u64>,
    ) -> Result<ListResponse<ChangeEntry>, ClientError> {
        self.changes(&["runs", id, "changes"], kind, limit, offset)
            .await
    }

    /// `GET /api/flows/:id/changes`: a flow's change history, newest first.
    pub async fn flow_changes(
        &self,
        id: &str,
        kind: Option<ChangeKind>,
        limit: Option<u32>,
        offset: Option<u64>,
    ) -> Result<ListResponse<ChangeEntry>, ClientError> {
        self.changes(&["flows", id, "changes"], kind, limit, offset)
            .await
    }

    async fn changes(
        &self,
        segments: &[&str],
        kind: Option<ChangeKind>,
        limit: Option<u32>,
        offset: Option<u64>,
    ) -> Result<ListResponse<ChangeEntry>, ClientError> {
        let mut url = self.url(segments);
        {
            let mut q = url.query_pairs_mut();
            if let Some(kind) = kind {
                q.append_pair("kind", kind.as_str());
            }
            page_params(&mut q, limit, offset);
        }
        self.send(Method::GET, url, None::<&()>).await
    }

    /// `GET /api/flows/:id/deliveries`: its webhook messages, newest first.
    pub async fn deliveries(
        &self,
        flow_id: &str,
        limit: Option<u32>,
        offset: Option<u64>,
    ) -> Result<ListResponse<Delivery>, ClientError> {
        let mut url = self.url(&["flows", flow_id, "deliveries"]);
        page_params(&mut url.query_pairs_mut(), limit, offset);
        self.send(Method::GET, url, None::<&()>).await
    }

    /// `POST /api/deliveries/:id/redeliver`: the message, due again now.
    pub async fn redeliver(&self, id: &str) -> Result<Delivery, ClientError> {
        self.data(
            Method::POST,
            self.url(&["deliveries", id, "redeliver"]),
            None::<&()>,
        )
        .await
    }

    /// `POST /api/flows/:id/webhook/rotate`: the flow with its new secret whole.
    pub async fn rotate_webhook_secret(&self, flow_id: &str) -> Result<Flow, ClientError> {
        self.data(
            Method::POST,
            self.url(&["flows", flow_id, "webhook", "rotate"]),
            None::<&()>,
        )
        .await
    }

    /// `POST /api/flows` with a body as the user wrote it, so that the
    /// server (not this client's types) judges it and names what is wrong.
    pub async fn create_flow_json(&self, flow: &Value) -> Result<Flow, ClientError> {
        self.data(Method::POST, self.url(&["flows"]), Some(flow))
            .await
    }

    /// `POST /api/runs/:id/cancel`: the run as it is after the cancel.
    pub async fn cancel_run(&self, id: &str) -> Result<Run, ClientError> {
        self.data(Method::POST, self.url(&["runs", id, "cancel"]), None::<&()>)
            .await
    }

    /// `GET /api/runs/:id/logs?after=SEQ`: the lines after `after`.
    pub async fn run_logs(
        &self,
        id: &str,
        after: u64,
    ) -> Result<ListResponse<LogEntry>, ClientError> {
        let mut url = self.url(&["runs", id, "logs"]);
        url.query_pairs_mut()
            .append_pair("after", &after.to_string());
        self.send(Method::GET, url, None::<&()>).await
    }

    /// `GET /api/runs/:id/items` as JSON records.
    pub async fn run_items(
        &self,
        id: &str,
        limit: Option<u32>,
        offset: Option<u64>,
    ) -> Result<ListResponse<Map<String, Value>>, ClientError> {
        let mut url = self.url(&["runs", id, "items"]);
        page_params(&mut url.query_pairs_mut(), limit, offset);
        self.send(Method::GET, url, None::<&()>).await
    }

    /// `GET /api/runs/:id/items?format=...`: the whole data set as the
    /// server writes it (`json`, `ndjson` or `csv`), for saving to a file.
    pub async fn run_items_text(&self, id: &str, format: &str) -> Result<String, ClientError> {
        let mut url = self.url(&["runs", id, "items"]);
        url.query_pairs_mut().append_pair("format", format);
        let unreachable = |source| ClientError::Unreachable {
            url: url.to_string(),
            source,
        };
        let response = self
            .execute(&url, || self.request(Method::GET, url.clone()))
            .await?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(unreachable)?;
        if !status.is_success() {
            return decode::<Value>(&url, status, &bytes).map(|_| String::new());
        }
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// `GET /api/runs/:id/logs/stream`: the run's log lines as they are
    /// written, resuming after `last_event_id` when given.
    pub async fn stream_logs(
        &self,
        id: &str,
        last_event_id: Option<u64>,
    ) -> Result<LogStream, ClientError> {
        let url = self.url(&["runs", id, "logs", "stream"]);
        let response = self
            .execute(&url, || {
                let request = self
                    .request(Method::GET, url.clone())
                    .header(reqwest::header::ACCEPT, "text/event-stream");
                match last_event_id {
                    Some(seq) => request.header("Last-Event-ID", seq.to_string()),
                    None => request,
                }
            })
            .await?;
        let status = response.status();
        if !status.is_success() {
            let bytes = response.bytes().await.unwrap_or_default();
            return Err(decode::<Value>(&url, status, &bytes)
                .err()
                .unwrap_or_else(|| ClientError::Unexpected {
                    url: url.to_string(),
                    status: status.as_u16(),
                    detail: "an error status with a success body".into(),
                }));
        }
        Ok(LogStream {
            url: url.to_string(),
            response,
            buffer: String::new(),
        })
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
        let unreachable = |source| ClientError::Unreachable {
            url: url.to_string(),
            source,
        };
        let response = self
            .execute(&url, || {
                let request = self.request(method.clone(), url.clone());
                match body {
                    Some(body) => request.json(body),
                    None => request,
                }
            })
            .await?;
        let status = response.status();
        let bytes = response.bytes().await.map_err(unreachable)?;
        decode(&url, status, &bytes)
    }
}

/// One event of a run's log stream.
#[derive(Debug, Clone, PartialEq)]
pub enum LogEvent {
    Line(LogEntry),
    /// The stream is over: the run finished, or the server is shutting
    /// down (`reason` says which).
    End(LogEnd),
}

/// A run's Server-Sent Events, read chunk by chunk.
pub struct LogStream {
    url: String,
    response: reqwest::Response,
    buffer: String,
}

impl LogStream {
    /// The next event; `None` when the server closed the stream.
    pub async fn next(&mut self) -> Option<Result<LogEvent, ClientError>> {
        loop {
            while let Some(block) = take_block(&mut self.buffer) {
                if let Some(event) = parse_event(&block) {
                    return Some(event.map_err(|detail| ClientError::Unexpected {
                        url: self.url.clone(),
                        status: 200,
                        detail,
                    }));
                }
            }
            match self.response.chunk().await {
                Ok(Some(chunk)) => {
                    // SSE allows CRLF; one form makes block splitting simple.
                    self.buffer
                        .push_str(&String::from_utf8_lossy(&chunk).replace('\r', ""));
                }
                Ok(None) => return None,
                Err(source) => {
                    return Some(Err(ClientError::Unreachable {
                        url: self.url.clone(),
                        source,
                    }));
                }
            }
        }
    }
}

fn take_block(buffer: &mut String) -> Option<String> {
    let end = buffer.find("\n\n")?;
    let block = buffer[..end].to_string();
    buffer.drain(..end + 2);
    Some(block)
}

/// `None` for blocks that carry no event we know (keep-alive comments).
fn parse_event(block: &str) -> Option<Result<LogEvent, String>> {
    let mut kind = "message";
    let mut data = String::new();
    for line in block.lines() {
        if let Some(v) = line.strip_prefix("event:") {
            kind = v.trim();
        } else if let Some(v) = line.strip_prefix("data:") {
            if !data.is_empty() {
                data.push('\n');
            }
            data.push_str(v.strip_prefix(' ').unwrap_or(v));
        }
    }
    match kind {
        "log" => Some(
            serde_json::from_str::<LogEntry>(&data)
                .map(LogEvent::Line)
                .map_err(|e| format!("a log event that is not a log line ({e}): {data}")),
        ),
        "end" => Some(
            serde_json::from_str::<LogEnd>(&data)
                .map(LogEvent::End)
                .map_err(|e| format!("an end event that is not a stream end ({e}): {data}")),
        ),
        _ => None,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sse_blocks_become_events_and_comments_are_skipped() {
        let mut buffer = String::from(
            ":keep-alive\n\nid:3\nevent:log\ndata:{\"seq\":3,\"timestamp\":\"2026-03-18T12:00:00.000Z\",\"level\":\"info\",\"message\":\"hi\"}\n\nevent:end\ndata:{\"status\":\"failed\",\"failureReason\":\"timeout\",\"reason\":\"finished\"}\n\npartial",
        );
        let mut events = Vec::new();
        while let Some(block) = take_block(&mut buffer) {
            if let Some(event) = parse_event(&block) {
                events.push(event.unwrap());
            }
        }
        assert_eq!(buffer, "partial", "an unfinished block waits for more");
        assert_eq!(events.len(), 2);
        match &events[0] {
            LogEvent::Line(line) => assert_eq!((line.seq, line.message.as_str()), (3, "hi")),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            events[1],
            LogEvent::End(LogEnd {
                status: crate::RunStatus::Failed,
                failure_reason: Some(crate::FailureReason::Timeout),
                reason: crate::StreamEnd::Finished,
            })
        );
    }
}
