//! Persuade with Permission on a held-out list of hand-written replies
//! (`examples/pwp_heldout.tsv`, written before the rules were tuned): how many of the intended
//! PwP replies get the code, and how many Persuade-only or neither replies get it wrongly.
//!
//! ```text
//! cargo run --release --manifest-path crates/changetalk-coder/Cargo.toml --example pwp
//! ```

use changetalk_coder::Coder;
use changetalk_core::MitiCode;

const LIST: &str = include_str!("pwp_heldout.tsv");

fn main() {
    let coder = Coder::bundled();
    let mut rows: Vec<(&str, usize, usize)> = Vec::new(); // label, n, coded PwP
    for line in LIST
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let mut f = line.split('\t');
        let (Some(label), Some(reply)) = (f.next(), f.next()) else {
            continue;
        };
        let prev = f.next().filter(|p| !p.is_empty());
        let c = coder.code_counsellor(reply, prev);
        let pwp = c.has(MitiCode::PersuadeWithPermission);
        println!(
            "{label:>3} {} {:?}: {reply}",
            if pwp { "PwP" } else { "   " },
            c.code_list()
        );
        match rows.iter_mut().find(|r| r.0 == label) {
            Some(r) => {
                r.1 += 1;
                r.2 += usize::from(pwp);
            }
            None => rows.push((label, 1, usize::from(pwp))),
        }
    }
    for (label, n, k) in rows {
        println!("{label}: {k} of {n} coded Persuade with Permission");
    }
}
