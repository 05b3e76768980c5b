//! The `scraper-server` binary as a user runs it: first start, key commands,
//! graceful shutdown on SIGTERM, and a restart on the same database.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use support::{BIN, PgDatabase, admin_key, start, terminate};

fn keys_cmd(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(BIN)
        .arg("keys")
        .args(args)
        .current_dir(dir)
        .env_remove("SCRAPER_DATABASE_URL")
        .output()
        .expect("run keys command")
}

fn get(base: &str, path: &str, key: &str) -> u16 {
    let url = format!("{base}/api{path}");
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        reqwest::Client::new()
            .get(url)
            .header("X-API-Key", key)
            .send()
            .await
            .expect("request")
            .status()
            .as_u16()
    })
}

/// A JSON request to the running server: (status, body).
fn api(
    base: &str,
    key: &str,
    method: &str,
    path: &str,
    body: Option<serde_json::Value>,
) -> (u16, serde_json::Value) {
    let url = format!("{base}/api{path}");
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let mut request = reqwest::Client::new()
            .request(method, url)
            .header("X-API-Key", key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        (
            status,
            response.json().await.unwrap_or(serde_json::Value::Null),
        )
    })
}

#[test]
fn first_start_keys_and_graceful_restart() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();

    // First start: scraper.db appears beside it, in WAL mode, and an admin key is printed once.
    let first = start(d, &[]);
    assert!(
        d.join("scraper.db").exists(),
        "scraper.db is created in the working directory"
    );
    assert!(
        d.join("scraper.db-wal").exists(),
        "the database runs in WAL mode"
    );
    let admin = admin_key(&first.stdout).expect("an admin key on first start");
    let text = first.stdout.join("\n");
    assert!(
        text.contains("X-API-Key"),
        "says how to use the key: {text}"
    );
    assert!(
        text.contains(&format!("curl {}/api/flows", first.base)),
        "{text}"
    );
    assert_eq!(get(&first.base, "/flows", &admin), 200);
    assert_eq!(get(&first.base, "/keys", &admin), 200);

    // `keys create` prints the key alone on stdout; it works on the running server.
    let out = keys_cmd(
        d,
        &["create", "--name", "ci", "--scopes", "flows:read,runs:read"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "only the key: {stdout:?}");
    let key = lines[0];
    assert!(key.starts_with("scr_live_") && key.len() >= 41, "{key}");
    assert_eq!(get(&first.base, "/flows", key), 200);
    assert_eq!(get(&first.base, "/keys", key), 403);

    // `keys list` shows keys masked.
    let out = keys_cmd(d, &["list"]);
    let listing = String::from_utf8(out.stdout).unwrap();
    assert!(
        listing.contains(&format!("scr_live_****{}", &key[key.len() - 4..])),
        "{listing}"
    );
    assert!(
        !listing.contains(key) && !listing.contains(&admin),
        "{listing}"
    );
    let id = listing
        .lines()
        .find(|l| l.contains(" ci "))
        .and_then(|l| l.split_whitespace().next())
        .expect("the ci key is listed")
        .to_string();

    // `keys revoke` takes effect on the running server.
    let out = keys_cmd(d, &["revoke", &id]);
    assert!(out.status.success());
    assert_eq!(get(&first.base, "/flows", key), 401);
    let out = keys_cmd(d, &["revoke", &id]);
    assert!(!out.status.success(), "revoking twice fails");

    // Bad scopes are refused with a message naming them, and make nothing.
    let out = keys_cmd(
        d,
        &[
            "create",
            "--name",
            "bad",
            "--scopes",
            "flows:read,flows:admin",
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("flows:admin"), "{err}");
    assert!(out.stdout.is_empty());
    // The API's own checks: a blank name is refused the way the API refuses it.
    let out = keys_cmd(d, &["create", "--name", " ", "--scopes", "flows:read"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("name: must not be empty"), "{err}");
    assert!(out.stdout.is_empty());

    // SIGTERM: a clean exit.
    let status = terminate(first);
    assert!(status.success(), "exit status {status:?}");

    // Restart on the same database: no new admin key; the old one still works.
    let second = start(d, &[]);
    assert_eq!(
        admin_key(&second.stdout),
        None,
        "the admin key is made only once"
    );
    assert_eq!(get(&second.base, "/flows", &admin), 200);
    assert!(terminate(second).success());
}

#[test]
fn database_url_flag_and_env_choose_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let url = format!("sqlite://{}", d.join("elsewhere.db").display());
    let running = start(d, &["--database-url", &url]);
    assert!(d.join("elsewhere.db").exists());
    assert!(!d.join("scraper.db").exists());
    assert!(terminate(running).success());

    let out = Command::new(BIN)
        .args(["keys", "list"])
        .current_dir(d)
        .env("SCRAPER_DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("admin"));
}

/// A crash (SIGKILL) mid-run, then a restart on the same database: the run is
/// failed as `worker_lost` once its lease runs out, and nothing else is lost.
#[test]
fn a_crash_mid_run_is_found_at_restart() {
    // A site that accepts and never answers: the run stays on its first page.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in silent.incoming().flatten() {
            held.push(stream);
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let args = [
        "--workers",
        "1",
        "--lease-secs",
        "2",
        "--allow-private-networks",
        "127.0.0.1/32",
    ];
    let mut first = start(d, &args);
    let key = admin_key(&first.stdout).unwrap();
    let (status, flow) = api(
        &first.base,
        &key,
        "POST",
        "/flows",
        Some(serde_json::json!({
            "name": "hangs", "url": format!("http://127.0.0.1:{port}/")
        })),
    );
    assert_eq!(status, 201, "{flow}");
    let flow_id = flow["data"]["id"].as_str().unwrap().to_string();
    let (_, run) = api(
        &first.base,
        &key,
        "POST",
        "/runs",
        Some(serde_json::json!({"flowId": flow_id})),
    );
    let run_id = run["data"]["id"].as_str().unwrap().to_string();
    let deadline = Instant::now() + Duration::from_secs(10);
    while api(&first.base, &key, "GET", &format!("/runs/{run_id}"), None).1["data"]["status"]
        != "running"
    {
        assert!(Instant::now() < deadline, "the run never started");
        std::thread::sleep(Duration::from_millis(50));
    }

    first.child.kill().unwrap();
    first.child.wait().unwrap();

    let second = start(d, &args);
    let deadline = Instant::now() + Duration::from_secs(15);
    let detail = loop {
        let (_, body) = api(&second.base, &key, "GET", &format!("/runs/{run_id}"), None);
        if body["data"]["status"] != "running" {
            break body["data"].clone();
        }
        assert!(Instant::now() < deadline, "the lost run is still running");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(detail["status"], "failed");
    assert_eq!(detail["failureReason"], "worker_lost");
    let logs = detail["logs"].to_string();
    assert!(logs.contains("worker stopped"), "{logs}");
    // Nothing else was lost: the flow, the key, the run's history.
    let (status, flow) = api(
        &second.base,
        &key,
        "GET",
        &format!("/flows/{flow_id}"),
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(flow["data"]["totalRuns"], 1);
    assert!(terminate(second).success());
}

/// One access log line per request: method, route (ids folded), status,
/// duration, the key's id (never the key) and the request id, which the
/// answer carries too.
#[test]
fn every_request_gets_an_id_and_an_access_log_line() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), &["--workers", "0"]);
    let key = admin_key(&server.stdout).expect("a first start prints the key");
    let (given, made) = tokio::runtime::Runtime::new().unwrap().block_on(async {
        let http = reqwest::Client::new();
        let given = http
            .get(format!("{}/api/flows/flow-nope", server.base))
            .header("X-API-Key", &key)
            .header("x-request-id", "cli-check-1")
            .send()
            .await
            .unwrap();
        assert_eq!(given.status(), 404);
        let given = given.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_string();
        let made = http
            .get(format!("{}/api/flows", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(made.status(), 401);
        let made = made.headers()["x-request-id"].to_str().unwrap().to_string();
        (given, made)
    });
    assert_eq!(given, "cli-check-1");
    assert!(made.starts_with("req-"), "{made}");
    assert!(terminate(server).success());

    let log = std::fs::read_to_string(dir.path().join("server.log")).unwrap();
    let line = log
        .lines()
        .find(|l| l.contains("request_id=cli-check-1"))
        .unwrap_or_else(|| panic!("no access line for cli-check-1 in:\n{log}"));
    for part in [
        "method=GET",
        "/api/flows/:id",
        "status=404",
        "key=\"key-",
        "ms=",
    ] {
        assert!(line.contains(part), "`{part}` in {line}");
    }
    assert!(!log.contains(&key), "the key itself is never logged");
    let anonymous = log
        .lines()
        .find(|l| l.contains(&format!("request_id={made}")))
        .expect("the 401 is logged too");
    assert!(
        anonymous.contains("status=401") && anonymous.contains("key=\"-\""),
        "{anonymous}"
    );
}

fn migrate_cmd(dir: &Path, from: &str, to: &str) -> (bool, String, String) {
    let out = Command::new(BIN)
        .args(["migrate", "--from", from, "--to", to])
        .current_dir(dir)
        .output()
        .expect("run migrate");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn migrate_refuses_what_it_cannot_do_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // No such file: it is not made, and a password in a URL is never shown.
    let (ok, _, err) = migrate_cmd(
        d,
        "sqlite://missing.db",
        "postgres://u:hunter2@127.0.0.1:1/scraper",
    );
    assert!(!ok);
    assert!(
        err.contains("opening the source sqlite://missing.db"),
        "{err}"
    );
    assert!(!err.contains("hunter2"), "{err}");
    assert!(!d.join("missing.db").exists());

    // SQLite to SQLite is not a move up.
    assert!(
        keys_cmd(d, &["create", "--name", "a", "--scopes", "flows:read"])
            .status
            .success()
    );
    let (ok, _, err) = migrate_cmd(d, "sqlite://scraper.db", "sqlite://other.db");
    assert!(!ok);
    assert!(err.contains("destination must be PostgreSQL"), "{err}");
    assert!(!d.join("other.db").exists());
}

/// The command as a user runs it, onto the PostgreSQL server the tests are
/// given (`.ci/postgres start`); skipped without one.
#[test]
fn migrate_copies_a_file_into_postgres_and_prints_the_counts() {
    let Some(target) = PgDatabase::fresh("cli_migrate") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for key in ["a", "b"] {
        assert!(
            keys_cmd(d, &["create", "--name", key, "--scopes", "runs:read"])
                .status
                .success()
        );
    }
    let (ok, out, err) = migrate_cmd(d, "sqlite://scraper.db", &target.url);
    assert!(ok, "{err}");
    let keys = out
        .lines()
        .find(|l| l.starts_with("api_keys"))
        .unwrap_or_default();
    assert_eq!(
        keys.split_whitespace().collect::<Vec<_>>(),
        ["api_keys", "2", "rows"],
        "{out}"
    );
    assert!(out.contains("every table's count matches"), "{out}");
}
