#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    invites_http::serve(true, manage_invite::handle).await
}
