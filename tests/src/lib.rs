//! Test support, by concern: the harness (a fresh table and queue per test
//! on the local stack that `make test` starts, the real binaries), requests
//! (API Gateway events built from `events/*.json`, responses and
//! [`assert_error`]), steps (resource, invite, accept, member) and fakes
//! (a scripted SES).

mod fakes;
mod harness;
mod requests;
mod steps;

pub use fakes::*;
pub use harness::*;
pub use requests::*;
pub use steps::*;

use invites_adapters::keys::Keys;
use invites_adapters::{Config, Queue, Store};
use invites_domain::limits::Limits;
pub use invites_domain::ports::*;
use invites_domain::redirect::RedirectOrigins;
use invites_domain::token::{Keyring, TokenKey};
use invites_http::{ApiResult, AppState, Auth, respond};
use lambda_http::Body;
use serde_json::{Value, json};
use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

pub const TOKEN_KEY_B64: &str = "dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXk=";
pub const ACCEPT_URL: &str = "https://app.example.test/invite";
/// The one origin the tests' deployment allows as a `redirectUrl`.
pub const REDIRECT_ORIGIN: &str = "https://app.example.test";

fn require_stack() {
    assert!(
        std::env::var("AWS_ENDPOINT_URL_DYNAMODB").is_ok(),
        "the local AWS stack is not running: run the suite with `make test`"
    );
}
