#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    invites_http::serve(invites_http::Needs::default(), webhooks::handle).await
}
