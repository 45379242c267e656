#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    invites_http::serve(invites_http::Needs { link_keys: true, ..Default::default() }, resources::handle).await
}
