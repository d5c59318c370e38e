//! A deliberately small HTTP/1.1 client for the load drivers: one request per
//! fresh connection (`Connection: close`), as each educator on their own
//! device would open one, and a failure named by where it happened. Hyper's
//! client would bring crates the workspace does not otherwise build.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A whole response.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// Header names (lower case) and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub body: Vec<u8>,
}

impl Reply {
    /// The first value of header `name` (lower case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Where a request failed before a whole response arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Failure {
    /// The connection was refused or could not be made.
    Connect,
    /// Sending the request failed.
    Send,
    /// The connection broke before the response was complete.
    Receive,
    /// No whole response within the time allowed.
    Timeout,
    /// Something came back that is not an HTTP/1.1 response.
    Malformed,
}

impl Failure {
    /// A short name for reports.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Connect => "connect",
            Self::Send => "send",
            Self::Receive => "receive",
            Self::Timeout => "timeout",
            Self::Malformed => "malformed",
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::error::Error for Failure {}

/// One request on a fresh connection to `addr`, answered within `timeout`
/// (connecting included). `headers` are added as given; `Host`,
/// `Connection` and, with a body, `Content-Length` are set here.
pub async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    timeout: Duration,
) -> Result<Reply, Failure> {
    tokio::time::timeout(timeout, exchange(addr, method, path, headers, body))
        .await
        .unwrap_or(Err(Failure::Timeout))
}

async fn exchange(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Result<Reply, Failure> {
    let mut stream = TcpStream::connect(addr)
        .await
        .map_err(|_| Failure::Connect)?;
    // Requests are small; without this the body could wait for a delayed ACK.
    stream.set_nodelay(true).map_err(|_| Failure::Connect)?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(k);
        head.push_str(": ");
        head.push_str(v);
        head.push_str("\r\n");
    }
    if !body.is_empty() || method == "PUT" || method == "POST" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(body);
    stream.write_all(&out).await.map_err(|_| Failure::Send)?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .await
        .map_err(|_| Failure::Receive)?;
    parse(&raw)
}

/// Parses a whole response read to the end of the connection.
fn parse(raw: &[u8]) -> Result<Reply, Failure> {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or(if raw.is_empty() {
            Failure::Receive
        } else {
            Failure::Malformed
        })?;
    let head = std::str::from_utf8(&raw[..split]).map_err(|_| Failure::Malformed)?;
    let rest = &raw[split + 4..];
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.strip_prefix("HTTP/1.1 "))
        .and_then(|l| l.get(..3))
        .and_then(|s| s.parse().ok())
        .ok_or(Failure::Malformed)?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let find = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let body = if find("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        dechunk(rest)?
    } else if let Some(len) = find("content-length") {
        let len: usize = len.parse().map_err(|_| Failure::Malformed)?;
        // A connection closed before the whole body arrived is a broken response.
        rest.get(..len).ok_or(Failure::Receive)?.to_vec()
    } else {
        rest.to_vec()
    };
    Ok(Reply {
        status,
        headers,
        body,
    })
}

fn dechunk(mut rest: &[u8]) -> Result<Vec<u8>, Failure> {
    let mut body = Vec::new();
    loop {
        let end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or(Failure::Receive)?;
        let size = std::str::from_utf8(&rest[..end]).map_err(|_| Failure::Malformed)?;
        let size = usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|_| Failure::Malformed)?;
        rest = &rest[end + 2..];
        if size == 0 {
            return Ok(body);
        }
        body.extend_from_slice(rest.get(..size).ok_or(Failure::Receive)?);
        rest = rest.get(size + 2..).ok_or(Failure::Receive)?;
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests fail loudly")]
mod tests {
    use super::*;

    #[test]
    fn responses_parse_with_length_chunks_or_to_the_end() {
        let r = parse(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-A: b\r\n\r\nhi").unwrap();
        assert_eq!(
            (r.status, r.text(), r.header("x-a")),
            (200, "hi".into(), Some("b"))
        );
        let r = parse(b"HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\nRetry-After: 2\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n").unwrap();
        assert_eq!(
            (r.status, r.text(), r.header("retry-after")),
            (503, "abcde".into(), Some("2"))
        );
        let r = parse(b"HTTP/1.1 303 See Other\r\nLocation: /home\r\n\r\n").unwrap();
        assert_eq!((r.status, r.body.len()), (303, 0));
        assert_eq!(parse(b"").unwrap_err(), Failure::Receive);
        assert_eq!(
            parse(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhi").unwrap_err(),
            Failure::Receive
        );
        assert_eq!(parse(b"SSH-2.0\r\n\r\n").unwrap_err(), Failure::Malformed);
    }
}
