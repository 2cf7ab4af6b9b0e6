//! tccli's own files, read and written: `~/.tccli/<profile>.configure` and
//! `~/.tccli/<profile>.credential`, so this SDK, `tcmongo` and `tccli` share one setup.
//!
//! Both files are JSON objects. The `.configure` file keeps tool settings under `_sys_param`
//! (`region`, `output`, `language`, …) and one object per service (`"mongodb": {"endpoint":
//! "mongodb.tencentcloudapi.com", "version": "2019-07-25"}`). The `.credential` file keeps
//! `secretId`, `secretKey`, optionally `token`, `role-arn`, `role-session-name`, and a `type`
//! (`cvm-role` for the instance's CAM role; tccli's login flows write `oauth`/`sso` with
//! temporary keys and an `expiresAt` time).
//!
//! Keys are named as `tccli configure set|get` names them, and are routed the same way:
//!
//! | key | file | where |
//! |---|---|---|
//! | `secretId`, `secretKey`, `token`, `role-arn`, `role-session-name` | `.credential` | top level |
//! | `use-cvm-role` (`true`/`false`) | `.credential` | `type` = `cvm-role` / `default` |
//! | `region`, `output`, `language`, `arrayCount`, `warning` | `.configure` | `_sys_param` |
//! | `<service>.<field>`, e.g. `mongodb.endpoint` | `.configure` | `<service>` object |
//!
//! Saving keeps every member this module does not know, writes through a temporary file and a
//! rename, and gives the `.credential` file mode 0600 on Unix.
//!
//! ```
//! use mongodb_client_blocking::tccli::TccliProfile;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let home = tempfile::tempdir()?;
//! let mut p = TccliProfile::load(home.path(), "ci")?;
//! p.set("region", "ap-shanghai")?;
//! p.set("secretId", "AKIDexample")?;
//! p.set("mongodb.endpoint", "mongodb.ap-shanghai.tencentcloudapi.com")?;
//! p.save()?;
//!
//! let again = TccliProfile::load(home.path(), "ci")?;
//! assert_eq!(again.region(), Some("ap-shanghai"));
//! assert_eq!(again.get("secretId").as_deref(), Some("AKIDexample"));
//! assert_eq!(again.endpoint("mongodb"), Some("mongodb.ap-shanghai.tencentcloudapi.com"));
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use mongodb_errors::Error;
use serde_json::{Map, Value};

use crate::fsutil::{self, Access};

/// The `.configure` member holding tool settings.
const SYS_PARAM: &str = "_sys_param";
/// Keys stored in the `.credential` file (besides `use-cvm-role`, which sets `type`).
const CREDENTIAL_KEYS: &[&str] = &[
    "secretId",
    "secretKey",
    "token",
    "role-arn",
    "role-session-name",
];
/// Keys stored under `_sys_param` in the `.configure` file.
const SYS_PARAM_KEYS: &[&str] = &["region", "output", "language", "arrayCount", "warning"];
/// `.credential` members that are secrets: never shown in full.
const SECRET_KEYS: &[&str] = &["secretKey", "token"];
/// `use-cvm-role`: a tccli key that sets the credential `type`.
const USE_CVM_ROLE: &str = "use-cvm-role";

/// Which of a profile's two files a setting lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TccliFile {
    /// `~/.tccli/<profile>.configure`.
    Configure,
    /// `~/.tccli/<profile>.credential`.
    Credential,
}

/// One setting of a profile, as [`TccliProfile::list`] returns it.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TccliEntry {
    /// The key as `tccli configure get` takes it (`region`, `secretId`, `mongodb.endpoint`).
    pub key: String,
    /// The value as text.
    pub value: String,
    /// The file it is kept in.
    pub file: TccliFile,
    /// `true` for secret keys and tokens: show them masked.
    pub secret: bool,
}

impl fmt::Debug for TccliEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value = if self.secret {
            "** redacted **"
        } else {
            &self.value
        };
        f.debug_struct("TccliEntry")
            .field("key", &self.key)
            .field("value", &value)
            .field("file", &self.file)
            .finish()
    }
}

/// One tccli profile: its `.configure` and `.credential` files, loaded, changed in memory and
/// saved. A file that does not exist loads as empty and is created by [`save`](Self::save).
#[derive(Clone)]
pub struct TccliProfile {
    dir: PathBuf,
    name: String,
    configure: Map<String, Value>,
    credential: Map<String, Value>,
    configure_exists: bool,
    credential_exists: bool,
    configure_dirty: bool,
    credential_dirty: bool,
}

impl fmt::Debug for TccliProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TccliProfile")
            .field("dir", &self.dir)
            .field("name", &self.name)
            .field("configure_exists", &self.configure_exists)
            .field("credential_exists", &self.credential_exists)
            .finish_non_exhaustive()
    }
}

fn config_error(message: String) -> Error {
    Error::Config { message }
}

/// Read one JSON-object file; `None` when it does not exist.
fn read_object(path: &Path) -> Result<Option<Map<String, Value>>, Error> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(config_error(format!(
                "tccli file {} could not be read: {e}",
                path.display()
            )))
        }
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(map)) => Ok(Some(map)),
        Ok(_) => Err(config_error(format!(
            "tccli file {} is not a JSON object; fix or remove it (tccli configure rewrites it)",
            path.display()
        ))),
        Err(e) => Err(config_error(format!(
            "tccli file {} is not valid JSON ({e}); fix or remove it (tccli configure rewrites it)",
            path.display()
        ))),
    }
}

/// A JSON scalar as text; objects and arrays as JSON.
fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl TccliProfile {
    /// Load profile `name` from `<home>/.tccli/`. Missing files load as empty; a file that is
    /// not a JSON object is an [`Error::Config`] naming it.
    pub fn load(home: impl AsRef<Path>, name: &str) -> Result<TccliProfile, Error> {
        Self::check_name(name)?;
        let dir = home.as_ref().join(".tccli");
        let configure = read_object(&dir.join(format!("{name}.configure")))?;
        let credential = read_object(&dir.join(format!("{name}.credential")))?;
        Ok(TccliProfile {
            dir,
            name: name.to_string(),
            configure_exists: configure.is_some(),
            credential_exists: credential.is_some(),
            configure: configure.unwrap_or_default(),
            credential: credential.unwrap_or_default(),
            configure_dirty: false,
            credential_dirty: false,
        })
    }

    fn check_name(name: &str) -> Result<(), Error> {
        if name.is_empty()
            || name.starts_with('.')
            || name.contains(['/', '\\'])
            || name.chars().any(char::is_control)
        {
            return Err(config_error(format!(
                "profile name {name:?} is not usable: use letters, digits, '-' or '_' (it names ~/.tccli/<profile>.credential)"
            )));
        }
        Ok(())
    }

    /// The profile's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `<home>/.tccli/<profile>.configure`.
    pub fn configure_path(&self) -> PathBuf {
        self.dir.join(format!("{}.configure", self.name))
    }

    /// `<home>/.tccli/<profile>.credential`.
    pub fn credential_path(&self) -> PathBuf {
        self.dir.join(format!("{}.credential", self.name))
    }

    /// Whether the `.configure` file existed when loaded (or has been saved since).
    pub fn configure_exists(&self) -> bool {
        self.configure_exists
    }

    /// Whether the `.credential` file existed when loaded (or has been saved since).
    pub fn credential_exists(&self) -> bool {
        self.credential_exists
    }

    fn sys_param(&self, key: &str) -> Option<&str> {
        self.configure
            .get(SYS_PARAM)?
            .get(key)?
            .as_str()
            .filter(|s| !s.is_empty())
    }

    /// `_sys_param.region`.
    pub fn region(&self) -> Option<&str> {
        self.sys_param("region")
    }

    /// `_sys_param.output` (`json`, `table` or `text`).
    pub fn output(&self) -> Option<&str> {
        self.sys_param("output")
    }

    /// `_sys_param.language` (`zh-CN` or `en-US`).
    pub fn language(&self) -> Option<&str> {
        self.sys_param("language")
    }

    /// `<service>.endpoint`, e.g. `endpoint("mongodb")`: a bare host such as
    /// `mongodb.tencentcloudapi.com` (meaning `https://` that host).
    pub fn endpoint(&self, service: &str) -> Option<&str> {
        self.configure
            .get(service)?
            .get("endpoint")?
            .as_str()
            .filter(|s| !s.trim().is_empty())
    }

    /// The value of a key, looked up as `tccli configure get` does: `_sys_param`, then the
    /// credential file, then `<service>.<field>`.
    pub fn get(&self, key: &str) -> Option<String> {
        if let Some(v) = self.configure.get(SYS_PARAM).and_then(|s| s.get(key)) {
            return Some(text_of(v)).filter(|s| !s.is_empty());
        }
        if key == USE_CVM_ROLE {
            return Some((self.credential_type() == Some("cvm-role")).to_string());
        }
        if let Some(v) = self.credential.get(key) {
            return Some(text_of(v)).filter(|s| !s.is_empty());
        }
        let (service, field) = key.split_once('.')?;
        self.configure
            .get(service)?
            .get(field)
            .map(text_of)
            .filter(|s| !s.is_empty())
    }

    /// Set a key (see the module docs for where each key goes). Values of `output`,
    /// `language` and `use-cvm-role` are checked; an unknown key without a dot is refused.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), Error> {
        let bad = |what: &str| {
            Err(Error::InvalidInput {
                parameter: Some(key.to_string()),
                message: format!("{value:?} is not {what}"),
            })
        };
        if key == USE_CVM_ROLE {
            let kind = match value.to_ascii_lowercase().as_str() {
                "true" => "cvm-role",
                "false" => "default",
                _ => return bad("true or false"),
            };
            self.credential.insert("type".into(), kind.into());
            self.credential_dirty = true;
        } else if CREDENTIAL_KEYS.contains(&key) {
            self.credential.insert(key.into(), value.into());
            self.credential_dirty = true;
        } else if SYS_PARAM_KEYS.contains(&key) {
            match key {
                "output" if !["json", "table", "text"].contains(&value) => {
                    return bad("an output format: json, table or text")
                }
                "language" if !["zh-CN", "en-US"].contains(&value) => {
                    return bad("a language: zh-CN or en-US")
                }
                _ => {}
            }
            self.section_mut(SYS_PARAM).insert(key.into(), value.into());
            self.configure_dirty = true;
        } else if let Some((service, field)) = key.split_once('.') {
            if service.is_empty() || field.is_empty() || field.contains('.') {
                return Err(Error::InvalidInput {
                    parameter: Some(key.to_string()),
                    message: "expected <service>.<field>, e.g. mongodb.endpoint".into(),
                });
            }
            self.section_mut(service).insert(field.into(), value.into());
            self.configure_dirty = true;
        } else {
            return Err(Error::InvalidInput {
                parameter: Some(key.to_string()),
                message: format!(
                    "unknown key; use one of {}, {}, {USE_CVM_ROLE} or <service>.<field>",
                    CREDENTIAL_KEYS.join(", "),
                    SYS_PARAM_KEYS.join(", ")
                ),
            });
        }
        Ok(())
    }

    /// The object `name` of the `.configure` file, created (or replaced, if it is not an
    /// object) as needed.
    fn section_mut(&mut self, name: &str) -> &mut Map<String, Value> {
        let slot = self
            .configure
            .entry(name.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        match slot {
            Value::Object(m) => m,
            _ => unreachable!("made an object above"),
        }
    }

    /// Every setting, credential first then `_sys_param` then services, as `tccli configure
    /// list` shows them. Secrets are flagged; mask them when showing.
    pub fn list(&self) -> Vec<TccliEntry> {
        let mut out = Vec::new();
        for (k, v) in &self.credential {
            if v.is_object() || v.is_array() {
                continue;
            }
            out.push(TccliEntry {
                key: k.clone(),
                value: text_of(v),
                file: TccliFile::Credential,
                secret: SECRET_KEYS.contains(&k.as_str()),
            });
        }
        for (section, members) in &self.configure {
            let Some(members) = members.as_object() else {
                continue;
            };
            for (k, v) in members {
                let key = if section == SYS_PARAM {
                    k.clone()
                } else {
                    format!("{section}.{k}")
                };
                out.push(TccliEntry {
                    key,
                    value: text_of(v),
                    file: TccliFile::Configure,
                    secret: false,
                });
            }
        }
        out
    }

    /// Write the files that [`set`](Self::set) changed, creating `~/.tccli` if needed. A new
    /// `.configure` file also gets `mongodb.endpoint` and `mongodb.version`, which tccli
    /// expects to find.
    pub fn save(&mut self) -> Result<(), Error> {
        if !self.configure_dirty && !self.credential_dirty {
            return Ok(());
        }
        create_dir(&self.dir)?;
        if self.configure_dirty {
            if !self.configure_exists {
                let mongodb = self.section_mut("mongodb");
                mongodb
                    .entry("endpoint")
                    .or_insert_with(|| "mongodb.tencentcloudapi.com".into());
                mongodb
                    .entry("version")
                    .or_insert_with(|| mongodb_models::API_VERSION.into());
            }
            write_atomic(&self.configure_path(), &self.configure, false)?;
            self.configure_exists = true;
            self.configure_dirty = false;
        }
        if self.credential_dirty {
            write_atomic(&self.credential_path(), &self.credential, true)?;
            self.credential_exists = true;
            self.credential_dirty = false;
        }
        Ok(())
    }

    /// The `type` member of the `.credential` file.
    pub(crate) fn credential_type(&self) -> Option<&str> {
        self.credential.get("type").and_then(Value::as_str)
    }

    /// A string member of the `.credential` file, `None` when absent or empty.
    pub(crate) fn credential_str(&self, key: &str) -> Option<&str> {
        self.credential
            .get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
    }

    /// `expiresAt` of the `.credential` file (Unix seconds), as number or numeric text.
    pub(crate) fn credential_expiry(&self) -> Option<i64> {
        let v = self.credential.get("expiresAt")?;
        v.as_i64()
            .or_else(|| v.as_f64().map(|f| f as i64))
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
    }
}

fn create_dir(dir: &Path) -> Result<(), Error> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|source| Error::Io {
        context: format!("creating {}", dir.display()),
        source,
    })
}

/// Write `map` as tccli does (2-space indent, sorted keys), atomically and durably (see
/// `fsutil::write_atomic`), so a crash never leaves half a file.
fn write_atomic(path: &Path, map: &Map<String, Value>, private: bool) -> Result<(), Error> {
    let mut text = serde_json::to_string_pretty(map).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    let access = if private {
        Access::Private
    } else {
        Access::Default
    };
    fsutil::write_atomic(path, text.as_bytes(), access).map_err(|source| Error::Io {
        context: format!("writing {}", path.display()),
        source,
    })
}
