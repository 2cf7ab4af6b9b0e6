//! The clap subcommand of one API action: a flag per top-level parameter, plus the options
//! every action has (`--cli-input-json`, `--filter`, `--waiter`, `--generate-cli-skeleton`).

use clap::{Arg, ArgAction, Command};
use mongodb_models::ActionInfo;

use crate::input::ParamKind;

/// The subcommand for `info`.
pub fn command(info: &'static ActionInfo) -> Command {
    let mut cmd = Command::new(info.name)
        .about(about(info))
        .long_about(format!(
            "{}. Parameters come from --cli-input-json and/or one flag per parameter; flags win \
             over keys of the JSON. Lists and structures are JSON (a list may also be given by \
             repeating its flag), or part by part in dotted form: --BackupSets.0.ReplicaSetId \
             cmgo-x_0 (indexes from 0). Reference: {}",
            about(info),
            info.doc_url
        ))
        .arg(
            Arg::new("cli-input-json")
                .long("cli-input-json")
                .help_heading("Parameters")
                .value_name("JSON|@FILE|-")
                .help("All parameters as one JSON object: inline, @FILE, or - for stdin"),
        )
        .args(action_options());
    for p in info.params {
        let kind = ParamKind::of(p.type_name);
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
        if matches!(kind, ParamKind::List(_)) {
            arg = arg.action(ArgAction::Append);
        }
        cmd = cmd.arg(arg);
    }
    cmd
}

/// The one-line description of an action.
fn about(info: &ActionInfo) -> String {
    format!("Call {}", info.name)
}

/// The options of every action, after tccli's.
fn action_options() -> Vec<Arg> {
    vec![
        Arg::new("filter")
            .long("filter")
            .value_name("JMESPATH")
            .help("Print only what this JMESPath expression selects from the response"),
        Arg::new("waiter").long("waiter").value_name("JSON").help(
            "Call again until a JMESPath expression over the response equals a value: \
                 '{\"expr\":\"Status\",\"to\":\"success\",\"timeout\":600,\"interval\":5}' \
                 (timeout and interval in seconds, default 180 and 5; exit 3 on timeout)",
        ),
        Arg::new("generate-cli-skeleton")
            .long("generate-cli-skeleton")
            .value_name("input")
            .num_args(0..=1)
            .default_missing_value("input")
            .value_parser(["input"])
            .hide_possible_values(true)
            .help(
                "Print the action's parameters as JSON to fill in for --cli-input-json, \
                 and send nothing",
            ),
        Arg::new("cli-unfold-argument")
            .long("cli-unfold-argument")
            .action(ArgAction::SetTrue)
            .hide(true)
            .help("Accepted for tccli compatibility; dotted parameters always work"),
    ]
    .into_iter()
    .map(|a| a.help_heading("Action options"))
    .collect()
}

/// The placeholder shown in help for a parameter's value.
fn value_name(kind: &ParamKind) -> &'static str {
    match kind {
        ParamKind::String => "STRING",
        ParamKind::Integer => "INT",
        ParamKind::Float => "NUMBER",
        ParamKind::Boolean => "BOOL",
        ParamKind::List(_) => "JSON|VALUE",
        ParamKind::Structure => "JSON",
    }
}
