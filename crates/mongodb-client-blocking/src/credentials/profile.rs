//! Credentials from the INI profile file and from tccli's profile.

use std::path::{Path, PathBuf};

use mongodb_errors::Error;
use tc_sign::Credentials;

use super::{cred_error, make_credentials, EnvSource, ProvideCredentials};

fn profile_name(env: &EnvSource, fixed: &Option<String>) -> String {
    fixed
        .clone()
        .or_else(|| env.var("TENCENTCLOUD_PROFILE"))
        .unwrap_or_else(|| "default".to_string())
}

/// Reads the INI credentials file: `TENCENTCLOUD_CREDENTIALS_FILE` if set, else
/// `~/.tencentcloud/credentials`. The section is `[default]`, or the one named by
/// `TENCENTCLOUD_PROFILE`; keys `secret_id`, `secret_key` and optionally `token`.
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
#[derive(Debug, Clone, Default)]
pub struct ProfileFileProvider {
    env: EnvSource,
    path: Option<PathBuf>,
    profile: Option<String>,
}

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

    fn file(&self) -> Option<PathBuf> {
        self.path
            .clone()
            .or_else(|| {
                self.env
                    .var("TENCENTCLOUD_CREDENTIALS_FILE")
                    .map(PathBuf::from)
            })
            .or_else(|| {
                self.env
                    .home()
                    .map(|h| h.join(".tencentcloud").join("credentials"))
            })
    }
}

/// Parse an INI text and return the key/value pairs of `section` (keys lower-cased).
pub(crate) fn ini_section(text: &str, section: &str) -> Option<Vec<(String, String)>> {
    let mut current: Option<String> = None;
    let mut found = false;
    let mut out = Vec::new();
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let name = rest.trim_end_matches(']').trim().to_string();
            if name == section {
                found = true;
            }
            current = Some(name);
            continue;
        }
        if current.as_deref() != Some(section) {
            continue;
        }
        if let Some((k, v)) = line.split_once('=') {
            let v = v.trim().trim_matches('"').trim_matches('\'');
            out.push((k.trim().to_ascii_lowercase(), v.to_string()));
        }
    }
    found.then_some(out)
}

fn read_file(path: &Path, what: &str) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            cred_error(format!("{what} {} does not exist", path.display()))
        } else {
            cred_error(format!("{what} {} could not be read: {e}", path.display()))
        }
    })
}

impl ProvideCredentials for ProfileFileProvider {
    fn provide(&self) -> Result<Credentials, Error> {
        let Some(path) = self.file() else {
            return Err(cred_error(
                "profile file: TENCENTCLOUD_CREDENTIALS_FILE is not set and the home directory is unknown",
            ));
        };
        let profile = profile_name(&self.env, &self.profile);
        let text = read_file(&path, "profile file")?;
        let section = ini_section(&text, &profile).ok_or_else(|| {
            cred_error(format!(
                "profile file {} has no [{profile}] section",
                path.display()
            ))
        })?;
        let get = |k: &str| {
            section
                .iter()
                .rev()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .filter(|v| !v.is_empty())
        };
        let source = format!("profile file {} [{profile}]", path.display());
        match (get("secret_id"), get("secret_key")) {
            (Some(id), Some(key)) => make_credentials(&id, &key, get("token").as_deref(), &source),
            _ => Err(cred_error(format!(
                "{source} lacks secret_id or secret_key"
            ))),
        }
    }
}

/// Reads the profile the `tccli` command line tool writes: `~/.tccli/<profile>.credential`, a
/// JSON object with `secretId`, `secretKey` and optionally `token`. The profile is `default` or
/// `TENCENTCLOUD_PROFILE`.
#[derive(Debug, Clone, Default)]
pub struct TccliProvider {
    env: EnvSource,
    profile: Option<String>,
}

impl TccliProvider {
    /// Locate the file through the process environment.
    pub fn new() -> Self {
        Self::default()
    }

    /// Locate the file through `env`.
    pub fn with_env(env: EnvSource) -> Self {
        TccliProvider { env, profile: None }
    }

    /// Use this profile instead of `TENCENTCLOUD_PROFILE` / `default`.
    pub fn profile(mut self, name: impl Into<String>) -> Self {
        self.profile = Some(name.into());
        self
    }
}

impl ProvideCredentials for TccliProvider {
    fn provide(&self) -> Result<Credentials, Error> {
        let Some(home) = self.env.home() else {
            return Err(cred_error("tccli profile: the home directory is unknown"));
        };
        let profile = profile_name(&self.env, &self.profile);
        let path = home.join(".tccli").join(format!("{profile}.credential"));
        let text = read_file(&path, "tccli profile")?;
        let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            cred_error(format!(
                "tccli profile {} is not valid JSON ({e})",
                path.display()
            ))
        })?;
        let get = |k: &str| {
            value
                .get(k)
                .and_then(|v| v.as_str())
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let source = format!("tccli profile {}", path.display());
        match (get("secretId"), get("secretKey")) {
            (Some(id), Some(key)) => make_credentials(&id, &key, get("token").as_deref(), &source),
            _ => Err(cred_error(format!("{source} lacks secretId or secretKey"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ini_sections_comments_and_quotes() {
        let text = "# comment\n[default]\nsecret_id = A\nsecret_key=\"B\"\n\n[other]\n; x\nSECRET_ID = C\n";
        let d = ini_section(text, "default").unwrap();
        assert_eq!(
            d,
            vec![
                ("secret_id".into(), "A".into()),
                ("secret_key".into(), "B".into())
            ]
        );
        let o = ini_section(text, "other").unwrap();
        assert_eq!(o, vec![("secret_id".into(), "C".into())]);
        assert!(ini_section(text, "missing").is_none());
    }
}
