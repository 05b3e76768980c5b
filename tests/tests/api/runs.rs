use reqwest::Method;
use scraper_common::{FlowInput, LogLevel, RunFilter, RunStatus, Trigger};
use scraper_tests::{assert_error, spawn_app};
use serde_json::json;

#[tokio::test]
async fn trigger_a_run_it_waits_queued() {
    let app = spawn_app().await;
    let f = app
        .client
        .create_flow(&FlowInput::new(
            "Product Price Monitor",
            "https://example.com/",
        ))
        .await
        .unwrap();
    let (status, body) = app
        .send(
            app.raw(Method::POST, "/runs")
                .json(&json!({"flowId": f.id})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let data = &body["data"];
    assert!(data["id"].as_str().unwrap().starts_with("run-"));
    assert_eq!(data["flowId"], f.id.as_str());
    assert_eq!(data["flowName"], "Product Price Monitor");
    assert_eq!(data["status"], "queued");
    assert_eq!(data["cost"], 0.0);
    assert!(data["startedAt"].is_string());

    let id = data["id"].as_str().unwrap();
    let detail = app.client.get_run(id).await.unwrap();
    assert_eq!(detail.run.status, RunStatus::Queued);
    assert_eq!(detail.run.trigger, Trigger::Api);
    assert_eq!(detail.run.duration, None);
    assert_eq!(detail.run.items_extracted, 0);
    assert_eq!(detail.logs.len(), 1);
    assert_eq!(detail.logs[0].level, LogLevel::Info);
    assert!(detail.logs[0].message.contains("queued"));
    assert!(detail.output_preview.is_empty());

    // An API-only node (--workers 0) executes nothing, and nothing pretends to.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        app.client.get_run(id).await.unwrap().run.status,
        RunStatus::Queued
    );

    let (_, raw) = app.send(app.raw(Method::GET, &format!("/runs/{id}"))).await;
    assert!(raw["data"]["logs"].is_array());
    assert!(raw["data"]["outputPreview"].is_array());
    assert_eq!(raw["data"]["logs"][0]["seq"], 1);
}

#[tokio::test]
async fn runs_filter_by_flow_and_status_and_page() {
    let app = spawn_app().await;
    let c = &app.client;
    let a = c
        .create_flow(&FlowInput::new("a", "https://a.example/"))
        .await
        .unwrap();
    let b = c
        .create_flow(&FlowInput::new("b", "https://b.example/"))
        .await
        .unwrap();
    let mut a_runs = Vec::new();
    for _ in 0..3 {
        a_runs.push(c.create_run(&a.id).await.unwrap().id);
    }
    let b_run = c.create_run(&b.id).await.unwrap().id;
    app.store
        .finish_run(&a_runs[0], RunStatus::Completed, None, None)
        .await
        .unwrap();
    app.store
        .finish_run(&b_run, RunStatus::Completed, None, None)
        .await
        .unwrap();

    let all = c.list_runs(&RunFilter::default()).await.unwrap();
    assert_eq!(all.total, 4);
    assert_eq!(all.data[0].id, b_run, "newest first");
    assert_eq!(all.data[3].id, a_runs[0]);

    let of_a = c
        .list_runs(&RunFilter {
            flow_id: Some(a.id.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(of_a.total, 3);
    assert!(
        of_a.data
            .iter()
            .all(|r| r.flow_id == a.id && r.flow_name == "a")
    );

    let done_a = c
        .list_runs(&RunFilter {
            flow_id: Some(a.id.clone()),
            status: Some(RunStatus::Completed),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        done_a.data.iter().map(|r| &r.id).collect::<Vec<_>>(),
        [&a_runs[0]]
    );
    assert!(done_a.data[0].finished_at.is_some());
    assert!(done_a.data[0].duration.is_some());

    let queued = c
        .list_runs(&RunFilter {
            status: Some(RunStatus::Queued),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(queued.total, 2);

    let page = c
        .list_runs(&RunFilter {
            limit: Some(1),
            offset: Some(1),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(page.total, 4);
    assert_eq!(page.data.len(), 1);
    assert_eq!(page.data[0].id, a_runs[2]);

    let none = c
        .list_runs(&RunFilter {
            flow_id: Some("flow-unknown".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!((none.total, none.data.len()), (0, 0));

    // The reference's example, as a raw query string.
    let (status, body) = app
        .send(app.raw(
            Method::GET,
            &format!("/runs?flowId={}&status=completed", a.id),
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["total"], 1);
}

#[tokio::test]
async fn bad_run_requests_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let missing = app
        .send(
            app.raw(Method::POST, "/runs")
                .json(&json!({"flowId": "flow-nope"})),
        )
        .await;
    assert_error(&missing, 404, "not_found", &["flowId", "flow-nope"]);
    let no_field = app
        .send(app.raw(Method::POST, "/runs").json(&json!({})))
        .await;
    assert_error(&no_field, 422, "validation_failed", &["flowId"]);
    let wrong_type = app
        .send(app.raw(Method::POST, "/runs").json(&json!({"flowId": 7})))
        .await;
    assert_error(&wrong_type, 422, "validation_failed", &["flowId"]);
    let extra = app
        .send(
            app.raw(Method::POST, "/runs")
                .json(&json!({"flowId": "x", "priority": 1})),
        )
        .await;
    assert_error(&extra, 422, "validation_failed", &["priority"]);
    let unknown = app.send(app.raw(Method::GET, "/runs/run-404")).await;
    assert_error(&unknown, 404, "not_found", &["run-404"]);
    assert_eq!(
        app.client
            .list_runs(&RunFilter::default())
            .await
            .unwrap()
            .total,
        0
    );
}
