#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    invites_http::serve(invites_http::Needs { queue: true, ..Default::default() }, members::handle).await
}
