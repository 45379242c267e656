//! Audit export (issue 28, part): a range of days for owners and admins, as
//! JSON or as CSV that a formula injection cannot break, in pages that join
//! into one file.

use invites_tests::*;
use serde_json::Value;

fn today() -> String {
    invites_domain::time::rfc3339(invites_domain::time::now())[..10].to_owned()
}

fn export(rid: &str, who: (&str, &str), query: &[(&str, &str)]) -> Req {
    let mut req = Req::event("export-audit").user(who.0, who.1).path("rid", rid).no_query();
    for (k, v) in query {
        req = req.query(k, v);
    }
    req
}

fn text(r: &Resp) -> String {
    match &r.body {
        Value::String(s) => s.clone(),
        other => panic!("not text: {other}"),
    }
}

#[tokio::test]
async fn the_audit_trail_exports_as_json_and_as_csv_no_formula_survives() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    // A member whose user id and e-mail are formulas (a token may carry anything).
    add_member(&h, &rid, "=HYPERLINK(\"https://evil.example\",\"x\")", "plus@example.com", "admin").await;
    add_member(&h, &rid, "+1+cmd|' /C calc'!A0", "calc@example.com", "read_only").await;
    let day = today();
    let range = [("from", day.as_str()), ("to", day.as_str())];

    let json = call(resources::handle, &h.api, &export(&rid, OWNER, &range)).await;
    assert_eq!(json.status, 200, "{}", json.body);
    let items = json.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 5, "created, two invites and two acceptances: {}", json.body);
    let ats: Vec<&str> = items.iter().map(|i| i["at"].as_str().unwrap()).collect();
    assert!(ats.windows(2).all(|w| w[0] <= w[1]), "oldest first");

    let csv = call(resources::handle, &h.api, &export(&rid, OWNER, &[range[0], range[1], ("format", "csv")])).await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
    assert!(csv.headers["content-disposition"].to_str().unwrap().starts_with("attachment; filename=\"audit-"));
    let body = text(&csv);
    let lines: Vec<&str> = body.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines[0], "id,at,action,actor,subject,detail");
    assert_eq!(lines.len(), 6);
    // No cell starts a formula: each starts with an apostrophe, inside quotes where needed.
    for line in &lines[1..] {
        for cell in line.split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(!cell.starts_with(['=', '+', '-', '@']), "{cell} in {line}");
        }
    }
    assert!(body.contains("\"'=HYPERLINK(\"\"https://evil.example\"\",\"\"x\"\")\""), "{body}");
    assert!(body.contains("'+1+cmd|' /C calc'!A0"), "{body}");

    // Pages of two join into the same file.
    let mut joined = String::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut q = vec![range[0], range[1], ("format", "csv"), ("limit", "2")];
        if let Some(c) = cursor.as_deref() {
            q.push(("cursor", c));
        }
        let r = call(resources::handle, &h.api, &export(&rid, OWNER, &q)).await;
        assert_eq!(r.status, 200);
        joined.push_str(&text(&r));
        pages += 1;
        match r.headers.get("x-next-cursor") {
            Some(c) => cursor = Some(c.to_str().unwrap().to_owned()),
            None => break,
        }
    }
    assert_eq!((pages, joined), (3, body));
}

#[tokio::test]
async fn only_managers_export_and_bad_ranges_are_refused() {
    let h = Harness::new().await;
    let rid = new_resource(&h).await;
    add_member(&h, &rid, "user-reader", "reader@example.com", "read_only").await;
    let reader = call(resources::handle, &h.api, &export(&rid, ("user-reader", "reader@example.com"), &[])).await;
    assert_error(&reader, 403, "forbidden");
    let outsider = call(resources::handle, &h.api, &export(&rid, ("user-x", "x@example.com"), &[])).await;
    assert_error(&outsider, 404, "not_found");
    for q in [
        [("from", "2026-11-30"), ("to", "2026-11-01")],
        [("from", "2025-01-01"), ("to", "2026-11-30")],
        [("from", "30.11.2026"), ("to", "2026-11-30")],
    ] {
        assert_error(&call(resources::handle, &h.api, &export(&rid, OWNER, &q)).await, 422, "invalid_date_range");
    }
    let xml = call(resources::handle, &h.api, &export(&rid, OWNER, &[("format", "xml")])).await;
    assert_error(&xml, 422, "invalid_request");
    let big = call(resources::handle, &h.api, &export(&rid, OWNER, &[("limit", "1001")])).await;
    assert_error(&big, 422, "invalid_limit");
    // Without a range: the last 30 days, today's entry included.
    let recent = call(resources::handle, &h.api, &export(&rid, OWNER, &[])).await;
    assert_eq!(recent.body["items"].as_array().unwrap().len(), 3, "{}", recent.body);
}
