//! Progress reporting on stderr.
//!
//! On a terminal, tasks are indicatif spinners and bars under one `MultiProgress`. When stderr
//! is not a terminal (pipes, CI, tests) nothing is animated: each task prints plain lines —
//! its status when it changes and a few milestones (every 25%) for counted work. stdout is never
//! touched here, so it stays machine-readable.

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

/// Creates progress tasks; animated on a terminal, plain lines otherwise.
#[derive(Debug, Clone)]
pub struct Reporter {
    multi: Option<MultiProgress>,
}

/// What a counted task counts, for display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Percent, 0 to 100.
    Percent,
    /// Bytes (shown with binary prefixes).
    Bytes,
}

impl Reporter {
    /// Animated bars when stderr is a terminal, plain lines otherwise.
    pub fn detect() -> Self {
        if std::io::stderr().is_terminal() {
            Self {
                multi: Some(MultiProgress::new()),
            }
        } else {
            Self::plain()
        }
    }

    /// Always plain lines.
    pub fn plain() -> Self {
        Self { multi: None }
    }

    /// Prints a line on stderr without tearing any bar being drawn.
    pub fn line(&self, msg: &str) {
        match &self.multi {
            Some(m) => {
                let _ = m.println(msg);
            }
            None => eprint_line(msg),
        }
    }

    /// A task of unknown length: a spinner showing `label` and a status message.
    pub fn spinner(&self, label: &str, message: &str) -> Task {
        let bar = self.multi.as_ref().map(|m| {
            let pb = m.add(ProgressBar::new_spinner());
            pb.set_style(
                ProgressStyle::with_template("{spinner} {prefix:<26} {wide_msg} [{elapsed}]")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            pb.set_prefix(label.to_string());
            pb.set_message(message.to_string());
            pb.enable_steady_tick(Duration::from_millis(120));
            pb
        });
        let task = Task::new(label, bar, self.multi.clone(), None);
        if task.bar.is_none() {
            task.set_message(message);
        }
        task
    }

    /// A counted task (`total` in `unit`); the length can be set later if unknown now.
    pub fn counter(&self, label: &str, total: Option<u64>, unit: Unit) -> Task {
        let bar = self.multi.as_ref().map(|m| {
            let pb = m.add(ProgressBar::new(total.unwrap_or(0)));
            let template = match unit {
                Unit::Percent => "  {prefix:<26} [{bar:30}] {pos:>3}% {wide_msg}",
                Unit::Bytes => {
                    "  {prefix:<26} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta} {wide_msg}"
                }
            };
            pb.set_style(
                ProgressStyle::with_template(template)
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            pb.set_prefix(label.to_string());
            pb
        });
        Task::new(label, bar, self.multi.clone(), Some((unit, total)))
    }
}

/// One unit of work being reported. Cheap to clone; safe to update from another thread.
#[derive(Debug, Clone)]
pub struct Task {
    label: String,
    bar: Option<ProgressBar>,
    multi: Option<MultiProgress>,
    plain: Arc<Mutex<PlainState>>,
}

/// What plain mode has already printed, so lines are only written on change.
#[derive(Debug, Default)]
struct PlainState {
    message: String,
    counted: Option<(Unit, Option<u64>)>,
    position: u64,
    /// Last quarter printed (0..=4).
    quarter: u8,
    done: bool,
}

impl Task {
    fn new(
        label: &str,
        bar: Option<ProgressBar>,
        multi: Option<MultiProgress>,
        counted: Option<(Unit, Option<u64>)>,
    ) -> Self {
        Self {
            label: label.to_string(),
            bar,
            multi,
            plain: Arc::new(Mutex::new(PlainState {
                counted,
                ..PlainState::default()
            })),
        }
    }

    /// Shows a status message; plain mode prints it when it differs from the last one.
    pub fn set_message(&self, msg: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(msg.to_string());
            return;
        }
        let mut st = lock(&self.plain);
        if st.message != msg {
            st.message = msg.to_string();
            eprint_line(&format!("{}: {}", self.label, msg));
        }
    }

    /// Sets the total once it is known.
    pub fn set_length(&self, len: u64) {
        if let Some(bar) = &self.bar {
            bar.set_length(len);
            return;
        }
        let mut st = lock(&self.plain);
        if let Some((unit, _)) = st.counted {
            st.counted = Some((unit, Some(len)));
        }
    }

    /// Sets how much is done; plain mode prints at each quarter of the total.
    pub fn set_position(&self, pos: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(pos);
            return;
        }
        let mut st = lock(&self.plain);
        st.position = pos;
        let Some((unit, Some(total))) = st.counted else {
            return;
        };
        let quarter = if total == 0 {
            4
        } else {
            ((pos.min(total) as u128 * 4) / total as u128) as u8
        };
        if quarter > st.quarter {
            st.quarter = quarter;
            eprint_line(&format!("{}: {}", self.label, amount(unit, pos, total)));
        }
    }

    /// Marks the task done with a final message.
    pub fn finish(&self, msg: &str) {
        if let Some(bar) = &self.bar {
            bar.finish_with_message(msg.to_string());
            return;
        }
        let mut st = lock(&self.plain);
        if !st.done {
            st.done = true;
            if st.message != msg {
                eprint_line(&format!("{}: {}", self.label, msg));
            }
        }
    }

    /// Marks the task failed, leaving the bar where it stopped.
    pub fn fail(&self, msg: &str) {
        if let Some(bar) = &self.bar {
            bar.abandon_with_message(msg.to_string());
            return;
        }
        let mut st = lock(&self.plain);
        if !st.done {
            st.done = true;
            eprint_line(&format!("{}: {}", self.label, msg));
        }
    }
}

impl Task {
    /// Marks the task done and takes its bar off the screen, leaving `label: msg` as a line
    /// above the bars still running (so only active work has a bar); plain mode prints the
    /// line as [`finish`](Self::finish) does.
    pub fn retire(&self, msg: &str) {
        match (&self.bar, &self.multi) {
            (Some(bar), Some(multi)) => {
                bar.finish_and_clear();
                multi.remove(bar);
                let _ = multi.println(format!("{}: {msg}", self.label));
            }
            _ => self.finish(msg),
        }
    }

    /// [`retire`](Self::retire) for a task that failed.
    pub fn retire_failed(&self, msg: &str) {
        match (&self.bar, &self.multi) {
            (Some(bar), Some(multi)) => {
                bar.abandon();
                multi.remove(bar);
                let _ = multi.println(format!("{}: {msg}", self.label));
            }
            _ => self.fail(msg),
        }
    }
}

/// "50% (512 B of 1.0 KiB)" / "50%".
fn amount(unit: Unit, pos: u64, total: u64) -> String {
    let pct = if total == 0 {
        100
    } else {
        (pos.min(total) as u128 * 100 / total as u128) as u64
    };
    match unit {
        Unit::Percent => format!("{pct}%"),
        Unit::Bytes => format!(
            "{pct}% ({} of {})",
            indicatif::BinaryBytes(pos),
            indicatif::BinaryBytes(total)
        ),
    }
}

fn lock(m: &Mutex<PlainState>) -> std::sync::MutexGuard<'_, PlainState> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Writes one line to stderr, ignoring a closed stderr.
fn eprint_line(msg: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{msg}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts() {
        assert_eq!(amount(Unit::Percent, 50, 100), "50%");
        assert_eq!(amount(Unit::Bytes, 512, 1024), "50% (512 B of 1.00 KiB)");
        assert_eq!(amount(Unit::Bytes, 0, 0), "100% (0 B of 0 B)");
    }

    #[test]
    fn plain_tasks_track_state() {
        let r = Reporter::plain();
        assert!(r.multi.is_none());
        let t = r.counter("file", None, Unit::Bytes);
        t.set_length(100);
        t.set_position(30);
        assert_eq!(lock(&t.plain).quarter, 1);
        t.set_position(100);
        assert_eq!(lock(&t.plain).quarter, 4);
        t.finish("done");
        assert!(lock(&t.plain).done);
        let s = r.spinner("wait", "initial");
        s.set_message("running");
        assert_eq!(lock(&s.plain).message, "running");
    }
}
