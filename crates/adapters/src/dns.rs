//! The DNS as the domain verification sees it ([`TxtLookup`]): the system's
//! resolver (`/etc/resolv.conf`, which Lambda provides), or the server in
//! `INVITES_DNS_SERVER` (`ip:port`) — the local stand-in in tests and
//! `make dev`. The resolver keeps no cache of its own (a resolver upstream
//! may still hold a "no such name" for the zone's negative TTL). Only TXT
//! records at the name itself count: one reached through a CNAME (say a
//! wildcard pointing into someone else's zone) proves nothing.

use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::RData;
use hickory_resolver::{Resolver, TokioResolver};
use invites_domain::domains::TxtAnswer;
use invites_domain::ports::TxtLookup;
use std::net::SocketAddr;
use std::time::Duration;

pub struct Dns {
    resolver: TokioResolver,
}

impl Dns {
    /// Built once per cold start; fails with a message when the server
    /// setting or the system configuration cannot be read.
    pub fn from_env() -> Result<Self, String> {
        let mut builder = match std::env::var("INVITES_DNS_SERVER").ok().filter(|v| !v.is_empty()) {
            Some(server) => {
                let addr: SocketAddr =
                    server.parse().map_err(|_| format!("INVITES_DNS_SERVER must be ip:port, not {server:?}"))?;
                let (mut udp, mut tcp) = (ConnectionConfig::udp(), ConnectionConfig::tcp());
                (udp.port, tcp.port) = (addr.port(), addr.port());
                let ns = NameServerConfig::new(addr.ip(), true, vec![udp, tcp]);
                Resolver::builder_with_config(
                    ResolverConfig::from_parts(None, vec![], vec![ns]),
                    TokioRuntimeProvider::default(),
                )
            }
            None => {
                Resolver::builder_tokio().map_err(|e| format!("cannot read the system's DNS configuration: {e}"))?
            }
        };
        let opts = builder.options_mut();
        opts.cache_size = 0;
        opts.timeout = Duration::from_secs(2);
        opts.attempts = 2;
        let resolver = builder.build().map_err(|e| format!("cannot build the DNS resolver: {e}"))?;
        Ok(Self { resolver })
    }
}

impl TxtLookup for Dns {
    async fn txt(&self, name: &str) -> TxtAnswer {
        // Fully qualified: no search domains.
        let fqdn = format!("{name}.");
        match self.resolver.txt_lookup(fqdn.as_str()).await {
            Ok(lookup) => TxtAnswer::Records(
                lookup
                    .answers()
                    .iter()
                    .filter(|r| r.name.to_ascii().eq_ignore_ascii_case(&fqdn))
                    .filter_map(|r| match &r.data {
                        RData::TXT(txt) => {
                            Some(txt.txt_data.iter().map(|s| String::from_utf8_lossy(s)).collect::<String>())
                        }
                        _ => None,
                    })
                    .collect(),
            ),
            Err(e) if e.is_no_records_found() || e.is_nx_domain() => TxtAnswer::None,
            Err(e) => TxtAnswer::Failed(e.to_string()),
        }
    }
}
