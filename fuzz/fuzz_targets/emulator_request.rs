//! The emulator's request handling, over a real socket.
//!
//! One emulator is started on `127.0.0.1:0` for the whole run. The first input byte picks how the
//! rest is sent:
//!
//! - `0` (and anything not listed): the bytes as they are, then the write half is closed;
//! - `1`: `action \n body`, sent as a correctly signed JSON POST of that body;
//! - `2`: `action \n query`, sent as a correctly signed GET of that query string.
//!
//! The signed modes get past authentication into the action handlers. In every mode the emulator
//! must answer in HTTP (or close), within a bounded time, a signed request must always get a
//! well-formed `{"Response": …}` envelope, and after each input a well-formed
//! `DescribeDBInstances` must still succeed. Any panic in an emulator thread aborts the run
//! (libFuzzer's panic hook), so swallowed panics are found too.

#![no_main]

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use libfuzzer_sys::fuzz_target;
use mongodb_emulator::{Emulator, EmulatorHandle, Progress};
use mongodb_errors::Error;
use tc_sign::{Credentials, HttpMethod, SignableBody, SigningParams};

/// How long one exchange may take before the emulator counts as hung.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);

struct Target {
    addr: SocketAddr,
    host: String,
    creds: Credentials,
    _handle: EmulatorHandle,
}

fn target() -> &'static Target {
    static TARGET: OnceLock<Target> = OnceLock::new();
    TARGET.get_or_init(|| {
        let handle = Emulator::builder()
            .progress(Progress::PerPoll)
            .rate_limit(None)
            .max_body_bytes(64 * 1024)
            .start()
            .expect("the emulator starts on 127.0.0.1:0");
        Target {
            addr: handle.addr(),
            host: handle.addr().to_string(),
            creds: handle.credentials(),
            _handle: handle,
        }
    })
}

/// Sends `bytes`, closes the write half and reads everything until the emulator closes.
fn exchange(addr: SocketAddr, bytes: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect_timeout(&addr, ANSWER_TIMEOUT)
        .unwrap_or_else(|e| panic!("the emulator no longer accepts connections: {e}"));
    stream
        .set_read_timeout(Some(ANSWER_TIMEOUT))
        .expect("timeout");
    stream
        .set_write_timeout(Some(ANSWER_TIMEOUT))
        .expect("timeout");
    // The emulator may answer and close before it has read everything: ignore write errors.
    let _ = stream.write_all(bytes);
    let _ = stream.shutdown(Shutdown::Write);
    let mut answer = Vec::new();
    match stream.read_to_end(&mut answer) {
        Ok(_) => {}
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ) =>
        {
            panic!("the emulator neither answered nor closed within {ANSWER_TIMEOUT:?}")
        }
        // A reset after (part of) the answer: the emulator closed with unread input pending.
        Err(_) => {}
    }
    answer
}

/// The status and body of the first response in `answer` (skipping `100 Continue`).
fn first_response(answer: &[u8]) -> Option<(u16, &[u8])> {
    let mut rest = answer;
    loop {
        let end = rest.windows(4).position(|w| w == b"\r\n\r\n")?;
        let head = std::str::from_utf8(&rest[..end]).ok()?;
        let body_start = end + 4;
        let status: u16 = head.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()?;
        if status == 100 {
            rest = &rest[body_start..];
            continue;
        }
        let len = head
            .lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(n, _)| n.trim().eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.trim().parse::<usize>().ok())?;
        return rest.get(body_start..body_start + len).map(|b| (status, b));
    }
}

/// A request for `action` signed with the emulator's credentials at the current time.
fn signed(t: &Target, method: HttpMethod, action: &str, payload: &[u8]) -> Vec<u8> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs() as i64;
    let query = String::from_utf8_lossy(payload);
    let (query_signed, body_signed): (&str, &[u8]) = match method {
        HttpMethod::Get => (&query, &[]),
        HttpMethod::Post => ("", payload),
    };
    let params = SigningParams::builder()
        .method(method)
        .service("mongodb")
        .host(&t.host)
        .action(action)
        .version(mongodb_models::API_VERSION)
        .timestamp(now)
        .query(query_signed)
        .payload(SignableBody::Bytes(body_signed))
        .region("ap-guangzhou")
        .build()
        .expect("the host and a non-empty action are set");
    let signed = tc_sign::sign(&t.creds, &params);
    let (line, body) = match method {
        HttpMethod::Get => (format!("GET /?{query} HTTP/1.1\r\n"), &[][..]),
        _ => ("POST / HTTP/1.1\r\n".to_owned(), payload),
    };
    let mut text = line;
    for (name, value) in &signed.headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    let mut bytes = text.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

/// Header-safe text: no control characters (they would end the header line early).
fn clean(s: &[u8]) -> Option<&str> {
    std::str::from_utf8(s)
        .ok()
        .filter(|s| !s.chars().any(char::is_control))
}

fn split_action(rest: &[u8]) -> Option<(&str, &[u8])> {
    let i = rest.iter().position(|&b| b == b'\n')?;
    // A signed request names an action (the signer requires one); mode 0 covers the rest.
    let action = clean(&rest[..i]).filter(|a| !a.is_empty())?;
    Some((action, &rest[i + 1..]))
}

/// A signed request must get an HTTP answer whose body is an API envelope.
fn assert_envelope(input: &[u8], answer: &[u8]) {
    let (status, body) = first_response(answer).unwrap_or_else(|| {
        panic!(
            "no complete HTTP response to a signed request {:?}: {:?}",
            String::from_utf8_lossy(input),
            String::from_utf8_lossy(answer)
        )
    });
    match mongodb_models::decode_response_value(body) {
        Ok(_) | Err(Error::Service(_)) => {}
        Err(e) => panic!(
            "status {status}: the answer to {:?} is not an envelope: {e}",
            String::from_utf8_lossy(input)
        ),
    }
}

fuzz_target!(|data: &[u8]| {
    let t = target();
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    match mode {
        1 | 2 => {
            let Some((action, payload)) = split_action(rest) else {
                return;
            };
            let method = if mode == 1 {
                HttpMethod::Post
            } else {
                // The query goes into the request line: keep it to visible ASCII.
                if payload.iter().any(|&b| !b.is_ascii_graphic() || b == b'#') {
                    return;
                }
                HttpMethod::Get
            };
            let request = signed(t, method, action, payload);
            let answer = exchange(t.addr, &request);
            assert_envelope(&request, &answer);
        }
        _ => {
            let answer = exchange(t.addr, rest);
            assert!(
                answer.is_empty() || answer.starts_with(b"HTTP/1.1 "),
                "the answer to {:?} is not HTTP: {:?}",
                String::from_utf8_lossy(rest),
                String::from_utf8_lossy(&answer[..answer.len().min(200)])
            );
        }
    }

    // The emulator still serves a well-formed request.
    let health = signed(t, HttpMethod::Post, "DescribeDBInstances", b"{}");
    let answer = exchange(t.addr, &health);
    let (status, body) = first_response(&answer).unwrap_or_else(|| {
        panic!(
            "no answer to DescribeDBInstances after {:?}: {:?}",
            String::from_utf8_lossy(data),
            String::from_utf8_lossy(&answer)
        )
    });
    assert_eq!(status, 200);
    if let Err(e) =
        mongodb_models::decode_response::<mongodb_models::DescribeDBInstancesResponse>(body)
    {
        panic!(
            "DescribeDBInstances fails after {:?}: {e}",
            String::from_utf8_lossy(data)
        );
    }
});
