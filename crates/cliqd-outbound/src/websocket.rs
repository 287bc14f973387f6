//! Reading a WebSocket server's greeting: the handshake (<https://www.rfc-editor.org/rfc/rfc6455>)
//! through the same guarded client, then the first text message, then the connection is
//! dropped. Enough for a client that needs what a server says on connect (cliqd's real-time
//! stream names the authenticated user in its `ready` event); not a WebSocket client.

use crate::{OutboundClient, OutboundError, guard, map_reqwest_error};
use tokio::io::AsyncReadExt;

/// The handshake nonce. It only lets a client check that the server speaks WebSocket; this
/// one reads a single greeting and relies on the `101` status instead, so a fixed (valid)
/// nonce serves.
const KEY: &str = "Y2xpcWQtZ3JlZXRpbmcxMg==";

/// Frame opcodes (RFC 6455 §5.2).
const TEXT: u8 = 0x1;
const CLOSE: u8 = 0x8;
const PING: u8 = 0x9;
const PONG: u8 = 0xA;

impl OutboundClient {
    /// Opens a WebSocket to `url` (`http`/`https`, as the handshake is an HTTP request) with
    /// `headers`, and returns the first text message the server sends. Pings and pongs before
    /// it are skipped; a close, a binary or fragmented message, or a refused handshake is an
    /// error. The guard, the timeout and the response size cap apply as to
    /// [`OutboundClient::execute`].
    pub async fn websocket_first_text(
        &self,
        url: &str,
        headers: &[(String, String)],
    ) -> Result<String, OutboundError> {
        let parsed =
            url::Url::parse(url).map_err(|e| OutboundError::InvalidUrl(format!("{url}: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(OutboundError::InvalidUrl(format!(
                "unsupported scheme {}",
                parsed.scheme()
            )));
        }
        guard::check_url_host(&parsed, self.config.allow_private)?;
        let mut builder = self
            .http
            .get(parsed)
            .version(reqwest::Version::HTTP_11)
            .header("Connection", "Upgrade")
            .header("Upgrade", "websocket")
            .header("Sec-WebSocket-Version", "13")
            .header("Sec-WebSocket-Key", KEY);
        for (name, value) in headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let read = async {
            let response = builder.send().await.map_err(map_reqwest_error)?;
            if response.status() != reqwest::StatusCode::SWITCHING_PROTOCOLS {
                return Err(OutboundError::Transport(format!(
                    "the server did not open a WebSocket (HTTP {})",
                    response.status().as_u16()
                )));
            }
            let mut io = response.upgrade().await.map_err(map_reqwest_error)?;
            loop {
                let (opcode, payload) = read_frame(&mut io, self.config.max_response_bytes).await?;
                match opcode {
                    TEXT => {
                        return String::from_utf8(payload).map_err(|_| {
                            OutboundError::Transport("the greeting is not UTF-8".into())
                        });
                    }
                    PING | PONG => continue,
                    CLOSE => {
                        return Err(OutboundError::Transport(
                            "the server closed the WebSocket before greeting".into(),
                        ));
                    }
                    other => {
                        return Err(OutboundError::Transport(format!(
                            "unexpected WebSocket frame (opcode {other}) before the greeting"
                        )));
                    }
                }
            }
        };
        tokio::time::timeout(self.config.timeout, read)
            .await
            .map_err(|_| OutboundError::Timeout)?
    }
}

/// One whole frame: its opcode and (unmasked) payload, at most `max` bytes.
async fn read_frame(
    io: &mut (impl AsyncReadExt + Unpin),
    max: usize,
) -> Result<(u8, Vec<u8>), OutboundError> {
    let broken = |e: std::io::Error| OutboundError::Transport(format!("WebSocket read: {e}"));
    let mut head = [0u8; 2];
    io.read_exact(&mut head).await.map_err(broken)?;
    let fin = head[0] & 0x80 != 0;
    let opcode = head[0] & 0x0F;
    if !fin {
        return Err(OutboundError::Transport(
            "fragmented WebSocket messages are not read".into(),
        ));
    }
    let len = match head[1] & 0x7F {
        126 => u64::from(io.read_u16().await.map_err(broken)?),
        127 => io.read_u64().await.map_err(broken)?,
        n => u64::from(n),
    };
    let mut mask = [0u8; 4];
    let masked = head[1] & 0x80 != 0;
    if masked {
        io.read_exact(&mut mask).await.map_err(broken)?;
    }
    let len = usize::try_from(len)
        .ok()
        .filter(|n| *n <= max)
        .ok_or(OutboundError::TooLarge(max))?;
    let mut payload = vec![0u8; len];
    io.read_exact(&mut payload).await.map_err(broken)?;
    if masked {
        for (i, b) in payload.iter_mut().enumerate() {
            *b ^= mask[i % 4];
        }
    }
    Ok((opcode, payload))
}
