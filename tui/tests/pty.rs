//! The built binary in a real pseudo-terminal, against a real server on a
//! loopback port: keys typed as bytes, the screen read back through a
//! terminal emulator (vt100).

use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use scraper_common::FlowInput;
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Screen {
    parser: Arc<Mutex<vt100::Parser>>,
}

impl Screen {
    fn text(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Waits until the screen holds `needle`; panics with the screen if not.
    async fn wait_for(&self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = self.text();
            if text.contains(needle) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "`{needle}` never appeared; the screen:\n{text}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_runs_in_a_terminal_takes_keys_and_restores_it() {
    let app = scraper_tests::spawn_app().await;
    app.client
        .create_flow(&FlowInput::new("PTY Flow", "https://example.com/"))
        .await
        .unwrap();
    let save_dir = tempfile::tempdir().unwrap();

    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 24,
            cols: 80,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_scraper-tui"));
    cmd.args([
        "--server",
        &format!("http://{}", app.addr),
        "--api-key",
        &app.admin_key,
        "--refresh",
        "500ms",
        "--save-dir",
        &save_dir.path().display().to_string(),
    ]);
    cmd.env("TERM", "xterm-256color");
    // No config file of the machine's user may point elsewhere.
    cmd.env("XDG_CONFIG_HOME", save_dir.path());
    cmd.env_remove("SCRAPER_URL");
    cmd.env_remove("SCRAPER_API_KEY");
    let mut child = pty.slave.spawn_command(cmd).unwrap();
    drop(pty.slave);

    let parser = Arc::new(Mutex::new(vt100::Parser::new(24, 80, 0)));
    let keys = Arc::new(Mutex::new(pty.master.take_writer().unwrap()));
    let mut reader = pty.master.try_clone_reader().unwrap();
    let feed = parser.clone();
    let answer = keys.clone();
    let reading = std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            let mut parser = feed.lock().unwrap();
            parser.process(&buf[..n]);
            // A terminal answers "where is the cursor?" (DSR); vt100 only
            // draws, so the test answers for it, as a real terminal would.
            if buf[..n].windows(4).any(|w| w == b"\x1b[6n") {
                let (row, col) = parser.screen().cursor_position();
                let mut out = answer.lock().unwrap();
                let _ = write!(out, "\x1b[{};{}R", row + 1, col + 1);
                let _ = out.flush();
            }
        }
    });
    let type_keys = |bytes: &[u8]| {
        let mut out = keys.lock().unwrap();
        out.write_all(bytes).unwrap();
        out.flush().unwrap();
    };
    let screen = Screen { parser };

    screen.wait_for("PTY Flow").await;
    screen.wait_for("● connected").await;
    assert!(screen.parser.lock().unwrap().screen().alternate_screen());
    // The key's name is looked up after connecting: wait for its answer too.
    screen.wait_for("Key:    admin").await;

    type_keys(b"?");
    screen.wait_for("Help").await;
    type_keys(b"q");
    screen.wait_for("Flows(all)[1]").await;
    assert!(!screen.text().contains("Help"), "{}", screen.text());

    type_keys(b":keys\r");
    screen.wait_for("Keys(all)[1]").await;
    screen.wait_for("flows > keys").await;
    type_keys(b"q");
    screen.wait_for("Flows(all)[1]").await;

    // Trigger: confirm, then the run's logs (an API-only server: it waits queued).
    type_keys(b"t");
    screen.wait_for("[ Run ]").await;
    type_keys(b"y");
    screen.wait_for("Follow:On Wrap:Off Timestamps:On").await;
    screen.wait_for("Run queued").await;
    type_keys(b"w");
    screen.wait_for("Wrap:On").await;

    type_keys(b":q\r");
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "still running after :q");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(status.success(), "{status:?}");
    drop(pty.master);
    let _ = reading.join();
    assert!(
        !screen.parser.lock().unwrap().screen().alternate_screen(),
        "the terminal is back on its main screen"
    );
    assert_eq!(
        app.client
            .list_runs(&Default::default())
            .await
            .unwrap()
            .total,
        1,
        "the run triggered in the terminal exists"
    );
}
