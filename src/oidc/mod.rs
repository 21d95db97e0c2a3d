//! kiwi as an OpenID Connect relying party: the provider's discovery document and keys (an
//! unknown key id fetches the keys again, so a rotation needs no restart), the authorization
//! code flow with PKCE, and the validation of ID tokens and back-channel logout tokens:
//! signature, issuer, audience, expiry with a small clock skew, nonce. Nothing here logs a
//! token, a code or the client secret.

pub mod jwt;
mod rules;

pub use rules::{Rules, SingleSignOn};

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::domain::SecretText;

/// How far the provider's clock may be from kiwi's.
pub const CLOCK_SKEW_SECONDS: i64 = 60;
/// Logout tokens issued longer ago than this are refused (they are sent at once).
const LOGOUT_TOKEN_MAX_AGE_SECONDS: i64 = 600;
/// The keys are fetched again for an unknown key id at most this often, so tokens with
/// made-up key ids cannot make kiwi hammer the provider.
const KEYS_REFETCH_INTERVAL: Duration = Duration::from_secs(2);
/// The discovery document is read again after this long.
const METADATA_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// Larger answers from the provider are refused.
const MAX_RESPONSE: usize = 1024 * 1024;
/// The event a back-channel logout token carries (OpenID Connect Back-Channel Logout 1.0).
const BACKCHANNEL_LOGOUT_EVENT: &str = "http://schemas.openid.net/event/backchannel-logout";

/// How kiwi is registered at the provider.
pub struct ClientConfig {
    /// Exactly as the provider names itself in its discovery document.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: Option<SecretText>,
    pub scopes: String,
    /// `<KIWI_BASE_URL>/login/oidc/callback`
    pub redirect_uri: String,
    /// Where the provider sends the browser after signing out there.
    pub post_logout_redirect_uri: String,
}

/// What went wrong with the provider. The texts name the reason, never a token.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// The provider could not be reached or answered something unusable.
    #[error("the OpenID provider is unavailable: {0}")]
    Unavailable(String),
    /// A token failed validation.
    #[error("token refused: {0}")]
    Invalid(&'static str),
}

/// The parts of the discovery document kiwi uses.
#[derive(Debug, Deserialize)]
pub struct Metadata {
    pub issuer: String,
    pub authorization_endpoint: String,
    pub token_endpoint: String,
    pub jwks_uri: String,
    pub userinfo_endpoint: Option<String>,
    pub end_session_endpoint: Option<String>,
    pub token_endpoint_auth_methods_supported: Option<Vec<String>>,
}

/// The provider's answer at the token endpoint. Its `Debug` shows no token.
#[derive(Deserialize)]
pub struct TokenResponse {
    pub id_token: Option<String>,
    pub access_token: Option<String>,
}

impl std::fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenResponse([redacted])")
    }
}

/// Validated claims of a token.
pub type Claims = Map<String, Value>;

/// Who a valid logout token signs out: the provider's session, or the person, or both.
#[derive(Debug, Clone)]
pub struct LogoutClaims {
    pub sub: Option<String>,
    pub sid: Option<String>,
}

struct KeyCache {
    keys: Vec<jwt::Jwk>,
    fetched_at: Option<Instant>,
}

/// The configured provider, with its discovery document and keys cached in memory.
pub struct Provider {
    pub config: ClientConfig,
    http: reqwest::Client,
    metadata: RwLock<Option<(Arc<Metadata>, Instant)>>,
    keys: tokio::sync::Mutex<KeyCache>,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider")
            .field("issuer", &self.config.issuer)
            .field("client_id", &self.config.client_id)
            .finish_non_exhaustive()
    }
}

impl Provider {
    /// A provider for this configuration; nothing is fetched yet (kiwi starts while the
    /// provider is down). Refuses an issuer that is not `https://` (but for this machine).
    pub fn new(config: ClientConfig) -> Result<Provider, String> {
        let issuer = url::Url::parse(&config.issuer)
            .map_err(|e| format!("KIWI_OIDC_ISSUER {}: {e}", config.issuer))?;
        let loopback = matches!(
            issuer.host(),
            Some(url::Host::Ipv4(ip)) if ip.is_loopback()
        ) || matches!(issuer.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback())
            || issuer.host_str() == Some("localhost");
        if issuer.scheme() != "https" && !(issuer.scheme() == "http" && loopback) {
            return Err(format!(
                "KIWI_OIDC_ISSUER {} must be an https:// address",
                config.issuer
            ));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("kiwi/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("HTTP client: {e}"))?;
        Ok(Provider {
            config,
            http,
            metadata: RwLock::new(None),
            keys: tokio::sync::Mutex::new(KeyCache {
                keys: Vec::new(),
                fetched_at: None,
            }),
        })
    }

    /// The discovery document, read at first use and again after a day; its issuer must be
    /// exactly the configured one.
    pub async fn metadata(&self) -> Result<Arc<Metadata>, OidcError> {
        if let Some((metadata, at)) = self
            .metadata
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            && at.elapsed() < METADATA_LIFETIME
        {
            return Ok(metadata.clone());
        }
        let url = format!(
            "{}/.well-known/openid-configuration",
            self.config.issuer.trim_end_matches('/')
        );
        let metadata: Metadata = self.get_json(&url, None).await?;
        if metadata.issuer != self.config.issuer {
            return Err(OidcError::Unavailable(format!(
                "the discovery document names the issuer {}, not {}",
                metadata.issuer, self.config.issuer
            )));
        }
        let metadata = Arc::new(metadata);
        *self.metadata.write().unwrap_or_else(|e| e.into_inner()) =
            Some((metadata.clone(), Instant::now()));
        Ok(metadata)
    }

    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
        bearer: Option<&str>,
    ) -> Result<T, OidcError> {
        let mut request = self.http.get(url).header("accept", "application/json");
        if let Some(token) = bearer {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .map_err(|e| OidcError::Unavailable(format!("GET {url}: {}", without_url(&e))))?;
        read_json(response, url).await
    }

    /// Where the browser goes to sign in at the provider.
    pub async fn authorization_url(
        &self,
        state: &str,
        nonce: &str,
        code_challenge: &str,
    ) -> Result<String, OidcError> {
        let metadata = self.metadata().await?;
        let mut url = url::Url::parse(&metadata.authorization_endpoint)
            .map_err(|e| OidcError::Unavailable(format!("authorization endpoint: {e}")))?;
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.config.client_id)
            .append_pair("redirect_uri", &self.config.redirect_uri)
            .append_pair("scope", &self.scopes())
            .append_pair("state", state)
            .append_pair("nonce", nonce)
            .append_pair("code_challenge", code_challenge)
            .append_pair("code_challenge_method", "S256");
        Ok(url.into())
    }

    fn scopes(&self) -> String {
        let mut scopes: Vec<&str> = self.config.scopes.split_whitespace().collect();
        if !scopes.contains(&"openid") {
            scopes.insert(0, "openid");
        }
        scopes.join(" ")
    }

    /// Exchanges the authorization code (with the PKCE verifier) at the token endpoint.
    pub async fn exchange(&self, code: &str, verifier: &str) -> Result<TokenResponse, OidcError> {
        let metadata = self.metadata().await?;
        let mut form: Vec<(&str, &str)> = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &self.config.redirect_uri),
            ("code_verifier", verifier),
        ];
        let mut request = self.http.post(&metadata.token_endpoint);
        let secret = self.config.client_secret.as_ref().map(SecretText::expose);
        let post_only = metadata
            .token_endpoint_auth_methods_supported
            .as_ref()
            .is_some_and(|methods| {
                methods.iter().any(|m| m == "client_secret_post")
                    && !methods.iter().any(|m| m == "client_secret_basic")
            });
        match secret {
            Some(secret) if post_only => {
                form.push(("client_id", &self.config.client_id));
                form.push(("client_secret", secret));
            }
            // RFC 6749 2.3.1: both parts form-encoded before they are joined.
            Some(secret) => {
                request = request.basic_auth(
                    form_encode(&self.config.client_id),
                    Some(form_encode(secret)),
                );
            }
            None => form.push(("client_id", &self.config.client_id)),
        }
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let response = request
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| OidcError::Unavailable(format!("token endpoint: {}", without_url(&e))))?;
        read_json(response, "the token endpoint").await
    }

    /// The claims of the userinfo endpoint, for a claim the ID token does not carry; they
    /// must be about the same subject.
    pub async fn userinfo(&self, access_token: &str, sub: &str) -> Result<Claims, OidcError> {
        let metadata = self.metadata().await?;
        let Some(endpoint) = &metadata.userinfo_endpoint else {
            return Ok(Claims::new());
        };
        let claims: Claims = self.get_json(endpoint, Some(access_token)).await?;
        if claims.get("sub").and_then(Value::as_str) != Some(sub) {
            return Err(OidcError::Invalid("the userinfo names another subject"));
        }
        Ok(claims)
    }

    /// Checks an ID token: signature, issuer, audience, expiry and the nonce kiwi sent.
    pub async fn validate_id_token(
        &self,
        token: &str,
        nonce: &str,
        now: i64,
    ) -> Result<Claims, OidcError> {
        let claims = self.verified_claims(token, now).await?;
        let exp = claims.get("exp").and_then(Value::as_i64);
        match exp {
            Some(exp) if exp + CLOCK_SKEW_SECONDS > now => {}
            Some(_) => return Err(OidcError::Invalid("the ID token has expired")),
            None => return Err(OidcError::Invalid("the ID token has no expiry")),
        }
        let token_nonce = claims
            .get("nonce")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !crate::services::secrets::constant_time_eq(token_nonce, nonce) {
            return Err(OidcError::Invalid("the nonce does not match"));
        }
        if claims
            .get("sub")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            return Err(OidcError::Invalid("the ID token names no subject"));
        }
        Ok(claims)
    }

    /// Checks a back-channel logout token: signature, issuer, audience, age, the logout
    /// event, no nonce, and a subject or session.
    pub async fn validate_logout_token(
        &self,
        token: &str,
        now: i64,
    ) -> Result<LogoutClaims, OidcError> {
        let claims = self.verified_claims(token, now).await?;
        if claims
            .get("iat")
            .and_then(Value::as_i64)
            .is_none_or(|iat| iat + LOGOUT_TOKEN_MAX_AGE_SECONDS < now)
        {
            return Err(OidcError::Invalid("the logout token is too old"));
        }
        if claims
            .get("exp")
            .and_then(Value::as_i64)
            .is_some_and(|exp| exp + CLOCK_SKEW_SECONDS <= now)
        {
            return Err(OidcError::Invalid("the logout token has expired"));
        }
        let has_event = claims
            .get("events")
            .and_then(Value::as_object)
            .is_some_and(|events| {
                events
                    .get(BACKCHANNEL_LOGOUT_EVENT)
                    .is_some_and(Value::is_object)
            });
        if !has_event {
            return Err(OidcError::Invalid(
                "the logout token lacks the logout event",
            ));
        }
        if claims.contains_key("nonce") {
            return Err(OidcError::Invalid("a logout token must not carry a nonce"));
        }
        let text = |name: &str| {
            claims
                .get(name)
                .and_then(Value::as_str)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        let logout = LogoutClaims {
            sub: text("sub"),
            sid: text("sid"),
        };
        if logout.sub.is_none() && logout.sid.is_none() {
            return Err(OidcError::Invalid(
                "the logout token names neither subject nor session",
            ));
        }
        Ok(logout)
    }

    /// The claims of a token signed by the provider for kiwi: signature, issuer, audience
    /// (and `azp` among several), not issued in the future.
    async fn verified_claims(&self, token: &str, now: i64) -> Result<Claims, OidcError> {
        let jws = jwt::parse(token).ok_or(OidcError::Invalid("not a signed token"))?;
        if jws.header.crit.is_some() {
            return Err(OidcError::Invalid("the token names critical extensions"));
        }
        if !self.signature_holds(&jws).await? {
            return Err(OidcError::Invalid("the signature does not hold"));
        }
        let claims = jws.claims;
        if claims.get("iss").and_then(Value::as_str) != Some(self.config.issuer.as_str()) {
            return Err(OidcError::Invalid("another issuer"));
        }
        let client = self.config.client_id.as_str();
        let audiences: Vec<&str> = match claims.get("aud") {
            Some(Value::String(one)) => vec![one.as_str()],
            Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !audiences.contains(&client) {
            return Err(OidcError::Invalid("another audience"));
        }
        if audiences.len() > 1 && claims.get("azp").and_then(Value::as_str) != Some(client) {
            return Err(OidcError::Invalid(
                "several audiences, and kiwi is not the authorized party",
            ));
        }
        if claims
            .get("iat")
            .and_then(Value::as_i64)
            .is_none_or(|iat| iat > now + CLOCK_SKEW_SECONDS)
        {
            return Err(OidcError::Invalid(
                "issued in the future, or without a time",
            ));
        }
        if claims
            .get("nbf")
            .and_then(Value::as_i64)
            .is_some_and(|nbf| nbf > now + CLOCK_SKEW_SECONDS)
        {
            return Err(OidcError::Invalid("not valid yet"));
        }
        Ok(claims)
    }

    /// Whether one of the provider's keys made this signature. A key id kiwi does not know
    /// fetches the keys again (the provider rotated them), at most every few seconds.
    async fn signature_holds(&self, jws: &jwt::Jws) -> Result<bool, OidcError> {
        let alg = jws.header.alg.as_str();
        let kid = jws.header.kid.as_deref();
        let mut cache = self.keys.lock().await;
        let known = cache.keys.iter().any(|key| key.fits(alg, kid));
        let may_refetch = cache
            .fetched_at
            .is_none_or(|at| at.elapsed() >= KEYS_REFETCH_INTERVAL);
        if !known && may_refetch {
            let metadata = self.metadata().await?;
            let set: jwt::JwkSet = self.get_json(&metadata.jwks_uri, None).await?;
            cache.keys = set.signing_keys();
            cache.fetched_at = Some(Instant::now());
            tracing::info!(keys = cache.keys.len(), "read the OpenID provider's keys");
        }
        Ok(cache
            .keys
            .iter()
            .filter(|key| key.fits(alg, kid))
            .any(|key| jwt::verify(jws, key)))
    }

    /// The provider's sign-out page with kiwi's client id and where to come back, if the
    /// provider has one (RP-initiated logout).
    pub async fn end_session_url(&self) -> Option<String> {
        let metadata = match self.metadata().await {
            Ok(metadata) => metadata,
            Err(error) => {
                tracing::warn!(%error, "no sign-out at the OpenID provider");
                return None;
            }
        };
        let mut url = url::Url::parse(metadata.end_session_endpoint.as_deref()?).ok()?;
        url.query_pairs_mut()
            .append_pair("client_id", &self.config.client_id)
            .append_pair(
                "post_logout_redirect_uri",
                &self.config.post_logout_redirect_uri,
            );
        Some(url.into())
    }
}

/// Reads a JSON answer of at most [`MAX_RESPONSE`] bytes; an error status names only the
/// status and the provider's `error` code.
async fn read_json<T: serde::de::DeserializeOwned>(
    response: reqwest::Response,
    what: &str,
) -> Result<T, OidcError> {
    let status = response.status();
    if response
        .content_length()
        .is_some_and(|n| n > MAX_RESPONSE as u64)
    {
        return Err(OidcError::Unavailable(format!(
            "{what}: the answer is too large"
        )));
    }
    let bytes = response
        .bytes()
        .await
        .map_err(|e| OidcError::Unavailable(format!("{what}: {}", without_url(&e))))?;
    if bytes.len() > MAX_RESPONSE {
        return Err(OidcError::Unavailable(format!(
            "{what}: the answer is too large"
        )));
    }
    if !status.is_success() {
        let code = serde_json::from_slice::<Value>(&bytes)
            .ok()
            .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_default();
        return Err(OidcError::Unavailable(format!(
            "{what} answered {status} {code}"
        )));
    }
    serde_json::from_slice(&bytes)
        .map_err(|e| OidcError::Unavailable(format!("{what}: unreadable answer: {e}")))
}

/// A request error without its URL (a query could hold a code).
fn without_url(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    if let Some(url) = error.url() {
        text = text.replace(url.as_str(), "…");
    }
    text
}

fn form_encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(issuer: &str) -> ClientConfig {
        ClientConfig {
            issuer: issuer.into(),
            client_id: "kiwi".into(),
            client_secret: None,
            scopes: "email profile".into(),
            redirect_uri: "https://kiwi.stadt.example/login/oidc/callback".into(),
            post_logout_redirect_uri: "https://kiwi.stadt.example/login?signed_out=1".into(),
        }
    }

    #[test]
    fn the_issuer_must_be_https_but_on_this_machine() {
        assert!(Provider::new(config("https://login.stadt.example/realms/stadt")).is_ok());
        assert!(Provider::new(config("http://127.0.0.1:8081")).is_ok());
        assert!(Provider::new(config("http://localhost:8081")).is_ok());
        assert!(Provider::new(config("http://login.stadt.example")).is_err());
        assert!(Provider::new(config("not a url")).is_err());
    }

    #[test]
    fn openid_is_always_among_the_scopes() {
        let provider = Provider::new(config("https://login.stadt.example")).unwrap();
        assert_eq!(provider.scopes(), "openid email profile");
    }
}
