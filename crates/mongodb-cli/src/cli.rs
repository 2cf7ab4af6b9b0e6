//! The top of the command line: the clap `Command` tree (built at run time from the models'
//! action registry), argument normalisation, and dispatch to the module that runs each
//! command. Every other module sits below this one; none uses it.
//!
//! Shape:
//!
//! ```text
//! tcmongo [GLOBAL FLAGS] [mongodb] <Action> [--cli-input-json JSON|@FILE|-] [--<Param> VALUE]...
//!         [--<Param>.<index|Member>... VALUE]... [--filter JMESPATH] [--waiter JSON]
//!         [--generate-cli-skeleton]
//! tcmongo [GLOBAL FLAGS] backup create|list|download|run ...
//! tcmongo [--profile NAME] configure set KEY VALUE [KEY VALUE]... | get KEY... | list
//! tcmongo emulator [--listen ADDR] [--secret-id ID --secret-key KEY] [--state FILE]
//! tcmongo completions bash|zsh|fish|elvish|powershell
//! ```
//!
//! Before clap sees the arguments, [`args::prepare`] drops tccli's service word, rewrites the
//! action's name to its canonical form and takes the dotted parameters out.

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{value_parser, Arg, ArgAction, ArgMatches, Command};

use crate::exit::{self, Failure};
use crate::input::dotted::Dotted;
use crate::output::print_stdout;
use crate::session::Globals;
use crate::{action, args, backup, configure, emulator_cmd, logging};

/// Runs the program with `args` (including the program name) and returns the exit code.
pub fn run(args: Vec<OsString>) -> ExitCode {
    let prepared = match args::prepare(args) {
        Ok(p) => p,
        Err(f) => return f.report(),
    };
    let matches = match build_command().try_get_matches_from(prepared.args) {
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
    match dispatch(&matches, &prepared.dotted) {
        Ok(()) => ExitCode::from(exit::SUCCESS),
        Err(f) => f.report(),
    }
}

/// Routes parsed arguments to the subcommand that handles them.
fn dispatch(matches: &ArgMatches, dotted: &[Dotted]) -> Result<(), Failure> {
    let globals = Globals::from_matches(matches)?;
    if globals.verbose {
        logging::init();
    }
    match matches.subcommand() {
        Some(("completions", sub)) => completions(sub),
        Some(("emulator", sub)) => emulator_cmd::run(sub),
        Some(("configure", sub)) => configure::run(&globals, sub),
        Some(("backup", sub)) => backup::run(&globals, sub),
        Some((name, sub)) => {
            let info = mongodb_models::find_action(name)
                .ok_or_else(|| Failure::usage(format!("unknown action {name:?}")))?;
            action::run(&globals, info, sub, dotted)
        }
        None => Err(Failure::usage(
            "no action given; run `tcmongo --help` for the list of actions",
        )),
    }
}

/// The whole command tree.
pub fn build_command() -> Command {
    let mut cmd = Command::new("tcmongo")
        .version(env!("CARGO_PKG_VERSION"))
        .about("Command line for the TencentDB for MongoDB API (mongodb, 2019-07-25)")
        .long_about(
            "Command line for the TencentDB for MongoDB API (service mongodb, version 2019-07-25).\n\n\
             Every API action is a subcommand named after it (matched case-insensitively, dashes \
             ignored), e.g. `tcmongo DescribeDBInstances --Limit 5`; tccli's form \
             `tcmongo mongodb DescribeDBInstances` works too. The `backup` commands run the \
             backup workflow with progress bars; `--emulator` runs any command against an embedded \
             local emulator with demo credentials.\n\n\
             Credentials, first found: TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY \
             (+ TENCENTCLOUD_SESSION_TOKEN), ~/.tencentcloud/credentials, tccli's \
             ~/.tccli/<profile>.credential (profile from TCCLI_PROFILE, else default), TKE OIDC, \
             CVM role; then STS AssumeRole when TENCENTCLOUD_ROLE_ARN is set. A source that is \
             configured but broken is an error (exit 4), never skipped. `--profile NAME` uses \
             that profile only, ahead of the environment, as tccli does; tccli's \
             ~/.tccli/<profile>.configure gives the default region, endpoint, output and \
             language. `tcmongo configure set|get|list` edits tccli's files.\n\n\
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
        .subcommand(configure::command())
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
        cmd = cmd.subcommand(action::command(info));
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
            .help("Region, e.g. ap-guangzhou [default: TENCENTCLOUD_REGION, else the profile's region]"),
        Arg::new("endpoint")
            .long("endpoint")
            .global(true)
            .value_name("URL|HOST")
            .help(
                "Endpoint: a URL (http://127.0.0.1:8080) or a host, which means https://HOST \
                 (mongodb.ap-guangzhou.tencentcloudapi.com)",
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
            .help(
                "Profile: tccli's ~/.tccli/NAME.credential and .configure, or [NAME] of \
                 ~/.tencentcloud/credentials; used alone, ahead of environment credentials \
                 [default: TCCLI_PROFILE, else default]",
            ),
        Arg::new("ca-bundle")
            .long("ca-bundle")
            .global(true)
            .value_name("PATH")
            .value_parser(value_parser!(std::path::PathBuf))
            .help(
                "Also trust the CA certificates in this PEM file (e.g. a TLS-inspecting \
                 proxy's)",
            ),
        Arg::new("language")
            .long("language")
            .global(true)
            .value_name("LANG")
            .value_parser(["en-US", "zh-CN"])
            .help("Language of the service's messages [default: the profile's language setting]"),
        Arg::new("output")
            .long("output")
            .short('o')
            .global(true)
            .value_name("FORMAT")
            .value_parser(["json", "table", "text"])
            .help(
                "Output format: json, table, or text (tccli's tab-separated lines) \
                 [default: the profile's output setting, else json; table for `backup list`]",
            ),
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
