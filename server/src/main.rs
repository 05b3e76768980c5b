use anyhow::{Context, Result, bail};
use clap::Parser;
use scraper_common::Scope;
use scraper_server::engine::{EngineConfig, Prices};
use scraper_server::store::Store;
use scraper_server::{AppState, Config};
use std::io::{IsTerminal, Write};
use tracing_subscriber::EnvFilter;

mod cli;

use cli::{Cli, Command, KeysCommand, ServeArgs};

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("SCRAPER_LOG")
                .unwrap_or_else(|_| EnvFilter::new("info,spider=warn")),
        )
        .with_writer(std::io::stderr)
        // Colours only for a person at a terminal, and never with NO_COLOR.
        .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
        .init();
    let cli = Cli::parse();
    match cli.command {
        None => serve(cli.serve).await,
        Some(Command::Serve(args)) => serve(args).await,
        Some(Command::Keys { command, db }) => {
            let store = Store::open(&db.database_url)
                .await
                .with_context(|| format!("opening {}", db.database_url))?;
            let result = keys(&store, command).await;
            store.close().await;
            result
        }
        Some(Command::BenchShop(args)) => {
            println!(
                "{}",
                scraper_server::bench_shop::make(&args.outdir, &args.options())?
            );
            Ok(())
        }
    }
}

async fn serve(args: ServeArgs) -> Result<()> {
    let store = Store::open(&args.db.database_url)
        .await
        .with_context(|| format!("opening the database {}", args.db.database_url))?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let addr = listener.local_addr()?;
    let base = format!("http://{addr}/api");

    let shutdown = shutdown_signal()?;
    let mut out = std::io::stdout().lock();
    if let Some(key) = scraper_server::bootstrap_admin_key(&store).await? {
        writeln!(
            out,
            "Created an admin API key with every scope. It is shown only now; keep it:"
        )?;
        writeln!(out)?;
        writeln!(out, "    {key}")?;
        writeln!(out)?;
        writeln!(out, "Send it in the X-API-Key header, for example:")?;
        writeln!(out, "    curl {base}/flows -H 'X-API-Key: {key}'")?;
        writeln!(out)?;
    }
    writeln!(
        out,
        "Scraper server listening on http://{addr} (API at {base})"
    )?;
    out.flush()?;
    drop(out);

    let mut private_networks = args.allow_private_networks.unwrap_or_default();
    if args.demo {
        private_networks = scraper_server::demo::allow_shop(private_networks, addr);
    }
    let config = Config {
        private_networks,
        demo: args.demo,
        engine: EngineConfig {
            workers: args.workers,
            max_queued: args.max_queued,
            lease: std::time::Duration::from_secs(args.lease_secs),
            prices: Prices {
                per_page: args.price_per_page,
                per_mb: args.price_per_mb,
            },
            ..EngineConfig::default()
        },
        ..Config::default()
    };
    tracing::info!(workers = args.workers, "run workers");
    tracing::info!(allowed = %config.private_networks, "private networks as fetch targets");
    let state = AppState::new(store.clone(), &config).context("building the HTTP client")?;
    if args.demo {
        let base = scraper_server::demo::base_url(addr);
        scraper_server::demo::seed(&state, &base)
            .await
            .context("adding the demo flows")?;
        println!("Demo shop at {base}/demo/, with its flows (\"Demo: ...\")");
    }
    scraper_server::serve(state, listener, shutdown).await;
    store.close().await;
    tracing::info!("server stopped");
    Ok(())
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM. The handlers are installed here,
/// before the server says it is listening, so an early signal is not lost
/// to the default action (which would skip the graceful shutdown).
#[cfg(unix)]
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {},
            _ = terminate.recv() => {},
        }
        tracing::info!("shutting down: finishing open requests");
    })
}

#[cfg(not(unix))]
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down: finishing open requests");
    })
}

async fn keys(store: &Store, command: KeysCommand) -> Result<()> {
    match command {
        KeysCommand::Create { name, scopes } => {
            if name.trim().is_empty() {
                bail!("--name must not be empty");
            }
            let mut parsed = Vec::new();
            for scope in &scopes {
                let scope: Scope = scope.trim().parse().map_err(anyhow::Error::msg)?;
                if !parsed.contains(&scope) {
                    parsed.push(scope);
                }
            }
            let (key, record) = scraper_server::keys::issue(store, name.trim(), &parsed).await?;
            eprintln!(
                "created key {} ({}); it is shown only now",
                record.id, record.name
            );
            println!("{key}");
        }
        KeysCommand::List => {
            let keys = store.keys().await?;
            println!(
                "{:<20} {:<24} {:<18} {:<24} SCOPES",
                "ID", "NAME", "KEY", "CREATED"
            );
            for key in keys {
                let scopes: Vec<&str> = key.scopes.iter().map(|s| s.as_str()).collect();
                println!(
                    "{:<20} {:<24} {:<18} {:<24} {}",
                    key.id,
                    key.name,
                    key.key,
                    scraper_common::time::format(&key.created_at),
                    scopes.join(",")
                );
            }
        }
        KeysCommand::Revoke { id } => {
            if !store.revoke_key(&id).await? {
                bail!("no live key with id `{id}`");
            }
            println!("revoked {id}");
        }
    }
    Ok(())
}
