//! The API's error codes: the `code` of every error envelope, each with the
//! one HTTP status it travels with.

crate::named_enum! {
    /// Stable and machine-readable; the envelope's `message` is for people.
    ErrorCode "error code" {
        BadRequest => "bad_request",
        InvalidJson => "invalid_json",
        Unauthorized => "unauthorized",
        Forbidden => "forbidden",
        NotFound => "not_found",
        MethodNotAllowed => "method_not_allowed",
        Conflict => "conflict",
        LengthRequired => "length_required",
        PayloadTooLarge => "payload_too_large",
        UnsupportedMediaType => "unsupported_media_type",
        ValidationFailed => "validation_failed",
        UrlRefused => "url_refused",
        NotHtml => "not_html",
        QueueFull => "queue_full",
        RateLimited => "rate_limited",
        Internal => "internal",
        NotImplemented => "not_implemented",
        DnsFailed => "dns_failed",
        ConnectFailed => "connect_failed",
        UpstreamStatus => "upstream_status",
        TooManyRedirects => "too_many_redirects",
        FetchFailed => "fetch_failed",
        Timeout => "timeout",
    }
}

impl ErrorCode {
    /// The HTTP status an error with this code is answered with.
    pub fn status(self) -> u16 {
        use ErrorCode::*;
        match self {
            BadRequest | InvalidJson => 400,
            Unauthorized => 401,
            Forbidden => 403,
            NotFound => 404,
            MethodNotAllowed => 405,
            Conflict => 409,
            LengthRequired => 411,
            PayloadTooLarge => 413,
            UnsupportedMediaType => 415,
            ValidationFailed | UrlRefused | NotHtml => 422,
            QueueFull | RateLimited => 429,
            Internal => 500,
            NotImplemented => 501,
            DnsFailed | ConnectFailed | UpstreamStatus | TooManyRedirects | FetchFailed => 502,
            Timeout => 504,
        }
    }
}
