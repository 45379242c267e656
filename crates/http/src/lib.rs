//! The HTTP edge shared by every API function: who is calling, reading JSON
//! bodies and parameters, the one place that turns results and domain errors
//! into API Gateway responses, and the start-up of a function.

pub mod api;
pub mod auth;
pub mod bodies;
pub mod request;
pub mod respond;
pub mod route;

pub use api::{AppState, Needs, serve};
pub use auth::{Auth, dev_service_token, dev_token};
pub use request::{MAX_BULK_BODY_BYTES, header, json_body, json_body_or_default, json_body_up_to, page, query_param};
pub use respond::{ApiResult, csv, error_body, json, no_content, respond};
pub use route::{Route, route};
