//! Random tokens, join codes and ids, from the operating system's generator.

use changetalk_core::classroom::exercise::content_hash;

/// The letters of a join code: no 0/O, 1/I/L, so a code read aloud or copied by hand works.
const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// Letters in a join code (31^10 ≈ 8·10^14 codes).
pub const CODE_LEN: usize = 10;

fn random_bytes<const N: usize>() -> Result<[u8; N], String> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| format!("the system's random generator failed: {e}"))?;
    Ok(b)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// 256 random bits as 64 hex digits (the admin token, session tokens).
pub fn random_token() -> Result<String, String> {
    Ok(hex(&random_bytes::<32>()?))
}

/// 64 random bits as 16 hex digits (exercise and attempt ids).
pub fn random_id() -> Result<String, String> {
    Ok(hex(&random_bytes::<8>()?))
}

/// A join code: `CODE_LEN` letters shown as `XXXXX-XXXXX`.
pub fn join_code() -> Result<String, String> {
    let bytes = random_bytes::<CODE_LEN>()?;
    let mut s = String::with_capacity(CODE_LEN + 1);
    for (i, b) in bytes.iter().enumerate() {
        if i == CODE_LEN / 2 {
            s.push('-');
        }
        // 256 % 31 = 8: a slight bias toward the first 8 letters, harmless for a code.
        s.push(CODE_ALPHABET[usize::from(*b) % CODE_ALPHABET.len()] as char);
    }
    Ok(s)
}

/// A join code as typed, in the stored form: upper case, `-` after the fifth letter; spaces
/// and dashes anywhere are ignored. `None` when it cannot be a code.
pub fn normalize_code(typed: &str) -> Option<String> {
    let letters: Vec<char> = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if letters.len() != CODE_LEN || !letters.iter().all(|c| CODE_ALPHABET.contains(&(*c as u8))) {
        return None;
    }
    let mut s: String = letters[..CODE_LEN / 2].iter().collect();
    s.push('-');
    s.extend(&letters[CODE_LEN / 2..]);
    Some(s)
}

/// What the database keeps of a token: its SHA-256.
pub fn hash(token: &str) -> String {
    content_hash(token.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_as_typed() {
        let c = join_code().unwrap();
        assert_eq!(c.len(), CODE_LEN + 1);
        assert_eq!(normalize_code(&c).as_deref(), Some(c.as_str()));
        assert_eq!(
            normalize_code(&c.to_lowercase().replace('-', " ")).as_deref(),
            Some(c.as_str())
        );
        assert_eq!(normalize_code("ABC"), None);
        assert_eq!(normalize_code("ABCDE-FGHI0"), None);
        assert_ne!(random_token().unwrap(), random_token().unwrap());
    }
}
