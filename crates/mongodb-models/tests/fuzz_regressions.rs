//! Inputs found by the fuzz targets in `fuzz/` (see `fuzz/README.md`), kept as tests.

use mongodb_models::form;

/// Whatever `form::decode` accepts must survive `encode_value` and decode to the same value.
fn assert_round_trip(query: &str) {
    let Ok(value) = form::decode(query) else {
        return;
    };
    let encoded = form::encode_value(&value);
    let again = form::decode(&encoded).unwrap_or_else(|e| {
        panic!("{query:?} decoded to {value}, re-encoded as {encoded:?}, which fails: {e}")
    });
    assert_eq!(value, again, "{query:?} -> {encoded:?}");
}

/// Found by `form_decode`: a parent whose first child is a name (`A.B`) becomes an object, and a
/// later numeric child (`A.0`) is kept as a member `"0"`. `encode_value` writes the members in
/// key order, so `A.0` comes first, the decoder then takes `A` for a list, and `A.B` is refused
/// ("`B` is not a list index"). Whether `A` is a list should not depend on which key came first.
#[test]
fn a_name_then_an_index_under_one_parent_round_trips() {
    assert_round_trip("A.B=&A.0=");
    assert_round_trip("A.B=x&A.7=y&C=1");
    assert_round_trip("Filters.Name=n&Filters.01=v");
    // The input as the fuzzer found it.
    assert_round_trip(
        "Insta1rnp(0&Aackupa1rnp(0&ukcaBp&Inst.n\0\0icaSe(j\0$\0\0\0\0\0\0\0\0[w1rnp(0\
         &Backup&Inst.01&Instance\rannicaSanC",
    );
}

/// The orders that already work stay working.
#[test]
fn index_keys_first_and_list_gaps_round_trip() {
    assert_round_trip("A.0=x&A.1=y");
    assert_round_trip("A.5=x&A.2=y");
    assert_round_trip("A.0.B=x&A.0.C=y&A.3.B=z");
    assert_round_trip("A.B=x&A.C=y");
}
