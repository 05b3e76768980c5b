//! `GET /api/runs/:id/items` on data sets of several pages: the bodies are
//! streamed a page at a time, and must read as if written at once.

use reqwest::Method;
use scraper_common::FlowInput;
use scraper_tests::{TestApp, assert_error, spawn_app};
use serde_json::{Map, Value, json};

/// What the server reads from the database at a time (`store::ITEM_PAGE`).
const PAGE: usize = 1000;

fn object(value: Value) -> Map<String, Value> {
    value.as_object().expect("an object").clone()
}

/// A queued run (the app executes none) of a flow with `schema`, holding `items`.
async fn run_with(app: &TestApp, schema: Value, items: &[Map<String, Value>]) -> String {
    let mut input = FlowInput::new("export", "https://example.com/");
    input.output_schema = Some(serde_json::from_value(schema).unwrap());
    let flow = app.client.create_flow(&input).await.unwrap();
    let run = app.client.create_run(&flow.id).await.unwrap();
    // Written as the engine writes them, in batches numbered on from 1.
    for (i, batch) in items.chunks(700).enumerate() {
        let first_seq = 1 + (i * 700) as u64;
        app.store
            .insert_items(&run.id, first_seq, batch)
            .await
            .unwrap();
    }
    run.id
}

/// Status, content type and body of `GET /runs/:id/items?QUERY`.
async fn export(app: &TestApp, run_id: &str, query: &str) -> (u16, String, String) {
    let response = app
        .raw(Method::GET, &format!("/runs/{run_id}/items?{query}"))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_string();
    (status, content_type, response.text().await.unwrap())
}

fn product(n: usize) -> Map<String, Value> {
    object(json!({"n": n, "name": format!("item {n}"), "price": n as f64 / 4.0}))
}

fn texts(items: &[Map<String, Value>]) -> Vec<String> {
    items
        .iter()
        .map(|i| serde_json::to_string(i).unwrap())
        .collect()
}

fn json_body(items: &[Map<String, Value>], total: usize) -> String {
    format!(
        "{{\"data\":[{}],\"total\":{total}}}",
        texts(items).join(",")
    )
}

fn ndjson_body(items: &[Map<String, Value>]) -> String {
    texts(items).iter().map(|t| format!("{t}\n")).collect()
}

/// The CSV of items whose values need no quoting.
fn plain_csv(columns: &[&str], items: &[Map<String, Value>]) -> String {
    let mut out = columns.join(",") + "\r\n";
    for item in items {
        let fields: Vec<String> = columns
            .iter()
            .map(|c| match item.get(*c) {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(v) => v.to_string(),
            })
            .collect();
        out += &(fields.join(",") + "\r\n");
    }
    out
}

#[tokio::test]
async fn several_thousand_items_export_whole_and_in_order_in_every_format() {
    let app = spawn_app().await;
    let items: Vec<_> = (0..5 * PAGE + 321).map(product).collect();
    let run = run_with(&app, json!({"name": "string", "price": "number"}), &items).await;

    let (status, content_type, body) = export(&app, &run, "format=json").await;
    assert_eq!((status, content_type.as_str()), (200, "application/json"));
    assert_eq!(body, json_body(&items, items.len()));
    let parsed: Value = serde_json::from_str(&body).expect("one JSON document");
    let order: Vec<u64> = parsed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["n"].as_u64().unwrap())
        .collect();
    assert_eq!(order, (0..items.len() as u64).collect::<Vec<_>>());
    let (_, _, default) = export(&app, &run, "").await;
    assert_eq!(default, body, "json is the default");

    let (status, content_type, body) = export(&app, &run, "format=ndjson").await;
    assert_eq!(
        (status, content_type.as_str()),
        (200, "application/x-ndjson")
    );
    assert_eq!(body, ndjson_body(&items));

    let (status, content_type, body) = export(&app, &run, "format=csv").await;
    assert_eq!(
        (status, content_type.as_str()),
        (200, "text/csv; charset=utf-8")
    );
    assert_eq!(body, plain_csv(&["name", "price", "n"], &items));
}

#[tokio::test]
async fn limit_and_offset_cut_the_same_items_across_page_boundaries() {
    let app = spawn_app().await;
    let items: Vec<_> = (0..2 * PAGE + 500).map(product).collect();
    let run = run_with(&app, json!({"n": "number"}), &items).await;
    let n = items.len();
    let cases: &[(usize, Option<usize>)] = &[
        (0, Some(PAGE)),
        (0, Some(PAGE + 1)),
        (PAGE - 1, Some(2)),
        (PAGE, Some(1)),
        (PAGE + 500, Some(PAGE)),
        (n - 100, Some(PAGE)),
        (1, None),
        (2 * PAGE, None),
        (n, Some(5)),
        (n + 7, None),
    ];
    for &(offset, limit) in cases {
        let want = &items[offset.min(n)..limit.map_or(n, |l| (offset + l).min(n))];
        let query = match limit {
            Some(l) => format!("offset={offset}&limit={l}"),
            None => format!("offset={offset}"),
        };
        let case = format!("{query} of {n}");
        let (_, _, body) = export(&app, &run, &format!("format=json&{query}")).await;
        assert_eq!(body, json_body(want, n), "json {case}");
        let (_, _, body) = export(&app, &run, &format!("format=ndjson&{query}")).await;
        assert_eq!(body, ndjson_body(want), "ndjson {case}");
        let (_, _, body) = export(&app, &run, &format!("format=csv&{query}")).await;
        let columns: &[&str] = if want.is_empty() {
            &["n"]
        } else {
            &["n", "name", "price"]
        };
        assert_eq!(body, plain_csv(columns, want), "csv {case}");
    }
}

#[tokio::test]
async fn csv_columns_are_the_schema_then_every_key_in_the_order_it_first_appears() {
    let app = spawn_app().await;
    let mut items: Vec<_> = (0..3 * PAGE)
        .map(|n| object(json!({"sku": format!("s{n}"), "price": n, "name": format!("p{n}")})))
        .collect();
    // Keys that only later items have, one past a page boundary, one
    // arriving next to a key seen before it in the same item.
    items[PAGE + 1].insert("color".into(), json!("red"));
    items[2 * PAGE + 3] = object(json!({"weight": 2, "name": "heavy", "color": "blue"}));
    let run = run_with(&app, json!({"name": "string", "price": "number"}), &items).await;

    let (_, _, body) = export(&app, &run, "format=csv").await;
    let columns = ["name", "price", "sku", "color", "weight"];
    assert_eq!(body, plain_csv(&columns, &items));
    let header = body.lines().next().unwrap();
    assert_eq!(header, "name,price,sku,color,weight");
    let late = body.split("\r\n").nth(2 * PAGE + 4).unwrap();
    assert_eq!(late, "heavy,,,blue,2", "absent fields are empty");

    // Columns are those of the items exported (as before streaming): the
    // schema's fields always, the rest as the cut's items have them.
    let (_, _, first) = export(&app, &run, "format=csv&limit=10").await;
    assert_eq!(first.lines().next().unwrap(), "name,price,sku");
    let (_, _, cut) = export(&app, &run, &format!("format=csv&offset={}", 2 * PAGE)).await;
    assert_eq!(cut.lines().next().unwrap(), "name,price,sku,weight,color");
}

#[tokio::test]
async fn csv_quotes_commas_quotes_and_line_breaks_wherever_they_fall() {
    let app = spawn_app().await;
    let odd = [
        json!({"name": "Desk, oak", "note": "say \"hi\""}),
        json!({"name": "two\nlines", "note": "cr\r\nlf"}),
        json!({"name": "\"", "note": ","}),
        json!({"name": null, "note": {"nested": "a,b"}, "tags": ["x", "y"]}),
        json!({"name": "", "note": true, "odd, key": 1.5}),
    ];
    // At the start and straddling the first page boundary.
    let mut items: Vec<_> = (0..2 * PAGE)
        .map(|n| object(json!({"name": format!("n{n}"), "note": n})))
        .collect();
    for (i, value) in odd.iter().enumerate() {
        items[i] = object(value.clone());
        items[PAGE - 2 + i] = object(value.clone());
    }
    let run = run_with(&app, json!({"name": "string"}), &items).await;
    let (_, _, body) = export(&app, &run, "format=csv").await;
    let odd_rows = "\"Desk, oak\",\"say \"\"hi\"\"\",,\r\n\
                    \"two\nlines\",\"cr\r\nlf\",,\r\n\
                    \"\"\"\",\",\",,\r\n\
                    ,\"{\"\"nested\"\":\"\"a,b\"\"}\",\"[\"\"x\"\",\"\"y\"\"]\",\r\n\
                    ,true,,1.5\r\n";
    let plain = |from: usize, to: usize| {
        (from..to)
            .map(|n| format!("n{n},{n},,\r\n"))
            .collect::<String>()
    };
    let expected = format!(
        "name,note,tags,\"odd, key\"\r\n{odd_rows}{}{odd_rows}{}",
        plain(odd.len(), PAGE - 2),
        plain(PAGE - 2 + odd.len(), 2 * PAGE)
    );
    assert_eq!(body, expected);
}

#[tokio::test]
async fn bad_requests_and_unknown_runs_are_refused_before_any_body() {
    let app = spawn_app().await;
    let run = run_with(&app, json!({"n": "number"}), &[product(1)]).await;
    for (query, word) in [
        ("format=xml", "format"),
        ("format=", "format"),
        ("limit=0", "limit"),
        ("limit=ten", "limit"),
        ("offset=-1", "offset"),
        ("offset=99999999999999999999", "offset"),
        ("page=2", "page"),
        ("limit=1&limit=2", "limit"),
    ] {
        let got = app
            .send(app.raw(Method::GET, &format!("/runs/{run}/items?{query}")))
            .await;
        assert_error(&got, 400, "bad_request", &[word]);
    }
    for format in ["json", "ndjson", "csv"] {
        let got = app
            .send(app.raw(
                Method::GET,
                &format!("/runs/run-nope/items?format={format}"),
            ))
            .await;
        assert_error(&got, 404, "not_found", &["run-nope"]);
    }
}

#[tokio::test]
async fn a_database_error_mid_stream_cuts_the_body_and_the_server_goes_on() {
    let app = spawn_app().await;
    let items: Vec<_> = (0..3 * PAGE).map(product).collect();
    let good = 2 * PAGE + 10;
    let run = run_with(&app, json!({"n": "number"}), &items[..good]).await;
    // A row no text can be read from, a few pages in: the export has begun
    // (status and first bytes sent) when reading fails. More items follow.
    // Only SQLite stores text that is not UTF-8; PostgreSQL refuses it on
    // the way in, so there is no such row to read back there.
    let Some(path) = app.sqlite_path() else {
        eprintln!("a row that cannot be read is a SQLite case: skipped on PostgreSQL");
        return;
    };
    let db = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    sqlx::query("INSERT INTO run_items (run_id, seq, data) VALUES (?, ?, X'FF')")
        .bind(&run)
        .bind(good as i64 + 1)
        .execute(&db)
        .await
        .unwrap();
    db.close().await;
    app.store
        .insert_items(&run, good as u64 + 2, &items[good..])
        .await
        .unwrap();

    for format in ["json", "ndjson", "csv"] {
        let mut response = app
            .raw(Method::GET, &format!("/runs/{run}/items?format={format}"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            response.status(),
            200,
            "{format}: decided before the failure"
        );
        let mut got = Vec::new();
        let cut = loop {
            match response.chunk().await {
                Ok(Some(chunk)) => got.extend_from_slice(&chunk),
                Ok(None) => break false,
                Err(_) => break true,
            }
        };
        assert!(
            cut,
            "{format}: the body ends in an error, not as if complete"
        );
        let got = String::from_utf8(got).unwrap();
        let before_bad = match format {
            "json" => json_body(&items[..good], 0).replace("],\"total\":0}", ""),
            "ndjson" => ndjson_body(&items[..good]),
            _ => plain_csv(&["n", "name", "price"], &items[..good]),
        };
        assert!(
            before_bad.starts_with(&got),
            "{format}: what came ({} bytes) is a start of the body, nothing past the bad row",
            got.len()
        );
    }
    let detail = app.client.get_run(&run).await.unwrap();
    assert_eq!(detail.run.id, run, "the server still answers");
}
