use reqwest::Method;
use scraper_common::{FlowFilter, NewKey, Scope};
use scraper_tests::{assert_error, spawn_app};
use serde_json::json;

#[tokio::test]
async fn a_new_key_is_shown_once_then_only_masked() {
    let app = spawn_app().await;
    let (status, body) = app
        .send(app.raw(Method::POST, "/keys").json(&json!({
            "name": "My New Key",
            "scopes": ["flows:read", "runs:read"]
        })))
        .await;
    assert_eq!(status, 201, "{body}");
    let data = &body["data"];
    let full = data["key"].as_str().unwrap().to_string();
    assert!(full.starts_with("scr_live_"));
    assert!(full.len() >= "scr_live_".len() + 32);
    assert!(
        full["scr_live_".len()..]
            .chars()
            .all(|c| c.is_ascii_alphanumeric())
    );
    assert_eq!(data["name"], "My New Key");
    assert_eq!(data["scopes"], json!(["flows:read", "runs:read"]));
    assert!(data["id"].as_str().unwrap().starts_with("key-"));

    // The new key works.
    let client = app.client_with_key(&full);
    client.list_flows(&FlowFilter::default()).await.unwrap();

    // Lists show it masked, with its last four characters.
    let (_, listed) = app.send(app.raw(Method::GET, "/keys")).await;
    assert_eq!(listed["total"], 2, "the admin key and the new one");
    let text = listed.to_string();
    assert!(!text.contains(&full), "a list never shows a full key");
    assert!(!text.contains(&app.admin_key));
    let mine = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == data["id"])
        .unwrap();
    assert_eq!(
        mine["key"],
        format!("scr_live_****{}", &full[full.len() - 4..])
    );
    assert_eq!(mine["name"], "My New Key");
    assert_eq!(mine["scopes"], json!(["flows:read", "runs:read"]));
    assert_eq!(mine["createdAt"], data["createdAt"]);
}

#[tokio::test]
async fn the_database_never_holds_a_full_key() {
    let app = spawn_app().await;
    let mut keys = vec![app.admin_key.clone()];
    for i in 0..3 {
        let k = app
            .client
            .create_key(&NewKey {
                name: format!("k{i}"),
                scopes: vec![Scope::FlowsRead],
            })
            .await
            .unwrap();
        keys.push(k.key);
    }
    let bytes = everything_stored(&app).await;
    let holds = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    for key in keys {
        // What is shown of a key later is stored, so the dump was read.
        assert!(holds(&key[key.len() - 4..]), "read the database");
        let random = &key["scr_live_".len()..];
        assert!(!holds(random), "the database holds a full key");
    }
}

/// All the database holds: SQLite's main file and write-ahead log, or
/// every row of every table on PostgreSQL, as text.
async fn everything_stored(app: &scraper_tests::TestApp) -> Vec<u8> {
    let mut bytes = Vec::new();
    if let Some(path) = app.sqlite_path() {
        for suffix in ["", "-wal", "-shm"] {
            if let Ok(b) = std::fs::read(format!("{}{suffix}", path.display())) {
                bytes.extend(b);
            }
        }
        return bytes;
    }
    let db = sqlx::PgPool::connect(&app.database_url).await.unwrap();
    let tables: Vec<String> =
        sqlx::query_scalar("SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'")
            .fetch_all(&db)
            .await
            .unwrap();
    assert!(tables.iter().any(|t| t == "api_keys"), "{tables:?}");
    for table in tables {
        let sql = format!("SELECT COALESCE(string_agg(t::text, ' '), '') FROM \"{table}\" t");
        let rows: String = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(&db)
            .await
            .unwrap();
        bytes.extend(rows.into_bytes());
    }
    db.close().await;
    bytes
}

#[tokio::test]
async fn revoked_keys_stop_working() {
    let app = spawn_app().await;
    let key = app
        .client
        .create_key(&NewKey {
            name: "temp".into(),
            scopes: vec![Scope::FlowsRead],
        })
        .await
        .unwrap();
    let client = app.client_with_key(&key.key);
    client.list_flows(&FlowFilter::default()).await.unwrap();

    let (status, body) = app
        .send(app.raw(Method::DELETE, &format!("/keys/{}", key.id)))
        .await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"message": format!("Key {} revoked", key.id)}));

    let err = client.list_flows(&FlowFilter::default()).await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.code(), Some("unauthorized"));
    let listed = app.client.list_keys().await.unwrap();
    assert!(listed.data.iter().all(|k| k.id != key.id));
    assert_eq!(listed.total, 1);

    let again = app
        .send(app.raw(Method::DELETE, &format!("/keys/{}", key.id)))
        .await;
    assert_error(&again, 404, "not_found", &[&key.id]);
}

#[tokio::test]
async fn bad_key_requests_are_refused() {
    let app = spawn_app().await;
    let cases = [
        (json!({"name": "x", "scopes": ["flows:admin"]}), "scopes[0]"),
        (json!({"name": "x", "scopes": []}), "scopes"),
        (json!({"name": "x", "scopes": "flows:read"}), "scopes"),
        (json!({"name": "", "scopes": ["flows:read"]}), "name"),
        (json!({"scopes": ["flows:read"]}), "name"),
        (json!({"name": "x"}), "scopes"),
        (
            json!({"name": "x", "scopes": ["flows:read"], "expires": 1}),
            "expires",
        ),
    ];
    for (body, field) in cases {
        let got = app.send(app.raw(Method::POST, "/keys").json(&body)).await;
        assert_error(&got, 422, "validation_failed", &[field]);
    }
    assert_eq!(
        app.client.list_keys().await.unwrap().total,
        1,
        "nothing was made"
    );
}

#[tokio::test]
async fn a_key_cannot_grant_more_than_it_holds() {
    let app = spawn_app().await;
    let limited = app
        .client_with_scopes(&[Scope::KeysWrite, Scope::FlowsRead])
        .await;
    let err = limited
        .create_key(&NewKey {
            name: "escalate".into(),
            scopes: vec![Scope::FlowsWrite],
        })
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(403));
    assert!(err.to_string().contains("flows:write"), "{err}");
    let ok = limited
        .create_key(&NewKey {
            name: "same".into(),
            scopes: vec![Scope::FlowsRead],
        })
        .await
        .unwrap();
    assert_eq!(ok.scopes, vec![Scope::FlowsRead]);
}

/// A key revoked by another process (the `keys revoke` command, another
/// server on the database) stops working here within half a second, though
/// it was in use and remembered (`keys::FRESH_FOR`).
#[tokio::test]
async fn a_key_revoked_by_another_process_stops_working_soon() {
    let app = spawn_app().await;
    let key = app
        .client
        .create_key(&NewKey {
            name: "temp".into(),
            scopes: vec![Scope::FlowsRead],
        })
        .await
        .unwrap();
    let client = app.client_with_key(&key.key);
    client.list_flows(&FlowFilter::default()).await.unwrap();
    let other = scraper_server::store::Store::open(&app.database_url)
        .await
        .unwrap();
    assert!(other.revoke_key(&key.id).await.unwrap());
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(3);
    loop {
        match client.list_flows(&FlowFilter::default()).await {
            Err(err) => {
                assert_eq!(err.status(), Some(401));
                break;
            }
            Ok(_) => assert!(
                tokio::time::Instant::now() < deadline,
                "a key revoked elsewhere still works"
            ),
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    other.close().await;
}
