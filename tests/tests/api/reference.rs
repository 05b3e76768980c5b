//! Every curl example of API-REFERENCE.txt, as written, against
//! `http://127.0.0.1:PORT/api` (ids of the examples replaced by real ones).
//! The example.com URLs are only stored: nothing here fetches them.

use reqwest::Method;
use scraper_tests::spawn_app;
use serde_json::json;

#[tokio::test]
async fn the_reference_examples_work_as_written() {
    let app = spawn_app().await;

    // POST /flows
    let (status, created) = app
        .send(
            app.raw(Method::POST, "/flows")
                .header("Content-Type", "application/json")
                .body(r#"{"name":"My New Flow","url":"https://example.com","mode":"extract"}"#),
        )
        .await;
    assert_eq!(status, 201);
    for field in ["id", "name", "status", "createdAt"] {
        assert!(created["data"][field].is_string(), "{field} in {created}");
    }
    assert_eq!(created["data"]["status"], "draft");
    let flow_id = created["data"]["id"].as_str().unwrap().to_string();

    // PUT /flows/:id
    let (status, updated) = app
        .send(
            app.raw(Method::PUT, &format!("/flows/{flow_id}"))
                .header("Content-Type", "application/json")
                .body(r#"{"name":"Updated Flow Name","status":"active"}"#),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(updated["data"]["id"], flow_id.as_str());
    assert_eq!(updated["data"]["name"], "Updated Flow Name");
    assert_eq!(updated["data"]["status"], "active");
    assert!(updated["data"]["updatedAt"].is_string());

    // GET /flows?status=active
    let (status, list) = app.send(app.raw(Method::GET, "/flows?status=active")).await;
    assert_eq!(status, 200);
    assert_eq!(list["total"], 1);
    let item = &list["data"][0];
    for field in ["id", "name", "status", "mode", "url", "createdAt"] {
        assert!(item[field].is_string(), "{field} in {item}");
    }
    assert!(item["totalRuns"].is_number());
    assert!(item.get("successRate").is_some());

    // GET /flows/:id
    let (status, one) = app
        .send(app.raw(Method::GET, &format!("/flows/{flow_id}")))
        .await;
    assert_eq!(status, 200);
    for field in ["id", "name", "url", "mode", "status"] {
        assert!(one["data"][field].is_string(), "{field}");
    }
    assert!(one["data"]["steps"].is_array());
    assert!(one["data"].get("description").is_some());
    assert!(one["data"].get("outputSchema").is_some());

    // POST /runs
    let (status, run) = app
        .send(
            app.raw(Method::POST, "/runs")
                .header("Content-Type", "application/json")
                .body(format!(r#"{{"flowId":"{flow_id}"}}"#)),
        )
        .await;
    assert_eq!(status, 201);
    let run = &run["data"];
    assert_eq!(run["flowId"], flow_id.as_str());
    assert_eq!(run["flowName"], "Updated Flow Name");
    assert_eq!(run["status"], "queued");
    assert_eq!(run["cost"], 0.0);
    assert!(run["startedAt"].is_string());
    let run_id = run["id"].as_str().unwrap().to_string();

    // GET /runs?flowId=..&status=completed, and without status
    let (status, runs) = app
        .send(app.raw(
            Method::GET,
            &format!("/runs?flowId={flow_id}&status=completed"),
        ))
        .await;
    assert_eq!((status, runs["total"].as_u64()), (200, Some(0)));
    let (_, runs) = app
        .send(app.raw(Method::GET, &format!("/runs?flowId={flow_id}")))
        .await;
    assert_eq!(runs["total"], 1);
    let r = &runs["data"][0];
    for field in ["id", "flowId", "flowName", "status", "startedAt"] {
        assert!(r[field].is_string(), "{field} in {r}");
    }
    assert!(r["itemsExtracted"].is_number());
    assert!(r["cost"].is_number());
    assert!(r.get("duration").is_some());

    // GET /runs/:id
    let (status, detail) = app
        .send(app.raw(Method::GET, &format!("/runs/{run_id}")))
        .await;
    assert_eq!(status, 200);
    let d = &detail["data"];
    assert_eq!(d["id"], run_id.as_str());
    let log = &d["logs"][0];
    for field in ["timestamp", "level", "message"] {
        assert!(log[field].is_string(), "{field} in {log}");
    }
    assert!(d["outputPreview"].is_array());

    // GET /keys and POST /keys
    let (status, keys) = app.send(app.raw(Method::GET, "/keys")).await;
    assert_eq!(status, 200);
    let k = &keys["data"][0];
    for field in ["id", "name", "key", "createdAt"] {
        assert!(k[field].is_string(), "{field} in {k}");
    }
    assert!(k["key"].as_str().unwrap().starts_with("scr_live_****"));
    let (status, new_key) = app
        .send(
            app.raw(Method::POST, "/keys")
                .header("Content-Type", "application/json")
                .body(r#"{"name":"My New Key","scopes":["flows:read","runs:read"]}"#),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(
        new_key["data"]["scopes"],
        json!(["flows:read", "runs:read"])
    );

    // DELETE /flows/:id
    let (status, deleted) = app
        .send(app.raw(Method::DELETE, &format!("/flows/{flow_id}")))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        deleted["message"],
        format!("Flow {flow_id} deleted successfully")
    );
}
