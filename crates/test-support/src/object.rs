//! [`Object`]: what the file server serves, and how it describes it (ETag, Last-Modified, CRC).

use std::sync::Arc;

/// The CRC-64/XZ of `data`: what Tencent COS sends, in decimal, as `x-cos-hash-crc64ecma`.
pub fn crc64_xz(data: &[u8]) -> u64 {
    crc_fast::checksum(crc_fast::CrcAlgorithm::Crc64Xz, data)
}

#[derive(Clone)]
enum Body {
    Bytes(Arc<Vec<u8>>),
    /// Bytes computed from their offset, so a large object takes no memory.
    Generated {
        len: u64,
        seed: u64,
    },
}

/// The bytes served at the server's path, with the headers that describe them.
///
/// The ETag is derived from the content, so replacing the object with other bytes gives a new
/// one, as a store does.
#[derive(Clone)]
pub struct Object {
    body: Body,
    crc64: u64,
    send_crc: bool,
    send_validators: bool,
    accept_ranges: bool,
    version: u64,
}

impl std::fmt::Debug for Object {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Object")
            .field("len", &self.len())
            .field("crc64", &self.crc64)
            .field("etag", &self.etag())
            .finish_non_exhaustive()
    }
}

impl Object {
    /// An object holding `bytes`.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Object {
        let bytes: Vec<u8> = bytes.into();
        let crc64 = crc64_xz(&bytes);
        Object::with_body(Body::Bytes(Arc::new(bytes)), crc64)
    }

    /// An object of `len` deterministic pseudo-random bytes (a function of `seed` and the
    /// offset), generated as they are sent: for large downloads without holding them in memory.
    pub fn generated(len: u64, seed: u64) -> Object {
        let body = Body::Generated { len, seed };
        let mut digest = crc_fast::Digest::new(crc_fast::CrcAlgorithm::Crc64Xz);
        let mut buf = vec![0u8; 1 << 20];
        let mut at = 0;
        while at < len {
            let n = (len - at).min(buf.len() as u64) as usize;
            fill(&body, at, &mut buf[..n]);
            digest.update(&buf[..n]);
            at += n as u64;
        }
        Object::with_body(body, digest.finalize())
    }

    fn with_body(body: Body, crc64: u64) -> Object {
        Object {
            body,
            crc64,
            send_crc: true,
            send_validators: true,
            accept_ranges: true,
            version: 1,
        }
    }

    /// Don't send `x-cos-hash-crc64ecma` (stores other than COS, or objects without one).
    pub fn without_crc(mut self) -> Object {
        self.send_crc = false;
        self
    }

    /// Send neither `ETag` nor `Last-Modified`.
    pub fn without_validators(mut self) -> Object {
        self.send_validators = false;
        self
    }

    /// Don't announce or honour ranges: every answer is the whole object with 200.
    pub fn without_ranges(mut self) -> Object {
        self.accept_ranges = false;
        self
    }

    /// Its size in bytes.
    pub fn len(&self) -> u64 {
        match &self.body {
            Body::Bytes(b) => b.len() as u64,
            Body::Generated { len, .. } => *len,
        }
    }

    /// `true` for an empty object.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// All its bytes (generated ones are computed).
    pub fn bytes(&self) -> Vec<u8> {
        let mut out = vec![0u8; self.len() as usize];
        fill(&self.body, 0, &mut out);
        out
    }

    /// Its CRC-64/XZ, whether or not it is sent.
    pub fn crc64(&self) -> u64 {
        self.crc64
    }

    /// Its `ETag` header value, quoted as stores send it.
    pub fn etag(&self) -> String {
        format!("\"{:016x}-{}\"", self.crc64, self.len())
    }

    /// Its `Last-Modified` header value; later versions of the object are later.
    pub fn last_modified(&self) -> String {
        let secs = self.version % 60;
        let mins = (self.version / 60) % 60;
        format!("Tue, 02 Jan 2024 03:{mins:02}:{secs:02} GMT")
    }

    pub(crate) fn sends_crc(&self) -> bool {
        self.send_crc
    }

    pub(crate) fn sends_validators(&self) -> bool {
        self.send_validators
    }

    pub(crate) fn accepts_ranges(&self) -> bool {
        self.accept_ranges
    }

    pub(crate) fn set_version(&mut self, v: u64) {
        self.version = v;
    }

    pub(crate) fn version(&self) -> u64 {
        self.version
    }

    /// Fill `buf` with the bytes starting at `offset`.
    pub(crate) fn read_at(&self, offset: u64, buf: &mut [u8]) {
        fill(&self.body, offset, buf);
    }
}

fn fill(body: &Body, offset: u64, buf: &mut [u8]) {
    match body {
        Body::Bytes(b) => {
            let start = offset as usize;
            buf.copy_from_slice(&b[start..start + buf.len()]);
        }
        Body::Generated { seed, .. } => {
            let word = |block: u64| {
                splitmix64(seed ^ block.wrapping_mul(0x9E37_79B9_7F4A_7C15)).to_le_bytes()
            };
            let mut at = offset;
            let mut i = 0;
            while i < buf.len() {
                let bytes = word(at / 8);
                let skip = (at % 8) as usize;
                let n = (8 - skip).min(buf.len() - i);
                buf[i..i + n].copy_from_slice(&bytes[skip..skip + n]);
                i += n;
                at += n as u64;
            }
        }
    }
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_check_value() {
        assert_eq!(crc64_xz(b"123456789"), 0x995D_C9BB_DF19_39FA);
    }

    #[test]
    fn generated_bytes_are_the_same_whichever_way_they_are_read() {
        let o = Object::generated(100_003, 7);
        let all = o.bytes();
        let mut part = vec![0u8; 1000];
        o.read_at(5_001, &mut part);
        assert_eq!(part, all[5_001..6_001]);
        assert_eq!(o.crc64(), crc64_xz(&all));
        assert_ne!(o.etag(), Object::generated(100_003, 8).etag());
    }
}
