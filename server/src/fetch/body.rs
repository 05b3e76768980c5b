//! Reading a body without trusting its size: at most a limit is kept, and
//! the cut is said in words a person can act on.

use futures_util::StreamExt;

pub(crate) struct Body {
    pub bytes: Vec<u8>,
    pub truncated: bool,
}

/// Streams the body, keeping at most `max` bytes; the rest is never read (the
/// connection is dropped).
pub(crate) async fn read_limited(
    response: reqwest::Response,
    max: usize,
) -> Result<Body, reqwest::Error> {
    let expected = response.content_length().map_or(64 * 1024, |n| n as usize);
    let mut bytes = Vec::with_capacity(expected.min(max));
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        let room = max - bytes.len();
        if chunk.len() > room {
            bytes.extend_from_slice(&chunk[..room]);
            return Ok(Body {
                bytes,
                truncated: true,
            });
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(Body {
        bytes,
        truncated: false,
    })
}

pub(crate) fn truncation_warning(max: usize, declared: Option<u64>) -> String {
    let size = match declared {
        Some(n) => format!(" (the server announced {n} bytes)"),
        None => String::new(),
    };
    format!(
        "body cut off at the {} limit ({max} bytes){size}; the HTML is incomplete",
        human_bytes(max)
    )
}

fn human_bytes(n: usize) -> String {
    const MIB: usize = 1024 * 1024;
    const KIB: usize = 1024;
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else if n >= KIB && n.is_multiple_of(KIB) {
        format!("{} KiB", n / KIB)
    } else {
        format!("{n} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_named_in_round_units() {
        assert_eq!(human_bytes(10 * 1024 * 1024), "10 MiB");
        assert_eq!(human_bytes(1000), "1000 bytes");
    }
}
