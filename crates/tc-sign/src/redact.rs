//! The one place that decides what `Debug` output may show: every type here that holds a secret
//! formats it through these helpers.

use std::fmt;

/// What `Debug` prints in place of a secret.
pub(crate) const REDACTED: &str = "** redacted **";

/// Stands in for a secret in `Debug` output: prints [`REDACTED`], quoted like the string it hides.
pub(crate) struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(REDACTED, f)
    }
}

/// Whether a header carries a credential and must never be shown in logs or `Debug` output.
pub(crate) fn is_sensitive_header(name: &str) -> bool {
    name.eq_ignore_ascii_case("authorization") || name.eq_ignore_ascii_case("x-tc-token")
}

/// `value`, or [`REDACTED`] when the header `name` carries a credential.
pub(crate) fn header_value<'v>(name: &str, value: &'v str) -> &'v str {
    if is_sensitive_header(name) {
        REDACTED
    } else {
        value
    }
}

/// A `Debug` list of `(name, value)` headers with credential values redacted.
pub(crate) struct Headers<I>(pub(crate) I);

impl<I, N, V> fmt::Debug for Headers<I>
where
    I: Iterator<Item = (N, V)> + Clone,
    N: AsRef<str>,
    V: AsRef<str>,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_list();
        for (n, v) in self.0.clone() {
            let (n, v) = (n.as_ref(), v.as_ref());
            list.entry(&(n, header_value(n, v)));
        }
        list.finish()
    }
}

/// [`Headers`] over a slice of owned or borrowed pairs.
pub(crate) fn header_slice<N: AsRef<str>, V: AsRef<str>>(
    headers: &[(N, V)],
) -> Headers<impl Iterator<Item = (&N, &V)> + Clone> {
    Headers(headers.iter().map(|(n, v)| (n, v)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_credential_headers_are_hidden() {
        let headers = [
            ("Host", "h"),
            ("authorization", "TC3 secret"),
            ("X-TC-Token", "tok"),
        ];
        let d = format!("{:?}", header_slice(&headers));
        assert_eq!(
            d,
            r#"[("Host", "h"), ("authorization", "** redacted **"), ("X-TC-Token", "** redacted **")]"#
        );
        assert_eq!(format!("{Redacted:?}"), format!("{REDACTED:?}"));
    }
}
