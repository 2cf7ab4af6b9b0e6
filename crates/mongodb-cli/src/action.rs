//! `tcmongo <Action> …`: the generic runner for any API action. It gathers the parameters,
//! checks them against the typed request, calls the action and prints the response.

use clap::ArgMatches;
use mongodb_models::ActionInfo;
use serde_json::{Map, Value};

use crate::exit::Failure;
use crate::input;
use crate::output::{self, print_stdout, OutputFormat};
use crate::session::{Globals, Session};

/// Runs one API action: gather input, check it against the typed request, call, print.
pub fn run(g: &Globals, info: &'static ActionInfo, m: &ArgMatches) -> Result<(), Failure> {
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
