//! The clap subcommand of one API action: a flag per top-level parameter, plus the options
//! every action has (`--cli-input-json`, `--filter`, `--waiter`, `--generate-cli-skeleton`).
//!
//! Its help comes from the models' registry: the action's summary (also the line of the
//! action in `tcmongo --help`), a line per parameter with its type, and the members of the
//! answer with theirs. The lines are the project's own, kept in the models' `spec/help.json`.

use std::fmt::Write as _;

use clap::{Arg, ArgAction, Command};
use mongodb_models::{ActionInfo, ParamInfo};

use crate::input::ParamKind;

/// The subcommand for `info`.
pub fn command(info: &'static ActionInfo) -> Command {
    let mut cmd = Command::new(info.name)
        .about(info.summary)
        .long_about(format!(
            "{}\n\nParameters come from --cli-input-json and/or one flag per parameter; flags win \
             over keys of the JSON. Lists and structures are JSON (a list may also be given by \
             repeating its flag), or part by part in dotted form: --BackupSets.0.ReplicaSetId \
             cmgo-x_0 (indexes from 0). Reference: {}",
            info.summary, info.doc_url
        ))
        .after_help(output_help(info))
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
        let help = param_help(p);
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

/// A parameter's help: its line, then its type, whether it is required, and its known values
/// unless the line already gives them: `Instance to back up. [String, required]`.
fn param_help(p: &ParamInfo) -> String {
    let mut facts = p.type_name.to_string();
    if p.required {
        facts.push_str(", required");
    }
    let stated = |v: &&str| {
        let code = v.split(' ').next().unwrap_or(v);
        p.help
            .split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
            .any(|word| word == code)
    };
    if !p.values.is_empty() && !p.values.iter().all(stated) {
        facts.push_str("; ");
        facts.push_str(&p.values.join(", "));
    }
    format!("{} [{facts}]", p.help)
}

/// The members of the answer, for the end of the help.
fn output_help(info: &ActionInfo) -> String {
    let mut s = String::from("Output (members of the response, besides RequestId):");
    if info.output.is_empty() {
        s.push_str(" none");
    }
    for p in info.output {
        let _ = write!(s, "\n  {} ({})\n          {}", p.name, p.type_name, p.help);
    }
    s
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
                 (timeout and interval in seconds, default 180 and 5; exit 3 on timeout). \
                 Read-only actions (Describe…, Inquire…, …) only: others would be sent again \
                 on every poll",
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

#[cfg(test)]
mod tests {
    use super::*;

    fn action(name: &str) -> &'static ActionInfo {
        mongodb_models::find_action(name).unwrap()
    }

    fn param(action_name: &str, name: &str) -> &'static ParamInfo {
        action(action_name)
            .params
            .iter()
            .find(|p| p.name == name)
            .unwrap()
    }

    #[test]
    fn parameter_help_is_the_line_then_the_facts() {
        let p = param("CreateBackupDBInstance", "InstanceId");
        assert_eq!(param_help(p), format!("{} [String, required]", p.help));
        // The line already names every value: they are not repeated.
        let p = param("CreateBackupDBInstance", "BackupMethod");
        assert!(p.help.contains("0 logical"), "{}", p.help);
        assert_eq!(param_help(p), format!("{} [Integer, required]", p.help));
    }

    #[test]
    fn output_members_are_listed_with_their_lines() {
        let info = action("DescribeDBBackups");
        let text = output_help(info);
        let total = info.output.iter().find(|p| p.name == "TotalCount").unwrap();
        assert!(
            text.contains(&format!("  TotalCount (Integer)\n          {}", total.help)),
            "{text}"
        );
        assert!(!text.contains("RequestId ("), "{text}");
    }
}
