//! The stdout table: one aligned line per figure.

use std::fmt::Write as _;

use serde_json::{Map, Value};

const COLUMNS: [&str; 7] = [
    "metric",
    "ours",
    "floor",
    "ratio",
    "quartiles",
    "target",
    "status",
];

/// The summary as a table: the metrics named in `first` in that order, then the other figures
/// by name, the dependency counts last.
pub(crate) fn render(summary: &Map<String, Value>, first: &[&str]) -> String {
    let mut rows: Vec<[String; 7]> = vec![COLUMNS.map(String::from)];
    let mut names: Vec<&String> = summary.keys().collect();
    names.sort_by_key(|n| {
        let rank = first
            .iter()
            .position(|f| *f == n.as_str())
            .unwrap_or(match n.as_str() {
                "deps" => usize::MAX,
                _ => first.len(),
            });
        (rank, n.as_str())
    });
    for name in names {
        let v = &summary[name];
        match name.as_str() {
            "meta" => {}
            "deps" => {
                for (krate, d) in v.as_object().into_iter().flatten() {
                    rows.push([
                        format!("deps {krate}"),
                        format!("{} ({} crates)", d["ours"], d["crates"]),
                        String::new(),
                        String::new(),
                        String::new(),
                        d["limit"]
                            .as_u64()
                            .map(|l| format!("<= {l}"))
                            .unwrap_or_default(),
                        status(&d["met"]),
                    ]);
                }
            }
            _ => rows.push(figure_row(name, v)),
        }
    }
    let mut widths = [0usize; 7];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        let mut line = String::new();
        for (j, (cell, w)) in row.iter().zip(widths).enumerate() {
            // Names left-aligned, figures right-aligned.
            if j == 0 || j == 6 {
                let _ = write!(line, "{cell:<w$}  ");
            } else {
                let _ = write!(line, "{cell:>w$}  ");
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
        if i == 0 {
            let total: usize = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
            out.push_str(&"-".repeat(total));
            out.push('\n');
        }
    }
    out
}

fn figure_row(name: &str, v: &Value) -> [String; 7] {
    let unit = v["unit"].as_str().unwrap_or("");
    let fmt = |x: &Value| match x.as_f64() {
        Some(n) => format!("{} {unit}", trim_number(n)),
        None => String::new(),
    };
    let quartiles = match (v["ratio_q1"].as_f64(), v["ratio_q3"].as_f64()) {
        (Some(q1), Some(q3)) => format!("{q1:.2}..{q3:.2}"),
        _ => String::new(),
    };
    [
        name.to_string(),
        fmt(&v["ours"]),
        fmt(&v["floor"]),
        v["ratio"]
            .as_f64()
            .map(|r| format!("{r:.2}"))
            .unwrap_or_default(),
        quartiles,
        v["target"]
            .as_f64()
            .map(|t| match v["target_kind"].as_str() {
                Some("ratio_at_least") => format!(">= {t:.2}"),
                Some("ours_at_most") => format!("<= {} {unit}", trim_number(t)),
                _ => format!("<= {t:.2}"),
            })
            .unwrap_or_default(),
        if v.get("met").is_some() {
            status(&v["met"])
        } else if v.get("ratio").is_some() {
            "report only".into()
        } else {
            String::new()
        },
    ]
}

fn status(met: &Value) -> String {
    match met.as_bool() {
        Some(true) => "met".into(),
        Some(false) => "MISSED".into(),
        None => String::new(),
    }
}

/// A figure with at most three significant decimals and no trailing zeros.
fn trim_number(n: f64) -> String {
    if n.abs() >= 100.0 {
        format!("{n:.0}")
    } else if n.abs() >= 10.0 {
        format!("{n:.1}")
    } else {
        format!("{n:.2}")
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn table_is_aligned_and_ordered() {
        let mut m = Map::new();
        m.insert(
            "rps_1_thread".into(),
            json!({"ours": 12000.0, "unit": "req/s"}),
        );
        m.insert(
            "sign".into(),
            json!({"ours": 1800.0, "floor": 600.0, "ratio": 3.0, "ratio_q1": 2.9,
                   "ratio_q3": 3.2, "unit": "ns", "target": 1.5, "met": false}),
        );
        m.insert(
            "deps".into(),
            json!({"tc-sign": {"ours": 14, "crates": 12, "limit": 15, "met": true}}),
        );
        let t = render(&m, &["sign"]);
        let lines: Vec<&str> = t.lines().collect();
        assert!(lines[0].starts_with("metric"), "{t}");
        assert!(
            lines[2].starts_with("sign")
                && lines[2].contains("3.00")
                && lines[2].contains("2.90..3.20")
                && lines[2].contains("MISSED"),
            "{t}"
        );
        assert!(lines[3].contains("12000 req/s"), "{t}");
        assert!(
            lines[4].starts_with("deps tc-sign") && lines[4].ends_with("met"),
            "{t}"
        );
        let width = lines[0].len();
        assert!(lines[1].len() >= width, "{t}");
    }

    #[test]
    fn targets_show_which_way_they_bound() {
        let mut m = Map::new();
        m.insert(
            "speedup".into(),
            json!({"ours": 30.0, "floor": 8.0, "ratio": 3.75, "unit": "MiB/s", "target": 3.0,
                   "target_kind": "ratio_at_least", "met": true}),
        );
        m.insert(
            "rss".into(),
            json!({"ours": 9.5, "floor": 4.0, "ratio": 2.4, "unit": "MiB", "target": 32.0,
                   "target_kind": "ours_at_most", "met": true}),
        );
        let t = render(&m, &["speedup", "rss"]);
        let lines: Vec<&str> = t.lines().collect();
        assert!(lines[2].contains(">= 3.00"), "{t}");
        assert!(lines[3].contains("<= 32.0 MiB"), "{t}");
    }
}
