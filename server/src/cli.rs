//! Command line: `scraper-server [serve] [options]`, `scraper-server keys ...`,
//! `scraper-server migrate --from URL --to URL` and `scraper-server bench-shop OUTDIR`.

use clap::{Args, Parser, Subcommand};
use scraper_server::bench_shop;
use scraper_server::net::PrivateNetworks;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(name = "scraper-server", version, about = "The Scraper REST server")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of `serve`, which is also what runs with no subcommand.
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (the default).
    Serve(Box<ServeArgs>),
    /// Manage API keys in the database directly (no running server needed).
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
        #[command(flatten)]
        db: DatabaseArgs,
    },
    /// Copy everything a SQLite database holds (flows, runs, logs, items,
    /// changes, key hashes, webhook deliveries) into an empty PostgreSQL
    /// database, checking every table's row count before committing.
    Migrate(MigrateArgs),
    /// Write the bench shop, the static site the crawl benchmark and the
    /// tests crawl, to a directory (serve its www/ with any web server).
    BenchShop(BenchShopArgs),
}

#[derive(Debug, Args, Clone)]
pub struct MigrateArgs {
    /// The database to read: sqlite://PATH (it must exist; it is not changed
    /// apart from schema upgrades, as a server start would make them).
    #[arg(long)]
    pub from: String,
    /// The empty database to fill: postgres://USER:PASSWORD@HOST:PORT/DATABASE.
    #[arg(long)]
    pub to: String,
}

#[derive(Debug, Args, Clone)]
pub struct BenchShopArgs {
    /// Gets www/, expected.json, urls.txt and redirects.conf (nginx).
    pub outdir: PathBuf,
    /// HTML pages that answer 200 (at least 30).
    #[arg(long, default_value_t = bench_shop::DEFAULT_PAGES, value_parser = shop_pages)]
    pub pages: usize,
    /// Origin the shop will be served at, for its absolute URLs.
    #[arg(long, default_value = bench_shop::DEFAULT_BASE)]
    pub base: String,
    /// Another seed, another draw of products.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// Too few pages is a usage error, like any other bad value.
fn shop_pages(value: &str) -> Result<usize, String> {
    let pages: usize = value.parse().map_err(|e| format!("{e}"))?;
    if pages < bench_shop::MIN_PAGES {
        return Err(bench_shop::Error::TooFewPages(pages).to_string());
    }
    Ok(pages)
}

impl BenchShopArgs {
    pub fn options(&self) -> bench_shop::Options {
        bench_shop::Options {
            pages: self.pages,
            base: self.base.clone(),
            seed: self.seed,
        }
    }
}

#[derive(Debug, Args, Clone)]
pub struct DatabaseArgs {
    /// SQLite database; created if missing.
    #[arg(
        long,
        env = "SCRAPER_DATABASE_URL",
        default_value = "sqlite://scraper.db",
        global = true
    )]
    pub database_url: String,
}

#[derive(Debug, Args, Clone)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (printed at start).
    #[arg(long, env = "SCRAPER_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Allow fetching loopback, private and link-local addresses: bare, all of
    /// them; with a list, only those ranges (e.g. 127.0.0.1/32,10.0.0.0/8).
    #[arg(
        long,
        env = "SCRAPER_ALLOW_PRIVATE_NETWORKS",
        num_args = 0..=1,
        default_missing_value = "all",
        value_name = "CIDR,..."
    )]
    pub allow_private_networks: Option<PrivateNetworks>,
    /// Runs executed at once; 0 makes an API-only node that executes nothing.
    #[arg(long, env = "SCRAPER_WORKERS", default_value_t = 4)]
    pub workers: usize,
    /// Seconds without a heartbeat after which a running run counts as lost
    /// (its worker crashed) and is failed as `worker_lost`.
    #[arg(long, env = "SCRAPER_LEASE_SECS", default_value_t = 15, value_parser = clap::value_parser!(u64).range(2..=3600))]
    pub lease_secs: u64,
    /// `POST /api/runs` answers 429 when more runs than this wait.
    #[arg(long, env = "SCRAPER_MAX_QUEUED", default_value_t = 1000)]
    pub max_queued: u64,
    /// Schedules that fire more often than this are refused (`every 30s`
    /// needs `--min-schedule-interval 30s` or less).
    #[arg(long, env = "SCRAPER_MIN_SCHEDULE_INTERVAL", default_value = "60s", value_parser = scraper_server::monitor::schedule::parse_duration)]
    pub min_schedule_interval: std::time::Duration,
    /// Runs of a monitor (or a scheduled flow) that keep their items and
    /// logs; older ones keep their row and changes. A flow's
    /// `monitor.keepRuns` wins.
    #[arg(long, env = "SCRAPER_KEEP_RUNS", default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    pub keep_runs: u32,
    /// The waits before each retry of a webhook delivery; after the last
    /// one a delivery is given up (a 429 or 503 with Retry-After waits as
    /// asked).
    #[arg(long, env = "SCRAPER_WEBHOOK_RETRIES", default_value = "5s,5m,30m,2h,5h", value_parser = durations)]
    pub webhook_retries: Durations,
    /// What this node is called; runs show the node that executed them and
    /// `GET /api/nodes` lists the live ones (default: host:port).
    #[arg(long, env = "SCRAPER_NODE_NAME", value_parser = node_name)]
    pub node_name: Option<String>,
    /// Interact runs at once; others wait for a browser slot.
    #[arg(long, env = "SCRAPER_BROWSER_SLOTS", default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub browser_slots: u32,
    /// Pages a browser loads before a fresh one replaces it.
    #[arg(long, env = "SCRAPER_BROWSER_RESTART_AFTER", default_value_t = 500, value_parser = clap::value_parser!(u64).range(1..))]
    pub browser_restart_after: u64,
    /// A browser no run has used for this long is closed (the next run
    /// starts one).
    #[arg(long, env = "SCRAPER_BROWSER_IDLE", default_value = "60s", value_parser = scraper_server::monitor::schedule::parse_duration)]
    pub browser_idle: std::time::Duration,
    /// A webhook receiver that has not answered by then failed the attempt.
    #[arg(long, env = "SCRAPER_WEBHOOK_TIMEOUT", default_value = "10s", value_parser = scraper_server::monitor::schedule::parse_duration)]
    pub webhook_timeout: std::time::Duration,
    /// Cost of a run: this many USD per page fetched...
    #[arg(long, env = "SCRAPER_PRICE_PER_PAGE", default_value_t = 0.0001)]
    pub price_per_page: f64,
    /// ...plus this many USD per MB downloaded.
    #[arg(long, env = "SCRAPER_PRICE_PER_MB", default_value_t = 0.0)]
    pub price_per_mb: f64,
    /// Also serve a small demo shop under /demo/ and add a few flows against
    /// it (the server's own address becomes an allowed fetch target).
    #[arg(long, env = "SCRAPER_DEMO")]
    pub demo: bool,

    /// Browser origins that may call the API (https://dash.example.com,...);
    /// none by default.
    #[arg(long = "cors-origin", env = "SCRAPER_CORS_ORIGIN", value_delimiter = ',', value_parser = scraper_server::api::cors::parse_origin)]
    pub cors_origins: Vec<String>,

    /// Requests a second per key, such as 20/s; beyond it, 429 with
    /// Retry-After. Off by default.
    #[arg(long, env = "SCRAPER_RATE_LIMIT")]
    pub rate_limit: Option<scraper_server::api::rate_limit::RateLimit>,

    /// Serve /metrics on this address only, instead of beside the API.
    #[arg(long, env = "SCRAPER_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    #[command(flatten)]
    pub db: DatabaseArgs,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Create a key and print it, alone, on stdout (it is shown only this once).
    Create {
        #[arg(long)]
        name: String,
        /// Comma-separated: flows:read,flows:write,runs:read,runs:write,keys:read,keys:write
        #[arg(long, value_delimiter = ',', required = true)]
        scopes: Vec<String>,
    },
    /// List live keys, masked.
    List,
    /// Revoke a key by id.
    Revoke { id: String },
}

/// A list of waits, `5s,5m,30m` (`none`: no retry).
#[derive(Debug, Clone)]
pub struct Durations(pub Vec<std::time::Duration>);

fn durations(text: &str) -> Result<Durations, String> {
    if text.trim() == "none" {
        return Ok(Durations(Vec::new()));
    }
    text.split(',')
        .map(scraper_server::monitor::schedule::parse_duration)
        .collect::<Result<_, _>>()
        .map(Durations)
}

/// A node's name: something to tell it by, at most 200 characters.
fn node_name(text: &str) -> Result<String, String> {
    let name = text.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err("a node name is 1 to 200 characters".into());
    }
    Ok(name.to_string())
}
