//! Adapters to AWS: configuration read once per cold start, the single-table
//! DynamoDB store (see `infra/table-design.md`), the SQS queue, SES, the
//! EventBridge bus, and the functions' embedded-metric log lines.

pub mod config;
#[cfg(feature = "dns")]
pub mod dns;
pub mod events;
pub mod keys;
pub mod mailer;
pub mod metrics;
pub mod queue;
pub mod ses_events;
pub mod store;
pub mod webhooks;

pub use config::Config;
pub use events::EventBus;
pub use mailer::Mailer;
pub use queue::Queue;
pub use store::Store;
pub use webhooks::WebhookQueue;

/// Shared AWS SDK configuration, built once per cold start. Endpoints come
/// from the standard `AWS_ENDPOINT_URL_<SERVICE>` variables, which is how
/// local runs point the SDK at DynamoDB Local, moto and the SES emulator.
///
/// Two things keep a cold start short (`docs/performance.md`):
/// - **The trust store** is the roots AWS endpoints chain to, compiled in
///   ([`trust_store`]), instead of reading and parsing the system's
///   certificate bundle and folder at start.
/// - **In Lambda** (`AWS_LAMBDA_FUNCTION_NAME`), region and credentials come
///   from the environment Lambda sets, and no profile file is read; elsewhere
///   (the dev tools, a shell with a profile) the SDK's usual chains apply.
///
/// Idle connections are kept for `INVITES_HTTP_IDLE_TIMEOUT_SECS` (default
/// 50), below the 60 s after which DynamoDB has been seen to close them, so
/// a request after a longer pause (the environment frozen meanwhile) opens
/// a new connection instead of writing to one the service closed
/// ([`config::http_idle_timeout`]; measured in `docs/performance.md`). An
/// invalid value is the error.
pub async fn sdk_config() -> Result<aws_config::SdkConfig, config::ConfigError> {
    use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};
    use aws_smithy_http_client::tls::{Provider, TlsContext, rustls_provider::CryptoMode};
    let tls = TlsContext::builder().with_trust_store(trust_store()).build().expect("a TLS context without extra names");
    let https = aws_smithy_http_client::Builder::new()
        .pool_idle_timeout(config::http_idle_timeout()?)
        .tls_provider(Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(tls)
        .build_https();
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest()).http_client(https);
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    if var("AWS_LAMBDA_FUNCTION_NAME").is_some() {
        loader = loader.profile_files(EnvConfigFiles::builder().with_contents(EnvConfigFileKind::Config, "").build());
        if let Some(region) = var("AWS_REGION") {
            loader = loader.region(aws_config::Region::new(region));
        }
        if var("AWS_ACCESS_KEY_ID").is_some() {
            loader =
                loader.credentials_provider(aws_config::environment::EnvironmentVariableCredentialsProvider::new());
        }
    }
    Ok(loader.load().await)
}

/// Which roots the HTTPS client trusts: `INVITES_TRUST_STORE=aws` (the
/// default) or `system` (the platform's certificate bundle and folder: for
/// an endpoint behind another CA, or the day AWS moves to a root outside
/// [`AWS_ROOTS`], without a rebuild).
pub fn trust_store() -> aws_smithy_http_client::tls::TrustStore {
    use aws_smithy_http_client::tls::TrustStore;
    if std::env::var("INVITES_TRUST_STORE").as_deref() == Ok("system") {
        return TrustStore::default();
    }
    AWS_ROOTS.iter().fold(TrustStore::empty(), |store, pem| store.with_pem_certificate(pem.as_bytes()))
}

/// The roots of Amazon Trust Services, which issues the certificates of every
/// AWS service endpoint, and Starfield Services Root G2, which cross-signs
/// them (valid until 2037–2040; from Mozilla's store as Debian ships it).
pub const AWS_ROOTS: &[&str] = &[
    include_str!("roots/amazon-root-ca-1.pem"),
    include_str!("roots/amazon-root-ca-2.pem"),
    include_str!("roots/amazon-root-ca-3.pem"),
    include_str!("roots/amazon-root-ca-4.pem"),
    include_str!("roots/starfield-services-root-certificate-authority-g2.pem"),
];

#[cfg(test)]
mod tests {
    use base64::Engine;

    #[test]
    fn the_compiled_in_roots_are_certificates_of_amazon_and_starfield() {
        for pem in super::AWS_ROOTS {
            let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
            let der = base64::engine::general_purpose::STANDARD.decode(body).expect("base64");
            assert_eq!(der[0], 0x30, "a DER sequence");
            let text = String::from_utf8_lossy(&der);
            assert!(text.contains("Amazon Root CA") || text.contains("Starfield Services Root"), "{pem}");
        }
        assert_eq!(super::AWS_ROOTS.len(), 5);
    }
}
