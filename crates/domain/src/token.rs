//! Invite link tokens.
//!
//! A token is `base64url(version || resource id || invite id || mac)` where
//! `mac = HMAC-SHA256(key, "invites/link/v1" || rid || iid || nonce)`.
//! The 128-bit nonce comes from the OS CSPRNG and is stored on the invite;
//! the key lives only in configuration (Secrets Manager in AWS). So:
//! - the same working link can be shown again (copy link, resend) without
//!   ever storing the token;
//! - a dump of the table alone cannot produce a valid token;
//! - rotating the nonce kills every earlier link at once;
//! - verification is a constant-time MAC comparison (`hmac::Mac::verify_slice`).

use crate::{Error, InviteId, ResourceId};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const VERSION: u8 = 1;
const DOMAIN: &[u8] = b"invites/link/v1";
const MAC_LEN: usize = 32;
const TOKEN_LEN: usize = 1 + 16 + 16 + MAC_LEN;
/// Base64url length of a token; longer input is rejected before decoding.
pub const TOKEN_CHARS: usize = (TOKEN_LEN * 4).div_ceil(3);
pub const MIN_KEY_BYTES: usize = 32;

/// The link-signing key. Debug output never shows it.
#[derive(Clone)]
pub struct TokenKey(Vec<u8>);

impl std::fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenKey(..)")
    }
}

impl TokenKey {
    /// From configuration: base64 (standard or url-safe) of at least 32 bytes.
    pub fn from_base64(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(s)
            .or_else(|_| URL_SAFE_NO_PAD.decode(s.trim_end_matches('=')))
            .map_err(|_| "token key is not valid base64".to_string())?;
        if bytes.len() < MIN_KEY_BYTES {
            return Err(format!("token key must be at least {MIN_KEY_BYTES} bytes"));
        }
        Ok(Self(bytes))
    }

    fn mac(&self, rid: ResourceId, iid: InviteId, nonce: &Nonce) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(DOMAIN);
        mac.update(&rid.to_bytes());
        mac.update(&iid.to_bytes());
        mac.update(&nonce.0);
        mac
    }

    /// The link token for an invite with this nonce.
    pub fn mint(&self, rid: ResourceId, iid: InviteId, nonce: &Nonce) -> String {
        let tag = self.mac(rid, iid, nonce).finalize().into_bytes();
        let mut raw = Vec::with_capacity(TOKEN_LEN);
        raw.push(VERSION);
        raw.extend_from_slice(&rid.to_bytes());
        raw.extend_from_slice(&iid.to_bytes());
        raw.extend_from_slice(&tag);
        URL_SAFE_NO_PAD.encode(raw)
    }

    /// Checks a parsed token against the invite's stored nonce in constant time.
    pub fn verify(&self, token: &ParsedToken, nonce: &Nonce) -> bool {
        self.mac(token.rid, token.iid, nonce).verify_slice(&token.mac).is_ok()
    }
}

/// A token split into its parts; not yet verified.
#[derive(Debug, Clone)]
pub struct ParsedToken {
    pub rid: ResourceId,
    pub iid: InviteId,
    mac: [u8; MAC_LEN],
}

impl ParsedToken {
    /// Any token that is not well formed is simply unknown: 404.
    pub fn parse(token: &str) -> Result<Self, Error> {
        let token = token.trim();
        if token.len() != TOKEN_CHARS {
            return Err(Error::NotFound);
        }
        let raw = URL_SAFE_NO_PAD.decode(token).map_err(|_| Error::NotFound)?;
        if raw.len() != TOKEN_LEN || raw[0] != VERSION {
            return Err(Error::NotFound);
        }
        let rid = ResourceId::from_bytes(raw[1..17].try_into().expect("16 bytes"));
        let iid = InviteId::from_bytes(raw[17..33].try_into().expect("16 bytes"));
        let mac = raw[33..].try_into().expect("32 bytes");
        Ok(Self { rid, iid, mac })
    }
}

/// 128 random bits stored on the invite; part of the MAC input.
#[derive(Clone, PartialEq, Eq)]
pub struct Nonce(pub [u8; 16]);

impl std::fmt::Debug for Nonce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Nonce(..)")
    }
}

impl Nonce {
    pub fn random() -> Self {
        let mut b = [0u8; 16];
        getrandom::fill(&mut b).expect("the OS random number generator is available");
        Self(b)
    }
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }
    pub fn decode(s: &str) -> Option<Self> {
        URL_SAFE_NO_PAD.decode(s).ok()?.try_into().ok().map(Self)
    }
}

/// Random bytes from the OS CSPRNG, for keys and jitter.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).expect("the OS random number generator is available");
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(byte: u8) -> TokenKey {
        TokenKey(vec![byte; 32])
    }

    #[test]
    fn round_trip_and_single_nonce() {
        let (rid, iid, nonce) = (ResourceId::new(), InviteId::new(), Nonce::random());
        let token = key(1).mint(rid, iid, &nonce);
        assert_eq!(token.len(), TOKEN_CHARS);
        let parsed = ParsedToken::parse(&token).unwrap();
        assert_eq!((parsed.rid, parsed.iid), (rid, iid));
        assert!(key(1).verify(&parsed, &nonce));
        // Same inputs give the same link (copy link / resend keep it working).
        assert_eq!(token, key(1).mint(rid, iid, &nonce));
        // A rotated nonce kills it; another deployment's key cannot forge it.
        assert!(!key(1).verify(&parsed, &Nonce::random()));
        assert!(!key(2).verify(&parsed, &nonce));
    }

    #[test]
    fn tampering_is_detected() {
        let (rid, iid, nonce) = (ResourceId::new(), InviteId::new(), Nonce::random());
        let token = key(1).mint(rid, iid, &nonce);
        // Point the token at another invite id: the MAC no longer matches.
        let mut raw = URL_SAFE_NO_PAD.decode(&token).unwrap();
        raw[20] ^= 0x01;
        let forged = URL_SAFE_NO_PAD.encode(raw);
        let parsed = ParsedToken::parse(&forged).unwrap();
        assert!(!key(1).verify(&parsed, &nonce));
    }

    #[test]
    fn malformed_tokens_are_not_found() {
        let good = key(1).mint(ResourceId::new(), InviteId::new(), &Nonce::random());
        for bad in [
            String::new(),
            "abc".into(),
            good[..good.len() - 1].to_string(),
            format!("{good}A"),
            "!".repeat(TOKEN_CHARS),
            "A".repeat(10_000),
        ] {
            assert_eq!(ParsedToken::parse(&bad).unwrap_err(), Error::NotFound);
        }
    }

    #[test]
    fn key_must_be_long_enough() {
        assert!(TokenKey::from_base64("c2hvcnQ=").is_err());
        let long = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        assert!(TokenKey::from_base64(&long).is_ok());
    }

    #[test]
    fn nonces_are_random_and_round_trip() {
        let a = Nonce::random();
        assert_ne!(a, Nonce::random());
        assert_eq!(Nonce::decode(&a.encode()).unwrap(), a);
    }
}
