//! Every action, request parameter, response member and structure member carries its line of
//! `spec/help.json` in the registry: none is missing or empty, and each is the file's line.
//! The generator refuses a help file that misses a line; this test holds the generated tables
//! to the same rule, so help can't go missing between a spec update and its help.

use mongodb_models::{actions, find_action, structure_params};
use serde_json::Value;

const SPEC: &str = include_str!("../spec/mongodb-2019-07-25.json");
const HELP: &str = include_str!("../spec/help.json");

fn load(text: &str) -> Value {
    serde_json::from_str(text).expect("committed file is JSON")
}

/// The member names of a structure of the spec, in order.
fn members(spec: &Value, structure: &str) -> Vec<String> {
    spec["structures"][structure]["members"]
        .as_array()
        .unwrap_or_else(|| panic!("no structure {structure}"))
        .iter()
        .map(|m| m["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_action_has_its_summary_and_a_line_per_parameter_and_output_member() {
    let (spec, help) = (load(SPEC), load(HELP));
    let spec_actions = spec["actions"].as_object().unwrap();
    assert_eq!(actions().len(), spec_actions.len());
    for info in actions() {
        let h = &help["actions"][info.name];
        assert!(!info.summary.is_empty(), "{} has no summary", info.name);
        assert_eq!(Some(info.summary), h["summary"].as_str(), "{}", info.name);

        let params: Vec<&str> = info.params.iter().map(|p| p.name).collect();
        assert_eq!(params, members(&spec, &format!("{}Request", info.name)));
        for p in info.params {
            assert!(!p.help.is_empty(), "{}.{} has no help", info.name, p.name);
            assert_eq!(
                Some(p.help),
                h["params"][p.name].as_str(),
                "{}.{}",
                info.name,
                p.name
            );
        }

        let output: Vec<&str> = info.output.iter().map(|p| p.name).collect();
        let expected: Vec<String> = members(&spec, &format!("{}Response", info.name))
            .into_iter()
            .filter(|m| m != "RequestId")
            .collect();
        assert_eq!(output, expected, "{}", info.name);
        for p in info.output {
            assert!(
                !p.help.is_empty(),
                "{} output {} has no help",
                info.name,
                p.name
            );
            assert_eq!(
                Some(p.help),
                h["output"][p.name].as_str(),
                "{}.{}",
                info.name,
                p.name
            );
        }
    }
}

#[test]
fn every_structure_member_has_a_line() {
    let (spec, help) = (load(SPEC), load(HELP));
    for (name, _) in spec["structures"].as_object().unwrap() {
        let params = structure_params(name).unwrap_or_else(|| panic!("no table for {name}"));
        for p in params {
            assert!(!p.help.is_empty(), "{name}.{} has no help", p.name);
            let from_file = if let Some(action) = name.strip_suffix("Request") {
                help["actions"][action]["params"][p.name].as_str()
            } else if let Some(action) = name.strip_suffix("Response") {
                if p.name == "RequestId" {
                    continue;
                }
                help["actions"][action]["output"][p.name].as_str()
            } else {
                help["structures"][name][p.name].as_str()
            };
            assert_eq!(Some(p.help), from_file, "{name}.{}", p.name);
        }
    }
}

#[test]
fn request_ids_are_described_but_not_listed_as_output() {
    let info = find_action("DescribeDBBackups").unwrap();
    assert!(info.output.iter().all(|p| p.name != "RequestId"));
    assert!(info.output.iter().any(|p| p.name == "BackupList"));
    let response = structure_params("DescribeDBBackupsResponse").unwrap();
    let request_id = response.iter().find(|p| p.name == "RequestId").unwrap();
    assert!(request_id.help.contains("request"), "{}", request_id.help);
}
