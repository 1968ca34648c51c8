//! Conditions on the client's state, written as text: `discord >= 6 and engagement < 4`.
//!
//! Grammar: comparisons `VAR OP NUMBER` and memory tests `remembered(KEY)`, joined by `and`,
//! `or`, `not` and parentheses. Variables: `engagement`, `discord`, `importance`, `confidence`
//! (0–10) and `turn` (replies chosen so far). Operators: `<`, `<=`, `>`, `>=`, `==`, `!=`.
//! `remembered(plan.chose_own)` holds once an option or line of this session or an earlier one
//! of the course remembered the key (the key may also be quoted: `remembered('plan.step')`).

use serde::Serialize;

use crate::engine::memory::Memory;
use crate::engine::state::{ClientState, StateVar};

/// A parsed condition with its source text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Condition {
    /// The text as written.
    pub source: String,
    /// The parsed expression.
    #[serde(skip)]
    pub expr: Expr,
}

/// A condition expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `a and b`.
    And(Box<Expr>, Box<Expr>),
    /// `a or b`.
    Or(Box<Expr>, Box<Expr>),
    /// `not a`.
    Not(Box<Expr>),
    /// `var op value`.
    Compare(Var, CmpOp, i64),
    /// `remembered(key)`: the key is in the course's memory.
    Remembered {
        /// The memory key.
        key: String,
        /// Byte offset of the key in the condition text.
        offset: usize,
    },
}

/// A variable a condition can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Var {
    /// A client-state variable.
    State(StateVar),
    /// The number of replies chosen so far.
    Turn,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
    /// `!=`
    Ne,
}

/// An error inside a condition, with its byte offset in the condition text.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionError {
    /// Byte offset within the condition string.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

/// Names a condition may use.
pub const VARIABLES: [&str; 5] = ["engagement", "discord", "importance", "confidence", "turn"];

/// Most words and symbols a condition may hold. Every expression node takes at least one
/// token, so this also bounds the depth of the tree that `eval` (and `Drop`) recurse over: a
/// long `a and b and c ...` chain otherwise overflows the stack.
pub const MAX_TOKENS: usize = 256;

impl Condition {
    /// Parses a condition.
    pub fn parse(source: &str) -> Result<Condition, ConditionError> {
        let tokens = tokenize(source)?;
        if let Some(t) = tokens.get(MAX_TOKENS) {
            return Err(ConditionError {
                offset: t.offset,
                message: format!(
                    "condition is too long: at most {MAX_TOKENS} words and symbols — a `when` never needs this many comparisons"
                ),
            });
        }
        let mut p = CondParser {
            tokens: &tokens,
            pos: 0,
            len: source.len(),
            depth: 0,
        };
        let expr = p.or()?;
        if let Some(t) = tokens.get(p.pos) {
            return Err(ConditionError {
                offset: t.offset,
                message: format!(
                    "unexpected `{}`: join comparisons with `and` or `or`",
                    t.text
                ),
            });
        }
        Ok(Condition {
            source: source.to_string(),
            expr,
        })
    }

    /// Evaluates the condition against a state and turn number, with nothing remembered.
    pub fn eval(&self, state: &ClientState, turn: usize) -> bool {
        eval(&self.expr, state, turn, &Memory::new())
    }

    /// Evaluates the condition against a state, turn number and the course's memory.
    pub fn eval_in(&self, state: &ClientState, turn: usize, memory: &Memory) -> bool {
        eval(&self.expr, state, turn, memory)
    }

    /// Every memory key the condition tests, with its byte offset in the text.
    pub fn memory_keys(&self) -> Vec<(&str, usize)> {
        fn walk<'a>(e: &'a Expr, out: &mut Vec<(&'a str, usize)>) {
            match e {
                Expr::And(a, b) | Expr::Or(a, b) => {
                    walk(a, out);
                    walk(b, out);
                }
                Expr::Not(a) => walk(a, out),
                Expr::Compare(..) => {}
                Expr::Remembered { key, offset } => out.push((key, *offset)),
            }
        }
        let mut out = Vec::new();
        walk(&self.expr, &mut out);
        out
    }

    /// True when the condition can hold only if `key` is remembered: `remembered(key)` stands
    /// alone or in a chain of `and`.
    pub fn requires(&self, key: &str) -> bool {
        fn req(e: &Expr, key: &str) -> bool {
            match e {
                Expr::And(a, b) => req(a, key) || req(b, key),
                Expr::Remembered { key: k, .. } => k == key,
                _ => false,
            }
        }
        req(&self.expr, key)
    }
}

/// One test of a condition that is a plain chain of `and` (`discord >= 5 and turn > 2`), as
/// the scenario editor's pickers show it: a variable, an operator and a number, or a memory
/// test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clause {
    /// `var op value`; `var` is one of [`VARIABLES`], `op` one of [`OPERATORS`].
    Compare {
        /// The variable's name.
        var: &'static str,
        /// The operator, as written.
        op: &'static str,
        /// The number.
        value: i64,
    },
    /// `remembered(key)`.
    Remembered(String),
}

/// The comparison operators, as written.
pub const OPERATORS: [&str; 6] = [">=", "<=", ">", "<", "==", "!="];

impl CmpOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
        }
    }
}

impl Var {
    /// The variable's name in conditions.
    pub fn name(self) -> &'static str {
        match self {
            Var::State(s) => s.name(),
            Var::Turn => "turn",
        }
    }
}

impl Clause {
    /// The clause as condition text.
    pub fn text(&self) -> String {
        match self {
            Clause::Compare { var, op, value } => format!("{var} {op} {value}"),
            Clause::Remembered(key) => format!("remembered({key})"),
        }
    }
}

impl Condition {
    /// The condition as a list of tests joined by `and`, or `None` when it uses `or`, `not`
    /// or parentheses in a way a list cannot show (the editor then offers the text).
    pub fn clauses(&self) -> Option<Vec<Clause>> {
        fn walk(e: &Expr, out: &mut Vec<Clause>) -> bool {
            match e {
                Expr::And(a, b) => walk(a, out) && walk(b, out),
                Expr::Compare(var, op, value) => {
                    out.push(Clause::Compare {
                        var: var.name(),
                        op: op.symbol(),
                        value: *value,
                    });
                    true
                }
                Expr::Remembered { key, .. } => {
                    out.push(Clause::Remembered(key.clone()));
                    true
                }
                Expr::Or(..) | Expr::Not(..) => false,
            }
        }
        let mut out = Vec::new();
        walk(&self.expr, &mut out).then_some(out)
    }
}

/// Tests joined by `and`, as condition text (empty for none).
pub fn clauses_text(clauses: &[Clause]) -> String {
    clauses
        .iter()
        .map(Clause::text)
        .collect::<Vec<_>>()
        .join(" and ")
}

fn eval(e: &Expr, state: &ClientState, turn: usize, memory: &Memory) -> bool {
    match e {
        Expr::And(a, b) => eval(a, state, turn, memory) && eval(b, state, turn, memory),
        Expr::Or(a, b) => eval(a, state, turn, memory) || eval(b, state, turn, memory),
        Expr::Not(a) => !eval(a, state, turn, memory),
        Expr::Remembered { key, .. } => memory.contains_key(key),
        Expr::Compare(var, op, v) => {
            let x = match var {
                Var::State(s) => i64::from(state.get(*s)),
                Var::Turn => turn as i64,
            };
            match op {
                CmpOp::Lt => x < *v,
                CmpOp::Le => x <= *v,
                CmpOp::Gt => x > *v,
                CmpOp::Ge => x >= *v,
                CmpOp::Eq => x == *v,
                CmpOp::Ne => x != *v,
            }
        }
    }
}

#[derive(Debug)]
struct Token {
    text: String,
    offset: usize,
    /// For `remembered(key)`: the key and its offset.
    key: Option<(String, usize)>,
}

/// Reads `(key)` after `remembered`, from byte `i`; returns the key, its offset and the byte
/// after `)`.
fn memory_call(s: &str, mut i: usize) -> Result<(String, usize, usize), ConditionError> {
    let b = s.as_bytes();
    let skip = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    let usage = "write `remembered(key)`, for example `remembered(plan.chose_own)`";
    i = skip(i);
    if b.get(i) != Some(&b'(') {
        return Err(ConditionError {
            offset: i.min(s.len()),
            message: format!("`remembered` needs a key in parentheses: {usage}"),
        });
    }
    i = skip(i + 1);
    let quote = b.get(i).copied().filter(|c| *c == b'"' || *c == b'\'');
    if quote.is_some() {
        i += 1;
    }
    let start = i;
    while i < b.len() && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'.' | b'-' | b'_')) {
        i += 1;
    }
    let key = s[start..i].to_string();
    if key.is_empty() {
        return Err(ConditionError {
            offset: start,
            message: format!("`remembered` needs a memory key: {usage}"),
        });
    }
    if let Some(q) = quote {
        if b.get(i) != Some(&q) {
            return Err(ConditionError {
                offset: i,
                message: "the memory key's quote is never closed".into(),
            });
        }
        i += 1;
    }
    i = skip(i);
    if b.get(i) != Some(&b')') {
        return Err(ConditionError {
            offset: i.min(s.len()),
            message: format!("expected `)` after the memory key: {usage}"),
        });
    }
    Ok((key, start, i + 1))
}

fn tokenize(s: &str) -> Result<Vec<Token>, ConditionError> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        if c.is_ascii_alphabetic() || c == b'_' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            if &s[start..i] == "remembered" {
                let (key, at, end) = memory_call(s, i)?;
                out.push(Token {
                    text: s[start..i].to_string(),
                    offset: start,
                    key: Some((key, at)),
                });
                i = end;
                continue;
            }
        } else if c.is_ascii_digit() || c == b'-' {
            i += 1;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
        } else if matches!(c, b'<' | b'>' | b'=' | b'!') {
            i += 1;
            if i < b.len() && b[i] == b'=' {
                i += 1;
            }
        } else if matches!(c, b'(' | b')') {
            i += 1;
        } else if c == b'&' || c == b'|' {
            let word = if c == b'&' { "and" } else { "or" };
            return Err(ConditionError {
                offset: i,
                message: format!("write `{word}` instead of symbols to join comparisons"),
            });
        } else {
            let ch = s[i..].chars().next().unwrap_or('?');
            return Err(ConditionError {
                offset: i,
                message: format!("unexpected character `{ch}` in condition"),
            });
        }
        out.push(Token {
            text: s[start..i].to_string(),
            offset: start,
            key: None,
        });
    }
    Ok(out)
}

struct CondParser<'a> {
    tokens: &'a [Token],
    pos: usize,
    len: usize,
    depth: usize,
}

impl CondParser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn end_err(&self, what: &str) -> ConditionError {
        ConditionError {
            offset: self.len,
            message: format!("condition ends early: expected {what}"),
        }
    }

    fn or(&mut self) -> Result<Expr, ConditionError> {
        let mut e = self.and()?;
        while self.peek().is_some_and(|t| t.text == "or") {
            self.pos += 1;
            e = Expr::Or(Box::new(e), Box::new(self.and()?));
        }
        Ok(e)
    }

    fn and(&mut self) -> Result<Expr, ConditionError> {
        let mut e = self.unary()?;
        while self.peek().is_some_and(|t| t.text == "and") {
            self.pos += 1;
            e = Expr::And(Box::new(e), Box::new(self.unary()?));
        }
        Ok(e)
    }

    fn unary(&mut self) -> Result<Expr, ConditionError> {
        self.depth += 1;
        if self.depth > 32 {
            return Err(ConditionError {
                offset: self.peek().map_or(self.len, |t| t.offset),
                message: "condition is nested too deeply".into(),
            });
        }
        let r = self.unary_inner();
        self.depth -= 1;
        r
    }

    fn unary_inner(&mut self) -> Result<Expr, ConditionError> {
        let Some(t) = self.peek() else {
            return Err(self.end_err("a comparison such as `discord >= 6`"));
        };
        if t.text == "not" {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if t.text == "(" {
            let open = t.offset;
            self.pos += 1;
            let e = self.or()?;
            match self.peek() {
                Some(t) if t.text == ")" => {
                    self.pos += 1;
                    Ok(e)
                }
                _ => Err(ConditionError {
                    offset: open,
                    message: "this `(` is never closed".into(),
                }),
            }
        } else {
            self.comparison()
        }
    }

    fn comparison(&mut self) -> Result<Expr, ConditionError> {
        let Some(t) = self.peek() else {
            return Err(self.end_err("a variable"));
        };
        if let Some((key, offset)) = &t.key {
            let e = Expr::Remembered {
                key: key.clone(),
                offset: *offset,
            };
            self.pos += 1;
            return Ok(e);
        }
        let var = if t.text == "turn" {
            Var::Turn
        } else if let Some(v) = StateVar::from_name(&t.text) {
            Var::State(v)
        } else {
            return Err(ConditionError {
                offset: t.offset,
                message: format!(
                    "unknown variable `{}` in condition; the variables are {}, and `remembered(key)` tests the course's memory",
                    t.text,
                    VARIABLES.map(|v| format!("`{v}`")).join(", ")
                ),
            });
        };
        self.pos += 1;
        let Some(t) = self.peek() else {
            return Err(self.end_err("a comparison operator (`<`, `<=`, `>`, `>=`, `==`, `!=`)"));
        };
        let op = match t.text.as_str() {
            "<" => CmpOp::Lt,
            "<=" => CmpOp::Le,
            ">" => CmpOp::Gt,
            ">=" => CmpOp::Ge,
            "==" => CmpOp::Eq,
            "!=" => CmpOp::Ne,
            "=" => {
                return Err(ConditionError {
                    offset: t.offset,
                    message: "write `==` to compare".into(),
                });
            }
            other => {
                return Err(ConditionError {
                    offset: t.offset,
                    message: format!(
                        "expected a comparison operator (`<`, `<=`, `>`, `>=`, `==`, `!=`), found `{other}`"
                    ),
                });
            }
        };
        self.pos += 1;
        let Some(t) = self.peek() else {
            return Err(self.end_err("a number"));
        };
        let Ok(v) = t.text.parse::<i64>() else {
            return Err(ConditionError {
                offset: t.offset,
                message: format!("expected a whole number, found `{}`", t.text),
            });
        };
        if let Var::State(_) = var
            && !(0..=10).contains(&v)
        {
            return Err(ConditionError {
                offset: t.offset,
                message: format!("{v} is outside the 0–10 range of client-state variables"),
            });
        }
        self.pos += 1;
        Ok(Expr::Compare(var, op, v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(e: i32, d: i32) -> ClientState {
        ClientState {
            engagement: e,
            discord: d,
            importance: 5,
            confidence: 5,
        }
    }

    #[test]
    fn a_chain_of_and_reads_as_clauses_and_writes_back_the_same() {
        for text in [
            "discord >= 5",
            "importance <= 3 and turn > 2",
            "engagement == 4 and remembered(plan.chose_own) and confidence != 0",
        ] {
            let c = Condition::parse(text).unwrap();
            let clauses = c.clauses().expect("a chain of and");
            assert_eq!(clauses_text(&clauses), text);
            assert_eq!(
                Condition::parse(&clauses_text(&clauses)).unwrap().expr,
                c.expr
            );
        }
        let two = Condition::parse("(discord>=5)and turn<3")
            .unwrap()
            .clauses();
        assert_eq!(
            two,
            Some(vec![
                Clause::Compare {
                    var: "discord",
                    op: ">=",
                    value: 5
                },
                Clause::Compare {
                    var: "turn",
                    op: "<",
                    value: 3
                },
            ])
        );
        for text in ["discord >= 5 or turn > 2", "not remembered(x)"] {
            assert_eq!(Condition::parse(text).unwrap().clauses(), None, "{text}");
        }
    }

    #[test]
    fn evaluates() {
        let c = Condition::parse("discord >= 6 and not (engagement > 3 or turn == 0)").unwrap();
        assert!(c.eval(&st(2, 6), 1));
        assert!(!c.eval(&st(4, 6), 1));
        assert!(!c.eval(&st(2, 6), 0));
        assert!(!c.eval(&st(2, 5), 1));
    }

    #[test]
    fn errors_have_offsets() {
        let e = Condition::parse("discord >= 6 and mood > 2").unwrap_err();
        assert_eq!(e.offset, 17);
        assert!(e.message.contains("unknown variable `mood`"));
        assert_eq!(Condition::parse("discord >= 11").unwrap_err().offset, 11);
        assert!(
            Condition::parse("discord >=")
                .unwrap_err()
                .message
                .contains("ends early")
        );
        assert!(Condition::parse("a && b").is_err());
        assert_eq!(Condition::parse("(discord > 1").unwrap_err().offset, 0);
    }

    #[test]
    fn remembered_tests_memory_and_names_its_keys() {
        let c = Condition::parse("remembered(plan.chose_own) and not remembered('plan.pushed')")
            .unwrap();
        let mut m = Memory::new();
        assert!(!c.eval_in(&st(5, 5), 0, &m));
        m.insert("plan.chose_own".into(), String::new());
        assert!(c.eval_in(&st(5, 5), 0, &m));
        m.insert("plan.pushed".into(), String::new());
        assert!(!c.eval_in(&st(5, 5), 0, &m));
        assert_eq!(
            c.memory_keys(),
            vec![("plan.chose_own", 11), ("plan.pushed", 47)]
        );
        assert!(c.requires("plan.chose_own"));
        assert!(!c.requires("plan.pushed"));
        let e = Condition::parse("remembered plan").unwrap_err();
        assert!(e.message.contains("remembered(key)"), "{}", e.message);
        assert_eq!(Condition::parse("remembered()").unwrap_err().offset, 11);
        assert!(Condition::parse("remembered(a) and discord > 2").is_ok());
    }

    #[test]
    fn long_chains_are_refused_not_overflowing_the_stack() {
        // Found by fuzzing: 400,000 `turn<1 and ...` terms overflowed the stack in `eval`.
        let long = vec!["turn < 1"; 200_000].join(" and ");
        let e = Condition::parse(&long).unwrap_err();
        assert!(e.message.contains("too long"), "{}", e.message);
        assert_eq!(e.offset, long.match_indices("turn").nth(64).unwrap().0);
        // The longest accepted chain still parses and evaluates.
        let ok = vec!["turn < 1"; MAX_TOKENS / 4].join(" and ");
        assert!(Condition::parse(&ok).unwrap().eval(&st(5, 5), 0));
    }
}
