//! Random tokens for cookies and links, and the hashes under which they are stored.

use sha2::{Digest, Sha256};

/// A fresh 256-bit random token, hex encoded.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    // The operating system's generator failing means the machine cannot do crypto at all.
    getrandom::fill(&mut bytes).expect("the operating system's random generator is unavailable");
    hex(&bytes)
}

/// Whether a text has the shape of a token from [`new_token`] (checked before any look-up).
pub fn is_token(value: &str) -> bool {
    value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The SHA-256 of a token: what the database keeps instead of the token.
pub fn hash_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// Compares two strings in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Lower-case hex; hashed on every session and API key look-up, so without formatting
/// machinery.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stored session and key hashes must keep matching: SHA-256 as lower-case hex.
    #[test]
    fn tokens_hash_to_lower_case_hex_sha256() {
        assert_eq!(
            hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
