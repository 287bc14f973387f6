//! Where `cliqd serve`'s log lines go: stderr, through a buffer a thread of its own writes out.
//!
//! Written straight to stderr, every line (one per request at `info`) cost a system call under
//! stderr's lock on the thread serving the request, about 3–4 µs. Here a line is appended to a
//! shared buffer; a thread writes what gathered a few milliseconds after the first line of a
//! batch arrived. Nothing is dropped: a buffer that reaches [`MAX_BUFFER`] (stderr is slower
//! than the logging) is written out by the thread logging, which waits for it. Lines at `WARN`
//! and above are written at once, after the lines before them. [`LogFlush`], held by `serve`,
//! writes what is left when it ends.

use std::io::Write;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;
use tracing_subscriber::fmt::MakeWriter;

/// How long the writer thread lets lines gather after the first one of a batch.
const GATHER: Duration = Duration::from_millis(20);
/// Buffered bytes at which the thread logging writes the buffer out itself.
const MAX_BUFFER: usize = 256 * 1024;

#[derive(Default)]
struct Shared {
    buf: Mutex<Vec<u8>>,
    /// Signalled when the buffer goes from empty to not.
    filled: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Vec<u8>> {
        // A panic while holding the lock leaves at worst a partial line: keep logging.
        self.buf.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes `buf` (held locked, so lines stay in order) to stderr and empties it.
    fn write_out(buf: &mut Vec<u8>) {
        if !buf.is_empty() {
            let mut err = std::io::stderr().lock();
            let _ = err.write_all(buf);
            let _ = err.flush();
            buf.clear();
        }
    }
}

/// The `MakeWriter` of the log subscriber.
#[derive(Clone)]
pub struct BufferedStderr {
    shared: Arc<Shared>,
    /// No writer thread: every line is written at once.
    direct: bool,
}

/// Writes what is buffered when dropped.
pub struct LogFlush {
    shared: Arc<Shared>,
}

impl Drop for LogFlush {
    fn drop(&mut self) {
        Shared::write_out(&mut self.shared.lock());
    }
}

/// The writer, and the guard that flushes it; starts the writer thread (when it cannot be
/// started, every line is written at once).
pub fn buffered_stderr() -> (BufferedStderr, LogFlush) {
    let shared = Arc::new(Shared::default());
    let thread_shared = shared.clone();
    let started = std::thread::Builder::new()
        .name("cliqd-log".into())
        .spawn(move || {
            loop {
                {
                    let mut buf = thread_shared.lock();
                    while buf.is_empty() {
                        buf = thread_shared
                            .filled
                            .wait(buf)
                            .unwrap_or_else(|e| e.into_inner());
                    }
                }
                std::thread::sleep(GATHER);
                // Taken out of the lock, so logging threads do not wait for stderr.
                let mut out = std::mem::take(&mut *thread_shared.lock());
                Shared::write_out(&mut out);
            }
        })
        .is_ok();
    let writer = BufferedStderr {
        shared: shared.clone(),
        direct: !started,
    };
    (writer, LogFlush { shared })
}

/// One line being written: buffered, or written at once (`urgent`).
pub struct LineWriter<'a> {
    shared: &'a Shared,
    urgent: bool,
}

impl Write for LineWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let mut buf = self.shared.lock();
        let was_empty = buf.is_empty();
        buf.extend_from_slice(bytes);
        if self.urgent || buf.len() >= MAX_BUFFER {
            Shared::write_out(&mut buf);
        } else if was_empty {
            self.shared.filled.notify_one();
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for BufferedStderr {
    type Writer = LineWriter<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        LineWriter {
            shared: &self.shared,
            urgent: self.direct,
        }
    }

    fn make_writer_for(&'a self, meta: &tracing::Metadata<'_>) -> Self::Writer {
        LineWriter {
            shared: &self.shared,
            urgent: self.direct || *meta.level() <= tracing::Level::WARN,
        }
    }
}
