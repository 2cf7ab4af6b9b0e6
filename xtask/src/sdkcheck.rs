//! `cargo xtask sdk-check`: the official Tencent Cloud SDKs for Python and Node.js, unchanged,
//! against the emulator.
//!
//! Installs the pinned SDKs with `xtask/sdk-check/install.sh` into `target/official-sdks`
//! (once; it needs PyPI and the npm registry), builds `tcmongo`, and runs the workspace test
//! `tests/tests/official_sdks.rs` with `TCMONGO_OFFICIAL_SDKS` pointing at the SDKs: the seed
//! flow by POST and by GET from each SDK, their error cases and legacy signatures, and every
//! action sent by the Python SDK with its published example (none unmodelled). CI runs the
//! same test inside `cargo xtask ci`, after `.ci/run` has installed the SDKs the same way.

use crate::util::{cargo, run_cmd, target_dir, Result};

pub(crate) fn run(args: &[String]) -> Result {
    if let Some(extra) = args.first() {
        return Err(format!("`sdk-check` takes no arguments (got `{extra}`)"));
    }
    let sdks = target_dir().join("official-sdks");
    let sdks = sdks.to_string_lossy();
    run_cmd("bash", &["xtask/sdk-check/install.sh", &sdks], &[])?;
    let cargo = cargo();
    run_cmd(
        &cargo,
        &["build", "-q", "-p", "tcmongo", "--bin", "tcmongo"],
        &[],
    )?;
    run_cmd(
        &cargo,
        &[
            "test",
            "-q",
            "-p",
            "mongodb-sdk-tests",
            "--test",
            "official_sdks",
            "--",
            "--nocapture",
        ],
        &[("TCMONGO_OFFICIAL_SDKS", &sdks)],
    )
}
