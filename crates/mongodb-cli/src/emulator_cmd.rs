//! The emulator, two ways: `tcmongo emulator` runs it in the foreground as a server, and the
//! global `--emulator` flag (or `TCMONGO_EMULATOR=1`) starts it embedded in the process for the
//! length of one command.
//!
//! With `TCMONGO_EMULATOR_FAST=1` the emulator's long-running work (backups, download
//! preparation) finishes at once instead of taking a few seconds per phase; tests use it.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Arg, ArgAction, ArgMatches, Command};
use mongodb_client_blocking::Credentials;
use mongodb_emulator::{Emulator, EmulatorBuilder, EmulatorHandle, Progress};

use crate::exit::{self, Failure};
use crate::output::print_stdout;

/// Default address of `tcmongo emulator`.
const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// The `emulator` subcommand.
pub fn command() -> Command {
    Command::new("emulator")
        .about("Run the local emulator of the API in the foreground (until killed)")
        .long_about(
            "Run the local, stateful emulator of the TencentDB for MongoDB API in the foreground \
             until the process is killed. It is seeded with cmgo-demo0001 (replica set) and \
             cmgo-demo0002 (sharded). Without --secret-id/--secret-key or --account it accepts \
             the demo credentials it prints. Its control plane (reset, state, faults, clock, \
             progress, the requests seen) answers JSON under /_emulator/ on the same address; \
             beyond loopback it needs --control-token. Set TCMONGO_EMULATOR_FAST=1 to finish \
             backups at once.",
        )
        .arg(
            Arg::new("listen")
                .long("listen")
                .value_name("ADDR")
                .default_value(DEFAULT_LISTEN)
                .help("Address to listen on (port 0 picks a free port)"),
        )
        .arg(
            Arg::new("secret-id")
                .long("secret-id")
                .value_name("ID")
                .requires("secret-key")
                .help("Secret id the emulator accepts [default: the demo id]"),
        )
        .arg(
            Arg::new("secret-key")
                .long("secret-key")
                .value_name("KEY")
                .requires("secret-id")
                .help("Secret key the emulator accepts [default: the demo key]"),
        )
        .arg(
            Arg::new("account")
                .long("account")
                .value_name("ID:KEY[:TOKEN]")
                .action(ArgAction::Append)
                .help(
                    "Accept this secret id and key too (repeatable); with :TOKEN, as a \
                     temporary credential whose requests must carry that session token",
                ),
        )
        .arg(
            Arg::new("control-token")
                .long("control-token")
                .value_name("TOKEN")
                .env("TCMONGO_EMULATOR_CONTROL_TOKEN")
                .hide_env_values(true)
                .help(
                    "Bearer token the control plane (/_emulator/) demands; required when \
                     listening beyond loopback",
                ),
        )
        .arg(
            Arg::new("state")
                .long("state")
                .value_name("FILE")
                .value_parser(clap::value_parser!(PathBuf))
                .help("Keep the emulator's state in this JSON file across restarts"),
        )
}

/// Runs `tcmongo emulator`: starts the server, prints its URL and credentials, then blocks.
pub fn run(m: &ArgMatches) -> Result<(), Failure> {
    let listen = m
        .get_one::<String>("listen")
        .map(String::as_str)
        .unwrap_or(DEFAULT_LISTEN);
    let mut builder = configure(Emulator::builder().listen(listen));
    let custom = match (
        m.get_one::<String>("secret-id"),
        m.get_one::<String>("secret-key"),
    ) {
        (Some(id), Some(key)) => {
            builder = builder.credentials(id.clone(), key.clone());
            true
        }
        _ => false,
    };
    // Parsed here rather than by clap, whose error would echo the value (a secret key).
    let accounts = m
        .get_many::<String>("account")
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, text)| {
            parse_account(text)
                .map_err(|e| Failure::usage(format!("--account (the {}. one): {e}", i + 1)))
        })
        .collect::<Result<Vec<Account>, Failure>>()?;
    for a in &accounts {
        builder = match &a.token {
            Some(t) => builder.account_with_token(a.id.clone(), a.key.clone(), t.clone()),
            None => builder.account(a.id.clone(), a.key.clone()),
        };
    }
    let control_token = m.get_one::<String>("control-token");
    if let Some(token) = control_token {
        builder = builder.control_token(token.clone());
    }
    if let Some(state) = m.get_one::<PathBuf>("state") {
        builder = builder.state_file(state.clone());
    }
    let custom = custom || !accounts.is_empty();
    let handle = builder
        .start()
        .map_err(|e| start_failure(&format!("cannot start the emulator on {listen}"), e))?;
    let url = handle.url();
    let mut text = format!("emulator listening on {url}\n");
    text.push_str(&format!("secret id:  {}\n", handle.secret_id()));
    if custom {
        text.push_str("secret key: (as given with --secret-key)\n");
    } else {
        // The demo key is a public constant that opens nothing but this emulator.
        text.push_str(&format!("secret key: {} (demo)\n", handle.secret_key()));
    }
    if !accounts.is_empty() {
        let ids: Vec<&str> = accounts.iter().map(|a| a.id.as_str()).collect();
        text.push_str(&format!("accounts:   {} (keys as given)\n", ids.join(", ")));
    }
    let access = if control_token.is_some() {
        "needs Authorization: Bearer <the --control-token>"
    } else {
        "open: loopback only"
    };
    text.push_str(&format!(
        "control:    {} ({access})\n",
        handle.control_url()
    ));
    let key_hint = if custom { "..." } else { handle.secret_key() };
    text.push_str(&format!(
        "try:        TENCENTCLOUD_SECRET_ID={} TENCENTCLOUD_SECRET_KEY={key_hint} tcmongo --endpoint {url} DescribeDBInstances\n",
        handle.secret_id()
    ));
    print_stdout(&text)?;
    // Serve until the process is killed; the server runs on its own threads.
    loop {
        std::thread::park();
    }
}

/// One `--account ID:KEY[:TOKEN]`.
#[derive(Clone)]
struct Account {
    id: String,
    key: String,
    token: Option<String>,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

fn parse_account(text: &str) -> Result<Account, String> {
    let mut parts = text.splitn(3, ':');
    let (id, key, token) = (parts.next(), parts.next(), parts.next());
    match (id, key) {
        (Some(id), Some(key)) if !id.is_empty() && !key.is_empty() => Ok(Account {
            id: id.to_owned(),
            key: key.to_owned(),
            token: token.filter(|t| !t.is_empty()).map(str::to_owned),
        }),
        // Never echo the value: it holds a secret key.
        _ => Err("expected ID:KEY or ID:KEY:TOKEN, with a non-empty id and key".to_owned()),
    }
}

/// An emulator started inside the process for one command (`--emulator`).
#[derive(Debug)]
pub struct Embedded {
    handle: EmulatorHandle,
}

impl Embedded {
    /// Starts the emulator on a free local port with the demo credentials.
    pub fn start() -> Result<Self, Failure> {
        let handle = configure(Emulator::builder().listen("127.0.0.1:0"))
            .start()
            .map_err(|e| start_failure("cannot start the embedded emulator", e))?;
        log::info!("embedded emulator at {}", handle.url());
        Ok(Embedded { handle })
    }

    /// The endpoint URL to point the client at.
    pub fn url(&self) -> String {
        self.handle.url()
    }

    /// The credentials the emulator accepts.
    pub fn credentials(&self) -> Credentials {
        self.handle.credentials()
    }
}

/// Applies settings shared by both modes (`TCMONGO_EMULATOR_FAST`).
fn configure(builder: EmulatorBuilder) -> EmulatorBuilder {
    if fast_mode() {
        builder.progress(Progress::Elapsed(Duration::ZERO))
    } else {
        builder
    }
}

/// Whether `TCMONGO_EMULATOR_FAST` is set to a true value.
fn fast_mode() -> bool {
    std::env::var("TCMONGO_EMULATOR_FAST")
        .map(|v| {
            matches!(
                v.trim().to_ascii_lowercase().as_str(),
                "1" | "true" | "yes" | "on"
            )
        })
        .unwrap_or(false)
}

fn start_failure(what: &str, e: std::io::Error) -> Failure {
    Failure::Other {
        code: exit::CONFIG,
        message: format!("{what}: {e}"),
    }
}
