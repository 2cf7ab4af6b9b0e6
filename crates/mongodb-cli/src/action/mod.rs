//! `tcmongo [mongodb] <Action> …`: the generic runner for any API action. It gathers the
//! parameters (`--cli-input-json`, one flag per parameter, dotted parts), checks them against the
//! typed request, calls the action (again and again under `--waiter`, which only read-only
//! actions take), applies `--filter` and prints the response in the `--output` format. `--generate-cli-skeleton` prints the
//! parameters instead and sends nothing.

mod command;
mod query;
mod skeleton;
mod waiter;

use std::time::{Duration, Instant};

use clap::ArgMatches;
use mongodb_models::ActionInfo;
use serde_json::{Map, Value};

pub use command::command;

use self::query::Query;
use self::skeleton::Skeleton;
use self::waiter::{Pace, Waiter};
use crate::exit::Failure;
use crate::input::{self, dotted::Dotted};
use crate::output::{self, print_stdout};
use crate::progress::Reporter;
use crate::session::{Globals, Session};

/// Runs one API action with its parsed arguments and the dotted parameters taken out of them.
pub fn run(
    g: &Globals,
    info: &'static ActionInfo,
    m: &ArgMatches,
    dotted: &[Dotted],
) -> Result<(), Failure> {
    if m.get_one::<String>("generate-cli-skeleton").is_some() {
        return print_stdout(&Skeleton::of(info.params).render());
    }
    let filter = m
        .get_one::<String>("filter")
        .map(|f| Query::compile("--filter", f))
        .transpose()?;
    let waiter = m
        .get_one::<String>("waiter")
        .map(|w| Waiter::parse(w))
        .transpose()?;
    if waiter.is_some() && !mongodb_models::is_idempotent(info.name) {
        return Err(Failure::usage(format!(
            "--waiter can't be used with {0}: the waiter sends the action again on every poll, and {0} changes something each time it is sent (a second backup, a second task, …). Run {0} once, then wait on a Describe action, e.g. DescribeAsyncRequestInfo --AsyncRequestId ID --waiter '{{\"expr\":\"Status\",\"to\":\"success\"}}'",
            info.name
        )));
    }
    let format = g.action_format()?;
    let params = gather_params(info, m, dotted)?;
    let checked = mongodb_models::check_request(info.name, &Value::Object(params))
        .map_err(|e| Failure::Sdk(e.into()))?;
    let session = Session::connect(g)?;
    let call =
        || -> Result<Value, Failure> { Ok(session.client.call_json(info.name, checked.clone())?) };
    let response = match &waiter {
        None => call()?,
        Some(w) => w.run(call, &mut RealPace::new(&session.reporter))?,
    };
    let shown = match &filter {
        Some(q) => q.search(&response)?,
        None => response,
    };
    print_stdout(&output::render(&shown, format))
}

/// Merges `--cli-input-json` with the per-parameter flags and the dotted parameters; both kinds
/// of flags win over keys of the JSON, and one parameter can't be given both whole and by parts.
fn gather_params(
    info: &ActionInfo,
    m: &ArgMatches,
    dotted: &[Dotted],
) -> Result<Map<String, Value>, Failure> {
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
    let parts = input::dotted::build(info, dotted).map_err(Failure::Usage)?;
    for (name, value) in parts {
        if m.get_many::<String>(&name).is_some() {
            let part = dotted
                .iter()
                .find(|d| d.param() == name)
                .map_or(name.as_str(), |d| d.path.as_str());
            return Err(Failure::usage(format!(
                "--{name} is given both whole (--{name} VALUE) and by parts (--{part}); use one form"
            )));
        }
        params.insert(name, value);
    }
    Ok(params)
}

/// The waiter's pace in a real run: the monotonic clock, real pauses, lines on stderr.
struct RealPace<'a> {
    start: Instant,
    reporter: &'a Reporter,
}

impl<'a> RealPace<'a> {
    fn new(reporter: &'a Reporter) -> Self {
        RealPace {
            start: Instant::now(),
            reporter,
        }
    }
}

impl Pace for RealPace<'_> {
    fn elapsed(&mut self) -> Duration {
        self.start.elapsed()
    }

    fn pause(&mut self, d: Duration) {
        std::thread::sleep(d);
    }

    fn report(&mut self, line: &str) {
        self.reporter.line(line);
    }
}
