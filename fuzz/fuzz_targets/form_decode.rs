//! GET form decoding on arbitrary UTF-8.
//!
//! `form::decode` must never panic. A query it accepts must encode back (`form::encode_value`)
//! to a query that decodes to the same value, and encoding that value again gives the same text
//! (the encoding is canonical). Percent-encoding round-trips any string.

#![no_main]

use libfuzzer_sys::fuzz_target;
use mongodb_models::form;

fuzz_target!(|data: &[u8]| {
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };

    if let Ok(value) = form::decode(query) {
        let encoded = form::encode_value(&value);
        let again = form::decode(&encoded).unwrap_or_else(|e| {
            panic!("{query:?} decoded to {value}, re-encoded to {encoded:?}, which fails: {e}")
        });
        assert_eq!(
            value, again,
            "{query:?} -> {value} -> {encoded:?} -> {again}"
        );
        assert_eq!(
            form::encode_value(&again),
            encoded,
            "the encoding is not canonical"
        );
    }

    let escaped = form::percent_encode(query);
    assert!(escaped
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-_.~%".contains(&b)));
    assert_eq!(
        form::percent_decode(&escaped).as_deref(),
        Ok(query),
        "percent-encoding does not round-trip"
    );
});
