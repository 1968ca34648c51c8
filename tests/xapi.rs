//! xAPI statements from `grade --xapi`, checked against the xAPI 1.0.3 specification.

use serde_json::Value;

#[path = "common/class.rs"]
mod class;
mod common;
use class::*;
use common::stdout;

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                *c == b'-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
        && (b'1'..=b'5').contains(&b[14])
        && matches!(b[19].to_ascii_lowercase(), b'8' | b'9' | b'a' | b'b')
}

/// ISO 8601 duration: P[nY][nM][nW][nD][T[nH][nM][n[.n]S]] with at least one part.
fn is_iso_duration(s: &str) -> bool {
    let Some(rest) = s.strip_prefix('P') else {
        return false;
    };
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) => {
            if t.is_empty() {
                return false;
            }
            (d, Some(t))
        }
        None => (rest, None),
    };
    let parts = |text: &str, units: &[char], frac_last: bool| -> Option<usize> {
        let mut count = 0;
        let mut num = String::new();
        let mut next_unit = 0;
        for c in text.chars() {
            if c.is_ascii_digit() || (c == '.' && frac_last) {
                num.push(c);
            } else {
                let pos = units.iter().position(|u| *u == c)?;
                if pos < next_unit || num.is_empty() || num.starts_with('.') || num.ends_with('.') {
                    return None;
                }
                if num.contains('.') && pos != units.len() - 1 {
                    return None;
                }
                next_unit = pos + 1;
                num.clear();
                count += 1;
            }
        }
        num.is_empty().then_some(count)
    };
    let Some(d) = parts(date, &['Y', 'M', 'W', 'D'], false) else {
        return false;
    };
    let t = match time {
        Some(t) => match parts(t, &['H', 'M', 'S'], true) {
            Some(n) if n > 0 => n,
            _ => return false,
        },
        None => 0,
    };
    d + t > 0
}

/// ISO 8601 timestamp in UTC: YYYY-MM-DDTHH:MM:SS[.fff]Z.
fn is_iso_timestamp_utc(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
    if b.len() < 20
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
    {
        return false;
    }
    if b[10] != b'T'
        || !digits(11..13)
        || b[13] != b':'
        || !digits(14..16)
        || b[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    let month: u32 = s[5..7].parse().unwrap();
    let day: u32 = s[8..10].parse().unwrap();
    let hour: u32 = s[11..13].parse().unwrap();
    let min: u32 = s[14..16].parse().unwrap();
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || min > 59 {
        return false;
    }
    let rest = &s[19..];
    let rest = match rest.strip_prefix('.') {
        Some(f) => {
            let n = f.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return false;
            }
            &f[n..]
        }
        None => rest,
    };
    rest == "Z"
}

fn is_iri(s: &str) -> bool {
    match s.split_once(':') {
        Some((scheme, rest)) => {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !rest.is_empty()
                && !s.contains(' ')
        }
        None => false,
    }
}

fn check_activity(a: &Value, what: &str) {
    if let Some(t) = a.get("objectType") {
        assert_eq!(t, "Activity", "{what}");
    }
    assert!(
        is_iri(a["id"].as_str().unwrap_or("")),
        "{what}: id {}",
        a["id"]
    );
    if let Some(d) = a.get("definition") {
        assert!(
            d["name"]["en-US"].is_string(),
            "{what}: name is a language map"
        );
        if let Some(t) = d.get("type") {
            assert!(is_iri(t.as_str().unwrap()), "{what}: type");
        }
    }
}

/// Checks one statement against the specification's requirements.
fn check_statement(st: &Value) {
    let obj = st.as_object().expect("a statement is an object");
    for k in obj.keys() {
        assert!(
            [
                "id",
                "actor",
                "verb",
                "object",
                "result",
                "context",
                "timestamp",
                "stored",
                "authority",
                "version",
                "attachments"
            ]
            .contains(&k.as_str()),
            "unknown property `{k}`"
        );
    }
    assert!(
        !obj.contains_key("stored") && !obj.contains_key("authority"),
        "set by the LRS"
    );
    assert!(is_uuid(st["id"].as_str().unwrap()), "id {}", st["id"]);
    // Actor: an Agent identified by exactly one inverse functional identifier, an account.
    let actor = &st["actor"];
    assert_eq!(actor["objectType"], "Agent");
    for ifi in ["mbox", "mbox_sha1sum", "openid"] {
        assert!(actor.get(ifi).is_none(), "only one IFI");
    }
    let acc = &actor["account"];
    let home = acc["homePage"].as_str().unwrap();
    assert!(
        home.starts_with("https://") || home.starts_with("http://"),
        "homePage is an IRL"
    );
    assert!(!acc["name"].as_str().unwrap().is_empty());
    // Verb.
    let verb = st["verb"]["id"].as_str().unwrap();
    assert!(
        [
            "http://adlnet.gov/expapi/verbs/completed",
            "http://adlnet.gov/expapi/verbs/passed",
            "http://adlnet.gov/expapi/verbs/failed"
        ]
        .contains(&verb),
        "{verb}"
    );
    assert_eq!(
        st["verb"]["display"]["en-US"].as_str().unwrap(),
        verb.rsplit('/').next().unwrap()
    );
    // Object: the scenario.
    check_activity(&st["object"], "object");
    assert!(st["object"]["id"].as_str().unwrap().contains("/scenarios/"));
    // Result.
    let r = &st["result"];
    let scaled = r["score"]["scaled"].as_f64().unwrap();
    assert!((-1.0..=1.0).contains(&scaled), "scaled {scaled}");
    let (raw, min, max) = (
        r["score"]["raw"].as_f64().unwrap(),
        r["score"]["min"].as_f64().unwrap(),
        r["score"]["max"].as_f64().unwrap(),
    );
    assert!(min <= raw && raw <= max && min < max);
    assert!(r["success"].is_boolean() && r["completion"].is_boolean());
    match verb.rsplit('/').next().unwrap() {
        "passed" => assert_eq!(r["success"], true),
        "failed" => assert_eq!(r["success"], false),
        _ => assert_eq!(r["completion"], true),
    }
    assert!(
        is_iso_duration(r["duration"].as_str().unwrap()),
        "duration {}",
        r["duration"]
    );
    // Context: the exercise.
    let c = &st["context"];
    assert!(is_uuid(c["registration"].as_str().unwrap()));
    let parents = c["contextActivities"]["parent"].as_array().unwrap();
    assert_eq!(parents.len(), 1);
    check_activity(&parents[0], "parent");
    assert!(
        parents[0]["id"]
            .as_str()
            .unwrap()
            .contains("/exercises/week3")
    );
    for k in c["extensions"].as_object().unwrap().keys() {
        assert!(is_iri(k), "extension key {k}");
    }
    assert!(
        is_iso_timestamp_utc(st["timestamp"].as_str().unwrap()),
        "{}",
        st["timestamp"]
    );
    assert_eq!(st["version"], "1.0.3");
}

#[test]
fn the_validators_catch_bad_values() {
    assert!(is_uuid("888b44cc-5204-5a68-b2e3-7f7f02f1b26c"));
    assert!(!is_uuid("888b44cc-5204-5a68-c2e3-7f7f02f1b26c"));
    assert!(!is_uuid("888b44cc52045a68b2e37f7f02f1b26c"));
    for good in ["PT4M12S", "PT0S", "PT1H2M3.45S", "P1D", "P1DT2H", "PT0.5S"] {
        assert!(is_iso_duration(good), "{good}");
    }
    for bad in ["", "P", "PT", "4M12S", "PT4S12M", "PT1.5M", "PT.5S", "P1H"] {
        assert!(!is_iso_duration(bad), "{bad}");
    }
    assert!(is_iso_timestamp_utc("2025-03-01T09:30:05.123Z"));
    assert!(is_iso_timestamp_utc("2025-03-01T09:30:05Z"));
    for bad in [
        "2025-03-01T09:30:05",
        "2025-13-01T09:30:05Z",
        "2025-03-01 09:30:05Z",
        "2025-03-01T09:30:05+01:00",
    ] {
        assert!(!is_iso_timestamp_utc(bad), "{bad}");
    }
}

#[test]
fn xapi_statements_meet_the_specification() {
    let class = Class::new();
    let path = best_path();
    class.play("Ada Lovelace", "s1", &["--choices", &join(&path)]);
    class.play("Bob", "s2", &["--auto", "worst"]);
    class.play("Cy", "s3", &["--auto", "best"]);
    let mut cy = read_json(&class.result("s3"));
    cy["total"] = 1.into();
    write_json(&class.result("s3"), &cy);
    let xapi = class.path("statements.json");
    let o = class.grade(&[
        "--xapi",
        s(&xapi),
        "--xapi-home-page",
        "https://moodle.example.edu",
    ]);
    assert!(stdout(&o).contains("6 xAPI statements"), "{}", stdout(&o));
    let v = read_json(&xapi);
    let sts = v.as_array().unwrap();
    assert_eq!(sts.len(), 6, "completed + passed/failed for 3 students");
    let mut ids = std::collections::HashSet::new();
    for st in sts {
        check_statement(st);
        assert!(
            ids.insert(st["id"].as_str().unwrap().to_string()),
            "ids are unique"
        );
    }
    let by = |student: &str, verb: &str| {
        sts.iter()
            .find(|st| {
                st["actor"]["account"]["name"] == student
                    && st["verb"]["id"].as_str().unwrap().ends_with(verb)
            })
            .unwrap_or_else(|| panic!("no `{verb}` statement for {student}"))
    };
    let a = by("s1", "/passed");
    assert_eq!(a["actor"]["name"], "Ada Lovelace");
    assert_eq!(
        a["actor"]["account"]["homePage"],
        "https://moodle.example.edu"
    );
    let overall = play_json(&path)["score"]["overall"].as_f64().unwrap();
    assert!((a["result"]["score"]["scaled"].as_f64().unwrap() - overall / 100.0).abs() < 1e-9);
    assert_eq!(by("s2", "/failed")["result"]["success"], false);
    by("s2", "/completed");
    // The edited result is exported with its recomputed score and its flag.
    let c = by("s3", "/passed");
    let flags = c["context"]["extensions"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(k, _)| k.ends_with("/flags"))
        .unwrap()
        .1;
    assert_eq!(flags, &serde_json::json!(["score_edited"]));
    // Exporting again gives the same statements (an LRS stores them once).
    let again = class.path("again.json");
    class.grade(&[
        "--xapi",
        s(&again),
        "--xapi-home-page",
        "https://moodle.example.edu",
    ]);
    assert_eq!(read_json(&again), v);
}
