//! `tcmongo configure set|get|list`: tccli's own profile files, `~/.tccli/<profile>.configure`
//! and `~/.tccli/<profile>.credential`, read and written the way `tccli configure` does, so
//! both tools share one setup. The files are handled by the client's
//! [`tccli`](mongodb_client_blocking::tccli) module, which keeps every member it does not know
//! and writes the `.credential` file with mode 0600.
//!
//! The profile is `--profile`, else `TCCLI_PROFILE`, else `default`. As in tccli, `get` and
//! `list` print `key = value` lines, and secrets (`secretId`, `secretKey`, `token`) are shown
//! masked: sixteen `*` and, for a value long enough to keep most of it hidden, its last four
//! characters.

use clap::{Arg, ArgMatches, Command};
use mongodb_client_blocking::tccli::{TccliFile, TccliProfile};
use mongodb_client_blocking::Error;

use crate::exit::{self, Failure};
use crate::output::print_stdout;
use crate::session::Globals;

/// Keys whose values are never printed in full (tccli masks the same ones).
const SENSITIVE: &[&str] = &["secretId", "secretKey", "token"];

/// The keys `set` takes, for help.
const KEYS_HELP: &str = "Keys:\n  \
    secretId, secretKey, token     API key pair and session token (.credential)\n  \
    role-arn, role-session-name    a role to assume with those keys (.credential)\n  \
    use-cvm-role                   true: use the CVM instance's role (.credential)\n  \
    region                         default region, e.g. ap-guangzhou\n  \
    output                         default output format: json, table or text\n  \
    language                       language of the service's messages: en-US or zh-CN\n  \
    arrayCount, warning            tccli's own settings, kept for it\n  \
    <service>.endpoint             endpoint host of a service, e.g. mongodb.endpoint\n  \
    <service>.version              API version of a service, e.g. mongodb.version";

/// The `configure` subcommand.
pub fn command() -> Command {
    Command::new("configure")
        .about("Read and change tccli's profile files (~/.tccli/<profile>.configure, .credential)")
        .long_about(
            "Read and change tccli's profile files, ~/.tccli/<profile>.configure and \
             ~/.tccli/<profile>.credential, as `tccli configure` does: both tools share them. \
             The profile is --profile NAME, else TCCLI_PROFILE, else default. Members the \
             command does not know are kept; the .credential file is written with mode 0600. \
             Secrets are shown masked.",
        )
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            Command::new("set")
                .about("Set one or more keys: configure set region ap-guangzhou output json")
                .arg(
                    Arg::new("pairs")
                        .value_names(["KEY", "VALUE"])
                        .num_args(2..)
                        .required(true)
                        .help("Keys and their values, in pairs"),
                )
                .after_help(KEYS_HELP),
        )
        .subcommand(
            Command::new("get")
                .about("Print the value of one or more keys, as KEY = VALUE lines")
                .arg(
                    Arg::new("keys")
                        .value_name("KEY")
                        .num_args(1..)
                        .required(true)
                        .help("Keys to print (see `configure set --help`)"),
                ),
        )
        .subcommand(Command::new("list").about("Print every setting of the profile"))
}

/// Runs `configure set|get|list`.
pub fn run(g: &Globals, m: &ArgMatches) -> Result<(), Failure> {
    let mut profile = g.tccli_profile()?.ok_or_else(|| Failure::Other {
        code: exit::CONFIG,
        message:
            "the home directory is unknown, so tccli's files (~/.tccli) can't be found; set HOME"
                .into(),
    })?;
    match m.subcommand() {
        Some(("set", sub)) => {
            let args: Vec<&String> = sub
                .get_many::<String>("pairs")
                .into_iter()
                .flatten()
                .collect();
            set(&mut profile, &args)
        }
        Some(("get", sub)) => {
            let keys: Vec<&String> = sub
                .get_many::<String>("keys")
                .into_iter()
                .flatten()
                .collect();
            let (text, missing) = get(&profile, &keys);
            print_stdout(&text)?;
            if missing.is_empty() {
                Ok(())
            } else {
                Err(not_set(&profile, &missing))
            }
        }
        Some(("list", _)) => {
            if !profile.configure_exists() && !profile.credential_exists() {
                eprintln!(
                    "note: profile {:?} has no files yet ({} and {}); create them with `tcmongo configure set KEY VALUE`",
                    profile.name(),
                    profile.configure_path().display(),
                    profile.credential_path().display()
                );
            }
            print_stdout(&list(&profile))
        }
        _ => Err(Failure::usage(
            "configure needs set, get or list; run `tcmongo configure --help`",
        )),
    }
}

/// Sets every pair, then saves: nothing is written unless every pair is accepted.
fn set(profile: &mut TccliProfile, args: &[&String]) -> Result<(), Failure> {
    if !args.len().is_multiple_of(2) {
        return Err(Failure::usage(format!(
            "configure set takes KEY VALUE pairs, e.g. `tcmongo configure set region ap-guangzhou output json`; \
             {:?} has no value",
            args[args.len() - 1]
        )));
    }
    for pair in args.chunks(2) {
        profile.set(pair[0], pair[1])?;
    }
    profile.save()?;
    Ok(())
}

/// `KEY = VALUE` lines for the keys that are set, and the keys that are not.
fn get<'a>(profile: &TccliProfile, keys: &[&'a String]) -> (String, Vec<&'a str>) {
    let mut out = String::new();
    let mut missing = Vec::new();
    for key in keys {
        match profile.get(key) {
            Some(v) => out.push_str(&format!("{key} = {}\n", shown(key, &v, false))),
            None => missing.push(key.as_str()),
        }
    }
    (out, missing)
}

/// Every setting: the `.credential` file's under `credential:`, then the `.configure` file's
/// under `configure:`, as tccli lists them.
fn list(profile: &TccliProfile) -> String {
    let entries = profile.list();
    let mut out = String::new();
    for (file, title) in [
        (TccliFile::Credential, "credential:"),
        (TccliFile::Configure, "configure:"),
    ] {
        out.push_str(title);
        out.push('\n');
        for e in entries.iter().filter(|e| e.file == file) {
            out.push_str(&format!(
                "{} = {}\n",
                e.key,
                shown(&e.key, &e.value, e.secret)
            ));
        }
    }
    out
}

/// The value as printed: masked for secrets.
fn shown(key: &str, value: &str, secret: bool) -> String {
    if !(secret || SENSITIVE.contains(&key)) {
        return value.to_string();
    }
    let chars: Vec<char> = value.chars().collect();
    let stars = "*".repeat(16);
    if chars.len() >= 12 {
        format!(
            "{stars}{}",
            chars[chars.len() - 4..].iter().collect::<String>()
        )
    } else {
        stars
    }
}

/// The failure of `get` for keys that are not set (exit 4).
fn not_set(profile: &TccliProfile, missing: &[&str]) -> Failure {
    let profile_flag = if profile.name() == "default" {
        String::new()
    } else {
        format!(" --profile {}", profile.name())
    };
    Failure::Sdk(Error::Config {
        message: format!(
            "{} not set in profile {:?} ({} or {}); set it with `tcmongo configure set {} VALUE{profile_flag}`",
            missing.join(", "),
            profile.name(),
            profile.configure_path().display(),
            profile.credential_path().display(),
            missing[0],
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_keeping_a_short_tail() {
        assert_eq!(
            shown("secretKey", "abcdefghijklmnopWXYZ", false),
            "****************WXYZ"
        );
        assert_eq!(
            shown("secretId", "AKIDabcdefgh1234", false),
            "****************1234"
        );
        // Too short to show a tail without giving most of it away.
        assert_eq!(shown("token", "short", false), "****************");
        assert_eq!(
            shown("other", "hidden-value-1234", true),
            "****************1234"
        );
        assert_eq!(shown("region", "ap-guangzhou", false), "ap-guangzhou");
    }

    #[test]
    fn get_and_list_print_tccli_lines() {
        let home = tempfile::tempdir().unwrap();
        let mut p = TccliProfile::load(home.path(), "ci").unwrap();
        let args: Vec<String> = ["region", "ap-shanghai", "secretKey", "0123456789abcdefKEY9"]
            .map(String::from)
            .to_vec();
        set(&mut p, &args.iter().collect::<Vec<_>>()).unwrap();
        let keys: Vec<String> = ["region", "secretKey", "token"].map(String::from).to_vec();
        let (text, missing) = get(&p, &keys.iter().collect::<Vec<_>>());
        assert_eq!(
            text,
            "region = ap-shanghai\nsecretKey = ****************KEY9\n"
        );
        assert_eq!(missing, ["token"]);
        let err = not_set(&p, &missing);
        assert_eq!(err.code(), 4);
        assert!(
            err.message().contains("--profile ci") && err.message().contains("ci.credential"),
            "{}",
            err.message()
        );
        let listed = list(&p);
        assert!(
            listed.starts_with("credential:\nsecretKey = ****************KEY9\nconfigure:\n"),
            "{listed}"
        );
        assert!(listed.contains("\nregion = ap-shanghai\n"), "{listed}");
        assert!(
            listed.contains("\nmongodb.endpoint = mongodb.tencentcloudapi.com\n"),
            "{listed}"
        );
    }

    #[test]
    fn an_odd_pair_or_a_bad_value_writes_nothing() {
        let home = tempfile::tempdir().unwrap();
        let mut p = TccliProfile::load(home.path(), "default").unwrap();
        let odd: Vec<String> = ["region", "ap-shanghai", "output"]
            .map(String::from)
            .to_vec();
        let err = set(&mut p, &odd.iter().collect::<Vec<_>>()).unwrap_err();
        assert_eq!(err.code(), 2);
        assert!(
            err.message().contains("\"output\" has no value"),
            "{}",
            err.message()
        );
        let bad: Vec<String> = ["region", "ap-shanghai", "output", "yaml"]
            .map(String::from)
            .to_vec();
        let err = set(&mut p, &bad.iter().collect::<Vec<_>>()).unwrap_err();
        assert_eq!(err.code(), 2);
        assert!(err.message().contains("output"), "{}", err.message());
        assert!(!home.path().join(".tccli").exists());
    }
}
