#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    let dns: &'static _ = match invites_adapters::dns::Dns::from_env() {
        Ok(dns) => Box::leak(Box::new(dns)),
        Err(e) => {
            eprintln!("{e}");
            return Err(e.into());
        }
    };
    invites_http::serve(invites_http::Needs::default(), move |api, req| domains::handle(api, dns, req)).await
}
