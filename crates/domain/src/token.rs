//! Invite link tokens.
//!
//! A token is `base64url(2 || key id || resource id || invite id || mac)` where
//! `mac = HMAC-SHA256(key, "invites/link/v1" || rid || iid || nonce)` and the
//! key id names the signing key, so keys rotate without killing live links:
//! a [`Keyring`] mints with the current key and verifies with the current or
//! the previous one; a link of a retired key answers like any unknown link.
//! Version 1 tokens (no key id, from before key ids) verify against both keys.
//! Team links (`team_links`) have tokens of the same shape with version 3
//! and their own MAC domain, so neither kind of token ever opens the other.
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

const V1: u8 = 1;
const VERSION: u8 = 2;
const TEAM_LINK: u8 = 3;
const DOMAIN: &[u8] = b"invites/link/v1";
const TEAM_DOMAIN: &[u8] = b"invites/team-link/v1";

/// What a token opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Invite,
    TeamLink,
}

impl Kind {
    fn domain(self) -> &'static [u8] {
        match self {
            Self::Invite => DOMAIN,
            Self::TeamLink => TEAM_DOMAIN,
        }
    }
}
const MAC_LEN: usize = 32;
const V1_LEN: usize = 1 + 16 + 16 + MAC_LEN;
const TOKEN_LEN: usize = 1 + 1 + 16 + 16 + MAC_LEN;
/// Base64url length of a token; other lengths are rejected before decoding.
pub const TOKEN_CHARS: usize = (TOKEN_LEN * 4).div_ceil(3);
const V1_CHARS: usize = (V1_LEN * 4).div_ceil(3);
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

    fn mac(&self, kind: Kind, rid: ResourceId, iid: InviteId, nonce: &Nonce) -> Hmac<Sha256> {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(kind.domain());
        mac.update(&rid.to_bytes());
        mac.update(&iid.to_bytes());
        mac.update(&nonce.0);
        mac
    }

    /// A keyed hash of `value` (an address, a user id), in hex: the same
    /// value always gives the same one under this key; without the key it
    /// cannot be reversed or guessed from a list of addresses.
    fn pseudonym(&self, value: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes any key length");
        mac.update(b"invites/pseudonym\0");
        mac.update(value.as_bytes());
        mac.finalize().into_bytes()[..12].iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The key's id in tokens: a byte of a hash of the key (not secret).
    pub fn id(&self) -> u8 {
        use sha2::Digest;
        Sha256::new().chain_update(b"invites/key-id").chain_update(&self.0).finalize()[0]
    }

    fn verify(&self, token: &ParsedToken, nonce: &Nonce) -> bool {
        self.mac(token.kind, token.rid, token.iid, nonce).verify_slice(&token.mac).is_ok()
    }
}

/// The signing keys of a deployment: the current one mints, the current and
/// the previous one verify (a rotation keeps live links working).
#[derive(Clone, Debug)]
pub struct Keyring {
    current: TokenKey,
    previous: Option<TokenKey>,
}

impl Keyring {
    pub fn new(current: TokenKey, previous: Option<TokenKey>) -> Result<Self, String> {
        if previous.as_ref().is_some_and(|p| p.id() == current.id()) {
            return Err("the previous token key must differ from the current one (and have another key id)".into());
        }
        Ok(Self { current, previous })
    }

    /// The stable pseudonym of an erased address or user id (the current
    /// key's keyed hash, `erased-…`).
    pub fn pseudonym(&self, value: &str) -> String {
        format!("erased-{}", self.current.pseudonym(value))
    }

    /// The pseudonyms `value` may have been given: under the current key
    /// and, during a rotation, the previous one.
    pub fn pseudonyms(&self, value: &str) -> Vec<String> {
        std::iter::once(&self.current)
            .chain(self.previous.as_ref())
            .map(|k| format!("erased-{}", k.pseudonym(value)))
            .collect()
    }

    /// The link token for an invite with this nonce.
    pub fn mint(&self, rid: ResourceId, iid: InviteId, nonce: &Nonce) -> String {
        self.mint_as(Kind::Invite, rid, iid, nonce)
    }

    /// The token of a team link (`lid`) with this nonce.
    pub fn mint_team_link(&self, rid: ResourceId, lid: InviteId, nonce: &Nonce) -> String {
        self.mint_as(Kind::TeamLink, rid, lid, nonce)
    }

    /// A token of `kind` for these ids and nonce.
    pub fn mint_as(&self, kind: Kind, rid: ResourceId, iid: InviteId, nonce: &Nonce) -> String {
        let tag = self.current.mac(kind, rid, iid, nonce).finalize().into_bytes();
        let mut raw = Vec::with_capacity(TOKEN_LEN);
        raw.push(match kind {
            Kind::Invite => VERSION,
            Kind::TeamLink => TEAM_LINK,
        });
        raw.push(self.current.id());
        raw.extend_from_slice(&rid.to_bytes());
        raw.extend_from_slice(&iid.to_bytes());
        raw.extend_from_slice(&tag);
        URL_SAFE_NO_PAD.encode(raw)
    }

    /// Checks a parsed token against the invite's stored nonce, in constant
    /// time, with the key its id names (both keys for version 1 tokens). A
    /// retired key's id matches neither and fails the same way as a forgery.
    pub fn verify(&self, token: &ParsedToken, nonce: &Nonce) -> bool {
        let current = self.current.verify(token, nonce);
        let previous = self.previous.as_ref().is_some_and(|p| p.verify(token, nonce));
        match token.kid {
            None => current || previous,
            Some(kid) if kid == self.current.id() => current,
            Some(kid) if self.previous.as_ref().is_some_and(|p| p.id() == kid) => previous,
            Some(_) => false,
        }
    }
}

/// A token split into its parts; not yet verified.
#[derive(Debug, Clone)]
pub struct ParsedToken {
    pub kind: Kind,
    pub rid: ResourceId,
    /// The invite's id, or the team link's.
    pub iid: InviteId,
    /// The signing key's id (none in version 1 tokens).
    kid: Option<u8>,
    mac: [u8; MAC_LEN],
}

impl ParsedToken {
    /// An invite's token; anything else (a team link's included) is
    /// simply unknown: 404.
    pub fn parse(token: &str) -> Result<Self, Error> {
        Self::parse_as(token, Kind::Invite)
    }

    /// A team link's token; anything else is unknown: 404.
    pub fn parse_team_link(token: &str) -> Result<Self, Error> {
        Self::parse_as(token, Kind::TeamLink)
    }

    /// A token of `kind`; any other token is unknown: 404.
    pub fn parse_as(token: &str, kind: Kind) -> Result<Self, Error> {
        Self::parse_any(token).and_then(|t| if t.kind == kind { Ok(t) } else { Err(Error::NotFound) })
    }

    fn parse_any(token: &str) -> Result<Self, Error> {
        let token = token.trim();
        if token.len() != TOKEN_CHARS && token.len() != V1_CHARS {
            return Err(Error::NotFound);
        }
        let raw = URL_SAFE_NO_PAD.decode(token).map_err(|_| Error::NotFound)?;
        let (kind, kid, rest) = match (raw.len(), raw.first()) {
            (TOKEN_LEN, Some(&VERSION)) => (Kind::Invite, Some(raw[1]), &raw[2..]),
            (TOKEN_LEN, Some(&TEAM_LINK)) => (Kind::TeamLink, Some(raw[1]), &raw[2..]),
            (V1_LEN, Some(&V1)) => (Kind::Invite, None, &raw[1..]),
            _ => return Err(Error::NotFound),
        };
        let rid = ResourceId::from_bytes(rest[0..16].try_into().expect("16 bytes"));
        let iid = InviteId::from_bytes(rest[16..32].try_into().expect("16 bytes"));
        let mac = rest[32..].try_into().expect("32 bytes");
        Ok(Self { kind, rid, iid, kid, mac })
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

    #[test]
    fn team_link_and_invite_tokens_never_open_each_other() {
        let ring = Keyring::new(
            TokenKey::from_base64(&base64::engine::general_purpose::STANDARD.encode([7u8; 32])).unwrap(),
            None,
        )
        .unwrap();
        let (rid, id, nonce) = (ResourceId::new(), InviteId::new(), Nonce::random());
        let team = ring.mint_team_link(rid, id, &nonce);
        let invite = ring.mint(rid, id, &nonce);
        assert_eq!(team.len(), invite.len());
        let parsed = ParsedToken::parse_team_link(&team).unwrap();
        assert!(ring.verify(&parsed, &nonce));
        assert_eq!(ParsedToken::parse(&team).unwrap_err(), Error::NotFound, "a team link is no invite");
        assert_eq!(ParsedToken::parse_team_link(&invite).unwrap_err(), Error::NotFound, "an invite is no team link");
        // The same ids and nonce under the other kind's MAC do not verify.
        let mut forged = ParsedToken::parse(&invite).unwrap();
        forged.kind = Kind::TeamLink;
        assert!(!ring.verify(&forged, &nonce));
    }

    fn key(byte: u8) -> TokenKey {
        TokenKey(vec![byte; 32])
    }

    fn ring(current: u8, previous: Option<u8>) -> Keyring {
        Keyring::new(key(current), previous.map(key)).unwrap()
    }

    #[test]
    fn pseudonyms_are_stable_keyed_and_known_across_a_rotation() {
        let p = ring(1, None).pseudonym("ann@example.com");
        assert!(p.starts_with("erased-") && p.len() == "erased-".len() + 24, "{p}");
        assert_eq!(ring(1, None).pseudonym("ann@example.com"), p, "stable");
        assert_ne!(ring(2, None).pseudonym("ann@example.com"), p, "keyed");
        assert_ne!(ring(1, None).pseudonym("bob@example.com"), p);
        assert!(!p.contains("ann"));
        assert_eq!(ring(2, Some(1)).pseudonyms("ann@example.com")[1], p, "the previous key's, while it verifies");
    }

    #[test]
    fn round_trip_and_single_nonce() {
        let (rid, iid, nonce) = (ResourceId::new(), InviteId::new(), Nonce::random());
        let token = ring(1, None).mint(rid, iid, &nonce);
        assert_eq!(token.len(), TOKEN_CHARS);
        let parsed = ParsedToken::parse(&token).unwrap();
        assert_eq!((parsed.rid, parsed.iid), (rid, iid));
        assert!(ring(1, None).verify(&parsed, &nonce));
        // Same inputs give the same link (copy link / resend keep it working).
        assert_eq!(token, ring(1, None).mint(rid, iid, &nonce));
        // A rotated nonce kills it; another deployment's key cannot forge it.
        assert!(!ring(1, None).verify(&parsed, &Nonce::random()));
        assert!(!ring(2, None).verify(&parsed, &nonce));
    }

    #[test]
    fn a_rotation_keeps_live_links_and_a_retired_key_kills_them() {
        let (rid, iid, nonce) = (ResourceId::new(), InviteId::new(), Nonce::random());
        let old = ParsedToken::parse(&ring(1, None).mint(rid, iid, &nonce)).unwrap();
        // Rotated: key 2 is current, key 1 previous. Old links still work.
        assert!(ring(2, Some(1)).verify(&old, &nonce));
        // New links are minted with key 2.
        let new = ParsedToken::parse(&ring(2, Some(1)).mint(rid, iid, &nonce)).unwrap();
        assert!(ring(2, Some(1)).verify(&new, &nonce));
        // Rotated again: key 1 is retired, its links are unknown.
        assert!(!ring(3, Some(2)).verify(&old, &nonce));
        assert!(ring(3, Some(2)).verify(&new, &nonce));
        // The same key twice is a configuration error.
        assert!(Keyring::new(key(1), Some(key(1))).is_err());
    }

    #[test]
    fn version_one_links_still_verify() {
        let (rid, iid, nonce) = (ResourceId::new(), InviteId::new(), Nonce::random());
        let tag = key(1).mac(Kind::Invite, rid, iid, &nonce).finalize().into_bytes();
        let mut raw = vec![V1];
        raw.extend_from_slice(&rid.to_bytes());
        raw.extend_from_slice(&iid.to_bytes());
        raw.extend_from_slice(&tag);
        let v1 = ParsedToken::parse(&URL_SAFE_NO_PAD.encode(raw)).unwrap();
        assert!(ring(1, None).verify(&v1, &nonce));
        assert!(ring(2, Some(1)).verify(&v1, &nonce));
        assert!(!ring(3, Some(2)).verify(&v1, &nonce));
    }

    #[test]
    fn tampering_is_detected() {
        let (rid, iid, nonce) = (ResourceId::new(), InviteId::new(), Nonce::random());
        let token = ring(1, None).mint(rid, iid, &nonce);
        // Point the token at another invite id: the MAC no longer matches.
        let mut raw = URL_SAFE_NO_PAD.decode(&token).unwrap();
        raw[21] ^= 0x01;
        let parsed = ParsedToken::parse(&URL_SAFE_NO_PAD.encode(&raw)).unwrap();
        assert!(!ring(1, None).verify(&parsed, &nonce));
        // Claiming another key id does not help either.
        raw[21] ^= 0x01;
        raw[1] ^= 0x01;
        let parsed = ParsedToken::parse(&URL_SAFE_NO_PAD.encode(&raw)).unwrap();
        assert!(!ring(1, None).verify(&parsed, &nonce));
    }

    #[test]
    fn malformed_tokens_are_not_found() {
        let good = ring(1, None).mint(ResourceId::new(), InviteId::new(), &Nonce::random());
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
