//! Accepting connections: HTTP/1.1 (with upgrades, for the WebSocket) served by hyper under a
//! header-read timeout, so a slow or stuck client cannot hold a connection. A request whose
//! head (request line and headers) has not fully arrived in time is answered
//! `408 Request Timeout` and closed; a keep-alive connection that stays idle as long is closed
//! without a word (nothing was asked). A stalled request *body* is the body-read timeout's
//! business (`tower_http`'s `RequestBodyTimeoutLayer` in [`crate::app`]; the JSON extractor
//! answers 408). On shutdown the listener stops accepting, idle connections close, and
//! in-flight requests finish.

use crate::error::{ApiError, ErrorCode};
use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch};

/// Serves `app` on `listener` until `shutdown` fires, then waits for open connections.
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    header_read_timeout: Duration,
    shutdown: oneshot::Receiver<()>,
) -> io::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => accepted,
        };
        let stream = match accepted {
            Ok((stream, _peer)) => stream,
            Err(e) if is_connection_error(&e) => continue,
            Err(e) => {
                // Out of file descriptors and the like: wait a little rather than spin.
                tracing::warn!(error = %e, "accept failed");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        let app = app.clone();
        let stop = stop_rx.clone();
        tokio::spawn(async move {
            if let Err(e) = serve_connection(stream, app, header_read_timeout, stop).await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    let _ = stop_tx.send(true);
    drop(stop_rx);
    // Every connection task holds a receiver: `closed` resolves when the last one ends.
    stop_tx.closed().await;
    Ok(())
}

fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

async fn serve_connection(
    stream: TcpStream,
    app: Router,
    header_read_timeout: Duration,
    mut stop: watch::Receiver<bool>,
) -> io::Result<()> {
    let _ = stream.set_nodelay(true);
    // A second handle on the same socket, to answer 408 after hyper gives the connection up.
    let std_stream = stream.into_std()?;
    let spare = std_stream.try_clone()?;
    let stream = TcpStream::from_std(std_stream)?;
    let mid_request = Arc::new(AtomicBool::new(false));
    let io = TokioIo::new(Watched {
        stream,
        mid_request: mid_request.clone(),
    });
    let service = TowerToHyperService::new(app);
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout)
        .keep_alive(true);
    let conn = builder.serve_connection(io, service).with_upgrades();
    let mut conn = std::pin::pin!(conn);
    let result = tokio::select! {
        r = conn.as_mut() => r,
        () = async { let _ = stop.wait_for(|stop| *stop).await; } => {
            conn.as_mut().graceful_shutdown();
            conn.await
        }
    };
    match result {
        Err(e) if e.is_timeout() && mid_request.load(Ordering::Relaxed) => {
            let mut spare = TcpStream::from_std(spare)?;
            spare.write_all(&request_timeout_response()).await?;
            spare.shutdown().await
        }
        Err(e) if e.is_timeout() => Ok(()),
        Err(e) => Err(io::Error::other(e)),
        Ok(()) => Ok(()),
    }
}

/// The 408 a client gets when its request's head is not in within the timeout.
fn request_timeout_response() -> Vec<u8> {
    let body = ApiError::new(ErrorCode::RequestTimeout).body().to_string();
    format!(
        "HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The socket, noting whether bytes of a request have come in since the last response went
/// out: a header-read timeout then means a partial request (408), otherwise an idle one.
struct Watched {
    stream: TcpStream,
    mid_request: Arc<AtomicBool>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.mid_request.store(true, Ordering::Relaxed);
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.mid_request.store(false, Ordering::Relaxed);
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.mid_request.store(false, Ordering::Relaxed);
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
