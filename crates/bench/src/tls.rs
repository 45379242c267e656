//! TLS in front of the emulators, as AWS endpoints have it: a local CA
//! (made with `openssl` at the start of the run), a certificate for
//! `localhost` signed by it, and a loopback proxy that ends TLS and passes
//! the bytes on to a plain endpoint (the counting proxies). The binaries
//! trust the CA through the platform store (`INVITES_TRUST_STORE=system`,
//! `SSL_CERT_FILE`), the Node peer through `NODE_EXTRA_CA_CERTS`, the
//! Python peer through `AWS_CA_BUNDLE`.

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

pub struct Ca {
    pub dir: PathBuf,
    /// Connections its fronts have accepted, all of them together.
    accepted: Arc<AtomicU64>,
}

impl Ca {
    /// An RSA 2048 CA and a `localhost` certificate it signs (the key type
    /// of DynamoDB's own certificates), in `dir`.
    pub fn make(dir: &Path) -> Self {
        std::fs::create_dir_all(dir).unwrap();
        let openssl = |args: &[&str]| {
            let out = Command::new("openssl").args(args).current_dir(dir).output().expect("openssl is installed");
            assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        };
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=invites bench CA",
        ]);
        openssl(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "leaf.key",
            "-out",
            "leaf.csr",
            "-subj",
            "/CN=localhost",
        ]);
        std::fs::write(dir.join("leaf.ext"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n").unwrap();
        openssl(&[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "leaf.pem",
            "-days",
            "2",
            "-extfile",
            "leaf.ext",
        ]);
        Self { dir: dir.to_owned(), accepted: Arc::default() }
    }

    /// Connections its fronts have accepted so far.
    pub fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::SeqCst)
    }

    pub fn ca_file(&self) -> String {
        self.dir.join("ca.pem").to_string_lossy().into_owned()
    }

    /// The variables that make a binary of this project trust the CA (and
    /// nothing else: an empty certificate folder).
    pub fn trust_env(&self) -> Vec<(String, String)> {
        let empty = self.dir.join("no-certs");
        std::fs::create_dir_all(&empty).unwrap();
        vec![
            ("INVITES_TRUST_STORE".into(), "system".into()),
            ("SSL_CERT_FILE".into(), self.ca_file()),
            ("SSL_CERT_DIR".into(), empty.to_string_lossy().into_owned()),
        ]
    }

    /// A TLS endpoint on loopback passing everything to `upstream`
    /// (`http://host:port`); answers its `https://localhost:port` URL.
    pub async fn front(&self, upstream: &str) -> String {
        self.front_closing_idle(upstream, None).await
    }

    /// As [`Ca::front`], closing a connection (TLS `close_notify`, then
    /// FIN) once it has been idle for `idle`, as an AWS endpoint does.
    pub async fn front_closing_idle(&self, upstream: &str, idle: Option<Duration>) -> String {
        let certs =
            CertificateDer::pem_file_iter(self.dir.join("leaf.pem")).unwrap().collect::<Result<Vec<_>, _>>().unwrap();
        let key = PrivateKeyDer::from_pem_file(self.dir.join("leaf.key")).unwrap();
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .unwrap();
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let upstream = upstream.trim_start_matches("http://").trim_end_matches('/').to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = self.accepted.clone();
        tokio::spawn(async move {
            loop {
                let Ok((tcp, _)) = listener.accept().await else { continue };
                accepted.fetch_add(1, Ordering::SeqCst);
                let (acceptor, upstream) = (acceptor.clone(), upstream.clone());
                tokio::spawn(async move {
                    let _ = tcp.set_nodelay(true);
                    let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                    let Ok(mut plain) = TcpStream::connect(&upstream).await else { return };
                    let _ = plain.set_nodelay(true);
                    match idle {
                        None => drop(tokio::io::copy_bidirectional(&mut tls, &mut plain).await),
                        Some(idle) => pass_until_idle(tls, plain, idle).await,
                    }
                });
            }
        });
        format!("https://localhost:{port}")
    }
}

/// Passes bytes both ways until either side closes or nothing has passed
/// for `idle`; then closes the client's side as a server does.
async fn pass_until_idle(tls: tokio_rustls::server::TlsStream<TcpStream>, plain: TcpStream, idle: Duration) {
    let (mut tls_in, mut tls_out) = tokio::io::split(tls);
    let (mut plain_in, mut plain_out) = plain.into_split();
    let (mut up, mut down) = (vec![0u8; 16 * 1024], vec![0u8; 16 * 1024]);
    loop {
        tokio::select! {
            n = tls_in.read(&mut up) => match n {
                Ok(n) if n > 0 && plain_out.write_all(&up[..n]).await.is_ok() => {}
                _ => break,
            },
            n = plain_in.read(&mut down) => match n {
                Ok(n) if n > 0 && tls_out.write_all(&down[..n]).await.is_ok() && tls_out.flush().await.is_ok() => {}
                _ => break,
            },
            _ = tokio::time::sleep(idle) => break,
        }
    }
    let _ = tls_out.shutdown().await;
}
