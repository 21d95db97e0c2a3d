//! Webhooks as the Standard Webhooks specification has them (<https://www.standardwebhooks.com>):
//! a JSON body posted with `webhook-id`, `webhook-timestamp` and `webhook-signature`, the
//! signature `v1,<base64 of HMAC-SHA256 over "id.timestamp.body">` with a secret written
//! `whsec_<base64>`. Signing, the receiver's check (for tests and as the reference for
//! receivers), and the one HTTP sender.

use std::fmt;
use std::path::Path;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::hmac;

use crate::config::Settings;
use crate::domain::Credential;

/// The prefix of a signing secret.
pub const SECRET_PREFIX: &str = "whsec_";
/// How far a receiver lets a timestamp be from its own clock (the specification's default).
pub const TOLERANCE: Duration = Duration::from_secs(5 * 60);
/// How long one delivery may take before it counts as failed.
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest answer text kept as a delivery's error.
const MAX_ANSWER_CHARS: usize = 300;

/// The key a webhook is signed with: the bytes behind `whsec_<base64>`. Never printed.
#[derive(Clone)]
pub struct SigningKey(hmac::Key);

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey([redacted])")
    }
}

impl SigningKey {
    /// Reads `whsec_<base64>`: 24 to 64 random bytes, as the specification advises.
    pub fn parse(secret: &str) -> Result<SigningKey, String> {
        let encoded = secret
            .trim()
            .strip_prefix(SECRET_PREFIX)
            .ok_or("a webhook secret starts with whsec_ (make one with `kiwi webhooks secret`)")?;
        let bytes = STANDARD
            .decode(encoded)
            .map_err(|_| "a webhook secret is whsec_ followed by base64")?;
        if !(24..=64).contains(&bytes.len()) {
            return Err("a webhook secret holds 24 to 64 bytes".into());
        }
        Ok(SigningKey(hmac::Key::new(hmac::HMAC_SHA256, &bytes)))
    }

    /// A new random secret, written `whsec_<base64>` (32 bytes).
    pub fn generate() -> String {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes)
            .expect("the operating system's random generator is unavailable");
        format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes))
    }

    fn tag(&self, id: &str, timestamp: i64, body: &[u8]) -> hmac::Tag {
        let mut context = hmac::Context::with_key(&self.0);
        context.update(id.as_bytes());
        context.update(b".");
        context.update(timestamp.to_string().as_bytes());
        context.update(b".");
        context.update(body);
        context.sign()
    }

    /// The `webhook-signature` header of a message: `v1,<base64>`.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        format!("v1,{}", STANDARD.encode(self.tag(id, timestamp, body)))
    }
}

/// Why a receiver refuses a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("a webhook header is missing or unreadable")]
    Header,
    #[error("the timestamp is too far from now")]
    Timestamp,
    #[error("no signature matches")]
    Signature,
}

/// What a receiver does with a message: the timestamp must be within `tolerance` of `now`
/// (Unix seconds), and one of the space-separated `v1,` signatures must match the body
/// exactly as received (compared in constant time).
pub fn verify(
    key: &SigningKey,
    id: &str,
    timestamp: &str,
    signatures: &str,
    body: &[u8],
    now: i64,
    tolerance: Duration,
) -> Result<(), VerifyError> {
    if id.is_empty() {
        return Err(VerifyError::Header);
    }
    let timestamp: i64 = timestamp.trim().parse().map_err(|_| VerifyError::Header)?;
    let tolerance = i64::try_from(tolerance.as_secs()).unwrap_or(i64::MAX);
    if (now - timestamp).abs() > tolerance {
        return Err(VerifyError::Timestamp);
    }
    let mut message = Vec::with_capacity(id.len() + body.len() + 24);
    message.extend_from_slice(id.as_bytes());
    message.push(b'.');
    message.extend_from_slice(timestamp.to_string().as_bytes());
    message.push(b'.');
    message.extend_from_slice(body);
    let matches = signatures
        .split(' ')
        .filter_map(|s| s.strip_prefix("v1,"))
        .filter_map(|s| STANDARD.decode(s).ok())
        .any(|tag| hmac::verify(&key.0, &message, &tag).is_ok());
    if matches {
        Ok(())
    } else {
        Err(VerifyError::Signature)
    }
}

/// Where a webhook goes: the global one (`KIWI_WEBHOOK_URL`) or a tool's own.
#[derive(Debug)]
pub struct Webhook {
    /// `global`, or `tool:<id>`: what the outbox names it by.
    pub name: String,
    pub url: String,
    pub key: SigningKey,
}

/// The name of the webhook set in the settings.
pub const GLOBAL: &str = "global";

impl Webhook {
    /// The global webhook of the settings, if one is set.
    pub fn global(settings: &Settings) -> Result<Option<Webhook>, String> {
        let Some(url) = settings.webhook_url.as_deref() else {
            if settings.webhook_secret.is_some() || settings.webhook_secret_file.is_some() {
                return Err("KIWI_WEBHOOK_SECRET is set without KIWI_WEBHOOK_URL".into());
            }
            return Ok(None);
        };
        let secret = match (&settings.webhook_secret, &settings.webhook_secret_file) {
            (Some(secret), None) => secret.clone(),
            (None, Some(file)) => Credential::from_file(file)?,
            (Some(_), Some(_)) => {
                return Err("set KIWI_WEBHOOK_SECRET or KIWI_WEBHOOK_SECRET_FILE, not both".into());
            }
            (None, None) => {
                return Err("KIWI_WEBHOOK_URL needs KIWI_WEBHOOK_SECRET(_FILE)".into());
            }
        };
        Webhook::new(GLOBAL, url, secret.expose())
            .map(Some)
            .map_err(|e| format!("KIWI_WEBHOOK_URL: {e}"))
    }

    /// A tool's webhook from the tools file (named `tool:<id>`).
    pub fn of_tool(tool: &str, url: &str, secret_file: &Path) -> Result<Webhook, String> {
        let secret = Credential::from_file(secret_file)?;
        Webhook::new(&format!("tool:{tool}"), url, secret.expose())
    }

    fn new(name: &str, url: &str, secret: &str) -> Result<Webhook, String> {
        let url = url.trim();
        let parsed = reqwest::Url::parse(url).map_err(|_| format!("{url} is not a URL"))?;
        if !matches!(parsed.scheme(), "https" | "http") || parsed.host().is_none() {
            return Err(format!("{url} is not an http(s) URL"));
        }
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(
                "a webhook URL carries no credentials (the signature authenticates)".into(),
            );
        }
        Ok(Webhook {
            name: name.to_owned(),
            url: url.to_owned(),
            key: SigningKey::parse(secret)?,
        })
    }
}

/// Posts signed messages; one client (and its connections) for the whole process.
pub struct Sender {
    client: reqwest::Client,
}

/// What one delivery came to.
#[derive(Debug)]
pub enum Delivery {
    /// The receiver answered 2xx.
    Accepted(u16),
    /// Any other answer, or none: tried again later.
    Failed(String),
}

impl Sender {
    pub fn new() -> Result<Sender, String> {
        let client = reqwest::Client::builder()
            .timeout(SEND_TIMEOUT)
            .connect_timeout(SEND_TIMEOUT)
            // A receiver that moved says so in the settings, not with a redirect.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("kiwi/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(Sender { client })
    }

    /// Posts `body` to `webhook`, signed for this instant.
    pub async fn send(&self, webhook: &Webhook, id: &str, body: &str, timestamp: i64) -> Delivery {
        let signature = webhook.key.sign(id, timestamp, body.as_bytes());
        let answer = self
            .client
            .post(&webhook.url)
            .header("content-type", "application/json")
            .header("webhook-id", id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(body.to_owned())
            .send()
            .await;
        match answer {
            Ok(response) if response.status().is_success() => {
                Delivery::Accepted(response.status().as_u16())
            }
            Ok(response) => {
                let status = response.status();
                let text: String = response
                    .text()
                    .await
                    .unwrap_or_default()
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(MAX_ANSWER_CHARS)
                    .collect();
                Delivery::Failed(format!("the receiver answered {status}: {text}"))
            }
            // reqwest's error names the URL, which carries no secret (checked above).
            Err(error) => Delivery::Failed(format!("no answer: {error}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_the_specifications_test_vector() {
        // The vector the Standard Webhooks reference libraries test against: a receiver's
        // library accepts what kiwi signs.
        let key = SigningKey::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let body = br#"{"test": 2432232314}"#;
        let signature = key.sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body);
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
        let check = |id: &str, ts: &str, sig: &str, body: &[u8], now: i64| {
            verify(&key, id, ts, sig, body, now, TOLERANCE)
        };
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        assert_eq!(
            check(id, "1614265330", &signature, body, 1614265330),
            Ok(())
        );
        // Several signatures (a rotated secret): one that matches is enough.
        let both = format!("v1,bm9wZQ== {signature}");
        assert_eq!(check(id, "1614265330", &both, body, 1614265400), Ok(()));
        // A tampered body, another id, a moved timestamp, an old message.
        let tampered = br#"{"test": 2432232315}"#;
        assert_eq!(
            check(id, "1614265330", &signature, tampered, 1614265330),
            Err(VerifyError::Signature)
        );
        assert_eq!(
            check("msg_other", "1614265330", &signature, body, 1614265330),
            Err(VerifyError::Signature)
        );
        assert_eq!(
            check(id, "1614265331", &signature, body, 1614265330),
            Err(VerifyError::Signature)
        );
        assert_eq!(
            check(id, "1614265330", &signature, body, 1614265330 + 301),
            Err(VerifyError::Timestamp)
        );
        assert_eq!(
            check(id, "soon", &signature, body, 1614265330),
            Err(VerifyError::Header)
        );
        assert_eq!(
            check(id, "1614265330", "v2,abc", body, 1614265330),
            Err(VerifyError::Signature)
        );
    }

    #[test]
    fn secrets_are_whsec_and_base64_and_never_printed() {
        let secret = SigningKey::generate();
        assert!(secret.starts_with("whsec_"));
        let key = SigningKey::parse(&secret).unwrap();
        assert_eq!(format!("{key:?}"), "SigningKey([redacted])");
        assert!(SigningKey::parse("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_err());
        assert!(SigningKey::parse("whsec_not base64!").is_err());
        assert!(SigningKey::parse("whsec_c2hvcnQ=").is_err(), "too short");
    }

    #[test]
    fn webhook_urls_are_http_without_credentials() {
        let secret = SigningKey::generate();
        assert!(Webhook::new("global", "https://bridge.stadt.example/kiwi", &secret).is_ok());
        assert!(Webhook::new("global", "http://127.0.0.1:9000/hook", &secret).is_ok());
        for bad in [
            "ftp://bridge.stadt.example",
            "bridge.stadt.example/kiwi",
            "https://user:pass@bridge.stadt.example/",
        ] {
            assert!(Webhook::new("global", bad, &secret).is_err(), "{bad}");
        }
    }
}
