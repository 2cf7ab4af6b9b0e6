//! API keys: the secret id, the secret key and an optional temporary token.

use std::fmt;

use zeroize::Zeroizing;

use crate::redact::Redacted;

/// A Tencent Cloud API key pair, optionally with the token of temporary (STS) credentials.
///
/// The values are checked when the credentials are built, so a key copied with a stray space
/// or newline fails right away instead of producing `AuthFailure.SignatureFailure` later.
/// `Debug` shows the secret id only; the key and token are printed as `** redacted **`.
/// The key and token are overwritten with zeros when the value is dropped.
///
/// ```
/// let creds = tc_sign::Credentials::new("AKIDEXAMPLE", "secret-key")?;
/// assert_eq!(creds.secret_id(), "AKIDEXAMPLE");
/// assert!(!format!("{creds:?}").contains("secret-key"));
/// # Ok::<(), tc_sign::CredentialsError>(())
/// ```
#[derive(Clone)]
pub struct Credentials {
    secret_id: String,
    secret_key: Zeroizing<String>,
    token: Option<Zeroizing<String>>,
}

impl Credentials {
    /// Builds credentials from a secret id and secret key.
    ///
    /// Fails when either value is empty, starts or ends with whitespace, or contains a
    /// control character. The error names the field but never repeats its value.
    pub fn new(
        secret_id: impl Into<String>,
        secret_key: impl Into<String>,
    ) -> Result<Self, CredentialsError> {
        let secret_id = secret_id.into();
        let secret_key = Zeroizing::new(secret_key.into());
        check(Field::SecretId, &secret_id)?;
        check(Field::SecretKey, &secret_key)?;
        Ok(Credentials {
            secret_id,
            secret_key,
            token: None,
        })
    }

    /// Adds the session token that comes with temporary credentials (sent as `X-TC-Token`).
    ///
    /// The same checks as for the key apply; an empty token is an error.
    pub fn with_token(mut self, token: impl Into<String>) -> Result<Self, CredentialsError> {
        let token = Zeroizing::new(token.into());
        check(Field::Token, &token)?;
        self.token = Some(token);
        Ok(self)
    }

    /// The secret id (the public half of the key pair, `AKID…`).
    pub fn secret_id(&self) -> &str {
        &self.secret_id
    }

    /// The secret key. Avoid logging it.
    pub fn secret_key(&self) -> &str {
        &self.secret_key
    }

    /// The session token of temporary credentials, if any. Avoid logging it.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref().map(String::as_str)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &Redacted)
            .field("token", &self.token.as_ref().map(|_| Redacted))
            .finish()
    }
}

fn check(field: Field, value: &str) -> Result<(), CredentialsError> {
    let problem = if value.is_empty() {
        Problem::Empty
    } else if value.trim() != value {
        Problem::SurroundingWhitespace
    } else if value.chars().any(char::is_control) {
        Problem::ControlCharacter
    } else {
        return Ok(());
    };
    Err(CredentialsError { field, problem })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Field {
    SecretId,
    SecretKey,
    Token,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Problem {
    Empty,
    SurroundingWhitespace,
    ControlCharacter,
}

/// Why a secret id, secret key or token was refused by [`Credentials`].
///
/// The message names the field and how to fix it; it never contains the rejected value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialsError {
    field: Field,
    problem: Problem,
}

impl CredentialsError {
    /// The name of the offending field: `"secret_id"`, `"secret_key"` or `"token"`.
    pub fn field(&self) -> &'static str {
        match self.field {
            Field::SecretId => "secret_id",
            Field::SecretKey => "secret_key",
            Field::Token => "token",
        }
    }
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = self.field();
        match self.problem {
            Problem::Empty if self.field == Field::Token => write!(
                f,
                "{field} is empty: pass the session token of the temporary credentials, \
                 or leave the token out for a permanent key pair"
            ),
            Problem::Empty => write!(
                f,
                "{field} is empty: set it to the value shown for your API key in the \
                 Tencent Cloud console (CAM > API Keys)"
            ),
            Problem::SurroundingWhitespace => write!(
                f,
                "{field} starts or ends with whitespace: remove the leading/trailing spaces or \
                 newline (often left by copy-paste or a file's final newline); the value is not shown"
            ),
            Problem::ControlCharacter => write!(
                f,
                "{field} contains a control character (such as a newline or tab): copy the value \
                 again from the console; the value is not shown"
            ),
        }
    }
}

impl std::error::Error for CredentialsError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_key_and_token() {
        let c = Credentials::new("AKIDabc", "topsecretkey")
            .unwrap()
            .with_token("tokentoken")
            .unwrap();
        let d = format!("{c:?}");
        assert!(d.contains("AKIDabc"), "{d}");
        assert!(d.contains("** redacted **"), "{d}");
        assert!(
            !d.contains("topsecretkey") && !d.contains("tokentoken"),
            "{d}"
        );
        let d = format!(
            "{:#?}",
            Credentials::new("AKIDabc", "topsecretkey").unwrap()
        );
        assert!(d.contains("token: None"), "{d}");
    }

    #[test]
    fn accessors_return_values() {
        let c = Credentials::new("id", "key").unwrap();
        assert_eq!(
            (c.secret_id(), c.secret_key(), c.token()),
            ("id", "key", None)
        );
        let c = c.with_token("t").unwrap();
        assert_eq!(c.token(), Some("t"));
    }

    #[test]
    fn rejects_bad_values_without_echoing_them() {
        let cases: [(&str, &str, &str); 6] = [
            ("", "key", "secret_id"),
            ("id", "", "secret_key"),
            (" id", "key", "secret_id"),
            ("id", "hunter2\n", "secret_key"),
            ("id", "\thunter2", "secret_key"),
            ("id", "hun\nter2", "secret_key"),
        ];
        for (id, key, field) in cases {
            let e = Credentials::new(id, key).unwrap_err();
            assert_eq!(e.field(), field);
            let msg = e.to_string();
            assert!(msg.starts_with(field), "{msg}");
            assert!(!msg.contains("hunter2"), "{msg}");
        }
        let msg = Credentials::new("id", "hunter2 ").unwrap_err().to_string();
        assert!(msg.contains("whitespace"), "{msg}");
    }

    #[test]
    fn rejects_bad_tokens() {
        let c = Credentials::new("id", "key").unwrap();
        assert_eq!(c.clone().with_token("").unwrap_err().field(), "token");
        assert_eq!(c.with_token("tok ").unwrap_err().field(), "token");
    }
}
