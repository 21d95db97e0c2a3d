//! Time-based one-time passwords (RFC 6238, with HOTP of RFC 4226): HMAC-SHA-1, six digits,
//! 30-second steps, as every authenticator app reads them from an `otpauth://` QR code.

use ring::hmac;

/// Seconds per step.
pub const STEP_SECONDS: i64 = 30;
/// Digits of a code.
pub const DIGITS: usize = 6;
/// Bytes of a secret: 160 bits, as RFC 4226 recommends.
pub const SECRET_BYTES: usize = 20;

/// A TOTP secret. Its `Debug` shows nothing of it.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret([redacted])")
    }
}

impl TotpSecret {
    /// A fresh random secret.
    pub fn generate() -> TotpSecret {
        let mut bytes = vec![0u8; SECRET_BYTES];
        getrandom::fill(&mut bytes)
            .expect("the operating system's random generator is unavailable");
        TotpSecret(bytes)
    }

    pub fn from_bytes(bytes: Vec<u8>) -> TotpSecret {
        TotpSecret(bytes)
    }

    /// A secret typed in base32 (case, spaces and padding do not matter).
    pub fn from_base32(text: &str) -> Option<TotpSecret> {
        let mut bytes = Vec::new();
        let mut buffer: u32 = 0;
        let mut bits = 0;
        for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
            let value = BASE32
                .iter()
                .position(|b| char::from(*b) == c.to_ascii_uppercase())?;
            buffer = (buffer << 5) | value as u32;
            bits += 5;
            if bits >= 8 {
                bits -= 8;
                bytes.push((buffer >> bits) as u8);
            }
        }
        (!bytes.is_empty()).then_some(TotpSecret(bytes))
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The secret in base32 (RFC 4648, no padding), as apps take it typed in.
    pub fn base32(&self) -> String {
        base32_encode(&self.0)
    }

    /// The code of one step (HOTP with the step as counter).
    pub fn code_at(&self, step: i64) -> String {
        let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, &self.0);
        let tag = hmac::sign(&key, &step.to_be_bytes());
        let mac = tag.as_ref();
        let offset = usize::from(mac[mac.len() - 1] & 0x0f);
        let binary = (u32::from(mac[offset]) & 0x7f) << 24
            | u32::from(mac[offset + 1]) << 16
            | u32::from(mac[offset + 2]) << 8
            | u32::from(mac[offset + 3]);
        format!("{:06}", binary % 1_000_000)
    }

    /// The step among `now`'s and its two neighbours (±1 step, for clocks a little apart)
    /// whose code is `code`, if any. Compared in constant time.
    pub fn matching_step(&self, code: &str, unix_seconds: i64) -> Option<i64> {
        let now = step_of(unix_seconds);
        let mut found = None;
        for step in [now - 1, now, now + 1] {
            if crate::services::secrets::constant_time_eq(&self.code_at(step), code) {
                found = Some(step);
            }
        }
        found
    }

    /// The `otpauth://` URI an authenticator app reads from the QR code.
    pub fn uri(&self, issuer: &str, account: &str) -> String {
        let issuer_q = query_encode(issuer);
        format!(
            "otpauth://totp/{}:{}?secret={}&issuer={issuer_q}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
            query_encode(issuer),
            query_encode(account),
            self.base32()
        )
    }
}

/// The step a moment falls in.
pub fn step_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP_SECONDS)
}

/// A code as typed: digits only once spaces are removed, exactly six of them.
pub fn parse_code(input: &str) -> Option<String> {
    let code: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    (code.len() == DIGITS && code.bytes().all(|b| b.is_ascii_digit())).then_some(code)
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((buffer >> bits) & 0x1f) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(BASE32[((buffer << (5 - bits)) & 0x1f) as usize]));
    }
    out
}

/// Percent-encodes all but unreserved characters, for the label and issuer of the URI.
fn query_encode(input: &str) -> String {
    input
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'@' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238, appendix B (SHA-1 rows; the RFC's codes have eight digits, these are their
    /// last six).
    #[test]
    fn codes_match_the_rfc_6238_test_vectors() {
        let secret = TotpSecret::from_bytes(b"12345678901234567890".to_vec());
        for (time, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
            (20_000_000_000, "353130"),
        ] {
            assert_eq!(secret.code_at(step_of(time)), code, "at {time}");
        }
    }

    /// RFC 4226, appendix D.
    #[test]
    fn hotp_matches_the_rfc_4226_test_vectors() {
        let secret = TotpSecret::from_bytes(b"12345678901234567890".to_vec());
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ];
        for (counter, code) in expected.iter().enumerate() {
            assert_eq!(secret.code_at(counter as i64), *code);
        }
    }

    #[test]
    fn one_step_either_side_is_accepted_and_no_further() {
        let secret = TotpSecret::generate();
        let now = 1_700_000_000;
        let step = step_of(now);
        assert_eq!(secret.matching_step(&secret.code_at(step), now), Some(step));
        assert_eq!(
            secret.matching_step(&secret.code_at(step - 1), now),
            Some(step - 1)
        );
        assert_eq!(
            secret.matching_step(&secret.code_at(step + 1), now),
            Some(step + 1)
        );
        for far in [step - 2, step + 2] {
            let code = secret.code_at(far);
            // A code may repeat by chance; only one that differs says anything.
            if ![step - 1, step, step + 1]
                .iter()
                .any(|s| secret.code_at(*s) == code)
            {
                assert_eq!(secret.matching_step(&code, now), None);
            }
        }
    }

    #[test]
    fn base32_is_rfc_4648() {
        assert_eq!(base32_encode(b""), "");
        assert_eq!(base32_encode(b"f"), "MY");
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(TotpSecret::generate().base32().len(), 32);
        let secret = TotpSecret::generate();
        assert_eq!(TotpSecret::from_base32(&secret.base32()), Some(secret));
        assert_eq!(
            TotpSecret::from_base32("mzxw 6ytb oi").map(|s| s.as_bytes().to_vec()),
            Some(b"foobar".to_vec())
        );
        assert_eq!(TotpSecret::from_base32("not base32!"), None);
    }

    #[test]
    fn codes_are_six_digits_with_spaces_allowed() {
        assert_eq!(parse_code(" 123 456 ").as_deref(), Some("123456"));
        assert_eq!(parse_code("12345"), None);
        assert_eq!(parse_code("12345a"), None);
        assert_eq!(parse_code("１２３４５６"), None);
    }

    #[test]
    fn the_uri_names_issuer_and_account() {
        let secret = TotpSecret::from_bytes(b"foobar".to_vec());
        assert_eq!(
            secret.uri("kiwi Stadt Musterstadt", "anna@stadt.example"),
            "otpauth://totp/kiwi%20Stadt%20Musterstadt:anna@stadt.example?secret=MZXW6YTBOI&issuer=kiwi%20Stadt%20Musterstadt&algorithm=SHA1&digits=6&period=30"
        );
        assert!(!format!("{secret:?}").contains("MZXW"));
    }
}
