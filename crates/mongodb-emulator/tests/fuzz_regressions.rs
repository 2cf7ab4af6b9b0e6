//! Inputs found with the `emulator_request` fuzz target in `fuzz/` (see `fuzz/README.md`), kept
//! as tests.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::Duration;

use mongodb_emulator::Emulator;

/// Sends `request`, closes the write half and returns everything the emulator answers.
fn exchange(addr: SocketAddr, request: &[u8]) -> Vec<u8> {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let _ = s.write_all(request);
    let _ = s.shutdown(Shutdown::Write);
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    answer
}

/// A chunk size so large that adding it to the bytes already read overflows `u64`: with
/// overflow checks the connection thread panicked and the client got no answer; without them
/// the size check wrapped around and the rest of the stream was read into memory, past the body
/// limit.
#[test]
fn a_chunk_size_that_overflows_is_refused_with_an_answer() {
    let h = Emulator::builder().start().unwrap();
    let answer = exchange(
        h.addr(),
        b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\nffffffffffffffff\r\n",
    );
    assert!(
        answer.starts_with(b"HTTP/1.1 "),
        "no answer: {:?}",
        String::from_utf8_lossy(&answer)
    );
    // And the server still answers.
    let answer = exchange(h.addr(), b"HELLO\r\n\r\n");
    assert!(answer.starts_with(b"HTTP/1.1 400 "));
}

/// A first chunk larger than the body limit is refused as too large (no overflow involved).
#[test]
fn a_huge_first_chunk_is_refused() {
    let h = Emulator::builder().start().unwrap();
    let answer = exchange(
        h.addr(),
        b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n",
    );
    let text = String::from_utf8_lossy(&answer);
    assert!(text.contains("RequestSizeLimitExceeded"), "{text}");
}
