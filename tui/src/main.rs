use clap::Parser;
use scraper_common::Client;
use scraper_tui::cli::Cli;
use scraper_tui::config::{self, Target};
use scraper_tui::editor::Editor;
use scraper_tui::runtime::Runtime;
use scraper_tui::{App, Settings, TuiError};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("scraper-tui: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("scraper-tui: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), TuiError> {
    let file = config::load(cli.config.as_deref())?;
    let resolved = config::resolve(&cli, file, &|name| std::env::var(name).ok())?;
    let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    match resolved.target {
        Target::Remote { server, api_key } => {
            let client = Client::new(&server, &api_key)?;
            let settings = Settings {
                readonly: resolved.readonly,
                save_dir: resolved.save_dir,
                color,
                ..Settings::new(&server, &api_key)
            };
            let rt = Runtime::new(App::new(settings), client);
            scraper_tui::event_loop::run(rt, Editor::from_env(), resolved.refresh).await?;
            Ok(())
        }
        Target::Local { demo } => run_local(demo, resolved, color).await,
    }
}

#[cfg(feature = "local")]
async fn run_local(demo: bool, resolved: config::Resolved, color: bool) -> Result<(), TuiError> {
    use scraper_tui::local::{LocalOptions, LocalServer};
    let local = LocalServer::start(LocalOptions { demo })
        .await
        .map_err(TuiError::Local)?;
    let client = Client::new(&local.url, &local.api_key)?;
    let settings = Settings {
        local: true,
        readonly: resolved.readonly,
        save_dir: resolved.save_dir,
        color,
        key_name: Some(local.key_name.clone()),
        ..Settings::new(&local.url, &local.api_key)
    };
    let rt = Runtime::new(App::new(settings), client);
    // The terminal is restored when `run` returns, so the server's
    // shutdown never draws over the dashboard.
    let result = scraper_tui::event_loop::run(rt, Editor::from_env(), resolved.refresh).await;
    local.stop().await;
    result?;
    Ok(())
}

#[cfg(not(feature = "local"))]
async fn run_local(_demo: bool, _: config::Resolved, _: bool) -> Result<(), TuiError> {
    Err(TuiError::Config(
        "this scraper-tui was built without local mode (cargo feature `local`): \
         name a server with --server or SCRAPER_URL"
            .into(),
    ))
}
