//! [`Verified`]: how a downloaded file was checked. A leaf: the download reports it and the
//! export manifest records it, and neither module depends on the other for it.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How a downloaded file was checked before it got its final name, as a
/// [`DownloadReport`](crate::DownloadReport) reports it and an export's `manifest.json`
/// records it.
///
/// Serialised as `"crc64+size"` or `"size"`.
///
/// ```
/// use mongodb_client_blocking::Verified;
///
/// assert_eq!(Verified::Crc64AndSize.to_string(), "crc64+size");
/// assert_eq!(serde_json::to_string(&Verified::SizeOnly).unwrap(), r#""size""#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Verified {
    /// Its CRC-64 matches the one the store announced for the whole object
    /// (`x-cos-hash-crc64ecma`), and its size the announced size.
    #[serde(rename = "crc64+size")]
    Crc64AndSize,
    /// The store announced no CRC-64: only the size was checked.
    #[serde(rename = "size")]
    SizeOnly,
}

impl Verified {
    /// `"crc64+size"` or `"size"`, as written in an export's `manifest.json`.
    pub fn as_str(self) -> &'static str {
        match self {
            Verified::Crc64AndSize => "crc64+size",
            Verified::SizeOnly => "size",
        }
    }
}

impl fmt::Display for Verified {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_and_the_json_agree() {
        for v in [Verified::Crc64AndSize, Verified::SizeOnly] {
            let json = serde_json::to_string(&v).unwrap();
            assert_eq!(json, format!("\"{}\"", v.as_str()));
            assert_eq!(serde_json::from_str::<Verified>(&json).unwrap(), v);
        }
        assert!(serde_json::from_str::<Verified>("\"crc64\"").is_err());
    }
}
