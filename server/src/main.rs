use anyhow::{Context, Result, bail};
use clap::Parser;
use scraper_common::NewKey;
use scraper_server::engine::{EngineConfig, Prices};
use scraper_server::interact::BrowserConfig;
use scraper_server::monitor::webhook::WebhookConfig;
use scraper_server::store::{Store, shown_url};
use scraper_server::validate;
use scraper_server::{AdminKey, Config, LaunchOptions};
use std::io::Write;

mod cli;

use cli::{Cli, Command, KeysCommand, MigrateArgs, ServeArgs};

#[tokio::main]
async fn main() -> Result<()> {
    scraper_server::telemetry::to_stderr();
    let cli = Cli::parse();
    match cli.command {
        None => serve(cli.serve).await,
        Some(Command::Serve(args)) => serve(*args).await,
        Some(Command::Keys { command, db }) => {
            let store = Store::open(&db.database_url)
                .await
                .with_context(|| format!("opening {}", shown_url(&db.database_url)))?;
            let result = keys(&store, command).await;
            store.close().await;
            result
        }
        Some(Command::Migrate(args)) => migrate(args).await,
        Some(Command::BenchShop(args)) => {
            println!(
                "{}",
                scraper_server::bench_shop::make(&args.outdir, &args.options())?
            );
            Ok(())
        }
    }
}

/// `migrate`: prints each table's rows, copied and checked, on stdout.
async fn migrate(args: MigrateArgs) -> Result<()> {
    let started = std::time::Instant::now();
    // Checked before anything is opened, so a wrong --to makes no database.
    if !args.from.starts_with("sqlite:") {
        bail!(
            "--from must be a SQLite database (sqlite://PATH): migrate moves a SQLite file up to PostgreSQL"
        );
    }
    if !(args.to.starts_with("postgres:") || args.to.starts_with("postgresql:")) {
        bail!(
            "the destination must be PostgreSQL (--to postgres://USER:PASSWORD@HOST:PORT/DATABASE): migrate moves a SQLite file up to PostgreSQL"
        );
    }
    let from = Store::open_existing(&args.from)
        .await
        .with_context(|| format!("opening the source {}", shown_url(&args.from)))?;
    let to = Store::open(&args.to)
        .await
        .with_context(|| format!("opening the destination {}", shown_url(&args.to)))?;
    let copied = from.copy_into(&to).await;
    from.close().await;
    to.close().await;
    let copied = copied.context("nothing was copied")?;
    let mut out = std::io::stdout().lock();
    for table in &copied {
        writeln!(out, "{:<20} {:>12} rows", table.table, table.rows)?;
    }
    let total: u64 = copied.iter().map(|t| t.rows).sum();
    writeln!(
        out,
        "copied {total} rows from {} to {} in {:.1} s; every table's count matches",
        shown_url(&args.from),
        shown_url(&args.to),
        started.elapsed().as_secs_f64()
    )?;
    Ok(())
}

async fn serve(args: ServeArgs) -> Result<()> {
    // Installed before the server says it is listening (see `shutdown_signal`).
    let shutdown = shutdown_signal()?;
    let config = Config {
        private_networks: args.allow_private_networks.unwrap_or_default(),
        demo: args.demo,
        cors_origins: args.cors_origins.clone(),
        metrics_listen: args.metrics_listen,
        rate_limit: args.rate_limit,
        engine: EngineConfig {
            workers: args.workers,
            max_queued: args.max_queued,
            min_schedule_interval: args.min_schedule_interval,
            keep_runs: args.keep_runs,
            node_name: args.node_name,
            webhooks: WebhookConfig {
                retries: args.webhook_retries.0,
                timeout: args.webhook_timeout,
                ..WebhookConfig::default()
            },
            prices: Prices {
                per_page: args.price_per_page,
                per_mb: args.price_per_mb,
            },
            ..EngineConfig::default()
        }
        .with_lease(std::time::Duration::from_secs(args.lease_secs)),
        browser: BrowserConfig {
            slots: args.browser_slots as usize,
            restart_after: args.browser_restart_after,
            idle: args.browser_idle,
            ..BrowserConfig::default()
        },
        ..Config::default()
    };
    let running = scraper_server::launch(LaunchOptions {
        database_url: args.db.database_url,
        listen: args.listen,
        config,
        admin_key: AdminKey::FirstStart,
    })
    .await?;
    let addr = running.addr;
    let base = format!("http://{addr}/api");

    let mut out = std::io::stdout().lock();
    if let Some(key) = &running.admin_key {
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
    if let Some(metrics) = running.metrics_addr {
        writeln!(out, "Metrics at http://{metrics}/metrics")?;
    }
    if args.demo {
        writeln!(
            out,
            "Demo shop at {}/demo/, with its flows (\"Demo: ...\")",
            running.url()
        )?;
    }
    out.flush()?;
    drop(out);
    tracing::info!(workers = args.workers, "run workers");
    tracing::info!(allowed = %running.state.policy.private, "private networks as fetch targets");

    shutdown.await;
    running.stop().await;
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
            // The API's own checks, so a key made here is one the API would make.
            let input = NewKey {
                name: name.trim().to_string(),
                scopes: validate::scopes(&scopes)?,
            };
            validate::key(&input)?;
            let (key, record) =
                scraper_server::keys::issue(store, &input.name, &input.scopes).await?;
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
            // A running server may have checked the key just now and trust
            // that for FRESH_FOR: once this command returns, none does.
            tokio::time::sleep(scraper_server::keys::FRESH_FOR).await;
            println!("revoked {id}");
        }
    }
    Ok(())
}
