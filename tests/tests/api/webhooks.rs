//! Webhooks, delivered to a receiver the tests run on loopback (it plays the
//! user's endpoint, the one outside service here) and checked with the
//! Standard Webhooks authors' own verifier, not with our signer.

use reqwest::Method;
use scraper_common::{DeliveryStatus, Flow, RunStatus, WebhookEvent, WebhookMessage};
use scraper_tests::site::{Received, Receiver, Reply, TestServer, TestSite, cards};
use scraper_tests::{
    TestApp, assert_error, loopback_config, spawn_app, spawn_app_on_loopback, spawn_app_with,
};
use serde_json::json;
use std::sync::{Arc, Mutex};
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

fn verify(secret: &str, got: &Received) {
    let webhook = standardwebhooks::Webhook::new(secret).expect("a whsec_ secret");
    webhook
        .verify(&got.body, &got.headers)
        .unwrap_or_else(|e| panic!("signature refused ({e:?}): {:?}", got.headers));
}

fn message(got: &Received) -> WebhookMessage {
    serde_json::from_slice(&got.body).expect("a webhook message")
}

async fn shop() -> TestSite {
    TestSite::pages(vec![
        ("/list", Reply::html(cards(&[("Lamp", "$10")], None))),
        ("/gone", Reply::not_found()),
    ])
    .await
}

async fn hooked(app: &TestApp, url: String, hook: &str, extra: serde_json::Value) -> Flow {
    let mut body = json!({
        "name": "hooked", "url": url, "status": "active", "webhookUrl": hook,
        "outputSchema": {"name": "string", "price": "number"},
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    app.client.create_flow_json(&body).await.unwrap()
}

async fn run_to_end(app: &TestApp, flow: &str) -> String {
    let run = app.client.create_run(flow).await.unwrap();
    app.wait_finished(&run.id, WAIT).await;
    run.id
}

#[tokio::test]
async fn completed_and_failed_runs_are_told_signed() {
    let site = shop().await;
    let receiver = Receiver::start(vec![]).await;
    let app = spawn_app_on_loopback().await;
    let flow = hooked(&app, site.url("/list"), &receiver.url(), json!({})).await;
    let secret = flow.webhook_secret.clone().expect("shown once");
    assert!(
        secret.starts_with("whsec_") && secret.len() > 40,
        "{secret}"
    );
    let read = app.client.get_flow(&flow.id).await.unwrap();
    let masked = read.webhook_secret.unwrap();
    assert!(
        masked.starts_with("whsec_****") && secret.ends_with(&masked[10..]),
        "{masked}"
    );
    assert!(!masked.contains(&secret[6..20]));

    let completed = run_to_end(&app, &flow.id).await;
    let got = receiver.wait_for(1, WAIT).await;
    verify(&secret, &got[0]);
    assert_eq!(got[0].header("content-type"), "application/json");
    let m = message(&got[0]);
    assert_eq!(m.event, WebhookEvent::RunCompleted);
    assert_eq!(
        (m.data.run_id.as_str(), m.data.flow_id.as_str()),
        (completed.as_str(), flow.id.as_str())
    );
    assert_eq!(
        (m.data.status, m.data.items_extracted),
        (RunStatus::Completed, 1)
    );
    assert_eq!(m.data.changes, None, "an extract flow compares nothing");
    assert_eq!(got[0].json()["type"], "run.completed");

    // A broken page: the failure is told too, never silent.
    app.client
        .update_flow(&flow.id, &json!({"url": site.url("/gone")}))
        .await
        .unwrap();
    let failed = run_to_end(&app, &flow.id).await;
    let got = receiver.wait_for(2, WAIT).await;
    verify(&secret, &got[1]);
    let m = message(&got[1]);
    assert_eq!(m.event, WebhookEvent::RunFailed);
    assert_eq!(m.data.run_id, failed);
    assert!(
        m.data.failure_reason.is_some() && m.data.error.is_some(),
        "{m:?}"
    );

    // The delivery log, newest first; each attempt is in its run's log too.
    let deliveries = app.client.deliveries(&flow.id, None, None).await.unwrap();
    assert_eq!(deliveries.total, 2);
    let newest = &deliveries.data[0];
    assert_eq!(
        (newest.event, newest.status),
        (WebhookEvent::RunFailed, DeliveryStatus::Delivered)
    );
    assert_eq!(newest.id, got[1].header("webhook-id"));
    assert_eq!(newest.attempts.len(), 1);
    assert_eq!(newest.attempts[0].status_code, Some(200));
    assert_eq!(newest.attempts[0].response.as_deref(), Some("ok"));
    let logs = app.client.get_run(&completed).await.unwrap().logs;
    assert!(
        logs.iter()
            .any(|l| l.message.contains("Webhook run.completed attempt 1")
                && l.message.contains("answered 200")),
        "{logs:#?}"
    );
}

#[tokio::test]
async fn a_failing_receiver_gets_the_same_message_until_it_takes_it() {
    let site = shop().await;
    let receiver = Receiver::start(vec![Reply::status(500), Reply::status(500)]).await;
    let app = spawn_app_on_loopback().await;
    let flow = hooked(&app, site.url("/list"), &receiver.url(), json!({})).await;
    let run = run_to_end(&app, &flow.id).await;
    let got = receiver.wait_for(3, WAIT).await;
    let secret = flow.webhook_secret.unwrap();
    for attempt in &got {
        verify(&secret, attempt);
        assert_eq!(attempt.header("webhook-id"), got[0].header("webhook-id"));
        assert_eq!(
            attempt.body, got[0].body,
            "every attempt sends the same body"
        );
    }
    // Waits between attempts (300 ms here, with a fifth of jitter).
    assert!(got[1].at - got[0].at >= Duration::from_millis(200));

    let delivery = wait_delivery(&app, &flow.id, DeliveryStatus::Delivered).await;
    let codes: Vec<Option<u16>> = delivery.attempts.iter().map(|a| a.status_code).collect();
    assert_eq!(codes, [Some(500), Some(500), Some(200)]);
    assert!(
        delivery.attempts[0]
            .error
            .as_deref()
            .unwrap()
            .contains("500")
    );
    let logs = app.client.get_run(&run).await.unwrap().logs;
    let lines = logs
        .iter()
        .filter(|l| l.message.starts_with("Webhook run.completed attempt"))
        .count();
    assert_eq!(lines, 3, "{logs:#?}");

    // Sent again on request: the same message, once more.
    let again = app.client.redeliver(&delivery.id).await.unwrap();
    assert_eq!(again.status, DeliveryStatus::Pending);
    let got = receiver.wait_for(4, WAIT).await;
    assert_eq!(got[3].header("webhook-id"), got[0].header("webhook-id"));
    let got = app
        .send(app.raw(Method::POST, "/deliveries/msg_none/redeliver"))
        .await;
    assert_error(&got, 404, "not_found", &["msg_none"]);
}

#[tokio::test]
async fn redirects_are_not_followed_and_retry_after_is_honoured() {
    let site = shop().await;
    let elsewhere = Receiver::start(vec![]).await;
    let receiver = Receiver::start(vec![
        Reply::redirect(&elsewhere.url()),
        Reply::status(429).header("retry-after", "2"),
    ])
    .await;
    let app = spawn_app_on_loopback().await;
    let flow = hooked(&app, site.url("/list"), &receiver.url(), json!({})).await;
    run_to_end(&app, &flow.id).await;
    let got = receiver.wait_for(3, WAIT).await;
    assert!(elsewhere.received().is_empty(), "a 3xx is never followed");
    // The tests' servers wait 300 ms between attempts, unless asked for more.
    let waited = got[2].at - got[1].at;
    assert!(waited >= Duration::from_millis(1900), "{waited:?}");
    let delivery = wait_delivery(&app, &flow.id, DeliveryStatus::Delivered).await;
    let codes: Vec<Option<u16>> = delivery.attempts.iter().map(|a| a.status_code).collect();
    assert_eq!(codes, [Some(302), Some(429), Some(200)]);
    let error = delivery.attempts[0].error.as_deref().unwrap();
    assert!(error.contains("redirect"), "{error}");
}

/// Polls the flow's newest delivery until it reaches `status`.
async fn wait_delivery(
    app: &TestApp,
    flow: &str,
    status: DeliveryStatus,
) -> scraper_common::Delivery {
    for _ in 0..400 {
        let list = app.client.deliveries(flow, None, None).await.unwrap();
        if let Some(d) = list.data.first()
            && d.status == status
        {
            return d.clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no delivery of {flow} became {status}");
}

#[tokio::test]
async fn attempts_run_out_and_a_gone_receiver_stops_deliveries() {
    let site = shop().await;
    let receiver = Receiver::start(vec![Reply::status(503); 4]).await;
    let app = spawn_app_on_loopback().await;
    let flow = hooked(&app, site.url("/list"), &receiver.url(), json!({})).await;
    run_to_end(&app, &flow.id).await;
    // The tests' servers try four times (three retries).
    let given_up = wait_delivery(&app, &flow.id, DeliveryStatus::Failed).await;
    assert_eq!(given_up.attempts.len(), 4);
    assert_eq!(receiver.received().len(), 4);

    receiver.then(vec![Reply::status(410)]);
    run_to_end(&app, &flow.id).await;
    receiver.wait_for(5, WAIT).await;
    let gone = wait_delivery(&app, &flow.id, DeliveryStatus::Failed).await;
    assert_eq!(gone.attempts.len(), 1, "410 is final");
    let read = app.client.get_flow(&flow.id).await.unwrap();
    let why = read.webhook_disabled.expect("disabled by the 410");
    assert!(why.contains("410"), "{why}");
    // No message is queued while disabled.
    run_to_end(&app, &flow.id).await;
    assert_eq!(
        app.client
            .deliveries(&flow.id, None, None)
            .await
            .unwrap()
            .total,
        2
    );

    // Setting the URL again resumes, with the same secret.
    let resumed = app
        .client
        .update_flow(&flow.id, &json!({"webhookUrl": receiver.url()}))
        .await
        .unwrap();
    assert_eq!(resumed.webhook_disabled, None);
    assert_eq!(
        resumed.webhook_secret, read.webhook_secret,
        "masked, and the same"
    );
    run_to_end(&app, &flow.id).await;
    wait_delivery(&app, &flow.id, DeliveryStatus::Delivered).await;
}

#[tokio::test]
async fn a_pending_delivery_survives_a_restart() {
    let site = shop().await;
    let receiver = Receiver::start(vec![Reply::status(500)]).await;
    // Long retries: the retry is due only after the restart.
    let mut config = loopback_config();
    config.engine.webhooks.retries = vec![Duration::from_secs(2)];
    let mut app = spawn_app_with(config.clone()).await;
    let flow = hooked(&app, site.url("/list"), &receiver.url(), json!({})).await;
    run_to_end(&app, &flow.id).await;
    receiver.wait_for(1, WAIT).await;
    app.stop().await;
    app.start_again(config).await;
    let got = receiver.wait_for(2, WAIT).await;
    assert_eq!(got[1].header("webhook-id"), got[0].header("webhook-id"));
    let delivered = wait_delivery(&app, &flow.id, DeliveryStatus::Delivered).await;
    assert_eq!(delivered.attempts.len(), 2);
}

#[tokio::test]
async fn a_rotated_secret_signs_beside_the_old_one() {
    let site = shop().await;
    let receiver = Receiver::start(vec![]).await;
    let app = spawn_app_on_loopback().await;
    let flow = hooked(&app, site.url("/list"), &receiver.url(), json!({})).await;
    let old = flow.webhook_secret.unwrap();
    let rotated = app.client.rotate_webhook_secret(&flow.id).await.unwrap();
    let new = rotated.webhook_secret.unwrap();
    assert!(new.starts_with("whsec_") && new != old);
    let read = app.client.get_flow(&flow.id).await.unwrap();
    assert_eq!(
        read.webhook_secret.as_deref(),
        Some(format!("whsec_****{}", &new[new.len() - 4..]).as_str())
    );
    // A read sent back whole, masked secret and all, changes nothing.
    let (status, body) = app
        .send(
            app.raw(Method::PUT, &format!("/flows/{}", flow.id))
                .json(&read),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["data"]["webhookSecret"], json!(read.webhook_secret));
    let changed = json!({"webhookSecret": "whsec_mine", "webhookUrl": receiver.url()});
    let got = app
        .send(
            app.raw(Method::PUT, &format!("/flows/{}", flow.id))
                .json(&changed),
        )
        .await;
    assert_error(
        &got,
        422,
        "validation_failed",
        &["webhookSecret", "set by the server"],
    );

    run_to_end(&app, &flow.id).await;
    let got = receiver.wait_for(1, WAIT).await;
    assert_eq!(got[0].header("webhook-signature").split(' ').count(), 2);
    verify(&new, &got[0]);
    verify(&old, &got[0]);

    let plain = app
        .client
        .create_flow_json(&json!({"name": "no hook", "url": site.url("/list")}))
        .await
        .unwrap();
    let got = app
        .send(app.raw(Method::POST, &format!("/flows/{}/webhook/rotate", plain.id)))
        .await;
    assert_error(&got, 409, "conflict", &["webhookUrl"]);
    // Removing the webhook removes its secret; setting one makes a new one.
    let removed = app
        .client
        .update_flow(&flow.id, &json!({"webhookUrl": null}))
        .await
        .unwrap();
    assert_eq!((removed.webhook_url, removed.webhook_secret), (None, None));
    let again = app
        .client
        .update_flow(&flow.id, &json!({"webhookUrl": receiver.url()}))
        .await
        .unwrap();
    let fresh = again.webhook_secret.unwrap();
    assert!(
        fresh.len() > 40 && fresh != new,
        "shown whole once: {fresh}"
    );
}

#[tokio::test]
async fn webhook_urls_obey_the_url_policy() {
    // Private networks refused (the default): loopback and private hooks too.
    let app = spawn_app().await;
    for hook in [
        "http://127.0.0.1:9/hook",
        "http://10.1.2.3/hook",
        "http://localhost/hook",
    ] {
        let got = app
            .send(app.raw(Method::POST, "/flows").json(&json!({
                "name": "n", "url": "https://example.com/", "webhookUrl": hook})))
            .await;
        assert_error(&got, 422, "url_refused", &["webhookUrl"]);
    }
    let got = app
        .send(app.raw(Method::POST, "/flows").json(&json!({
            "name": "n", "url": "https://example.com/", "webhookUrl": "ftp://example.com/"})))
        .await;
    assert_error(&got, 422, "validation_failed", &["webhookUrl", "http"]);
    assert_eq!(
        app.client
            .list_flows(&Default::default())
            .await
            .unwrap()
            .total,
        0
    );
    let flow = app
        .client
        .create_flow_json(&json!({"name": "n", "url": "https://example.com/"}))
        .await
        .unwrap();
    let got = app
        .send(
            app.raw(Method::PUT, &format!("/flows/{}", flow.id))
                .json(&json!({"webhookUrl": "http://192.168.1.1/"})),
        )
        .await;
    assert_error(&got, 422, "url_refused", &["webhookUrl", "192.168.1.1"]);
}

#[tokio::test]
async fn changes_detected_is_sent_only_when_notify_on_matches() {
    let page = Arc::new(Mutex::new(cards(
        &[("Lamp", "$10"), ("Desk", "$100")],
        None,
    )));
    let served = page.clone();
    let site = TestServer::start("127.0.0.1:0", move |_| {
        Reply::html(served.lock().unwrap().clone())
    })
    .await;
    let receiver = Receiver::start(vec![]).await;
    let app = spawn_app_on_loopback().await;
    let flow = hooked(
        &app,
        site.url("/"),
        &receiver.url(),
        json!({"mode": "monitor", "monitor": {"key": "name", "notifyOn": {"field": "price", "op": "lt", "value": 5}}}),
    )
    .await;
    let secret = flow.webhook_secret.clone().unwrap();
    run_to_end(&app, &flow.id).await; // the baseline
    *page.lock().unwrap() = cards(&[("Lamp", "$9"), ("Desk", "$90")], None);
    run_to_end(&app, &flow.id).await; // changes, but nothing under 5
    *page.lock().unwrap() = cards(&[("Lamp", "$4"), ("Desk", "$90")], None);
    let third = run_to_end(&app, &flow.id).await;
    let got = receiver.wait_for(4, WAIT).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got_all = receiver.received();
    assert_eq!(
        got_all.len(),
        4,
        "three run.completed and one changes.detected"
    );
    let events: Vec<WebhookEvent> = got.iter().map(|g| message(g).event).collect();
    assert_eq!(
        events
            .iter()
            .filter(|e| **e == WebhookEvent::ChangesDetected)
            .count(),
        1,
        "{events:?}"
    );
    let detected = got
        .iter()
        .find(|g| message(g).event == WebhookEvent::ChangesDetected)
        .unwrap();
    verify(&secret, detected);
    let m = message(detected);
    assert_eq!(m.data.run_id, third);
    let changes = m.data.changes.unwrap();
    assert!(changes.counts.notified);
    let changed = changes.changed.unwrap();
    assert_eq!(changed.len(), 1);
    assert_eq!(
        (changed[0].key.as_str(), &changed[0].new),
        ("Lamp", &json!(4.0))
    );
    assert_eq!(changed[0].delta_percent, Some(-55.56));
}
