//! `Debug` without secrets: what the generated `Debug` of a structure prints in place of a
//! password member (any text member whose spec name ends in `Password`) and of a download link
//! (any text member whose name ends in `Url`: such links are pre-signed, and their query string
//! is the signature). The value itself is unchanged, and so is its wire form.

use std::fmt;

/// Prints `** redacted **`.
pub(crate) struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("** redacted **")
    }
}

/// `Some(** redacted **)` for a set optional secret, `None` for an unset one: whether a password
/// is set is useful in a log, what it is never is.
pub(crate) fn option<T>(v: &Option<T>) -> Option<Redacted> {
    v.as_ref().map(|_| Redacted)
}

/// Prints a URL as a quoted string of its scheme, host and path, with `?** redacted **` in place
/// of a query string or fragment, and without user information (`user:pass@`).
pub(crate) struct Link<'a>(pub(crate) &'a str);

impl fmt::Debug for Link<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = self.0;
        let (base, rest) = url.split_at(url.find(['?', '#']).unwrap_or(url.len()));
        let base = match base.split_once("://") {
            Some((scheme, after)) => {
                let (authority, path) = after.split_at(after.find('/').unwrap_or(after.len()));
                let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
                format!("{scheme}://{host}{path}")
            }
            None => base.to_string(),
        };
        let shown = if rest.is_empty() {
            base
        } else {
            format!("{base}?** redacted **")
        };
        fmt::Debug::fmt(&shown, f)
    }
}

/// [`Link`] for an optional link.
pub(crate) fn link_option(v: &Option<String>) -> Option<Link<'_>> {
    v.as_deref().map(Link)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(url: &str) -> String {
        format!("{:?}", Link(url))
    }

    #[test]
    fn links_keep_scheme_host_and_path_only() {
        assert_eq!(
            shown("https://b-1250000000.cos.ap-guangzhou.myqcloud.com/dir/a.tar?q-sign-algorithm=sha1&q-signature=SECRET"),
            "\"https://b-1250000000.cos.ap-guangzhou.myqcloud.com/dir/a.tar?** redacted **\""
        );
        assert_eq!(
            shown("http://user:pw@host:8080/x#frag"),
            "\"http://host:8080/x?** redacted **\""
        );
        assert_eq!(shown("https://host/plain"), "\"https://host/plain\"");
        assert_eq!(
            shown("https://host?sig=1"),
            "\"https://host?** redacted **\""
        );
        assert_eq!(shown("not a url?sig=1"), "\"not a url?** redacted **\"");
        assert_eq!(format!("{:?}", link_option(&None)), "None");
    }
}
