//! `cargo xtask ci`: the checks CI runs, in order, stopping at the first failure.

use crate::util::{cargo, run_cmd, Result};

pub(crate) fn run(args: &[String]) -> Result {
    if let Some(extra) = args.first() {
        return Err(format!("`ci` takes no arguments (got `{extra}`)"));
    }
    let cargo = cargo();
    run_cmd(&cargo, &["fmt", "--all", "--check"], &[])?;
    run_cmd(
        &cargo,
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    )?;
    crate::codegen::run(&["--check".to_string()])?;
    crate::cycles::check_workspace()?;
    crate::size::check_workspace()?;
    crate::policy::check_licenses_and_duplicates()?;
    run_cmd(&cargo, &["test", "--workspace"], &[])?;
    let ap = "--features=serde_json/arbitrary_precision"; // the models decode numbers either way
    run_cmd(&cargo, &["test", "-p", "mongodb-models", ap], &[])?;
    run_cmd(
        &cargo,
        &["doc", "--workspace", "--no-deps"],
        &[("RUSTDOCFLAGS", "-D warnings")],
    )?;
    eprintln!("xtask ci: all checks passed");
    Ok(())
}
