//! The help lines of `help.json`, checked against the spec and looked up by structure and
//! member.
//!
//! Every action needs a `summary`, a line for each request parameter (`params`) and one for
//! each response member but `RequestId` (`output`); every other structure needs a line for
//! each member (`structures`). A missing line, a line for a member the spec does not have, or
//! a line that is empty, spans lines or runs over [`MAX_LINE`] characters stops the generator,
//! so a spec update can't silently leave help behind.

use std::collections::BTreeMap;

use super::input::{HelpFile, Spec};
use crate::Result;

/// The help file, relative to the workspace root.
pub(super) const HELP_PATH: &str = "crates/mongodb-models/spec/help.json";

/// Longest help line, in characters.
pub(super) const MAX_LINE: usize = 100;

/// The line of every answer's `RequestId`, which `help.json` leaves out.
pub(super) const REQUEST_ID_HELP: &str =
    "Id of this request, unique per call; quote it when asking for support.";

/// The checked help lines.
pub(super) struct Help {
    summaries: BTreeMap<String, String>,
    /// (structure, member) → line; requests and responses under their structure names.
    lines: BTreeMap<(String, String), String>,
}

impl Help {
    /// Checks `file` against `spec`; the error lists every problem found.
    pub(super) fn new(file: HelpFile, spec: &Spec) -> Result<Help> {
        let mut problems = Vec::new();
        let mut summaries = BTreeMap::new();
        let mut lines = BTreeMap::new();
        let members = |sname: &str| -> Vec<String> {
            spec.structures
                .get(sname)
                .map(|s| s.members.iter().map(|m| m.name.clone()).collect())
                .unwrap_or_default()
        };
        let mut io = Vec::new();
        for (action, a) in &spec.actions {
            io.push(a.input.clone());
            io.push(a.output.clone());
            let Some(h) = file.actions.get(action) else {
                problems.push(format!("no entry for actions.{action}"));
                continue;
            };
            check_line(
                &format!("actions.{action}.summary"),
                &h.summary,
                &mut problems,
            );
            summaries.insert(action.clone(), h.summary.clone());
            let place = format!("actions.{action}.params");
            take(
                &place,
                &a.input,
                &members(&a.input),
                &h.params,
                &mut lines,
                &mut problems,
            );
            let output: Vec<String> = members(&a.output)
                .into_iter()
                .filter(|m| m != "RequestId")
                .collect();
            let place = format!("actions.{action}.output");
            take(
                &place,
                &a.output,
                &output,
                &h.output,
                &mut lines,
                &mut problems,
            );
            lines.insert(
                (a.output.clone(), "RequestId".to_string()),
                REQUEST_ID_HELP.to_string(),
            );
        }
        for action in file.actions.keys() {
            if !spec.actions.contains_key(action) {
                problems.push(format!("actions.{action} is no action of the spec"));
            }
        }
        for sname in spec.structures.keys().filter(|s| !io.contains(s)) {
            let place = format!("structures.{sname}");
            match file.structures.get(sname) {
                Some(given) => take(
                    &place,
                    sname,
                    &members(sname),
                    given,
                    &mut lines,
                    &mut problems,
                ),
                None => problems.push(format!("no entry for {place}")),
            }
        }
        for sname in file.structures.keys() {
            if !spec.structures.contains_key(sname) || io.contains(sname) {
                problems.push(format!(
                    "structures.{sname} is no structure of the spec (requests and answers go under actions)"
                ));
            }
        }
        if problems.is_empty() {
            return Ok(Help { summaries, lines });
        }
        Err(format!(
            "{HELP_PATH}: {} problem(s); every action, parameter, output member and structure member needs one line (see spec/README.md):\n  {}",
            problems.len(),
            problems.join("\n  ")
        ))
    }

    /// The summary of `action`.
    pub(super) fn summary(&self, action: &str) -> &str {
        self.summaries.get(action).map_or("", String::as_str)
    }

    /// The line of member `member` of structure `sname` (requests and answers included).
    pub(super) fn line(&self, sname: &str, member: &str) -> &str {
        self.lines
            .get(&(sname.to_string(), member.to_string()))
            .map_or("", String::as_str)
    }
}

/// Takes the lines of `given` for the members `expected` of `sname`, noting what is missing or
/// left over.
fn take(
    place: &str,
    sname: &str,
    expected: &[String],
    given: &BTreeMap<String, String>,
    lines: &mut BTreeMap<(String, String), String>,
    problems: &mut Vec<String>,
) {
    for name in expected {
        match given.get(name) {
            Some(line) => {
                check_line(&format!("{place}.{name}"), line, problems);
                lines.insert((sname.to_string(), name.clone()), line.clone());
            }
            None => problems.push(format!("no line for {place}.{name}")),
        }
    }
    for name in given.keys().filter(|k| !expected.contains(k)) {
        problems.push(format!(
            "{place}.{name} describes a member {sname} does not have"
        ));
    }
}

fn check_line(place: &str, line: &str, problems: &mut Vec<String>) {
    let n = line.chars().count();
    if line.trim().is_empty() {
        problems.push(format!("{place} is empty"));
    } else if line.contains(['\n', '\r']) {
        problems.push(format!("{place} spans several lines"));
    } else if line.trim() != line {
        problems.push(format!("{place} has spaces at an end"));
    } else if n > MAX_LINE {
        problems.push(format!("{place} has {n} characters, more than {MAX_LINE}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codegen::input::read_json;
    use crate::workspace_root;

    fn inputs() -> (HelpFile, Spec) {
        let root = workspace_root();
        (
            read_json(&root.join(HELP_PATH)).unwrap(),
            read_json(&root.join(crate::spec::SPEC_PATH)).unwrap(),
        )
    }

    #[test]
    fn the_committed_help_covers_the_spec() {
        let (file, spec) = inputs();
        let help = Help::new(file, &spec).unwrap_or_else(|e| panic!("{e}"));
        assert!(help
            .summary("CreateBackupDBInstance")
            .starts_with("Start a"));
        assert!(!help
            .line("CreateBackupDBInstanceRequest", "BackupMethod")
            .is_empty());
        assert_eq!(
            help.line("DescribeDBBackupsResponse", "RequestId"),
            REQUEST_ID_HELP
        );
        assert!(!help.line("BackupInfo", "BackupName").is_empty());
    }

    #[test]
    fn a_missing_line_stops_the_generator_naming_it() {
        let (mut file, spec) = inputs();
        let a = file.actions.get_mut("DescribeDBBackups").unwrap();
        a.params.remove("Limit");
        a.output.remove("TotalCount");
        a.summary.clear();
        file.structures
            .get_mut("BackupInfo")
            .unwrap()
            .remove("BackupName");
        file.actions.remove("AssignProject");
        let err = Help::new(file, &spec).err().expect("refused");
        for needle in [
            "no line for actions.DescribeDBBackups.params.Limit",
            "no line for actions.DescribeDBBackups.output.TotalCount",
            "actions.DescribeDBBackups.summary is empty",
            "no line for structures.BackupInfo.BackupName",
            "no entry for actions.AssignProject",
            "5 problem(s)",
        ] {
            assert!(err.contains(needle), "{needle:?} not in:\n{err}");
        }
    }

    #[test]
    fn stale_and_malformed_lines_are_refused() {
        let (mut file, spec) = inputs();
        let a = file.actions.get_mut("DescribeDBBackups").unwrap();
        a.params
            .insert("Bogus".into(), "A member that is gone.".into());
        a.output
            .insert("RequestId".into(), "Not described here.".into());
        a.params.insert("Limit".into(), "x".repeat(MAX_LINE + 1));
        a.params.insert("Offset".into(), "two\nlines".into());
        file.structures.insert("Gone".into(), BTreeMap::new());
        let err = Help::new(file, &spec).err().expect("refused");
        for needle in [
            "actions.DescribeDBBackups.params.Bogus describes a member DescribeDBBackupsRequest does not have",
            "actions.DescribeDBBackups.output.RequestId describes a member",
            "actions.DescribeDBBackups.params.Limit has 101 characters",
            "actions.DescribeDBBackups.params.Offset spans several lines",
            "structures.Gone is no structure of the spec",
        ] {
            assert!(err.contains(needle), "{needle:?} not in:\n{err}");
        }
    }
}
