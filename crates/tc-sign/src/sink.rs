//! Sinks: where the pieces of a canonical request or string to sign are written. A buffer keeps
//! the text (for [`SignedRequest`](crate::SignedRequest)); a hash or HMAC consumes it without the
//! text ever being assembled (the fast path).

use hmac::Mac;
use sha2::{Digest, Sha256};

use crate::hash::HmacSha256;

/// Somewhere the pieces of a canonical request or string to sign can be written: a buffer, or a
/// hash or HMAC that consumes them without the text ever being assembled.
pub(crate) trait Sink {
    fn put(&mut self, bytes: &[u8]);

    /// Writes ASCII `bytes` lower-cased.
    fn put_ascii_lowercase(&mut self, bytes: &[u8]) {
        const CHUNK: usize = 64;
        let mut buf = [0u8; CHUNK];
        for chunk in bytes.chunks(CHUNK) {
            let lower = &mut buf[..chunk.len()];
            lower.copy_from_slice(chunk);
            lower.make_ascii_lowercase();
            self.put(lower);
        }
    }
}

impl Sink for Vec<u8> {
    #[inline(always)]
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

impl Sink for Sha256 {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        Digest::update(self, bytes);
    }
}

impl Sink for HmacSha256 {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        Mac::update(self, bytes);
    }
}

impl<S: Sink + ?Sized> Sink for &mut S {
    #[inline(always)]
    fn put(&mut self, bytes: &[u8]) {
        (**self).put(bytes);
    }

    #[inline(always)]
    fn put_ascii_lowercase(&mut self, bytes: &[u8]) {
        (**self).put_ascii_lowercase(bytes);
    }
}

/// A sink that drops what it is given (the fast path keeps no copy of the texts).
pub(crate) struct Discard;

impl Sink for Discard {
    #[inline(always)]
    fn put(&mut self, _bytes: &[u8]) {}
}

/// Writes everything to both sinks.
pub(crate) struct Tee<A, B>(pub(crate) A, pub(crate) B);

impl<A: Sink, B: Sink> Sink for Tee<A, B> {
    #[inline(always)]
    fn put(&mut self, bytes: &[u8]) {
        self.0.put(bytes);
        self.1.put(bytes);
    }

    #[inline(always)]
    fn put_ascii_lowercase(&mut self, bytes: &[u8]) {
        self.0.put_ascii_lowercase(bytes);
        self.1.put_ascii_lowercase(bytes);
    }
}

/// Gathers small pieces in a stack buffer and hands them to `inner` in large runs.
///
/// Hashes pay a fixed cost per `update` call and per call into their block function, so feeding
/// a canonical request as two dozen fragments costs far more than hashing it in one go. The
/// buffer is a multiple of the SHA-256 block size, so full flushes hash straight from it.
pub(crate) struct Buffered<S: Sink, const N: usize> {
    buf: [u8; N],
    len: usize,
    inner: S,
}

impl<S: Sink, const N: usize> Buffered<S, N> {
    #[inline]
    pub(crate) fn new(inner: S) -> Self {
        Buffered {
            buf: [0; N],
            len: 0,
            inner,
        }
    }

    /// Passes on what is still buffered and returns the inner sink.
    #[inline]
    pub(crate) fn finish(mut self) -> S {
        self.flush();
        self.inner
    }

    #[inline]
    fn flush(&mut self) {
        if self.len > 0 {
            self.inner.put(&self.buf[..self.len]);
            self.len = 0;
        }
    }

    /// Makes room for `n` more bytes, or returns `None` when `n` is larger than the buffer.
    #[inline(always)]
    fn reserve(&mut self, n: usize) -> Option<&mut [u8]> {
        if n > N - self.len {
            self.flush();
            if n > N {
                return None;
            }
        }
        let start = self.len;
        self.len += n;
        self.buf.get_mut(start..start + n)
    }
}

impl<S: Sink, const N: usize> Sink for Buffered<S, N> {
    #[inline(always)]
    fn put(&mut self, bytes: &[u8]) {
        match self.reserve(bytes.len()) {
            Some(dst) => dst.copy_from_slice(bytes),
            None => self.inner.put(bytes),
        }
    }

    #[inline]
    fn put_ascii_lowercase(&mut self, bytes: &[u8]) {
        match self.reserve(bytes.len()) {
            Some(dst) => {
                dst.copy_from_slice(bytes);
                dst.make_ascii_lowercase();
            }
            None => self.inner.put_ascii_lowercase(bytes),
        }
    }
}

/// Writes `value` lower-cased: ASCII through a small stack buffer a chunk at a time, anything
/// else with full Unicode lower-casing (which needs the whole string, e.g. for a final sigma).
#[inline(always)]
pub(crate) fn put_lowercase(out: &mut impl Sink, value: &str) {
    if value.is_ascii() {
        out.put_ascii_lowercase(value.as_bytes());
    } else {
        out.put(value.to_lowercase().as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowercasing_in_chunks_matches_whole_string_lowercasing() {
        for n in [0, 1, 15, 16, 17, 50, 96, 97, 200, 500] {
            let long = "AbC-".repeat(n);
            let mut out = Vec::new();
            put_lowercase(&mut out, &long);
            assert_eq!(out, long.to_ascii_lowercase().into_bytes());
            let mut buffered = Buffered::<_, 64>::new(Vec::new());
            buffered.put(b"X");
            put_lowercase(&mut buffered, &long);
            buffered.put(long.as_bytes());
            let expected = ["X", &long.to_ascii_lowercase(), &long].concat();
            assert_eq!(buffered.finish(), expected.into_bytes());
        }
    }

    proptest::proptest! {
        #[test]
        fn buffered_passes_everything_on_in_order(
            pieces in proptest::collection::vec(
                (proptest::collection::vec(0u8..128, 0..900), proptest::bool::ANY),
                0..12,
            ),
        ) {
            let mut direct = Vec::new();
            let mut buffered = Buffered::<_, 256>::new(Vec::new());
            for (bytes, lower) in &pieces {
                if *lower {
                    direct.put_ascii_lowercase(bytes);
                    buffered.put_ascii_lowercase(bytes);
                } else {
                    direct.put(bytes);
                    buffered.put(bytes);
                }
            }
            proptest::prop_assert_eq!(buffered.finish(), direct);
        }
    }
}
