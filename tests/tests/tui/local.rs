//! Local mode: the dashboard's own server, in this process, on a free
//! loopback port, with its database and key in a data dir.

use scraper_common::{Client, FlowFilter, RunFilter, RunStatus};
use scraper_tui::app::Settings;
use scraper_tui::editor::Editor;
use scraper_tui::headless::Headless;
use scraper_tui::local::{KEY_NAME, LocalOptions, LocalServer};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

async fn start(dir: &std::path::Path, demo: bool) -> (LocalServer, Client) {
    let local = LocalServer::start_in(dir, LocalOptions { demo })
        .await
        .expect("local server");
    let client = Client::new(&local.url, &local.api_key).unwrap();
    (local, client)
}

#[tokio::test]
async fn the_local_server_keeps_its_database_and_key_across_starts() {
    let dir = tempfile::tempdir().unwrap();
    let (local, client) = start(dir.path(), false).await;
    assert!(local.url.starts_with("http://127.0.0.1:"), "{}", local.url);
    assert_eq!(local.database, dir.path().join("scraper.db"));
    let keys = client.list_keys().await.unwrap();
    assert_eq!(keys.total, 1);
    assert_eq!(keys.data[0].name, KEY_NAME);
    let flow = client
        .create_flow(&scraper_common::FlowInput::new(
            "kept",
            "https://example.com/",
        ))
        .await
        .unwrap();
    let first_key = local.api_key.clone();
    local.stop().await;
    // Stopped means stopped: the port answers no more.
    assert!(client.list_flows(&FlowFilter::default()).await.is_err());

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("tui-local.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the key file is private");
    }

    let (again, client) = start(dir.path(), false).await;
    assert_eq!(again.api_key, first_key, "the saved key is used again");
    assert_eq!(client.get_flow(&flow.id).await.unwrap().name, "kept");
    assert_eq!(client.list_keys().await.unwrap().total, 1, "no second key");
    again.stop().await;
}

#[tokio::test]
async fn a_revoked_local_key_is_replaced_on_the_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let (local, client) = start(dir.path(), false).await;
    let old = local.api_key.clone();
    let id = client.list_keys().await.unwrap().data[0].id.clone();
    client.revoke_key(&id).await.unwrap();
    local.stop().await;

    let (again, client) = start(dir.path(), false).await;
    assert_ne!(again.api_key, old);
    assert!(client.list_flows(&FlowFilter::default()).await.is_ok());
    again.stop().await;
}

#[tokio::test]
async fn demo_mode_serves_the_shop_and_the_dashboard_shows_its_runs() {
    let dir = tempfile::tempdir().unwrap();
    let (local, client) = start(dir.path(), true).await;
    let shop = reqwest::get(format!("{}/demo/", local.url)).await.unwrap();
    assert_eq!(shop.status(), 200);

    let settings = Settings {
        local: true,
        key_name: Some(local.key_name.clone()),
        save_dir: dir.path().to_path_buf(),
        ..Settings::new(&local.url, &local.api_key)
    };
    let editor = Editor::none();
    let mut tui = Headless::start(settings, client.clone(), editor);
    tui.until(WAIT, |a| a.flows().table.rows.len() == 5)
        .await
        .unwrap();
    // The seeded runs finish: four complete (the browser search in Chromium
    // too), the broken layout fails.
    let deadline = tokio::time::Instant::now() + WAIT;
    let runs = loop {
        let runs = client.list_runs(&RunFilter::default()).await.unwrap().data;
        if runs.len() == 5 && runs.iter().all(|r| r.status.is_finished()) {
            break runs;
        }
        assert!(tokio::time::Instant::now() < deadline, "{runs:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let completed = runs
        .iter()
        .filter(|r| r.status == RunStatus::Completed)
        .count();
    assert_eq!(completed, 4, "{runs:?}");
    tui.until(WAIT, |a| {
        a.stats
            .as_ref()
            .is_some_and(|s| s.active == 4 && s.error == 1)
    })
    .await
    .unwrap();
    let screen = tui.screen(120, 40);
    assert!(screen.contains("local server"), "{screen}");
    assert!(screen.contains("Demo: shop catalogue"), "{screen}");
    assert!(
        screen.contains("4 active 0 paused 0 draft 1 error"),
        "{screen}"
    );
    drop(tui);
    local.stop().await;

    // A second start finds the flows at the new port, without duplicates.
    let (again, client) = start(dir.path(), true).await;
    let flows = client.list_flows(&FlowFilter::default()).await.unwrap();
    assert_eq!(flows.total, 5);
    assert!(flows.data.iter().all(|f| f.url.starts_with(&again.url)));
    again.stop().await;
}
