use reqwest::Method;
use scraper_common::{FieldType, FlowFilter, FlowInput, FlowMode, FlowStatus, RunStatus, StepType};
use scraper_tests::site::closed_port;
use scraper_tests::{assert_error, spawn_app, spawn_app_on_loopback};
use serde_json::json;
use std::time::Duration;

fn flow(name: &str, mode: FlowMode) -> FlowInput {
    let mut input = FlowInput::new(name, "https://example.com/products");
    input.mode = mode;
    input
}

#[tokio::test]
async fn create_then_read_a_full_flow() {
    let app = spawn_app().await;
    let (status, body) = app
        .send(app.raw(Method::POST, "/flows").json(&json!({
            "name": "My New Flow",
            "description": "Scrape product listings",
            "url": "https://example.com/products",
            "mode": "extract",
            "steps": [
                { "type": "navigate", "label": "Go to page" },
                { "type": "crawl", "label": "Follow links", "maxPages": 500, "include": ["/product/"] },
                { "type": "extract", "label": "Extract data" }
            ],
            "outputSchema": { "title": "string", "price": "number", "when": "datetime" }
        })))
        .await;
    assert_eq!(status, 201, "{body}");
    let data = &body["data"];
    let id = data["id"].as_str().unwrap();
    assert!(id.starts_with("flow-"), "{id}");
    assert_eq!(data["status"], "draft");
    assert_eq!(data["name"], "My New Flow");
    assert!(data["createdAt"].as_str().unwrap().ends_with('Z'));
    // A number always, as the reference types it: 0 before any finished run.
    assert!(data["successRate"].is_number(), "{data}");
    assert_eq!(data["successRate"].as_f64(), Some(0.0));

    let got = app.client.get_flow(id).await.unwrap();
    assert_eq!(got.description.as_deref(), Some("Scrape product listings"));
    assert_eq!(got.mode, FlowMode::Extract);
    assert_eq!(got.steps.len(), 3);
    assert_eq!(got.steps[1].kind, StepType::Crawl);
    assert_eq!(got.steps[1].label.as_deref(), Some("Follow links"));
    assert_eq!(got.steps[1].settings["maxPages"], 500);
    assert_eq!(got.steps[1].settings["include"], json!(["/product/"]));
    let schema = got.output_schema.unwrap();
    // The order the user gave is kept: it orders columns and CSV.
    assert_eq!(
        schema.keys().collect::<Vec<_>>(),
        ["title", "price", "when"]
    );
    assert_eq!(schema["when"], FieldType::Datetime);
    assert_eq!(got.total_runs, 0);
    assert_eq!(got.success_rate, 0.0);
    assert_eq!(got.created_at, got.updated_at);
}

#[tokio::test]
async fn list_is_newest_first_with_filters_and_paging() {
    let app = spawn_app().await;
    let c = &app.client;
    let mut ids = Vec::new();
    for (i, mode) in [
        FlowMode::Extract,
        FlowMode::Monitor,
        FlowMode::Interact,
        FlowMode::Monitor,
        FlowMode::Extract,
    ]
    .into_iter()
    .enumerate()
    {
        ids.push(
            c.create_flow(&flow(&format!("flow {i}"), mode))
                .await
                .unwrap()
                .id,
        );
    }
    c.update_flow(&ids[1], &json!({"status": "active"}))
        .await
        .unwrap();
    c.update_flow(&ids[3], &json!({"status": "active"}))
        .await
        .unwrap();
    c.update_flow(&ids[4], &json!({"status": "paused"}))
        .await
        .unwrap();

    let all = c.list_flows(&FlowFilter::default()).await.unwrap();
    assert_eq!(all.total, 5);
    let listed: Vec<_> = all.data.iter().map(|f| f.id.clone()).collect();
    let mut newest_first = ids.clone();
    newest_first.reverse();
    assert_eq!(listed, newest_first);

    let active = c
        .list_flows(&FlowFilter {
            status: Some(FlowStatus::Active),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(active.total, 2);
    assert_eq!(
        active.data.iter().map(|f| &f.id).collect::<Vec<_>>(),
        [&ids[3], &ids[1]]
    );

    let monitors = c
        .list_flows(&FlowFilter {
            mode: Some(FlowMode::Monitor),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(monitors.total, 2);
    assert!(monitors.data.iter().all(|f| f.mode == FlowMode::Monitor));

    let both = c
        .list_flows(&FlowFilter {
            status: Some(FlowStatus::Draft),
            mode: Some(FlowMode::Extract),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        both.data.iter().map(|f| &f.id).collect::<Vec<_>>(),
        [&ids[0]]
    );

    let page = c
        .list_flows(&FlowFilter {
            limit: Some(2),
            offset: Some(1),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(page.total, 5, "total counts every match, not the page");
    assert_eq!(
        page.data.iter().map(|f| &f.id).collect::<Vec<_>>(),
        [&ids[3], &ids[2]]
    );

    let past_end = c
        .list_flows(&FlowFilter {
            offset: Some(10),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!((past_end.total, past_end.data.len()), (5, 0));

    // The raw query string of the reference's example works too.
    let (status, body) = app.send(app.raw(Method::GET, "/flows?status=active")).await;
    assert_eq!(status, 200);
    assert_eq!(body["total"], 2);
}

#[tokio::test]
async fn put_is_a_json_merge_patch() {
    let app = spawn_app().await;
    let c = &app.client;
    let mut input = flow("Original", FlowMode::Extract);
    input.description = Some("to be cleared".into());
    input.output_schema = Some(
        [
            ("title".to_string(), FieldType::String),
            ("price".to_string(), FieldType::Number),
        ]
        .into_iter()
        .collect(),
    );
    input.steps =
        serde_json::from_value(json!([{"type": "navigate"}, {"type": "extract"}])).unwrap();
    let created = c.create_flow(&input).await.unwrap();

    let (status, body) = app
        .send(
            app.raw(Method::PUT, &format!("/flows/{}", created.id))
                .json(&json!({"name": "Updated Flow Name", "status": "active"})),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["name"], "Updated Flow Name");
    assert_eq!(body["data"]["status"], "active");
    assert_eq!(body["data"]["id"], created.id.as_str());
    let updated = c.get_flow(&created.id).await.unwrap();
    assert!(updated.updated_at > created.updated_at, "updatedAt moves");
    assert_eq!(updated.created_at, created.created_at);
    // Fields not in the patch stay.
    assert_eq!(updated.description.as_deref(), Some("to be cleared"));
    assert_eq!(updated.url, created.url);
    assert_eq!(updated.steps.len(), 2);

    // null clears an optional field; objects merge key by key; arrays replace.
    let patched = c
        .update_flow(
            &created.id,
            &json!({
                "description": null,
                "outputSchema": {"price": null, "url": "url"},
                "steps": [{"type": "crawl", "maxPages": 3}]
            }),
        )
        .await
        .unwrap();
    assert_eq!(patched.description, None);
    let schema = patched.output_schema.clone().unwrap();
    assert_eq!(schema.keys().collect::<Vec<_>>(), ["title", "url"]);
    assert_eq!(patched.steps.len(), 1);
    assert_eq!(patched.steps[0].kind, StepType::Crawl);
    assert!(patched.updated_at > updated.updated_at);

    let cleared = c
        .update_flow(&created.id, &json!({"outputSchema": null}))
        .await
        .unwrap();
    assert_eq!(cleared.output_schema, None);

    // An empty patch changes nothing but the time.
    let same = c.update_flow(&created.id, &json!({})).await.unwrap();
    assert_eq!(same.name, "Updated Flow Name");
}

#[tokio::test]
async fn a_refused_patch_changes_nothing() {
    let app = spawn_app().await;
    let c = &app.client;
    let created = c
        .create_flow(&flow("Keep me", FlowMode::Monitor))
        .await
        .unwrap();
    let path = format!("/flows/{}", created.id);
    let cases = [
        (json!({"name": null}), "name"),
        (json!({"url": null}), "url"),
        (json!({"mode": null}), "mode"),
        (json!({"name": ""}), "name"),
        (json!({"name": 5}), "name"),
        (json!({"url": "not a url"}), "url"),
        (json!({"url": "ftp://example.com/"}), "url"),
        (json!({"mode": "scrape"}), "mode"),
        (json!({"status": "finished"}), "status"),
        (json!({"status": "error"}), "status"),
        (json!({"steps": [{"type": "teleport"}]}), "steps[0]"),
        (json!({"steps": {"type": "crawl"}}), "steps"),
        (
            json!({"outputSchema": {"price": "money"}}),
            "outputSchema.price",
        ),
        (json!({"colour": "blue"}), "colour"),
        (json!({"id": "flow-other"}), "id"),
        (json!({"totalRuns": 3}), "totalRuns"),
    ];
    for (patch, field) in cases {
        let got = app.send(app.raw(Method::PUT, &path).json(&patch)).await;
        assert_error(&got, 422, "validation_failed", &[field]);
    }
    let after = c.get_flow(&created.id).await.unwrap();
    assert_eq!(after, created, "nothing changed");

    let missing = app
        .send(
            app.raw(Method::PUT, "/flows/flow-404")
                .json(&json!({"name": "x"})),
        )
        .await;
    assert_error(&missing, 404, "not_found", &["flow-404"]);
}

#[tokio::test]
async fn delete_removes_the_flow_and_its_runs() {
    let app = spawn_app().await;
    let c = &app.client;
    let keep = c
        .create_flow(&flow("keep", FlowMode::Extract))
        .await
        .unwrap();
    let gone = c
        .create_flow(&flow("gone", FlowMode::Extract))
        .await
        .unwrap();
    let run = c.create_run(&gone.id).await.unwrap();
    c.create_run(&keep.id).await.unwrap();

    let (status, body) = app
        .send(app.raw(Method::DELETE, &format!("/flows/{}", gone.id)))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"message": format!("Flow {} deleted successfully", gone.id)})
    );

    let err = c.get_flow(&gone.id).await.unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert_eq!(c.get_run(&run.id).await.unwrap_err().status(), Some(404));
    let runs = c.list_runs(&Default::default()).await.unwrap();
    assert_eq!(runs.total, 1);
    assert_eq!(c.list_flows(&FlowFilter::default()).await.unwrap().total, 1);

    let again = app
        .send(app.raw(Method::DELETE, &format!("/flows/{}", gone.id)))
        .await;
    assert_error(&again, 404, "not_found", &[&gone.id]);
}

#[tokio::test]
async fn success_rate_and_total_runs_come_from_runs() {
    let app = spawn_app().await;
    let c = &app.client;
    let f = c
        .create_flow(&flow("rated", FlowMode::Extract))
        .await
        .unwrap();
    let mut runs = Vec::new();
    for _ in 0..5 {
        runs.push(c.create_run(&f.id).await.unwrap().id);
    }
    let got = c.get_flow(&f.id).await.unwrap();
    assert_eq!(got.total_runs, 5);
    assert_eq!(got.success_rate, 0.0, "no run has finished: a number, 0");
    assert!(got.last_run_at.is_some());

    // The worker pool is another issue; the store call it will use ends runs here.
    let s = &app.store;
    assert!(
        s.finish_run(&runs[0], RunStatus::Completed, None, None)
            .await
            .unwrap()
    );
    assert!(
        s.finish_run(&runs[1], RunStatus::Completed, None, None)
            .await
            .unwrap()
    );
    assert!(
        s.finish_run(
            &runs[2],
            RunStatus::Failed,
            Some(scraper_common::FailureReason::Unreachable),
            Some("down")
        )
        .await
        .unwrap()
    );
    assert!(
        s.finish_run(&runs[3], RunStatus::Cancelled, None, None)
            .await
            .unwrap()
    );
    assert!(
        !s.finish_run(&runs[3], RunStatus::Completed, None, None)
            .await
            .unwrap()
    );

    let got = c.get_flow(&f.id).await.unwrap();
    assert_eq!(got.total_runs, 5);
    // 2 completed of 3 finished (cancelled runs are neither success nor failure).
    assert_eq!(got.success_rate, 66.7);
    let listed = c.list_flows(&FlowFilter::default()).await.unwrap();
    assert_eq!(listed.data[0].success_rate, 66.7);
    assert_eq!(listed.data[0].total_runs, 5);
}

/// Read, modify, write: the body of `GET /flows/:id` sent back whole as a
/// `PUT`, server-owned fields and all, updates the flow; those fields are
/// refused only when they differ from what the server holds.
#[tokio::test]
async fn a_flow_read_edited_and_sent_back_whole_is_updated() {
    let app = spawn_app().await;
    let created = app
        .client
        .create_flow(&flow("Read me", FlowMode::Monitor))
        .await
        .unwrap();
    let path = format!("/flows/{}", created.id);
    let (status, read) = app.send(app.raw(Method::GET, &path)).await;
    assert_eq!(status, 200);
    let mut doc = read["data"].clone();
    doc["name"] = json!("Read, edited, written");
    // A client may send the number it was given in another form.
    doc["successRate"] = json!(0);
    let (status, written) = app.send(app.raw(Method::PUT, &path).json(&doc)).await;
    assert_eq!(status, 200, "{written}");
    assert_eq!(written["data"]["name"], "Read, edited, written");
    for field in ["id", "createdAt", "mode", "url", "totalRuns", "successRate"] {
        assert_eq!(written["data"][field], read["data"][field], "{field}");
    }

    // The flow moved on (a run was made): the old copy's totalRuns now
    // differs, and is refused by name; nothing changes.
    app.client.create_run(&created.id).await.unwrap();
    let (_, before) = app.send(app.raw(Method::GET, &path)).await;
    doc["name"] = json!("stale");
    let got = app.send(app.raw(Method::PUT, &path).json(&doc)).await;
    assert_error(
        &got,
        422,
        "validation_failed",
        &["totalRuns", "set by the server"],
    );
    let (_, after) = app.send(app.raw(Method::GET, &path)).await;
    assert_eq!(after, before, "nothing changed");

    // A field that does not exist at all is still named.
    let (_, fresh) = app.send(app.raw(Method::GET, &path)).await;
    let mut typo = fresh["data"].clone();
    typo["nmae"] = json!("x");
    let got = app.send(app.raw(Method::PUT, &path).json(&typo)).await;
    assert_error(&got, 422, "validation_failed", &["nmae"]);
}

/// A flow the server put in `error` may be read and written back with its
/// status as it is; setting `error` stays the server's alone.
#[tokio::test]
async fn a_flow_in_error_written_back_keeps_its_status() {
    let app = spawn_app_on_loopback().await;
    let mut input = FlowInput::new("fails", format!("http://127.0.0.1:{}/", closed_port()));
    input.status = Some(FlowStatus::Active);
    let created = app.client.create_flow(&input).await.unwrap();
    let run = app.client.create_run(&created.id).await.unwrap();
    app.wait_finished(&run.id, Duration::from_secs(30)).await;
    let path = format!("/flows/{}", created.id);
    let (_, read) = app.send(app.raw(Method::GET, &path)).await;
    assert_eq!(read["data"]["status"], "error", "{read}");
    let mut doc = read["data"].clone();
    doc["description"] = json!("looked at");
    let (status, written) = app.send(app.raw(Method::PUT, &path).json(&doc)).await;
    assert_eq!(status, 200, "{written}");
    assert_eq!(written["data"]["status"], "error");
    assert_eq!(written["data"]["description"], "looked at");
}

/// The list is kept encoded between polls; a write through the server shows
/// in the next list at once, one made by another process within half a
/// second (`list_cache::FRESH_FOR`).
#[tokio::test]
async fn the_flow_list_shows_writes_at_once_and_other_processes_writes_soon() {
    let app = spawn_app().await;
    let all = FlowFilter::default();
    let made = app
        .client
        .create_flow(&flow("first", FlowMode::Extract))
        .await
        .unwrap();
    assert_eq!(
        app.client.list_flows(&all).await.unwrap().data[0].name,
        "first"
    );
    app.client
        .update_flow(&made.id, &json!({"name": "renamed"}))
        .await
        .unwrap();
    let listed = app.client.list_flows(&all).await.unwrap();
    assert_eq!(listed.data[0].name, "renamed");
    assert_eq!(listed.data[0].total_runs, 0);
    app.client.create_run(&made.id).await.unwrap();
    assert_eq!(
        app.client.list_flows(&all).await.unwrap().data[0].total_runs,
        1
    );

    // Another process: a second handle on the same file, as the `keys`
    // command or a second server would have.
    let other = scraper_server::store::Store::open(&app.database_url)
        .await
        .unwrap();
    other
        .create_flow(&flow("from elsewhere", FlowMode::Extract), None)
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(3);
    loop {
        let listed = app.client.list_flows(&all).await.unwrap();
        if listed.total == 2 {
            assert_eq!(listed.data[0].name, "from elsewhere");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "another process's flow never listed"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    other.close().await;
}
