//! The command line: the clap `Command` (built at run time from the models' action registry),
//! argument normalisation, global settings, client construction, and the generic action runner.
//!
//! Shape:
//!
//! ```text
//! tcmongo [GLOBAL FLAGS] <Action> [--cli-input-json JSON|@FILE|-] [--<Param> VALUE]...
//! tcmongo [GLOBAL FLAGS] backup create|list|download|run ...
//! tcmongo emulator [--listen ADDR] [--secret-id ID --secret-key KEY] [--state FILE]
//! tcmongo completions bash|zsh|fish|elvish|powershell
//! ```
//!
//! Action names are matched case-insensitively with `-`/`_` ignored: the action token is
//! rewritten to its canonical name before clap sees the arguments.

use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::{value_parser, Arg, ArgAction, ArgMatches, Command};
use mongodb_client_blocking::{Client, HttpMethod, Language, RetryPolicy, WaitOptions};
use mongodb_models::ActionInfo;
use serde_json::{Map, Value};

use crate::exit::{self, Failure};
use crate::input;
use crate::output::{self, OutputFormat};
use crate::progress::Reporter;
use crate::{backup, emulator_cmd, logging};

/// Subcommands that are not API actions.
const BUILTINS: &[&str] = &["backup", "emulator", "completions", "help"];

/// Global flags that take a value (so the action token can be found without clap).
const VALUE_FLAGS: &[&str] = &[
    "--region",
    "--endpoint",
    "--http-method",
    "--timeout",
    "--profile",
    "--language",
    "--output",
    "--max-attempts",
];

/// Runs the program with `args` (including the program name) and returns the exit code.
pub fn run(args: Vec<OsString>) -> ExitCode {
    let args = normalize_args(args);
    let matches = match build_command().try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                exit::USAGE
            } else {
                exit::SUCCESS
            });
        }
    };
    match dispatch(&matches) {
        Ok(()) => ExitCode::from(exit::SUCCESS),
        Err(f) => f.report(),
    }
}

/// Routes parsed arguments to the subcommand that handles them.
fn dispatch(matches: &ArgMatches) -> Result<(), Failure> {
    let globals = Globals::from_matches(matches)?;
    if globals.verbose {
        logging::init();
    }
    match matches.subcommand() {
        Some(("completions", sub)) => completions(sub),
        Some(("emulator", sub)) => emulator_cmd::run(sub),
        Some(("backup", sub)) => backup::run(&globals, sub),
        Some((name, sub)) => {
            let info = mongodb_models::find_action(name)
                .ok_or_else(|| Failure::usage(format!("unknown action {name:?}")))?;
            run_action(&globals, info, sub)
        }
        None => Err(Failure::usage(
            "no action given; run `tcmongo --help` for the list of actions",
        )),
    }
}

/// Rewrites the first positional argument to the canonical action name when it names an action
/// in any case or with dashes/underscores (`describe-db-backups` → `DescribeDBBackups`); the
/// name after `help` is rewritten the same way.
pub fn normalize_args(mut args: Vec<OsString>) -> Vec<OsString> {
    let mut i = 1;
    while i < args.len() {
        let Some(token) = args[i].to_str() else {
            break;
        };
        if token == "--" {
            break;
        }
        if token.starts_with('-') {
            i += if VALUE_FLAGS.contains(&token) { 2 } else { 1 };
            continue;
        }
        if token == "help" {
            i += 1;
            continue;
        }
        if !BUILTINS.contains(&token) {
            if let Some(info) = mongodb_models::find_action(token) {
                args[i] = OsString::from(info.name);
            }
        }
        break;
    }
    args
}

/// The whole command tree.
pub fn build_command() -> Command {
    let mut cmd = Command::new("tcmongo")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Command line for the TencentDB for MongoDB API (mongodb, 2019-07-25)")
        .long_about(
            "Command line for the TencentDB for MongoDB API (service mongodb, version 2019-07-25).\n\n\
             Every API action is a subcommand named after it (matched case-insensitively, dashes \
             ignored), e.g. `tcmongo DescribeDBInstances --Limit 5`. The `backup` commands run the \
             backup workflow with progress bars; `--emulator` runs any command against an embedded \
             local emulator with demo credentials.\n\n\
             Credentials: TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY (+ TENCENTCLOUD_SESSION_TOKEN), \
             ~/.tencentcloud/credentials, ~/.tccli/<profile>.credential, CVM role, STS.\n\n\
             Exit codes: 0 success; 1 the service answered with an error; 2 bad usage or input; \
             3 network, timeout, HTTP status, malformed or oversized response; \
             4 no usable credentials or configuration.",
        )
        .subcommand_required(true)
        .arg_required_else_help(true)
        .max_term_width(100)
        .args(global_args());
    cmd = cmd
        .subcommand(backup::command())
        .subcommand(emulator_cmd::command())
        .subcommand(
            Command::new("completions")
                .about("Print a shell completion script on stdout")
                .arg(
                    Arg::new("shell")
                        .required(true)
                        .value_parser(value_parser!(clap_complete::Shell))
                        .help("bash, zsh, fish, elvish or powershell"),
                ),
        );
    for info in mongodb_models::actions() {
        cmd = cmd.subcommand(action_command(info));
    }
    cmd
}

/// The flags every command accepts (before or after the subcommand); given twice, the last
/// one wins.
fn global_args() -> Vec<Arg> {
    let args = vec![
        Arg::new("region")
            .long("region")
            .global(true)
            .value_name("REGION")
            .help("Region, e.g. ap-guangzhou [default: TENCENTCLOUD_REGION]"),
        Arg::new("endpoint")
            .long("endpoint")
            .global(true)
            .value_name("URL")
            .help(
                "Endpoint URL, e.g. https://mongodb.tencentcloudapi.com or http://127.0.0.1:8080",
            ),
        Arg::new("http-method")
            .long("http-method")
            .global(true)
            .value_name("METHOD")
            .value_parser(["POST", "GET", "post", "get"])
            .hide_possible_values(true)
            .help("POST (JSON body, default) or GET (parameters in the query)"),
        Arg::new("timeout")
            .long("timeout")
            .global(true)
            .value_name("SECS")
            .help("Timeout of each HTTP request, in seconds"),
        Arg::new("profile")
            .long("profile")
            .global(true)
            .value_name("NAME")
            .help("Credentials profile name [default: TENCENTCLOUD_PROFILE, else default]"),
        Arg::new("language")
            .long("language")
            .global(true)
            .value_name("LANG")
            .value_parser(["en-US", "zh-CN"])
            .help("Language of the service's messages"),
        Arg::new("output")
            .long("output")
            .short('o')
            .global(true)
            .value_name("FORMAT")
            .value_parser(["json", "table"])
            .help("Output format [default: json; table for `backup list`]"),
        Arg::new("max-attempts")
            .long("max-attempts")
            .global(true)
            .value_name("N")
            .value_parser(value_parser!(u32).range(1..))
            .help("Attempts per API call, retries included (1 turns retries off) [default: 3]"),
        Arg::new("emulator")
            .long("emulator")
            .global(true)
            .action(ArgAction::SetTrue)
            .value_parser(clap::builder::BoolishValueParser::new())
            .env("TCMONGO_EMULATOR")
            .help("Run against an embedded local emulator with demo credentials"),
        Arg::new("verbose")
            .long("verbose")
            .short('v')
            .global(true)
            .action(ArgAction::SetTrue)
            .help("Log requests and retries on stderr (secrets are never logged)"),
    ];
    args.into_iter()
        .map(|a| {
            let id = a.get_id().clone();
            a.overrides_with(id).help_heading("Global options")
        })
        .collect()
}

/// One subcommand for an API action: one flag per top-level parameter plus `--cli-input-json`.
fn action_command(info: &'static ActionInfo) -> Command {
    let mut cmd = Command::new(info.name)
        .about(format!("Call {}", info.name))
        .long_about(format!(
            "Call the {} action. Parameters come from --cli-input-json and/or one flag per \
             parameter; flags win over keys of the JSON. Lists and structures are JSON (a list \
             may also be given by repeating its flag). Reference: {}",
            info.name, info.doc_url
        ))
        .arg(
            Arg::new("cli-input-json")
                .long("cli-input-json")
                .help_heading("Parameters")
                .value_name("JSON|@FILE|-")
                .help("All parameters as one JSON object: inline, @FILE, or - for stdin"),
        );
    for p in info.params {
        let kind = input::ParamKind::of(p.type_name);
        let mut help = p.type_name.to_string();
        if p.required {
            help.push_str(", required");
        }
        if !p.values.is_empty() {
            help.push_str(&format!(" ({})", p.values.join(", ")));
        }
        let mut arg = Arg::new(p.name)
            .long(p.name)
            .help_heading("Parameters")
            .value_name(value_name(&kind))
            .help(help);
        if matches!(kind, input::ParamKind::List(_)) {
            arg = arg.action(ArgAction::Append);
        }
        cmd = cmd.arg(arg);
    }
    cmd
}

/// The placeholder shown in help for a parameter's value.
fn value_name(kind: &input::ParamKind) -> &'static str {
    use input::ParamKind as K;
    match kind {
        K::String => "STRING",
        K::Integer => "INT",
        K::Float => "NUMBER",
        K::Boolean => "BOOL",
        K::List(_) => "JSON|VALUE",
        K::Structure => "JSON",
    }
}

/// Settings from the global flags.
#[derive(Debug, Clone, Default)]
pub struct Globals {
    /// `--region`, else `TENCENTCLOUD_REGION`.
    pub region: Option<String>,
    /// `--endpoint`.
    pub endpoint: Option<String>,
    /// `--http-method`.
    pub http_method: Option<HttpMethod>,
    /// `--timeout`.
    pub timeout: Option<Duration>,
    /// `--profile`.
    pub profile: Option<String>,
    /// `--language`.
    pub language: Option<Language>,
    /// `--output`, when given.
    pub output: Option<OutputFormat>,
    /// `--max-attempts`.
    pub max_attempts: Option<u32>,
    /// `--emulator` / `TCMONGO_EMULATOR`.
    pub emulator: bool,
    /// `--verbose`.
    pub verbose: bool,
}

impl Globals {
    /// Reads and validates the global flags.
    pub fn from_matches(m: &ArgMatches) -> Result<Self, Failure> {
        let s = |id: &str| m.get_one::<String>(id).cloned();
        let timeout = match s("timeout") {
            None => None,
            Some(t) => match t.trim().parse::<f64>() {
                Ok(secs) if secs.is_finite() && secs > 0.0 && secs < 1e9 => {
                    Some(Duration::from_secs_f64(secs))
                }
                _ => {
                    return Err(Failure::usage(format!(
                        "invalid value {t:?} for --timeout: expected a positive number of seconds"
                    )))
                }
            },
        };
        let http_method = s("http-method").map(|v| {
            if v.eq_ignore_ascii_case("GET") {
                HttpMethod::Get
            } else {
                HttpMethod::Post
            }
        });
        let language = s("language").map(|v| {
            if v == "zh-CN" {
                Language::ZhCn
            } else {
                Language::EnUs
            }
        });
        let region = s("region").or_else(|| {
            std::env::var("TENCENTCLOUD_REGION")
                .ok()
                .filter(|r| !r.trim().is_empty())
        });
        Ok(Globals {
            region,
            endpoint: s("endpoint"),
            http_method,
            timeout,
            profile: s("profile"),
            language,
            output: s("output").as_deref().and_then(OutputFormat::parse),
            max_attempts: m.get_one::<u32>("max-attempts").copied(),
            emulator: m.get_flag("emulator"),
            verbose: m.get_flag("verbose"),
        })
    }
}

/// A connected client, plus the embedded emulator it talks to in `--emulator` mode.
#[derive(Debug)]
pub struct Session {
    /// The API client.
    pub client: Client,
    /// Progress reporting on stderr.
    pub reporter: Reporter,
    /// Keeps the embedded emulator running until the session ends.
    emulator: Option<emulator_cmd::Embedded>,
}

impl Session {
    /// Builds the client from the global settings (starting the embedded emulator first in
    /// `--emulator` mode). Missing credentials or bad configuration fail with exit code 4.
    pub fn connect(g: &Globals) -> Result<Self, Failure> {
        let mut builder = Client::builder();
        let emulator = if g.emulator {
            Some(emulator_cmd::Embedded::start()?)
        } else {
            None
        };
        if let Some(r) = &g.region {
            builder = builder.region(r.clone());
        }
        match &emulator {
            Some(emu) => {
                // The emulator is on this machine: never route it through a proxy from the
                // environment.
                builder = builder
                    .endpoint(emu.url())
                    .credentials(emu.credentials())
                    .no_proxy();
            }
            None => {
                if let Some(e) = &g.endpoint {
                    builder = builder.endpoint(e.clone());
                }
                if let Some(p) = &g.profile {
                    builder = builder.profile(p.clone());
                }
            }
        }
        if let Some(m) = g.http_method {
            builder = builder.http_method(m);
        }
        if let Some(l) = g.language {
            builder = builder.language(l);
        }
        if let Some(t) = g.timeout {
            builder = builder.timeout(t);
        }
        if let Some(n) = g.max_attempts {
            builder = builder.retry(RetryPolicy::default().with_max_attempts(n));
        }
        let client = builder.build()?;
        Ok(Session {
            client,
            reporter: Reporter::detect(),
            emulator,
        })
    }

    /// How waiters poll: every second at first, backing off to 20 s, for up to two hours;
    /// against the embedded emulator every 200 ms.
    pub fn wait_options<'a>(&self) -> WaitOptions<'a> {
        if self.emulator.is_some() {
            WaitOptions::new()
                .initial_interval(Duration::from_millis(200))
                .backoff(1.0)
        } else {
            WaitOptions::new()
                .initial_interval(Duration::from_secs(1))
                .backoff(1.5)
                .max_interval(Duration::from_secs(20))
        }
    }
}

/// Runs one API action: gather input, check it against the typed request, call, print.
fn run_action(g: &Globals, info: &'static ActionInfo, m: &ArgMatches) -> Result<(), Failure> {
    let params = gather_params(info, m)?;
    let checked = mongodb_models::check_request(info.name, &Value::Object(params))
        .map_err(|e| Failure::Sdk(e.into()))?;
    let session = Session::connect(g)?;
    let response = session.client.call_json(info.name, checked)?;
    print_stdout(&output::render(
        &response,
        g.output.unwrap_or(OutputFormat::Json),
    ))
}

/// Merges `--cli-input-json` with the per-parameter flags (flags win).
fn gather_params(info: &ActionInfo, m: &ArgMatches) -> Result<Map<String, Value>, Failure> {
    let mut params = match m.get_one::<String>("cli-input-json") {
        Some(arg) => {
            input::read_cli_input_json(arg, &mut std::io::stdin().lock()).map_err(Failure::Usage)?
        }
        None => Map::new(),
    };
    for p in info.params {
        if let Some(values) = m.get_many::<String>(p.name) {
            let raw: Vec<String> = values.cloned().collect();
            let value = input::flag_value(p.name, p.type_name, &raw).map_err(Failure::Usage)?;
            params.insert(p.name.to_string(), value);
        }
    }
    Ok(params)
}

/// `tcmongo completions SHELL`.
fn completions(m: &ArgMatches) -> Result<(), Failure> {
    let shell = *m
        .get_one::<clap_complete::Shell>("shell")
        .ok_or_else(|| Failure::usage("missing shell"))?;
    let mut cmd = build_command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "tcmongo", &mut script);
    print_stdout(&String::from_utf8_lossy(&script))
}

/// Writes text to stdout. A reader that went away (`tcmongo … | head`) is not an error.
pub fn print_stdout(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(stdout_failure(e)),
        _ => Ok(()),
    }
}

fn stdout_failure(e: std::io::Error) -> Failure {
    Failure::Other {
        code: exit::NETWORK,
        message: format!("cannot write to stdout: {e}"),
    }
}
