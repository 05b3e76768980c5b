//! One canned answer of a test server.

use std::time::Duration;

#[derive(Clone, Debug)]
pub enum Reply {
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// The same answer, after the site has thought for a while.
    Later(Duration, Box<Reply>),
    /// Accept the request and never answer.
    Hang,
}

impl Reply {
    pub fn with_type(content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply::Respond {
            status: 200,
            headers: vec![("content-type".into(), content_type.into())],
            body: body.into(),
        }
    }

    pub fn html(body: impl Into<Vec<u8>>) -> Reply {
        Reply::with_type("text/html; charset=utf-8", body)
    }

    /// A body with no `Content-Type` at all.
    pub fn untyped(body: impl Into<Vec<u8>>) -> Reply {
        Reply::Respond {
            status: 200,
            headers: vec![],
            body: body.into(),
        }
    }

    pub fn redirect(location: &str) -> Reply {
        Reply::Respond {
            status: 302,
            headers: vec![("location".into(), location.into())],
            body: vec![],
        }
    }

    /// An error page with this status.
    pub fn status(status: u16) -> Reply {
        Reply::Respond {
            status,
            headers: vec![("content-type".into(), "text/html".into())],
            body: format!("<h1>{status}</h1>").into_bytes(),
        }
    }

    pub fn not_found() -> Reply {
        Reply::status(404)
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        match &mut self {
            Reply::Respond { headers, .. } => headers.push((name.into(), value.into())),
            Reply::Later(_, reply) => **reply = reply.clone().header(name, value),
            Reply::Hang => {}
        }
        self
    }

    /// The same answer, given after `delay`.
    pub fn slow(self, delay: Duration) -> Reply {
        Reply::Later(delay, Box::new(self))
    }
}
