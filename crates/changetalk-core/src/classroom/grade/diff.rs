//! Comparing the scores a result file carries with the scores recomputed from its choices:
//! every difference, by JSON path, for the `score-edited` flag.

use serde_json::Value;

use crate::source::text::trim_num;

pub(super) fn minutes_seconds(ms: u64) -> String {
    let s = ms / 1000;
    format!("{}m{:02}s", s / 60, s % 60)
}

pub(super) fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

fn show(v: &Value) -> String {
    let s = match v.as_f64() {
        Some(x) => trim_num(x),
        None => v.to_string(),
    };
    if s.chars().count() > 40 {
        let cut: String = s.chars().take(37).collect();
        format!("{cut}…")
    } else {
        s
    }
}

/// Records where `stored` differs from `fresh` (numbers within one part in 10⁹ are equal).
pub(super) fn diff_json(path: &str, stored: &Value, fresh: &Value, out: &mut Vec<String>) {
    if out.len() > 8 {
        return;
    }
    match (stored, fresh) {
        (Value::Number(a), Value::Number(b)) => {
            let (Some(x), Some(y)) = (a.as_f64(), b.as_f64()) else {
                return;
            };
            if !close(x, y) {
                out.push(format!(
                    "{path}: stored {}, recomputed {}",
                    trim_num(x),
                    trim_num(y)
                ));
            }
        }
        (Value::Object(a), Value::Object(b)) => {
            for (k, fv) in b {
                match a.get(k) {
                    Some(sv) => diff_json(&format!("{path}.{k}"), sv, fv, out),
                    None => out.push(format!("{path}.{k}: removed from the file")),
                }
            }
            for k in a.keys() {
                if !b.contains_key(k) {
                    out.push(format!("{path}.{k}: added to the file"));
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                out.push(format!(
                    "{path}: {} entries stored, {} recomputed",
                    a.len(),
                    b.len()
                ));
                return;
            }
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                diff_json(&format!("{path}[{i}]"), x, y, out);
            }
        }
        (a, b) if a == b => {}
        (a, b) => out.push(format!(
            "{path}: stored {}, recomputed {}",
            show(a),
            show(b)
        )),
    }
}
