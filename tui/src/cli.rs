//! Command-line options. Flags beat the environment, which beats the
//! config file (see `config`).

use clap::Parser;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Parser)]
#[command(
    name = "scraper-tui",
    version,
    about = "A k9s-style terminal dashboard for Scraper",
    long_about = "A k9s-style terminal dashboard for Scraper. Without --server (or \
                  SCRAPER_URL, or a server in the config file) it starts a local \
                  server in-process and talks to that."
)]
pub struct Cli {
    /// The server's URL (`http://127.0.0.1:8080`).
    #[arg(long, env = "SCRAPER_URL")]
    pub server: Option<String>,
    /// The API key to use.
    #[arg(long, env = "SCRAPER_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
    /// Config file [default: $XDG_CONFIG_HOME/scraper/tui.toml].
    #[arg(long, env = "SCRAPER_TUI_CONFIG")]
    pub config: Option<PathBuf>,
    /// How often the views refresh: `2`, `2s`, `500ms`.
    #[arg(long, value_parser = parse_duration)]
    pub refresh: Option<Duration>,
    /// Hide and refuse every key that changes something on the server.
    #[arg(long)]
    pub readonly: bool,
    /// Local mode only: also serve a small demo shop and seed flows for it.
    #[arg(long)]
    pub demo: bool,
    /// Where `ctrl-s` saves logs and exports [default: the current directory].
    #[arg(long)]
    pub save_dir: Option<PathBuf>,
}

pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, scale) = if let Some(n) = text.strip_suffix("ms") {
        (n, 0.001)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1.0)
    } else {
        (text, 1.0)
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a duration (2, 2s, 500ms)"))?;
    let secs = value * scale;
    if !(0.1..=3600.0).contains(&secs) {
        return Err(format!(
            "`{text}`: the refresh must be between 100ms and 1h"
        ));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(parse_duration("2").unwrap(), Duration::from_secs(2));
        assert_eq!(parse_duration("1.5s").unwrap(), Duration::from_millis(1500));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert!(parse_duration("0").is_err());
        assert!(parse_duration("fast").is_err());
    }

    #[test]
    fn flags_parse() {
        let cli = Cli::try_parse_from([
            "scraper-tui",
            "--server",
            "http://127.0.0.1:1",
            "--api-key",
            "k",
            "--readonly",
            "--refresh",
            "250ms",
        ])
        .unwrap();
        assert_eq!(cli.server.as_deref(), Some("http://127.0.0.1:1"));
        assert!(cli.readonly);
        assert_eq!(cli.refresh, Some(Duration::from_millis(250)));
    }
}
