//! `--waiter '{"expr":"Status","to":"success","timeout":600,"interval":5}'`: call the action
//! again and again until a JMESPath expression over its response equals a value, as tccli does.
//!
//! * `expr` and `to` are required; `timeout` (seconds, default 180) and `interval` (seconds,
//!   default 5) are optional, and the interval is never longer than the timeout.
//! * After each call: if `expr` gives `to`, the response is the command's result. Otherwise, if
//!   `timeout` seconds have passed since the first call, the command fails with exit code 3 (a
//!   timeout, like every wait that runs out of time) naming the last value; otherwise the value
//!   is reported on stderr and the call is made again after `interval` seconds.
//! * An error answer ends the wait at once, with that error's exit code.
//!
//! tccli reads the option as a Python literal, so `{'expr':'Status','to':'success'}` (single
//! quotes) is accepted too.

use std::time::Duration;

use serde_json::{Map, Value};

use super::query::Query;
use crate::exit::{self, Failure};

/// tccli's defaults.
const DEFAULT_TIMEOUT: f64 = 180.0;
const DEFAULT_INTERVAL: f64 = 5.0;

/// A parsed `--waiter`.
#[derive(Debug, Clone)]
pub struct Waiter {
    expr: Query,
    to: Value,
    timeout: Duration,
    interval: Duration,
}

/// What the waiter needs from the world: a clock, a way to pause and a place to report.
/// The command uses the real ones; tests use a clock that only moves when asked to.
pub trait Pace {
    /// Time since the waiter started.
    fn elapsed(&mut self) -> Duration;
    /// Waits `d` before the next call.
    fn pause(&mut self, d: Duration);
    /// Reports a value that is not the awaited one yet.
    fn report(&mut self, line: &str);
}

impl Waiter {
    /// Parses the option's text; every mistake is a usage error naming `--waiter`.
    pub fn parse(text: &str) -> Result<Self, Failure> {
        let bad = |why: String| Failure::usage(format!("invalid --waiter {text}: {why}"));
        let map = parse_object(text).map_err(&bad)?;
        for key in map.keys() {
            if !matches!(key.as_str(), "expr" | "to" | "timeout" | "interval") {
                return Err(bad(format!(
                    "unknown key `{key}` (expected expr, to, timeout, interval)"
                )));
            }
        }
        let expr = match map.get("expr") {
            Some(Value::String(e)) if !e.trim().is_empty() => Query::compile("--waiter", e)?,
            Some(_) => return Err(bad("`expr` must be a JMESPath expression (a string)".into())),
            None => return Err(bad("`expr` must be given".into())),
        };
        let to = map
            .get("to")
            .cloned()
            .ok_or_else(|| bad("`to` must be given".into()))?;
        let seconds = |key: &str, default: f64| -> Result<Duration, Failure> {
            match map.get(key) {
                None => Ok(Duration::from_secs_f64(default)),
                Some(v) => v
                    .as_f64()
                    .filter(|s| s.is_finite() && *s >= 0.0 && *s < 1e9)
                    .map(Duration::from_secs_f64)
                    .ok_or_else(|| bad(format!("`{key}` must be a number of seconds, 0 or more"))),
            }
        };
        let timeout = seconds("timeout", DEFAULT_TIMEOUT)?;
        let interval = seconds("interval", DEFAULT_INTERVAL)?.min(timeout);
        Ok(Waiter {
            expr,
            to,
            timeout,
            interval,
        })
    }

    /// Calls `call` until the expression gives the awaited value; returns that response.
    pub fn run(
        &self,
        mut call: impl FnMut() -> Result<Value, Failure>,
        pace: &mut dyn Pace,
    ) -> Result<Value, Failure> {
        loop {
            let response = call()?;
            let got = self.expr.search(&response)?;
            if same(&got, &self.to) {
                return Ok(response);
            }
            if pace.elapsed() >= self.timeout {
                return Err(Failure::Other {
                    code: exit::NETWORK,
                    message: format!(
                        "--waiter: `{}` did not become {} within {} s; last value: {}",
                        self.expr.text(),
                        self.to,
                        self.timeout.as_secs_f64(),
                        got
                    ),
                });
            }
            pace.report(&format!(
                "waiting: `{}` is {got}, waiting for {}",
                self.expr.text(),
                self.to
            ));
            pace.pause(self.interval);
        }
    }
}

/// JSON, or a Python literal in single quotes as tccli users write it.
fn parse_object(text: &str) -> Result<Map<String, Value>, String> {
    let parsed = serde_json::from_str::<Value>(text).or_else(|e| {
        // A dict literal with single-quoted strings and no double quotes maps one to one to
        // JSON; anything else keeps the JSON error.
        if text.contains('\'') && !text.contains('"') {
            serde_json::from_str(&text.replace('\'', "\""))
        } else {
            Err(e)
        }
    });
    match parsed {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err("expected an object like {\"expr\":\"Status\",\"to\":\"success\"}".into()),
        Err(e) => Err(format!("not JSON: {e}")),
    }
}

/// Equality as tccli's Python sees it: numbers by value (`1` equals `1.0`), the rest exactly.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A clock that moves only when the waiter pauses.
    #[derive(Default)]
    struct FakePace {
        now: Duration,
        pauses: Vec<Duration>,
        lines: Vec<String>,
    }

    impl Pace for FakePace {
        fn elapsed(&mut self) -> Duration {
            self.now
        }
        fn pause(&mut self, d: Duration) {
            self.pauses.push(d);
            self.now += d;
        }
        fn report(&mut self, line: &str) {
            self.lines.push(line.to_string());
        }
    }

    fn statuses(list: &'static [&'static str]) -> impl FnMut() -> Result<Value, Failure> {
        let mut i = 0;
        move || {
            let s = list[i.min(list.len() - 1)];
            i += 1;
            Ok(json!({"Status": s, "RequestId": format!("r-{i}")}))
        }
    }

    #[test]
    fn polls_until_the_value_arrives() {
        let w = Waiter::parse(r#"{"expr":"Status","to":"success","timeout":600,"interval":5}"#)
            .unwrap();
        let mut pace = FakePace::default();
        let got = w
            .run(statuses(&["initial", "running", "success"]), &mut pace)
            .unwrap();
        assert_eq!(got, json!({"Status": "success", "RequestId": "r-3"}));
        assert_eq!(pace.pauses, [Duration::from_secs(5); 2]);
        assert_eq!(
            pace.lines,
            [
                "waiting: `Status` is \"initial\", waiting for \"success\"",
                "waiting: `Status` is \"running\", waiting for \"success\""
            ]
        );
    }

    #[test]
    fn times_out_with_exit_3_naming_the_last_value() {
        let w =
            Waiter::parse(r#"{"expr":"Status","to":"success","timeout":10,"interval":3}"#).unwrap();
        let mut pace = FakePace::default();
        let err = w.run(statuses(&["running"]), &mut pace).unwrap_err();
        assert_eq!(err.code(), 3);
        assert_eq!(
            err.message(),
            "--waiter: `Status` did not become \"success\" within 10 s; last value: \"running\""
        );
        // Calls at 0, 3, 6, 9 and 12 seconds: the fifth finds the time up.
        assert_eq!(pace.pauses.len(), 4);
    }

    #[test]
    fn defaults_and_interval_capped_by_timeout() {
        let w = Waiter::parse(r#"{"expr":"Status","to":"success"}"#).unwrap();
        assert_eq!(w.timeout, Duration::from_secs(180));
        assert_eq!(w.interval, Duration::from_secs(5));
        let w = Waiter::parse(r#"{"expr":"Status","to":"success","timeout":2}"#).unwrap();
        assert_eq!(w.interval, Duration::from_secs(2));
    }

    #[test]
    fn python_literals_and_numbers() {
        let w = Waiter::parse("{'expr':'TotalCount','to':2,'interval':0}").unwrap();
        let mut pace = FakePace::default();
        let got = w.run(|| Ok(json!({"TotalCount": 2.0})), &mut pace).unwrap();
        assert_eq!(got, json!({"TotalCount": 2.0}));
        assert!(pace.pauses.is_empty());
    }

    #[test]
    fn an_error_answer_ends_the_wait() {
        let w = Waiter::parse(r#"{"expr":"Status","to":"success"}"#).unwrap();
        let mut pace = FakePace::default();
        let err = w
            .run(
                || {
                    Err(Failure::Other {
                        code: 1,
                        message: "ResourceNotFound".into(),
                    })
                },
                &mut pace,
            )
            .unwrap_err();
        assert_eq!(err.code(), 1);
    }

    #[test]
    fn mistakes_are_usage_errors() {
        for bad in [
            "Status",
            "[1]",
            r#"{"to":"success"}"#,
            r#"{"expr":"Status"}"#,
            r#"{"expr":"Status[","to":"x"}"#,
            r#"{"expr":"Status","to":"x","timeout":-1}"#,
            r#"{"expr":"Status","to":"x","interval":"soon"}"#,
            r#"{"expr":"Status","to":"x","intervall":1}"#,
        ] {
            let err = Waiter::parse(bad).unwrap_err();
            assert_eq!(err.code(), 2, "{bad}");
            assert!(
                err.message().contains("--waiter"),
                "{bad}: {}",
                err.message()
            );
        }
    }
}
