//! The emulator, two ways: `tcmongo emulator` runs it in the foreground as a server, and the
//! global `--emulator` flag (or `TCMONGO_EMULATOR=1`) starts it embedded in the process for the
//! length of one command.
//!
//! With `TCMONGO_EMULATOR_FAST=1` the emulator's long-running work (backups, download
//! preparation) finishes at once instead of taking a few seconds per phase; tests use it.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Arg, ArgMatches, Command};
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
             cmgo-demo0002 (sharded). Without --secret-id/--secret-key it accepts the demo \
             credentials it prints. Set TCMONGO_EMULATOR_FAST=1 to finish backups at once.",
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
    if let Some(state) = m.get_one::<PathBuf>("state") {
        builder = builder.state_file(state.clone());
    }
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
