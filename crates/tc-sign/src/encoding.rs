//! Text encodings TC3 needs, kept on the stack: lowercase hex of a 32-byte digest and the decimal
//! digits of a timestamp. Written here rather than taken from `hex`/`itoa` to keep the crate's
//! dependencies to `hmac`, `sha2` and `zeroize`; the property tests check both against reference
//! implementations.

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// The two hex digits of every byte value, expanded from [`HEX_DIGITS`] at compile time so
/// encoding takes one load and one store per byte.
const HEX_PAIRS: [[u8; 2]; 256] = {
    let mut table = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = [HEX_DIGITS[i >> 4], HEX_DIGITS[i & 0x0f]];
        i += 1;
    }
    table
};

/// A 64-character lowercase hex rendering of a 32-byte digest, kept on the stack.
#[derive(Clone, Copy)]
pub(crate) struct Hex64([u8; 64]);

impl Hex64 {
    #[inline]
    pub(crate) fn new(bytes: &[u8; 32]) -> Self {
        let mut out = [0u8; 64];
        for (pair, &b) in out.chunks_exact_mut(2).zip(bytes) {
            pair.copy_from_slice(&HEX_PAIRS[usize::from(b)]);
        }
        Hex64(out)
    }

    #[inline]
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub(crate) fn as_str(&self) -> &str {
        // Hex digits are always ASCII.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

/// Parses exactly 64 hex digits (either letter case) into 32 bytes.
pub(crate) fn decode_hex32(text: &str) -> Option<[u8; 32]> {
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (o, pair) in out.iter_mut().zip(bytes.chunks_exact(2)) {
        *o = (hex_value(pair[0])? << 4) | hex_value(pair[1])?;
    }
    Some(out)
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// `"00"` to `"99"`.
const DIGIT_PAIRS: [[u8; 2]; 100] = {
    let mut table = [[0u8; 2]; 100];
    let mut i = 0;
    while i < 100 {
        table[i] = [b'0' + (i / 10) as u8, b'0' + (i % 10) as u8];
        i += 1;
    }
    table
};

/// The decimal digits of an `i64` (sign included), kept on the stack.
#[derive(Clone, Copy)]
pub(crate) struct Decimal {
    buf: [u8; 20],
    start: u8,
}

impl Decimal {
    #[inline]
    pub(crate) fn new(value: i64) -> Self {
        let mut buf = [0u8; 20];
        let mut i = buf.len();
        let mut n = value.unsigned_abs();
        while n >= 100 {
            i -= 2;
            buf[i..i + 2].copy_from_slice(&DIGIT_PAIRS[(n % 100) as usize]);
            n /= 100;
        }
        if n >= 10 {
            i -= 2;
            buf[i..i + 2].copy_from_slice(&DIGIT_PAIRS[n as usize]);
        } else {
            i -= 1;
            buf[i] = b'0' + n as u8;
        }
        if value < 0 {
            i -= 1;
            buf[i] = b'-';
        }
        Decimal {
            buf,
            start: i as u8,
        }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.buf[usize::from(self.start)..]
    }

    #[cfg(test)]
    pub(crate) fn as_str(&self) -> &str {
        // Digits and `-` are ASCII.
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }
}

/// Turns bytes assembled from `&str` pieces back into a `String` (never lossy in practice: every
/// piece written was UTF-8 or ASCII).
pub(crate) fn bytes_into_string(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference implementation of lowercase hex.
    fn reference_hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    proptest::proptest! {
        #[test]
        fn hex_matches_reference_and_round_trips(bytes in proptest::array::uniform32(0u8..)) {
            let hex = Hex64::new(&bytes);
            proptest::prop_assert_eq!(hex.as_str(), reference_hex(&bytes));
            proptest::prop_assert_eq!(decode_hex32(hex.as_str()), Some(bytes));
            proptest::prop_assert_eq!(
                decode_hex32(&hex.as_str().to_ascii_uppercase()),
                Some(bytes)
            );
        }

        #[test]
        fn decode_hex32_rejects_what_is_not_64_hex_digits(text in "[0-9a-fA-FxZ ]{0,70}") {
            let valid = text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit());
            proptest::prop_assert_eq!(decode_hex32(&text).is_some(), valid);
        }

        #[test]
        fn decimal_matches_to_string(value in proptest::num::i64::ANY) {
            let digits = Decimal::new(value);
            proptest::prop_assert_eq!(digits.as_str(), value.to_string());
        }
    }

    #[test]
    fn decimal_edges() {
        for v in [0, -1, 9, 10, i64::MIN, i64::MAX] {
            assert_eq!(Decimal::new(v).as_str(), v.to_string());
        }
    }
}
