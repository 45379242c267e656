//! One routing style for every function: by route key, `"METHOD /path/{param}"`,
//! exactly as template.yaml and openapi.yaml name the routes. API Gateway
//! sends the key it matched (`requestContext.routeKey`); where a caller does
//! not (`cargo lambda watch` sends `$default`), the key is found by matching
//! the method and the raw path against the function's own routes. Path
//! parameters are read one way, from the event's `pathParameters`.

use invites_domain::{Error, InviteId, ResourceId};
use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};

/// The route a request matched, and its path parameters.
pub struct Route<'r> {
    pub key: &'static str,
    req: &'r Request,
}

/// Finds the route of `req` among the function's `routes`, or 404.
pub fn route<'r>(req: &'r Request, routes: &[&'static str]) -> Result<Route<'r>, Error> {
    let from_gateway = match req.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(ctx)) => ctx.route_key.as_deref(),
        #[allow(unreachable_patterns)]
        _ => None,
    };
    let key = match from_gateway.and_then(|k| routes.iter().find(|r| **r == k)) {
        Some(key) => Some(*key),
        None => routes.iter().copied().find(|r| matches(r, req.method().as_str(), req.raw_http_path())),
    };
    key.map(|key| Route { key, req }).ok_or(Error::NotFound)
}

/// Whether `"METHOD /a/{b}"` matches a method and a raw path.
fn matches(route: &str, method: &str, path: &str) -> bool {
    let Some((m, template)) = route.split_once(' ') else { return false };
    let (mut t, mut p) = (template.split('/'), path.trim_end_matches('/').split('/'));
    m == method
        && loop {
            match (t.next(), p.next()) {
                (None, None) => break true,
                (Some(ts), Some(ps)) if ts.starts_with('{') && !ps.is_empty() => {}
                (Some(ts), Some(ps)) if ts == ps => {}
                _ => break false,
            }
        }
}

impl Route<'_> {
    /// A path parameter; a missing one reads as not found.
    pub fn param(&self, name: &str) -> Result<&str, Error> {
        self.req.path_parameters_ref().and_then(|p| p.first(name)).ok_or(Error::NotFound)
    }

    /// `{rid}`: 404 when it is not a resource id.
    pub fn rid(&self) -> Result<ResourceId, Error> {
        ResourceId::parse(self.param("rid")?)
    }

    /// `{id}`: 404 when it is not an invite id.
    pub fn iid(&self) -> Result<InviteId, Error> {
        InviteId::parse(self.param("id")?)
    }

    /// `{uid}`: a bounded user id, 404 otherwise.
    pub fn uid(&self) -> Result<&str, Error> {
        invites_domain::ids::user_id(self.param("uid")?)
    }
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn matches_templates() {
        let r = "POST /v1/resources/{rid}/invites/{id}/resend";
        assert!(matches(r, "POST", "/v1/resources/A/invites/B/resend"));
        assert!(!matches(r, "GET", "/v1/resources/A/invites/B/resend"));
        assert!(!matches(r, "POST", "/v1/resources/A/invites/B/link"));
        assert!(!matches(r, "POST", "/v1/resources/A/invites//resend"));
        assert!(!matches(r, "POST", "/v1/resources/A/invites/B/resend/x"));
        assert!(matches("GET /v1/me/invites", "GET", "/v1/me/invites/"));
        assert!(!matches("GET /v1/me/invites", "GET", "/v1/me/resources"));
    }
}
