//! One API, three descriptions: openapi.yaml, the HTTP API routes of
//! template.yaml and the local `cargo lambda watch` router must agree, and
//! every sample event must be one of those routes.

use std::collections::BTreeMap;
use std::path::Path;

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn yaml(file: &str) -> serde_yaml::Value {
    serde_yaml::from_str(&std::fs::read_to_string(root().join(file)).unwrap()).unwrap()
}

/// "METHOD /path" of every operation in openapi.yaml.
fn openapi_routes() -> Vec<String> {
    let spec = yaml("openapi.yaml");
    let mut routes = Vec::new();
    for (path, item) in spec["paths"].as_mapping().unwrap() {
        for m in METHODS {
            if item.get(m).is_some() {
                routes.push(format!("{} {}", m.to_uppercase(), path.as_str().unwrap()));
            }
        }
    }
    routes.sort();
    routes
}

/// Route → binary, from template.yaml's HttpApi events.
fn template_routes() -> BTreeMap<String, String> {
    let t = yaml("template.yaml");
    let mut routes = BTreeMap::new();
    for (_, res) in t["Resources"].as_mapping().unwrap() {
        if res["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let binary = res["Metadata"]["BuildProperties"]["Binary"].as_str().unwrap().to_owned();
        for (_, ev) in res["Properties"]["Events"].as_mapping().into_iter().flatten() {
            if ev["Type"].as_str() == Some("HttpApi") {
                let p = &ev["Properties"];
                let key = format!("{} {}", p["Method"].as_str().unwrap().to_uppercase(), p["Path"].as_str().unwrap());
                assert!(routes.insert(key.clone(), binary.clone()).is_none(), "{key} twice in template.yaml");
            }
        }
    }
    routes
}

/// Route → binary, from the workspace's watch router.
fn watch_routes() -> BTreeMap<String, String> {
    let manifest: toml::Value = toml::from_str(&std::fs::read_to_string(root().join("Cargo.toml")).unwrap()).unwrap();
    let router = &manifest["workspace"]["metadata"]["lambda"]["watch"]["router"];
    let mut routes = BTreeMap::new();
    for (path, entries) in router.as_table().unwrap() {
        for e in entries.as_array().unwrap() {
            let key = format!("{} {path}", e["method"].as_str().unwrap());
            routes.insert(key, e["function"].as_str().unwrap().to_owned());
        }
    }
    routes
}

#[test]
fn openapi_template_and_local_router_describe_the_same_routes() {
    let openapi = openapi_routes();
    let template = template_routes();
    let watch = watch_routes();
    assert_eq!(openapi, template.keys().cloned().collect::<Vec<_>>(), "openapi.yaml vs template.yaml");
    assert_eq!(template, watch, "template.yaml vs the cargo lambda watch router (route -> binary)");
    // Every binary named there is a function package of the workspace.
    for binary in template.values() {
        assert!(root().join("functions").join(binary).join("Cargo.toml").exists(), "{binary}");
    }
}

#[test]
fn every_http_sample_event_is_a_route() {
    let template = template_routes();
    let mut seen = 0;
    for entry in std::fs::read_dir(root().join("events")).unwrap() {
        let path = entry.unwrap().path();
        let event: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        if let Some(route) = event["routeKey"].as_str() {
            assert!(template.contains_key(route), "{} has unknown route {route}", path.display());
            assert_eq!(event["requestContext"]["routeKey"], route, "{}", path.display());
            seen += 1;
        }
    }
    assert_eq!(seen, template.len(), "one sample event per route");
}

/// Each function routes by route key over its own `ROUTES`: they must be
/// exactly the routes template.yaml sends to that binary.
#[test]
fn each_function_routes_exactly_its_template_routes() {
    let functions: [(&str, &[&str]); 10] = [
        ("resources", resources::ROUTES),
        ("create-invite", create_invite::ROUTES),
        ("list-invites", list_invites::ROUTES),
        ("accept-invite", accept_invite::ROUTES),
        ("revoke-invite", revoke_invite::ROUTES),
        ("manage-invite", manage_invite::ROUTES),
        ("members", members::ROUTES),
        ("me", me::ROUTES),
        ("team-links", team_links::ROUTES),
        ("domains", domains::ROUTES),
    ];
    let template = template_routes();
    for (binary, routes) in functions {
        let mut declared: Vec<&str> = routes.to_vec();
        declared.sort();
        let mut expected: Vec<&str> = template.iter().filter(|(_, b)| *b == binary).map(|(r, _)| r.as_str()).collect();
        expected.sort();
        assert_eq!(declared, expected, "{binary}: ROUTES vs template.yaml");
    }
}
