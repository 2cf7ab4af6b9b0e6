//! Who may call: the API accounts (secret id, secret key, optional session token) and the
//! control plane's bearer token. Secrets never appear in `Debug` output, and every comparison
//! of a secret the caller sent runs in constant time ([`secrets_equal`]).

use std::fmt;

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Whether `sent` equals `expected`, in time that depends on neither value.
///
/// Both are hashed to 32 bytes first, so even their lengths don't show in the timing; the
/// digests are then compared with `subtle`'s constant-time equality.
pub(crate) fn secrets_equal(sent: &[u8], expected: &[u8]) -> bool {
    let (a, b) = (Sha256::digest(sent), Sha256::digest(expected));
    a.as_slice().ct_eq(b.as_slice()).into()
}

/// One key pair the emulator accepts, with the session token its requests must carry when it
/// stands for temporary credentials.
#[derive(Clone)]
pub(crate) struct Account {
    pub(crate) secret_id: String,
    pub(crate) secret_key: String,
    pub(crate) token: Option<String>,
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &"** redacted **")
            .field("token", &self.token.as_ref().map(|_| "** redacted **"))
            .finish()
    }
}

impl Account {
    /// Whether a request that sent `token` (`X-TC-Token`, or `Token` in a legacy request) may
    /// use this account: an account with a token needs exactly that token; one without accepts
    /// requests with or without one.
    pub(crate) fn token_ok(&self, sent: Option<&str>) -> Result<(), TokenProblem> {
        match (&self.token, sent) {
            (None, _) => Ok(()),
            (Some(_), None | Some("")) => Err(TokenProblem::Missing),
            (Some(expected), Some(sent)) if secrets_equal(sent.as_bytes(), expected.as_bytes()) => {
                Ok(())
            }
            (Some(_), Some(_)) => Err(TokenProblem::Wrong),
        }
    }
}

/// Why a session token was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TokenProblem {
    Missing,
    Wrong,
}

/// Every account the emulator accepts.
#[derive(Clone, Debug)]
pub(crate) struct Accounts(Vec<Account>);

impl Accounts {
    /// The accounts, in order; an error when there is none or a secret id appears twice (named).
    pub(crate) fn new(accounts: Vec<Account>) -> Result<Accounts, String> {
        if accounts.is_empty() {
            return Err("the emulator needs at least one account".to_owned());
        }
        for (i, a) in accounts.iter().enumerate() {
            if accounts[..i].iter().any(|b| b.secret_id == a.secret_id) {
                return Err(format!("the account {} is given twice", a.secret_id));
            }
        }
        Ok(Accounts(accounts))
    }

    /// The account with this secret id.
    pub(crate) fn get(&self, secret_id: &str) -> Option<&Account> {
        self.0.iter().find(|a| a.secret_id == secret_id)
    }
}

/// The bearer token the control plane (`/_emulator/`) demands.
#[derive(Clone)]
pub(crate) struct ControlToken(String);

impl fmt::Debug for ControlToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ControlToken(** redacted **)")
    }
}

impl ControlToken {
    /// A token of visible ASCII characters (it travels in an HTTP header).
    pub(crate) fn new(token: &str) -> Result<ControlToken, String> {
        if token.is_empty() {
            return Err("the control token is empty".to_owned());
        }
        if !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(
                "the control token must be visible ASCII characters without spaces".to_owned(),
            );
        }
        Ok(ControlToken(token.to_owned()))
    }

    /// Whether an `Authorization` header value is `Bearer <this token>`.
    pub(crate) fn admits(&self, authorization: Option<&str>) -> bool {
        let sent = authorization
            .map(str::trim)
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .unwrap_or("");
        // Always compare, so that a missing header takes as long as a wrong one.
        secrets_equal(sent.as_bytes(), self.0.as_bytes()) && !sent.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_token_needs_bearer_and_exact_value() {
        let t = ControlToken::new("s3cret-token").unwrap();
        assert!(t.admits(Some("Bearer s3cret-token")));
        assert!(t.admits(Some("bearer  s3cret-token ")));
        assert!(!t.admits(Some("Bearer s3cret-tokeN")));
        assert!(!t.admits(Some("Bearer s3cret-token2")));
        assert!(!t.admits(Some("Basic s3cret-token")));
        assert!(!t.admits(Some("s3cret-token")));
        assert!(!t.admits(None));
        assert!(ControlToken::new("").is_err());
        assert!(ControlToken::new("has space").is_err());
        assert!(!format!("{t:?}").contains("s3cret"));
    }

    #[test]
    fn accounts_check_tokens_and_refuse_duplicates() {
        let plain = Account {
            secret_id: "AKID1".into(),
            secret_key: "k1".into(),
            token: None,
        };
        let temporary = Account {
            secret_id: "AKID2".into(),
            secret_key: "k2".into(),
            token: Some("sess-9f".into()),
        };
        assert_eq!(plain.token_ok(None), Ok(()));
        assert_eq!(plain.token_ok(Some("anything")), Ok(()));
        assert_eq!(temporary.token_ok(Some("sess-9f")), Ok(()));
        assert_eq!(temporary.token_ok(None), Err(TokenProblem::Missing));
        assert_eq!(
            temporary.token_ok(Some("sess-9g")),
            Err(TokenProblem::Wrong)
        );
        assert!(!format!("{temporary:?}").contains("k2"));
        assert!(!format!("{temporary:?}").contains("sess-9f"));
        let all = Accounts::new(vec![plain.clone(), temporary]).unwrap();
        assert_eq!(all.get("AKID2").unwrap().secret_key, "k2");
        assert!(all.get("AKID3").is_none());
        let err = Accounts::new(vec![plain.clone(), plain]).unwrap_err();
        assert!(err.contains("AKID1"), "{err}");
    }

    #[test]
    fn secrets_compare_by_value() {
        assert!(secrets_equal(b"abc", b"abc"));
        assert!(!secrets_equal(b"abc", b"abd"));
        assert!(!secrets_equal(b"abc", b"abcd"));
        assert!(!secrets_equal(b"", b"a"));
    }
}
