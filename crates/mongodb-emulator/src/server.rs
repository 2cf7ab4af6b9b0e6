//! The listening side: the accept loop, one thread per connection, keep-alive,
//! and stopping (closing the listener and every open connection).
//!
//! The connection handling is our own, over `std::net`, rather than an HTTP
//! server crate, because the faults need the raw socket: "close the connection
//! without answering", "announce more bytes than are sent, then close" and
//! "drop a download after K bytes" must behave exactly as they would on a real
//! network. Reading and writing HTTP is in `http`; what to answer, in `dispatch`.

use std::io::{self, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use mongodb_errors::ErrorCode;

use crate::dispatch::dispatch;
use crate::http::{read_request, write_response, ReadError};
use crate::shared::{lock, Shared};
use crate::util::{error_body, ApiError};

/// Idle keep-alive connections are closed after this long.
const IDLE_TIMEOUT: Duration = Duration::from_secs(120);

/// The accept loop and its connections.
#[derive(Debug)]
pub(crate) struct Server {
    accept: Option<JoinHandle<()>>,
}

impl Server {
    pub(crate) fn start(listener: TcpListener, shared: Arc<Shared>) -> io::Result<Server> {
        let accept = thread::Builder::new()
            .name("mongodb-emulator-accept".to_owned())
            .spawn(move || accept_loop(&listener, &shared))?;
        Ok(Server {
            accept: Some(accept),
        })
    }

    pub(crate) fn stop(mut self, shared: &Shared) {
        shared.stopping.store(true, Ordering::SeqCst);
        {
            // Take the lock so that no waiter misses the wake-up.
            let _g = lock(&shared.hang);
            shared.wake.notify_all();
        }
        for (_, conn) in lock(&shared.conns).drain() {
            let _ = conn.shutdown(Shutdown::Both);
        }
        // Wake the accept loop with a connection of our own.
        let mut wake_addr = shared.addr;
        if wake_addr.ip().is_unspecified() {
            wake_addr.set_ip(if wake_addr.is_ipv4() {
                [127, 0, 0, 1].into()
            } else {
                std::net::Ipv6Addr::LOCALHOST.into()
            });
        }
        let woke = TcpStream::connect_timeout(&wake_addr, Duration::from_secs(1)).is_ok();
        if let Some(handle) = self.accept.take() {
            if woke {
                let _ = handle.join();
            }
        }
        // Give connection threads a moment to notice.
        let deadline = Instant::now() + Duration::from_secs(2);
        let mut live = lock(&shared.live);
        while *live > 0 {
            let now = Instant::now();
            if now >= deadline {
                log::debug!("{} connection threads still finishing", *live);
                break;
            }
            live = shared
                .live_cv
                .wait_timeout(live, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    let mut consecutive_errors = 0u32;
    loop {
        let accepted = listener.accept();
        if shared.stopping.load(Ordering::SeqCst) {
            break;
        }
        let stream = match accepted {
            Ok((s, _)) => {
                consecutive_errors = 0;
                s
            }
            Err(e) => {
                consecutive_errors += 1;
                log::debug!("accept failed: {e}");
                if consecutive_errors > 10 {
                    thread::sleep(Duration::from_millis(50));
                }
                continue;
            }
        };
        let id = shared.next_conn.fetch_add(1, Ordering::Relaxed);
        if let Ok(clone) = stream.try_clone() {
            lock(&shared.conns).insert(id, clone);
        }
        *lock(&shared.live) += 1;
        let sh = Arc::clone(shared);
        let spawned = thread::Builder::new()
            .name("mongodb-emulator-conn".to_owned())
            .spawn(move || {
                // A panic escaping here would only end this connection; the
                // counters below must still be fixed up.
                let _ = catch_unwind(AssertUnwindSafe(|| serve_connection(&sh, stream)));
                lock(&sh.conns).remove(&id);
                *lock(&sh.live) -= 1;
                sh.live_cv.notify_all();
            });
        if let Err(e) = spawned {
            log::warn!("could not start a connection thread: {e}");
            lock(&shared.conns).remove(&id);
            *lock(&shared.live) -= 1;
        }
    }
}

fn serve_connection(shared: &Shared, stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(IDLE_TIMEOUT));
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::with_capacity(16 * 1024, read_half);
    let mut out = stream;
    while !shared.stopping.load(Ordering::SeqCst) {
        match read_request(&mut reader, &mut out, shared.max_body) {
            Ok(Some(req)) => {
                log::debug!(
                    "{} {} action={:?}",
                    req.method,
                    req.path,
                    req.header("x-tc-action")
                );
                let close = req.wants_close();
                let keep = dispatch(shared, &req, &mut out, close);
                if !keep || close {
                    break;
                }
            }
            Ok(None) | Err(ReadError::Io) => break,
            Err(ReadError::Malformed(why)) => {
                log::debug!("malformed request: {why}");
                let err = ApiError::new(
                    ErrorCode::InvalidRequest,
                    format!("malformed HTTP request: {why}"),
                );
                let body = error_body(&err);
                let _ = write_response(&mut out, 400, "application/json", &[], &body, true);
                break;
            }
            Err(ReadError::TooLarge(len)) => {
                let err = ApiError::new(
                    ErrorCode::RequestSizeLimitExceeded,
                    format!(
                        "The request body ({len} bytes or more) is larger than the limit of {} bytes.",
                        shared.max_body
                    ),
                );
                let body = error_body(&err);
                let _ = write_response(&mut out, 200, "application/json", &[], &body, true);
                break;
            }
        }
    }
    let _ = out.flush();
    let _ = out.shutdown(Shutdown::Both);
}
