//! The HTTP edge shared by every API function: who is calling, reading JSON
//! bodies and parameters, the one place that turns results and domain errors
//! into API Gateway responses, and the start-up of a function.

pub mod api;
pub mod auth;
pub mod bodies;
pub mod logging;
pub mod request;
pub mod respond;
pub mod route;

pub use api::{Api, Needs, serve};
pub use auth::{Auth, dev_token};
pub use request::{header, json_body, page, query_param};
pub use respond::{ApiResult, json, no_content, respond};
pub use route::{Route, route};
