//! Parameters in tccli's unfolded form: `--BackupSets.0.ReplicaSetId cmgo-x_0` sets member
//! `ReplicaSetId` of element 0 of the list `BackupSets`. Each part of the path is checked
//! against the models as it is read: after a list comes an index, after a structure one of its
//! members, and a scalar ends the path. The leaf value is converted by its declared type
//! (`--Filter.ExecTime 5` is the number 5, `--BackupSets.0.ReplicaSetId 007` the string "007").
//!
//! As in tccli, the indexes of a list start at 0 and go up by 1. The same path given twice, or a
//! path inside a part that is also given whole (`--A.0 '{…}'` with `--A.0.B x`), is an error
//! naming the argument.

use std::collections::BTreeMap;

use mongodb_models::{ActionInfo, ParamInfo};
use serde_json::{Map, Value};

use super::kind::{element_type, scalar_value, ParamKind};

/// One `--<Param>.<part>… VALUE` argument, as it was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dotted {
    /// The path without the leading dashes: `BackupSets.0.ReplicaSetId`.
    pub path: String,
    /// The text given for it.
    pub value: String,
}

impl Dotted {
    /// Creates an argument from its path (without dashes) and value.
    pub fn new(path: impl Into<String>, value: impl Into<String>) -> Self {
        Dotted {
            path: path.into(),
            value: value.into(),
        }
    }

    /// The top-level parameter the path starts with.
    pub fn param(&self) -> &str {
        self.path.split('.').next().unwrap_or_default()
    }
}

/// One step of a path: a list index or a structure member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Index(usize),
    Member(&'static str),
}

/// What is known at one point of the tree while arguments are merged into it.
#[derive(Debug)]
enum Node {
    /// Created for a leaf that is about to be set.
    Pending,
    Leaf(Value),
    Object(Vec<(&'static str, Node)>),
    List(BTreeMap<usize, Node>),
}

/// Builds the value of every top-level parameter given in dotted form, by parameter name.
pub fn build(info: &ActionInfo, args: &[Dotted]) -> Result<Map<String, Value>, String> {
    let mut roots: Vec<(&'static str, Node)> = Vec::new();
    for arg in args {
        let mut parts = arg.path.split('.');
        let top = parts.next().unwrap_or_default();
        let param = info
            .params
            .iter()
            .find(|p| p.name == top)
            .ok_or_else(|| format!("--{}: {} has no parameter {top}", arg.path, info.name))?;
        let rest: Vec<&str> = parts.collect();
        let (steps, value) = resolve(param, &rest, arg)?;
        let slot = match roots.iter_mut().position(|(n, _)| *n == param.name) {
            Some(i) => &mut roots[i].1,
            None => {
                roots.push((param.name, empty_for(steps.first())));
                &mut roots.last_mut().expect("just pushed").1
            }
        };
        insert(slot, &steps, value, arg)?;
    }
    let mut out = Map::new();
    for (name, node) in roots {
        out.insert(name.to_string(), into_value(node, name)?);
    }
    Ok(out)
}

/// Follows `rest` through the parameter's type; returns the steps and the converted value.
fn resolve(
    param: &'static ParamInfo,
    rest: &[&str],
    arg: &Dotted,
) -> Result<(Vec<Step>, Value), String> {
    let mut steps = Vec::new();
    let mut kind = ParamKind::of(param.type_name);
    let mut type_name = param.type_name;
    let mut structure = param.structure;
    let mut at = param.name.to_string();
    for part in rest {
        match kind {
            ParamKind::List(inner) => {
                let index = part
                    .parse::<usize>()
                    .ok()
                    .filter(|_| part.bytes().all(|b| b.is_ascii_digit()))
                    .ok_or_else(|| {
                        format!(
                            "--{}: {at} is a list ({type_name}), so `{part}` must be an index (0, 1, …)",
                            arg.path
                        )
                    })?;
                steps.push(Step::Index(index));
                kind = *inner;
                type_name = element_type(type_name);
            }
            ParamKind::Structure => {
                let name = structure.unwrap_or(type_name);
                let members = mongodb_models::structure_params(name).ok_or_else(|| {
                    format!(
                        "--{}: the members of {name} are not known; give {at} as JSON",
                        arg.path
                    )
                })?;
                let member = members.iter().find(|m| m.name == *part).ok_or_else(|| {
                    let names: Vec<&str> = members.iter().map(|m| m.name).collect();
                    format!(
                        "--{}: {name} has no member `{part}` (members: {})",
                        arg.path,
                        names.join(", ")
                    )
                })?;
                steps.push(Step::Member(member.name));
                kind = ParamKind::of(member.type_name);
                type_name = member.type_name;
                structure = member.structure;
            }
            _ => {
                return Err(format!(
                    "--{}: {at} is a {type_name} and has no parts",
                    arg.path
                ))
            }
        }
        at.push('.');
        at.push_str(part);
    }
    let value = scalar_value(&arg.path, type_name, &kind, &arg.value)?;
    Ok((steps, value))
}

/// An empty container for the first step below it, or a placeholder leaf for none.
fn empty_for(step: Option<&Step>) -> Node {
    match step {
        Some(Step::Index(_)) => Node::List(BTreeMap::new()),
        Some(Step::Member(_)) => Node::Object(Vec::new()),
        None => Node::Pending,
    }
}

fn insert(node: &mut Node, steps: &[Step], value: Value, arg: &Dotted) -> Result<(), String> {
    let clash = || {
        format!(
            "--{}: sets a part of {} that another argument also sets; give each part once",
            arg.path,
            arg.param()
        )
    };
    let Some((step, rest)) = steps.split_first() else {
        // The leaf: the slot must be new.
        return match node {
            Node::Pending => {
                *node = Node::Leaf(value);
                Ok(())
            }
            _ => Err(clash()),
        };
    };
    let child = match (node, step) {
        (Node::List(items), Step::Index(i)) => {
            items.entry(*i).or_insert_with(|| empty_for(rest.first()))
        }
        (Node::Object(members), Step::Member(m)) => {
            match members.iter().position(|(n, _)| n == m) {
                Some(i) => &mut members[i].1,
                None => {
                    members.push((m, empty_for(rest.first())));
                    &mut members.last_mut().expect("just pushed").1
                }
            }
        }
        _ => return Err(clash()),
    };
    insert(child, rest, value, arg)
}

fn into_value(node: Node, path: &str) -> Result<Value, String> {
    match node {
        Node::Pending => Ok(Value::Null),
        Node::Leaf(v) => Ok(v),
        Node::Object(members) => {
            let mut map = Map::new();
            for (name, child) in members {
                let value = into_value(child, &format!("{path}.{name}"))?;
                map.insert(name.to_string(), value);
            }
            Ok(Value::Object(map))
        }
        Node::List(items) => {
            let indexes: Vec<usize> = items.keys().copied().collect();
            if indexes.iter().enumerate().any(|(i, k)| i != *k) {
                let given: Vec<String> = indexes.iter().map(|i| format!("{path}.{i}")).collect();
                return Err(format!(
                    "--{path}: the indexes of a list start at 0 and go up by 1 (given: {})",
                    given.join(", ")
                ));
            }
            items
                .into_iter()
                .map(|(i, child)| into_value(child, &format!("{path}.{i}")))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::Array)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn action(name: &str) -> &'static ActionInfo {
        mongodb_models::find_action(name).unwrap()
    }

    fn build_from(name: &str, args: &[(&str, &str)]) -> Result<Value, String> {
        let args: Vec<Dotted> = args.iter().map(|(p, v)| Dotted::new(*p, *v)).collect();
        build(action(name), &args).map(Value::Object)
    }

    #[test]
    fn lists_of_structures() {
        let v = build_from(
            "CreateBackupDownloadTask",
            &[
                ("BackupSets.1.ReplicaSetId", "cmgo-x_1"),
                ("BackupSets.0.ReplicaSetId", "cmgo-x_0"),
            ],
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"BackupSets": [{"ReplicaSetId": "cmgo-x_0"}, {"ReplicaSetId": "cmgo-x_1"}]})
        );
    }

    #[test]
    fn the_models_decide_number_or_string() {
        let v = build_from(
            "DescribeAuditLogs",
            &[("Filter.ExecTime", "5"), ("Filter.Host.0", "007")],
        )
        .unwrap();
        assert_eq!(v, json!({"Filter": {"ExecTime": 5, "Host": ["007"]}}));
        let v = build_from(
            "CreateInstanceRole",
            &[("Privileges.0.Resource.Cluster", "true")],
        )
        .unwrap();
        assert_eq!(v, json!({"Privileges": [{"Resource": {"Cluster": true}}]}));
        let err = build_from("DescribeAuditLogs", &[("Filter.ExecTime", "soon")]).unwrap_err();
        assert!(
            err.contains("--Filter.ExecTime") && err.contains("integer"),
            "{err}"
        );
    }

    #[test]
    fn lists_of_scalars_and_whole_parts() {
        let v = build_from(
            "DescribeDBInstances",
            &[("InstanceIds.0", "cmgo-a"), ("InstanceIds.1", "cmgo-b")],
        )
        .unwrap();
        assert_eq!(v, json!({"InstanceIds": ["cmgo-a", "cmgo-b"]}));
        let v = build_from(
            "CreateBackupDownloadTask",
            &[("BackupSets.0", "{\"ReplicaSetId\": \"x\"}")],
        )
        .unwrap();
        assert_eq!(v, json!({"BackupSets": [{"ReplicaSetId": "x"}]}));
    }

    #[test]
    fn wrong_paths_name_the_argument() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("BackupSets.x.ReplicaSetId", "a")], "must be an index"),
            (
                &[("BackupSets.0.ReplicaSet", "a")],
                "no member `ReplicaSet`",
            ),
            (&[("InstanceId.0", "a")], "has no parts"),
            (&[("BackupSets.1.ReplicaSetId", "a")], "start at 0"),
            (
                &[
                    ("BackupSets.0.ReplicaSetId", "a"),
                    ("BackupSets.0.ReplicaSetId", "b"),
                ],
                "give each part once",
            ),
            (
                &[("BackupSets.0", "{}"), ("BackupSets.0.ReplicaSetId", "b")],
                "give each part once",
            ),
            (
                &[("BackupSets.0.ReplicaSetId", "b"), ("BackupSets.0", "{}")],
                "give each part once",
            ),
            (&[("BackupSets.-1.ReplicaSetId", "a")], "must be an index"),
        ];
        for (args, needle) in cases {
            let err = build_from("CreateBackupDownloadTask", args).unwrap_err();
            assert!(err.contains(needle), "{args:?}: {err}");
            assert!(
                err.starts_with(&format!("--{}", args.last().unwrap().0))
                    || err.starts_with("--BackupSets"),
                "{err}"
            );
        }
    }
}
