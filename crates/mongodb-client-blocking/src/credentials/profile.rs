//! Credentials from the INI profile file.

use std::path::PathBuf;

use mongodb_errors::Error;
use tc_sign::Credentials;

use super::env_source::EnvSource;
use super::provider::{
    cred_error, make_credentials, provide_from, Probe, ProvideCredentials, Source,
};

/// Reads the INI credentials file: the one named by `TENCENTCLOUD_CREDENTIALS_FILE`, else
/// `~/.tencentcloud/credentials`. The section is `[default]`, or the one named by
/// [`profile`](Self::profile) or `TENCENTCLOUD_PROFILE`; keys `secret_id`, `secret_key` and
/// optionally `token`.
///
/// ```text
/// [default]
/// secret_id = AKID...
/// secret_key = ...
///
/// [backup-job]
/// secret_id = AKID...
/// secret_key = ...
/// token = ...
/// ```
///
/// In the [`DefaultChain`](crate::DefaultChain) the file counts as configured when it is named
/// (by the variable or [`path`](Self::path)) or present: a named file that is missing, a file
/// that does not parse, a profile asked for that it lacks, or a section without both keys is
/// an error naming the file, never a reason to use another source. A present file without a
/// `[default]` section, when no profile was asked for, is passed over; so is the implicit
/// `[default]` when `TCCLI_PROFILE` alone chose a profile (see the chain's precedence table).
#[derive(Debug, Clone, Default)]
pub struct ProfileFileProvider {
    env: EnvSource,
    path: Option<PathBuf>,
    profile: Option<String>,
    /// In the chain with an explicit profile: a missing section means "look in tccli".
    section_optional: bool,
}

type Sections = Vec<(String, Vec<(String, String)>)>;

impl ProfileFileProvider {
    /// Locate the file and profile through the process environment.
    pub fn new() -> Self {
        Self::default()
    }

    /// Locate the file and profile through `env`.
    pub fn with_env(env: EnvSource) -> Self {
        ProfileFileProvider {
            env,
            ..Self::default()
        }
    }

    /// Read this file instead of the default location.
    pub fn path(mut self, path: impl Into<PathBuf>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Use this section instead of `TENCENTCLOUD_PROFILE` / `default`.
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into());
        self
    }

    pub(crate) fn section_optional(mut self) -> Self {
        self.section_optional = true;
        self
    }

    /// The file, and who named it (`None`: the default location).
    fn file(&self) -> Option<(PathBuf, Option<&'static str>)> {
        if let Some(p) = &self.path {
            return Some((p.clone(), Some("the provider's path")));
        }
        if let Some(p) = self.env.var("TENCENTCLOUD_CREDENTIALS_FILE") {
            return Some((PathBuf::from(p), Some("TENCENTCLOUD_CREDENTIALS_FILE")));
        }
        self.env
            .home()
            .map(|h| (h.join(".tencentcloud").join("credentials"), None))
    }
}

/// Parse an INI text strictly: blank lines, `#`/`;` comments, `[section]` and `key = value`
/// lines only (keys lower-cased, values unquoted). The error names the line.
pub(crate) fn parse_ini(text: &str) -> Result<Sections, String> {
    let mut sections: Sections = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let name = rest
                .strip_suffix(']')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .ok_or_else(|| format!("line {}: a section header must look like [name]", n + 1))?;
            sections.push((name.to_string(), Vec::new()));
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            return Err(format!(
                "line {}: expected `key = value`, a [section] or a comment",
                n + 1
            ));
        };
        let Some((_, entries)) = sections.last_mut() else {
            return Err(format!(
                "line {}: `{}` comes before any [section]",
                n + 1,
                k.trim()
            ));
        };
        let v = v.trim().trim_matches('"').trim_matches('\'');
        entries.push((k.trim().to_ascii_lowercase(), v.to_string()));
    }
    Ok(sections)
}

impl Source for ProfileFileProvider {
    fn probe(&self) -> Result<Probe, Error> {
        let Some((path, named_by)) = self.file() else {
            return Ok(Probe::Absent(
                "profile file: TENCENTCLOUD_CREDENTIALS_FILE is not set and the home directory is unknown".into(),
            ));
        };
        let shown = path.display();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && named_by.is_none() => {
                return Ok(Probe::Absent(format!(
                    "profile file {shown} does not exist"
                )))
            }
            Err(e) => {
                let why = if e.kind() == std::io::ErrorKind::NotFound {
                    "does not exist".to_string()
                } else {
                    format!("cannot be read ({e})")
                };
                let fix = match named_by {
                    Some(var) => format!("; fix {var} or the file"),
                    None => String::new(),
                };
                return Err(cred_error(format!("profile file {shown} {why}{fix}")));
            }
        };
        let sections = parse_ini(&text).map_err(|why| {
            cred_error(format!(
                "profile file {shown} is not a valid credentials file ({why}); fix it or point TENCENTCLOUD_CREDENTIALS_FILE elsewhere"
            ))
        })?;
        let (profile, asked) = match (&self.profile, self.env.var("TENCENTCLOUD_PROFILE")) {
            (Some(p), _) => (p.clone(), true),
            (None, Some(p)) => (p, true),
            (None, None) => ("default".to_string(), false),
        };
        let Some((_, entries)) = sections.iter().rev().find(|(name, _)| *name == profile) else {
            let names: Vec<&str> = sections.iter().map(|(n, _)| n.as_str()).collect();
            let why = format!(
                "profile file {shown} has no [{profile}] section (sections: {})",
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            );
            return if asked && !self.section_optional {
                Err(cred_error(why))
            } else {
                Ok(Probe::Absent(why))
            };
        };
        let get = |k: &str| {
            entries
                .iter()
                .rev()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty())
        };
        let source = format!("profile file {shown} [{profile}]");
        match (get("secret_id"), get("secret_key")) {
            (Some(id), Some(key)) => {
                let creds = make_credentials(&id, &key, get("token").as_deref(), &source)?;
                Ok(Probe::Found(creds, source))
            }
            _ => Err(cred_error(format!(
                "{source} lacks secret_id or secret_key; add both"
            ))),
        }
    }
}

impl ProvideCredentials for ProfileFileProvider {
    fn provide(&self) -> Result<Credentials, Error> {
        provide_from(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ini_sections_comments_and_quotes() {
        let text = "# comment\n[default]\nsecret_id = A\nsecret_key=\"B\"\n\n[other]\n; x\nSECRET_ID = C\n";
        let s = parse_ini(text).unwrap();
        assert_eq!(s[0].0, "default");
        assert_eq!(
            s[0].1,
            vec![
                ("secret_id".into(), "A".into()),
                ("secret_key".into(), "B".into())
            ]
        );
        assert_eq!(
            s[1],
            ("other".into(), vec![("secret_id".into(), "C".into())])
        );
    }

    #[test]
    fn ini_garbage_is_an_error_naming_the_line() {
        assert!(parse_ini("[default]\nsecret_id = A\nthis is not ini\n")
            .unwrap_err()
            .contains("line 3"));
        assert!(parse_ini("secret_id = A\n").unwrap_err().contains("line 1"));
        assert!(parse_ini("[default\n").unwrap_err().contains("line 1"));
        assert!(parse_ini("{\"secretId\": \"x\"}").is_err());
    }
}
