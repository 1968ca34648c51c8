//! Exports of a finished session: JSON (transcript + score) and a readable, self-contained
//! HTML report. Pure functions from values to text.

use std::fmt::Write as _;

use changetalk_core::Scenario;
use changetalk_core::engine::Transcript;
use changetalk_core::miti::codes::{MitiCode, codes_label};
use changetalk_core::miti::score::{BandedMetric, Score};
use serde::Serialize;

/// The JSON export: the same transcript and score objects as `play --json`.
#[derive(Serialize)]
pub struct SessionExport<'a> {
    /// The conversation.
    pub transcript: &'a Transcript,
    /// Its score.
    pub score: &'a Score,
}

/// Pretty JSON of a transcript and its score.
pub fn session_json(t: &Transcript, s: &Score) -> String {
    serde_json::to_string_pretty(&SessionExport {
        transcript: t,
        score: s,
    })
    .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// Escapes text for HTML (the core's one escaper for HTML and SVG).
pub use changetalk_core::source::text::escape_markup as esc;

fn band_row(out: &mut String, name: &str, m: &BandedMetric, unit: &str) {
    let (value, band, class) = match (m.value, m.band) {
        (Some(v), Some(b)) => (
            format!("{v:.2}{unit}"),
            b.label().to_string(),
            b.label().replace(' ', "-"),
        ),
        _ => ("n/a".to_string(), "—".to_string(), "na".to_string()),
    };
    let _ = writeln!(
        out,
        "<tr><td>{}</td><td class=\"num\">{}</td><td><span class=\"band {}\">{}</span></td><td>fair ≥ {}{unit}, good ≥ {}{unit} <small>({})</small></td></tr>",
        esc(name),
        value,
        class,
        band,
        m.fair,
        m.good,
        m.source
    );
}

/// An inline SVG line chart of engagement and discord over the turns.
fn state_chart(t: &Transcript) -> String {
    let mut eng = vec![t.initial_state.engagement];
    let mut dis = vec![t.initial_state.discord];
    for turn in &t.turns {
        eng.push(turn.state_after.engagement);
        dis.push(turn.state_after.discord);
    }
    let (w, h, pad) = (640.0, 200.0, 28.0);
    let n = eng.len().max(2) - 1;
    let x = |i: usize| pad + (w - 2.0 * pad) * i as f64 / n as f64;
    let y = |v: i32| h - pad - (h - 2.0 * pad) * f64::from(v) / 10.0;
    let line = |vals: &[i32]| {
        vals.iter()
            .enumerate()
            .map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut svg = format!(
        "<svg viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"Engagement and discord after each turn\">"
    );
    for v in [0, 5, 10] {
        let _ = write!(
            svg,
            "<line x1=\"{pad}\" x2=\"{}\" y1=\"{y0:.1}\" y2=\"{y0:.1}\" class=\"grid\"/><text x=\"4\" y=\"{:.1}\">{v}</text>",
            w - pad,
            y(v) + 4.0,
            y0 = y(v)
        );
    }
    let _ = write!(
        svg,
        "<polyline points=\"{}\" class=\"eng\"/><polyline points=\"{}\" class=\"dis\"/>",
        line(&eng),
        line(&dis)
    );
    svg.push_str("<text x=\"420\" y=\"16\" class=\"eng-t\">— engagement</text><text x=\"530\" y=\"16\" class=\"dis-t\">— discord</text></svg>");
    svg
}

/// A self-contained HTML report of a session.
pub fn session_html(scenario: &Scenario, t: &Transcript, s: &Score) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>ChangeTalk report — {}</title>\n<style>
body{{font-family:system-ui,sans-serif;max-width:860px;margin:2em auto;padding:0 1em;color:#1d2433;line-height:1.45}}
h1{{font-size:1.6em;margin-bottom:.2em}} h2{{margin-top:1.6em;border-bottom:1px solid #d6dbe4}}
table{{border-collapse:collapse;width:100%}} td,th{{padding:.35em .5em;border-bottom:1px solid #e6e9ef;text-align:left;vertical-align:top}}
.num{{text-align:right;font-variant-numeric:tabular-nums}} .band{{padding:.1em .5em;border-radius:.6em;font-size:.9em}}
.good{{background:#d7f2df;color:#14532d}} .fair{{background:#fdf0c4;color:#6b4e00}} .below-fair{{background:#fbd9d9;color:#7f1d1d}} .na{{background:#eceff4}}
.client{{background:#f1f3f7;border-radius:.6em;padding:.5em .8em;margin:.6em 0 .2em}} .you{{background:#e3edff;border-radius:.6em;padding:.5em .8em;margin:.2em 0 .2em 3em}}
.codes{{font-size:.85em;color:#45506a;margin-left:3em}} .better{{font-size:.9em;margin:.2em 0 .8em 3em;border-left:3px solid #2f7d4f;padding-left:.6em}}
svg{{width:100%;height:auto}} .grid{{stroke:#e3e6ec}} .eng{{fill:none;stroke:#2563eb;stroke-width:2.5}} .dis{{fill:none;stroke:#dc2626;stroke-width:2.5}}
.eng-t{{fill:#2563eb;font-size:12px}} .dis-t{{fill:#dc2626;font-size:12px}} text{{font-size:11px;fill:#45506a}}
.bar{{background:#2563eb;height:.9em;display:inline-block;border-radius:.2em}}
</style></head><body>\n",
        esc(&scenario.title)
    );
    let _ = writeln!(
        o,
        "<h1>{}</h1><p>Client: <b>{}</b>, {} · {} · seed {} · {}</p>",
        esc(&scenario.title),
        esc(&scenario.persona.name),
        scenario.persona.age,
        scenario.stage.name(),
        t.seed,
        if s.turns == 1 {
            "1 counsellor turn".to_string()
        } else {
            format!("{} counsellor turns", s.turns)
        }
    );
    let _ = writeln!(
        o,
        "<h2>Overall: {:.1} / 100{}</h2><table><tr><th>Metric</th><th class=\"num\">Value</th><th>Band</th><th>Thresholds</th></tr>",
        s.overall,
        if s.complete {
            String::new()
        } else {
            format!(
                " — incomplete ({:.0}% of the conversation played; the overall counts that share)",
                100.0 * s.completion
            )
        }
    );
    let b = &s.bands;
    band_row(&mut o, "Relational global", &b.relational, "");
    band_row(&mut o, "Technical global", &b.technical, "");
    band_row(
        &mut o,
        "Reflection : question",
        &b.reflection_to_question,
        "",
    );
    band_row(
        &mut o,
        "% complex reflections",
        &b.percent_complex_reflections,
        "%",
    );
    band_row(&mut o, "% open questions", &b.percent_open_questions, "%");
    band_row(&mut o, "% MI-adherent", &b.percent_mi_adherent, "%");
    o.push_str("</table>\n");
    let g = &s.globals;
    let _ = writeln!(
        o,
        "<p>Globals (1–5), estimated from the codes by fixed rules (not a human coder's rating): cultivating change talk {}, softening sustain talk {}, partnership {}, empathy {}. Client: {} change talk, {} sustain talk, {} discord; change-talk share {}.</p>",
        g.cultivating_change_talk,
        g.softening_sustain_talk,
        g.partnership,
        g.empathy,
        s.change_talk,
        s.sustain_talk,
        s.discord,
        s.change_talk_share
            .map_or("n/a".into(), |v| format!("{:.0}%", v * 100.0))
    );
    let _ = writeln!(o, "<h2>Engagement and discord</h2>{}", state_chart(t));
    o.push_str("<h2>Codes</h2><table>");
    let max = MitiCode::ALL
        .iter()
        .map(|c| s.counts.get(*c))
        .max()
        .unwrap_or(0)
        .max(1);
    for c in MitiCode::ALL {
        let n = s.counts.get(c);
        let _ = writeln!(
            o,
            "<tr><td>{}</td><td class=\"num\">{n}</td><td><span class=\"bar\" style=\"width:{}px\"></span></td></tr>",
            c.label(),
            n * 240 / max
        );
    }
    o.push_str("</table>");
    if !s.feedback.strengths.is_empty() {
        o.push_str("<h2>Strengths</h2><ul>");
        for x in &s.feedback.strengths {
            let _ = write!(o, "<li>{}</li>", esc(x));
        }
        o.push_str("</ul>");
    }
    if !s.feedback.growth_areas.is_empty() {
        o.push_str("<h2>To work on</h2><ul>");
        for x in &s.feedback.growth_areas {
            let _ = write!(o, "<li>{}</li>", esc(x));
        }
        o.push_str("</ul>");
    }
    o.push_str("<h2>Transcript</h2>");
    for turn in &t.turns {
        let talk = turn.client.talk.target().label();
        let _ = writeln!(
            o,
            "<div class=\"client\"><b>{}</b> <small>({talk})</small>: {}</div><div class=\"you\"><b>You</b>: {}</div><div class=\"codes\">{} · rating {}/5 — {}</div>",
            esc(&scenario.persona.name),
            esc(&turn.client.text),
            esc(&turn.reply.text),
            esc(&codes_label(&turn.reply.codes)),
            turn.reply.rating,
            esc(&turn.reply.feedback)
        );
        if let Some(better) = &turn.better {
            let _ = writeln!(
                o,
                "<div class=\"better\"><b>Better ({}/5):</b> {}<br><small>{}</small></div>",
                better.rating,
                esc(&better.text),
                esc(&better.feedback)
            );
        }
    }
    if let Some(e) = &t.ending {
        let _ = writeln!(
            o,
            "<h2>Ending: {}</h2><p>{}</p><p><b>Debrief.</b> {}</p>",
            esc(&e.title),
            esc(&e.text),
            esc(&e.debrief)
        );
    } else {
        o.push_str("<h2>Ended early</h2><p>The session was stopped before an ending.</p>");
    }
    o.push_str("<p><small>Scores follow docs/scoring.md (MITI 4.2.1 thresholds; globals are rule-based estimates).</small></p></body></html>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_client_text() {
        assert_eq!(
            esc("<b>\"x\" & 'y'</b>"),
            "&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;"
        );
    }
}
