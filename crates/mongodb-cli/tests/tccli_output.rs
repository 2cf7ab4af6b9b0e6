//! End-to-end: tccli's output options: `--filter`, `--output text|table`, and
//! `--generate-cli-skeleton`. Answers are filtered down to the emulator's seeded, fixed facts
//! (ids, names, sizes) so the expected output can be written out in full.

mod common;

use common::*;

/// The seeded instances, reduced to fixed members.
const INSTANCES: &str =
    "InstanceDetails[].{Id: InstanceId, Type: ClusterType, Name: InstanceName, Sets: ReplicaSets[].ReplicaSetId}";

#[test]
fn filter_selects_from_the_response_before_json_output() {
    let env = Env::new();
    let o = env.run(&[
        "DescribeDBInstances",
        "--filter",
        "InstanceDetails[?ClusterType == `1`].InstanceId",
    ]);
    expect_code(&o, 0);
    assert_eq!(stdout(&o), "[\n  \"cmgo-demo0002\"\n]\n");
    let o = env.run(&["DescribeDBInstances", "--filter", "TotalCount"]);
    expect_code(&o, 0);
    assert_eq!(stdout(&o), "2\n");
}

#[test]
fn bad_filter_is_exit_2_naming_the_expression_and_sends_nothing() {
    let env = Env::new();
    let o = env.run(&["DescribeDBInstances", "--filter", "InstanceDetails[?"]);
    expect_code(&o, 2);
    assert!(
        stderr(&o).starts_with("error: invalid --filter expression `InstanceDetails[?`"),
        "{}",
        stderr(&o)
    );
    assert!(o.stdout.is_empty());
    assert_eq!(env.emu.stats().total_requests, 0);
}

#[test]
fn text_output_is_tccli_tab_separated_form() {
    let env = Env::new();
    let o = env.run(&[
        "DescribeDBInstances",
        "--filter",
        INSTANCES,
        "--output",
        "text",
    ]);
    expect_code(&o, 0);
    assert_eq!(
        stdout(&o),
        "cmgo-demo0001\tdemo-replica-set\t0\n\
         SETS\tcmgo-demo0001_0\n\
         cmgo-demo0002\tdemo-sharded-cluster\t1\n\
         SETS\tcmgo-demo0002_0\n\
         SETS\tcmgo-demo0002_1\n"
    );
    // A whole response: its scalars on the first line (RequestId, TotalCount), then a line
    // per instance under the list's name, then each instance's nested lists under theirs.
    let o = env.run(&[
        "--output",
        "text",
        "DescribeDBInstances",
        "--InstanceIds",
        "cmgo-demo0001",
    ]);
    expect_code(&o, 0);
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].ends_with("\t1"), "{out}");
    assert!(
        lines[1].starts_with("INSTANCEDETAILS\t") && lines[1].contains("\tcmgo-demo0001\t"),
        "{out}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("REPLICASETS\t") && l.contains("\tcmgo-demo0001_0\t")),
        "{out}"
    );
}

#[test]
fn table_output_on_a_known_answer() {
    let env = Env::new();
    let o = env.run(&["-o", "table", "DescribeDBInstances", "--filter", INSTANCES]);
    expect_code(&o, 0);
    assert_eq!(
        stdout(&o),
        "Id             Name                  Sets                             Type\n\
         -------------- --------------------- -------------------------------- -----\n\
         cmgo-demo0001  demo-replica-set      cmgo-demo0001_0                  0\n\
         cmgo-demo0002  demo-sharded-cluster  cmgo-demo0002_0,cmgo-demo0002_1  1\n"
    );
}

#[test]
fn backup_commands_print_text_output_too() {
    let env = Env::new();
    let o = env.run(&[
        "--output",
        "text",
        "backup",
        "list",
        "--instance-id",
        "cmgo-demo0001",
    ]);
    expect_code(&o, 0);
    let text = stdout(&o);
    // The count, then one tab-separated line per backup under its identifier.
    assert_eq!(text.lines().next(), Some("1"), "{text}");
    assert!(
        text.lines()
            .skip(1)
            .all(|l| l.starts_with("BACKUPLIST\t") && l.contains("cmgo-demo0001")),
        "{text}"
    );
}

#[test]
fn skeleton_expands_nested_structures_without_credentials_or_requests() {
    let env = Env::new();
    // No credentials in the environment at all, and an endpoint that would count a request.
    let o = run(bare(env.home.path()).args([
        "--endpoint",
        &env.emu.url(),
        "mongodb",
        "CreateInstanceRole",
        "--generate-cli-skeleton",
    ]));
    expect_code(&o, 0);
    assert_eq!(
        stdout(&o),
        r#"{
  "InstanceId": "String",
  "RoleName": "String",
  "Database": "String",
  "Privileges": [
    {
      "Resource": {
        "Cluster": "Boolean",
        "Database": "String",
        "Collection": "String"
      },
      "Actions": [
        "String"
      ]
    }
  ],
  "InheritedRoles": [
    {
      "RoleName": "String",
      "Database": "String"
    }
  ]
}
"#
    );
    assert_eq!(env.emu.stats().total_requests, 0);

    // What it prints is what --cli-input-json takes (here with the placeholders filled in).
    let filled = stdout(&o)
        .replace("\"Boolean\"", "true")
        .replace("\"String\"", "\"x\"");
    let file = env.home.path().join("role.json");
    std::fs::write(&file, filled).unwrap();
    let o = run(bare(env.home.path()).args([
        "CreateInstanceRole",
        "--generate-cli-skeleton=input",
        "--cli-input-json",
        &format!("@{}", file.display()),
    ]));
    expect_code(&o, 0);
    assert!(stdout(&o).contains("\"Privileges\""));
}
