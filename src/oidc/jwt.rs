//! JSON Web Signatures (RFC 7515, compact form) checked against the provider's JSON Web Keys
//! (RFC 7517) with ring: RS256/384/512, PS256/384/512, ES256/384 and EdDSA. `none` and the
//! HMAC algorithms are refused: kiwi never shares a key with the provider for tokens.

use base64::Engine;
use base64::alphabet::URL_SAFE;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use ring::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey};
use serde::Deserialize;
use serde_json::{Map, Value};

/// base64url, with or without padding (providers differ).
const B64: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

pub fn b64_decode(text: &str) -> Option<Vec<u8>> {
    B64.decode(text).ok()
}

pub fn b64_encode(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

/// A compact JWS taken apart; nothing in it is trusted until [`verify`] says so.
pub struct Jws {
    pub header: Header,
    pub claims: Map<String, Value>,
    signing_input: String,
    signature: Vec<u8>,
}

#[derive(Debug, Deserialize)]
pub struct Header {
    pub alg: String,
    pub kid: Option<String>,
    pub typ: Option<String>,
    /// Extensions the signer says must be understood: kiwi understands none.
    pub crit: Option<Value>,
}

/// A token too large to be a real one.
const MAX_TOKEN: usize = 64 * 1024;

/// Splits and decodes a compact JWS (`header.payload.signature`) whose payload is a JSON
/// object.
pub fn parse(token: &str) -> Option<Jws> {
    if token.len() > MAX_TOKEN {
        return None;
    }
    let mut parts = token.split('.');
    let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() {
        return None;
    }
    let header: Header = serde_json::from_slice(&b64_decode(header)?).ok()?;
    let claims: Map<String, Value> = serde_json::from_slice(&b64_decode(payload)?).ok()?;
    let (signing_input, _) = token.rsplit_once('.')?;
    Some(Jws {
        header,
        claims,
        signing_input: signing_input.to_owned(),
        signature: b64_decode(signature)?,
    })
}

/// One of the provider's public keys (`jwks_uri`).
#[derive(Debug, Clone, Deserialize)]
pub struct Jwk {
    pub kty: String,
    pub kid: Option<String>,
    pub alg: Option<String>,
    #[serde(rename = "use")]
    pub use_: Option<String>,
    pub n: Option<String>,
    pub e: Option<String>,
    pub crv: Option<String>,
    pub x: Option<String>,
    pub y: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct JwkSet {
    pub keys: Vec<Value>,
}

impl JwkSet {
    /// The keys kiwi can use for signatures; others (encryption keys, unknown kinds) are left
    /// out rather than failing the whole set.
    pub fn signing_keys(self) -> Vec<Jwk> {
        self.keys
            .into_iter()
            .filter_map(|key| serde_json::from_value::<Jwk>(key).ok())
            .filter(|key| key.use_.as_deref().is_none_or(|u| u == "sig"))
            .collect()
    }
}

impl Jwk {
    /// Whether this key may check a signature of `alg` named with `kid`.
    pub fn fits(&self, alg: &str, kid: Option<&str>) -> bool {
        let kid_fits = match (kid, &self.kid) {
            (Some(wanted), Some(own)) => wanted == own,
            (Some(_), None) => false,
            (None, _) => true,
        };
        let alg_fits = self.alg.as_deref().is_none_or(|own| own == alg);
        let kind_fits = match alg {
            "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512" => self.kty == "RSA",
            "ES256" => self.kty == "EC" && self.crv.as_deref() == Some("P-256"),
            "ES384" => self.kty == "EC" && self.crv.as_deref() == Some("P-384"),
            "EdDSA" => self.kty == "OKP" && self.crv.as_deref() == Some("Ed25519"),
            _ => false,
        };
        kid_fits && alg_fits && kind_fits
    }
}

/// Whether the signature of `jws` is one `key` made with the algorithm the header names.
pub fn verify(jws: &Jws, key: &Jwk) -> bool {
    let alg = jws.header.alg.as_str();
    if !key.fits(alg, jws.header.kid.as_deref()) {
        return false;
    }
    let message = jws.signing_input.as_bytes();
    let signature = jws.signature.as_slice();
    let decoded = |part: &Option<String>| part.as_deref().and_then(b64_decode);
    match alg {
        "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512" => {
            let (Some(n), Some(e)) = (decoded(&key.n), decoded(&key.e)) else {
                return false;
            };
            let params: &signature::RsaParameters = match alg {
                "RS256" => &signature::RSA_PKCS1_2048_8192_SHA256,
                "RS384" => &signature::RSA_PKCS1_2048_8192_SHA384,
                "RS512" => &signature::RSA_PKCS1_2048_8192_SHA512,
                "PS256" => &signature::RSA_PSS_2048_8192_SHA256,
                "PS384" => &signature::RSA_PSS_2048_8192_SHA384,
                _ => &signature::RSA_PSS_2048_8192_SHA512,
            };
            RsaPublicKeyComponents { n, e }
                .verify(params, message, signature)
                .is_ok()
        }
        "ES256" | "ES384" => {
            let (Some(x), Some(y)) = (decoded(&key.x), decoded(&key.y)) else {
                return false;
            };
            let mut point = vec![0x04];
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            let algorithm: &dyn signature::VerificationAlgorithm = if alg == "ES256" {
                &signature::ECDSA_P256_SHA256_FIXED
            } else {
                &signature::ECDSA_P384_SHA384_FIXED
            };
            UnparsedPublicKey::new(algorithm, point)
                .verify(message, signature)
                .is_ok()
        }
        "EdDSA" => {
            let Some(x) = decoded(&key.x) else {
                return false;
            };
            UnparsedPublicKey::new(&signature::ED25519, x)
                .verify(message, signature)
                .is_ok()
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;
    use ring::signature::{EcdsaKeyPair, Ed25519KeyPair, KeyPair};

    fn token(header: &str, claims: &str, sign: impl Fn(&[u8]) -> Vec<u8>) -> String {
        let input = format!(
            "{}.{}",
            b64_encode(header.as_bytes()),
            b64_encode(claims.as_bytes())
        );
        let signature = sign(input.as_bytes());
        format!("{input}.{}", b64_encode(&signature))
    }

    #[test]
    fn an_es256_signature_is_checked_against_the_key_and_kid() {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&signature::ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
            .unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            pkcs8.as_ref(),
            &rng,
        )
        .unwrap();
        let public = pair.public_key().as_ref();
        let key = Jwk {
            kty: "EC".into(),
            kid: Some("k1".into()),
            alg: None,
            use_: Some("sig".into()),
            n: None,
            e: None,
            crv: Some("P-256".into()),
            x: Some(b64_encode(&public[1..33])),
            y: Some(b64_encode(&public[33..65])),
        };
        let sign = |m: &[u8]| pair.sign(&rng, m).unwrap().as_ref().to_vec();
        let good = token(r#"{"alg":"ES256","kid":"k1"}"#, r#"{"sub":"a"}"#, sign);
        let jws = parse(&good).unwrap();
        assert!(verify(&jws, &key));
        assert_eq!(jws.claims["sub"], "a");

        // Another payload under the same signature fails.
        let (head, rest) = good.split_once('.').unwrap();
        let (_, signature) = rest.split_once('.').unwrap();
        let forged = format!("{head}.{}.{signature}", b64_encode(br#"{"sub":"b"}"#));
        assert!(!verify(&parse(&forged).unwrap(), &key));
        // Another kid does not fit.
        let other_kid = token(r#"{"alg":"ES256","kid":"k2"}"#, r#"{"sub":"a"}"#, sign);
        assert!(!verify(&parse(&other_kid).unwrap(), &key));
    }

    #[test]
    fn none_and_hmac_are_refused() {
        let rng = SystemRandom::new();
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        let key = Jwk {
            kty: "OKP".into(),
            kid: None,
            alg: None,
            use_: None,
            n: None,
            e: None,
            crv: Some("Ed25519".into()),
            x: Some(b64_encode(pair.public_key().as_ref())),
            y: None,
        };
        let signed = token(r#"{"alg":"EdDSA"}"#, r#"{"sub":"a"}"#, |m| {
            pair.sign(m).as_ref().to_vec()
        });
        assert!(verify(&parse(&signed).unwrap(), &key));
        let unsigned = token(r#"{"alg":"none"}"#, r#"{"sub":"a"}"#, |_| Vec::new());
        assert!(!verify(&parse(&unsigned).unwrap(), &key));
        let hmac = token(r#"{"alg":"HS256"}"#, r#"{"sub":"a"}"#, |_| vec![1; 32]);
        assert!(!verify(&parse(&hmac).unwrap(), &key));
    }

    #[test]
    fn malformed_tokens_do_not_parse() {
        assert!(parse("a.b").is_none());
        assert!(parse("a.b.c.d").is_none());
        assert!(parse("!!.!!.!!").is_none());
        let not_object = format!(
            "{}.{}.",
            b64_encode(br#"{"alg":"RS256"}"#),
            b64_encode(b"[1]")
        );
        assert!(parse(&not_object).is_none());
        assert!(parse(&"a".repeat(MAX_TOKEN + 1)).is_none());
    }
}
