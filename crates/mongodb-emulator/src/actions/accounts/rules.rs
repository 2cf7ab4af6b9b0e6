//! What every account action checks and shares: names, passwords, databases
//! and `AuthRole` entries as the service documents them; the guard that keeps
//! one account change at a time per instance; starting the work that applies
//! a change; and the `Auth` form of the answers.

use mongodb_errors::ErrorCode;
use mongodb_models::Auth;

use crate::actions::ctx::{Allow, Ctx};
use crate::actions::errors;
use crate::state::accounts::{
    digest, AccountChange, InstanceAccounts, ADMIN_DB, ALL_DATABASES, DEFAULT_USER, MASK_NONE,
    MASK_READ, MASK_READ_WRITE,
};
use crate::state::effects::Effect;
use crate::state::tasks::{Task, TaskKind};
use crate::util::ApiError;

/// Longest user or role name.
const NAME_MAX: usize = 64;
/// Password length, inclusive.
const PASSWORD_LEN: (usize, usize) = (8, 32);
/// The symbols the service names in its password rule.
const SYMBOLS: &str = "!@#%^*()_";

/// A user or role name: 1 to 64 letters, digits, `_` and `-`, starting with a
/// letter.
pub(super) fn check_name(param: &str, name: &str) -> Result<(), ApiError> {
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let starts = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    if ok_chars && starts && name.len() <= NAME_MAX {
        return Ok(());
    }
    Err(errors::invalid(format!(
        "{param} `{name}` is not a valid name: use 1 to {NAME_MAX} letters, digits, `_` and `-`, starting with a letter."
    )))
}

/// A password by the service's rule: 8 to 32 printable ASCII characters with
/// at least two of letters, digits and symbols. The message never repeats
/// the password.
pub(super) fn check_password(param: &str, password: &str) -> Result<(), ApiError> {
    let (min, max) = PASSWORD_LEN;
    let n = password.chars().count();
    let problem = if n < min || n > max {
        Some("has the wrong length")
    } else if !password.chars().all(|c| c.is_ascii_graphic()) {
        Some("contains a space, a control character or a non-ASCII character")
    } else {
        let letters = password.chars().any(|c| c.is_ascii_alphabetic());
        let digits = password.chars().any(|c| c.is_ascii_digit());
        let symbols = password.chars().any(|c| c.is_ascii_punctuation());
        let kinds = [letters, digits, symbols].iter().filter(|k| **k).count();
        (kinds < 2).then_some("uses only one kind of character")
    };
    match problem {
        None => Ok(()),
        Some(what) => Err(errors::error(
            ErrorCode::InvalidParameterValuePasswordRuleFailed,
            format!(
                "{param} {what}: a password has {min} to {max} characters and at least two of letters, digits and symbols ({SYMBOLS})."
            ),
        )),
    }
}

/// The digest of the one password of `Password` / `EncryptedPassword` given
/// (checked by the rule; an encrypted one can't be, and is kept as given).
/// `None` when neither is given and `required` is false.
pub(super) fn password_digest(
    password: Option<&str>,
    encrypted: Option<&str>,
    required: bool,
) -> Result<Option<String>, ApiError> {
    let password = password.filter(|p| !p.is_empty());
    let encrypted = encrypted.filter(|p| !p.trim().is_empty());
    match (password, encrypted) {
        (Some(_), Some(_)) => Err(errors::invalid(
            "Password and EncryptedPassword are alternatives: give one of them, not both.",
        )),
        (Some(p), None) => {
            check_password("Password", p)?;
            Ok(Some(digest(p)))
        }
        (None, Some(e)) => Ok(Some(digest(e))),
        (None, None) if required => Err(errors::invalid(
            "A new account needs a password: give Password (or EncryptedPassword).",
        )),
        (None, None) => Ok(None),
    }
}

/// Longest account description.
pub(super) const DESCRIPTION_MAX: usize = 256;

/// A description of at most [`DESCRIPTION_MAX`] characters.
pub(super) fn check_description(param: &str, text: &str) -> Result<(), ApiError> {
    if text.chars().count() <= DESCRIPTION_MAX {
        return Ok(());
    }
    Err(errors::invalid(format!(
        "{param} is longer than {DESCRIPTION_MAX} characters; shorten it."
    )))
}

/// `MongoUserPassword`, when given, must be the password of `mongouser`
/// (when the emulator knows it: an instance seeded without one accepts any).
pub(super) fn check_default_password(
    accounts: &InstanceAccounts,
    given: Option<&str>,
) -> Result<(), ApiError> {
    let Some(given) = given else {
        return Ok(());
    };
    let known = accounts
        .user(DEFAULT_USER, ADMIN_DB)
        .map(|u| u.password_sha256.as_str())
        .unwrap_or_default();
    if known.is_empty() || known == digest(given) {
        return Ok(());
    }
    Err(errors::error(
        ErrorCode::InternalErrorPasswordError,
        format!(
            "MongoUserPassword is not the password of {DEFAULT_USER}: give the one set at purchase or with ResetDBInstancePassword."
        ),
    ))
}

/// A database name (`Database`, default `admin`): 1 to 64 characters without
/// spaces or `/\\.\"$*<>:|?`; users and roles can't be defined in `local`.
pub(super) fn database(param: &str, db: Option<&str>) -> Result<String, ApiError> {
    let db = db
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .unwrap_or(ADMIN_DB);
    check_database_name(param, db)?;
    if db == "local" {
        return Err(errors::invalid(format!(
            "{param} `local` can't hold users or roles; use `admin` or a database of yours."
        )));
    }
    Ok(db.to_owned())
}

/// A database name as MongoDB accepts it.
pub(super) fn check_database_name(param: &str, db: &str) -> Result<(), ApiError> {
    const BAD: &str = "/\\.\"$*<>:|? ";
    if !db.is_empty() && db.len() <= 64 && !db.chars().any(|c| BAD.contains(c)) {
        return Ok(());
    }
    Err(errors::invalid(format!(
        "{param} `{db}` is not a database name: use 1 to 64 characters without spaces or any of /\\.\"$*<>:|?"
    )))
}

/// The `AuthRole` entries as (mask, namespace), checked: `Mask` is 0 (no
/// access), 1 (read only) or 3 (read and write); `NameSpace` is `*` or a
/// database name.
pub(super) fn auth_entries(param: &str, auth: &[Auth]) -> Result<Vec<(i64, String)>, ApiError> {
    let mut out = Vec::new();
    for (n, a) in auth.iter().enumerate() {
        let mask = a.mask.ok_or_else(|| {
            errors::invalid(format!(
                "{param}.{n}.Mask is missing: give 0 (no access), 1 (read only) or 3 (read and write)."
            ))
        })?;
        errors::one_of(
            ErrorCode::InvalidParameterValue,
            &format!("{param}.{n}.Mask"),
            &mask,
            &[MASK_NONE, MASK_READ, MASK_READ_WRITE],
        )?;
        let ns = a.name_space.as_deref().map(str::trim).unwrap_or_default();
        if ns != ALL_DATABASES {
            check_database_name(&format!("{param}.{n}.NameSpace"), ns)?;
        }
        out.push((mask, ns.to_owned()));
    }
    Ok(out)
}

/// The `Auth` list of an answer.
pub(super) fn to_auth(entries: &[(i64, String)]) -> Vec<Auth> {
    entries
        .iter()
        .map(|(mask, ns)| Auth::new(*mask, ns.as_str()))
        .collect()
}

/// `OperationDenied.AccountOperationDenied` for a change `mongouser` does not
/// take.
pub(super) fn default_user_denied(what: &str) -> ApiError {
    errors::error(
        ErrorCode::OperationDeniedAccountOperationDenied,
        format!(
            "{DEFAULT_USER} is the instance's default account: it can't be {what}. Create an account of your own for that (CreateAccountUser)."
        ),
    )
}

/// `InvalidParameterValue.UserNotFound`.
pub(super) fn user_not_found(instance_id: &str, name: &str, database: &str) -> ApiError {
    errors::error(
        ErrorCode::InvalidParameterValueUserNotFound,
        format!(
            "UserName `{name}` is not an account of database {database} of instance `{instance_id}`; DescribeAccountUsers or DescribeInstanceUsers lists them."
        ),
    )
}

/// Whether `task` is account work still under way on `instance_id`.
fn account_work(task: &Task, instance_id: &str) -> bool {
    !task.is_finished()
        && task.concerns(instance_id)
        && matches!(task.effect, Some(Effect::Account(_)))
}

/// The accounts of `instance_id` if a change may start there: the instance is
/// running and no other account change of it is under way
/// (`InvalidParameterValue.LockFailed`).
pub(super) fn ready<'c>(
    ctx: &'c Ctx<'_>,
    instance_id: &str,
) -> Result<&'c InstanceAccounts, ApiError> {
    let instance = ctx.checked(instance_id, Allow::Running)?;
    let busy = ctx
        .region()
        .tasks
        .iter()
        .find(|t| account_work(t, instance_id));
    if let Some(task) = busy {
        return Err(errors::error(
            ErrorCode::InvalidParameterValueLockFailed,
            format!(
                "Instance `{instance_id}` is applying another account change (task {}); wait until it ends (DescribeAsyncRequestInfo) and try again.",
                task.id
            ),
        ));
    }
    Ok(&instance.accounts)
}

/// Starts the work that applies `change` to `instance_id`; returns its id.
pub(super) fn start(
    ctx: &mut Ctx<'_>,
    kind: TaskKind,
    instance_id: &str,
    change: AccountChange,
) -> u64 {
    ctx.start_task(
        kind,
        vec![instance_id.to_owned()],
        Some(Effect::Account(change)),
    )
}

/// The accounts of `instance_id` for a read, which polls the account work
/// under way on it (as reading an instance polls the work that changes it).
pub(super) fn read<'c>(
    ctx: &'c mut Ctx<'_>,
    instance_id: &str,
) -> Result<&'c InstanceAccounts, ApiError> {
    ctx.instance(instance_id)?;
    let pending: Vec<usize> = ctx
        .region()
        .tasks
        .iter()
        .enumerate()
        .filter(|(_, t)| account_work(t, instance_id))
        .map(|(i, _)| i)
        .collect();
    for idx in pending {
        ctx.poll_task(idx);
    }
    Ok(&ctx.instance(instance_id)?.accounts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_follow_the_rule_and_are_never_echoed() {
        for good in ["Abc@123...", "abcd1234", "abc_defg!", "12345678#"] {
            assert!(check_password("Password", good).is_ok(), "{good}");
        }
        for bad in [
            "Ab1!",
            "qwertyui",
            "12345678",
            "!!!!!!!!!",
            "Abc 12345",
            "Abcé12345",
            &"Ab1".repeat(11),
        ] {
            let e = check_password("Password", bad).unwrap_err();
            assert_eq!(e.code, ErrorCode::InvalidParameterValuePasswordRuleFailed);
            assert!(e.message.starts_with("Password "), "{}", e.message);
            assert!(!e.message.contains(bad), "{}", e.message);
        }
        assert!(password_digest(Some("Abc@1234"), Some("xx"), true).is_err());
        assert!(password_digest(None, None, true).is_err());
        assert_eq!(password_digest(None, None, false).unwrap(), None);
        assert_eq!(
            password_digest(None, Some("ZW5j"), true).unwrap(),
            Some(digest("ZW5j"))
        );
    }

    #[test]
    fn names_databases_and_masks() {
        for good in ["mong_test", "a", "test-123", &"a".repeat(64)] {
            assert!(check_name("UserName", good).is_ok(), "{good}");
        }
        for bad in ["", "1abc", "_a", "a b", "a.b", &"a".repeat(65)] {
            let e = check_name("UserName", bad).unwrap_err();
            assert!(e.message.contains("UserName"), "{}", e.message);
        }
        assert_eq!(database("Database", None).unwrap(), "admin");
        assert_eq!(database("Database", Some(" sales ")).unwrap(), "sales");
        assert!(database("Database", Some("local")).is_err());
        assert!(database("Database", Some("a.b")).is_err());
        let ok = [Auth::new(1, "*"), Auth::new(0, "db1"), Auth::new(3, "db2")];
        assert_eq!(auth_entries("AuthRole", &ok).unwrap().len(), 3);
        let e = auth_entries("AuthRole", &[Auth::new(2, "db")]).unwrap_err();
        assert!(e.message.contains("AuthRole.0.Mask"), "{}", e.message);
        let e = auth_entries("AuthRole", &[Auth::new(1, "\"db\"")]).unwrap_err();
        assert!(e.message.contains("AuthRole.0.NameSpace"), "{}", e.message);
    }

    #[test]
    fn the_default_password_is_checked_when_known() {
        let known = InstanceAccounts::initial(Some("Secret-123"), 0);
        assert!(check_default_password(&known, None).is_ok());
        assert!(check_default_password(&known, Some("Secret-123")).is_ok());
        let e = check_default_password(&known, Some("wrong-1234")).unwrap_err();
        assert_eq!(e.code, ErrorCode::InternalErrorPasswordError);
        let unknown = InstanceAccounts::initial(None, 0);
        assert!(check_default_password(&unknown, Some("anything-1")).is_ok());
    }
}
