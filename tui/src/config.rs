//! The optional config file, `$XDG_CONFIG_HOME/scraper/tui.toml`:
//!
//! ```toml
//! server = "https://scraper.example.com"
//! api_key = "$SCRAPER_PROD_KEY"   # a literal key, or $VAR to read it from the environment
//! refresh = "2s"
//! readonly = false
//! save_dir = "~/scraper-exports"
//! ```

use crate::cli::{Cli, parse_duration};
use crate::error::TuiError;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub server: Option<String>,
    pub api_key: Option<String>,
    pub refresh: Option<String>,
    #[serde(default)]
    pub readonly: bool,
    pub save_dir: Option<PathBuf>,
}

/// Where the server is, resolved from flags, environment and file.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Remote {
        server: String,
        api_key: String,
    },
    /// No server named anywhere: start one in-process.
    Local {
        demo: bool,
    },
}

#[derive(Debug, Clone)]
pub struct Resolved {
    pub target: Target,
    pub refresh: Duration,
    pub readonly: bool,
    pub save_dir: PathBuf,
}

pub fn default_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("scraper").join("tui.toml"))
}

/// Reads the file; a missing default file is no config, a missing named
/// one is an error.
pub fn load(path: Option<&Path>) -> Result<FileConfig, TuiError> {
    let (path, named) = match path {
        Some(p) => (p.to_path_buf(), true),
        None => match default_path() {
            Some(p) => (p, false),
            None => return Ok(FileConfig::default()),
        },
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !named => {
            return Ok(FileConfig::default());
        }
        Err(e) => return Err(TuiError::Config(format!("{}: {e}", path.display()))),
    };
    toml::from_str(&text).map_err(|e| TuiError::Config(format!("{}: {e}", path.display())))
}

/// `$NAME` is read from the environment (through `env`, for tests).
fn expand(value: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, TuiError> {
    match value.strip_prefix('$') {
        Some(name) => env(name.trim_start_matches('{').trim_end_matches('}'))
            .ok_or_else(|| TuiError::Config(format!("api_key names ${name}, which is not set"))),
        None => Ok(value.to_string()),
    }
}

pub fn resolve(
    cli: &Cli,
    file: FileConfig,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Resolved, TuiError> {
    let server = cli.server.clone().or(file.server);
    let target = match server {
        None => Target::Local { demo: cli.demo },
        Some(server) => {
            let api_key = match (&cli.api_key, &file.api_key) {
                (Some(k), _) => k.clone(),
                (None, Some(k)) => expand(k, env)?,
                (None, None) => {
                    return Err(TuiError::Config(format!(
                        "{server} needs an API key: --api-key KEY, SCRAPER_API_KEY, or api_key in the config file"
                    )));
                }
            };
            if cli.demo {
                return Err(TuiError::Config(
                    "--demo runs a local server; leave out --server (and SCRAPER_URL)".into(),
                ));
            }
            Target::Remote { server, api_key }
        }
    };
    let refresh = match (cli.refresh, file.refresh) {
        (Some(r), _) => r,
        (None, Some(text)) => parse_duration(&text).map_err(TuiError::Config)?,
        (None, None) => Duration::from_secs(2),
    };
    let save_dir = cli
        .save_dir
        .clone()
        .or(file.save_dir)
        .map(|p| expand_home(&p))
        .unwrap_or_else(|| PathBuf::from("."));
    Ok(Resolved {
        target,
        refresh,
        readonly: cli.readonly || file.readonly,
        save_dir,
    })
}

fn expand_home(path: &Path) -> PathBuf {
    match (path.strip_prefix("~"), dirs::home_dir()) {
        (Ok(rest), Some(home)) => home.join(rest),
        _ => path.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn cli(args: &[&str]) -> Cli {
        let mut all = vec!["scraper-tui"];
        all.extend(args);
        Cli::try_parse_from(all).unwrap()
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn no_server_anywhere_means_local_mode() {
        let r = resolve(&cli(&["--demo"]), FileConfig::default(), &no_env).unwrap();
        assert_eq!(r.target, Target::Local { demo: true });
        assert_eq!(r.refresh, Duration::from_secs(2));
    }

    #[test]
    fn the_file_names_the_server_and_the_key_through_a_variable() {
        let file: FileConfig = toml::from_str(
            "server = \"http://10.0.0.1:8080\"\napi_key = \"$PROD_KEY\"\nrefresh = \"5s\"\n",
        )
        .unwrap();
        let env = |name: &str| (name == "PROD_KEY").then(|| "scr_live_x".to_string());
        let r = resolve(&cli(&[]), file, &env).unwrap();
        assert_eq!(
            r.target,
            Target::Remote {
                server: "http://10.0.0.1:8080".into(),
                api_key: "scr_live_x".into()
            }
        );
        assert_eq!(r.refresh, Duration::from_secs(5));
    }

    #[test]
    fn flags_beat_the_file_and_a_missing_variable_is_an_error() {
        let file: FileConfig =
            toml::from_str("server = \"http://a\"\napi_key = \"$NOPE\"\n").unwrap();
        let err = resolve(&cli(&[]), file, &no_env).unwrap_err();
        assert!(err.to_string().contains("NOPE"), "{err}");
        let file: FileConfig =
            toml::from_str("server = \"http://a\"\napi_key = \"$NOPE\"\n").unwrap();
        let r = resolve(
            &cli(&["--server", "http://b", "--api-key", "k"]),
            file,
            &no_env,
        )
        .unwrap();
        assert_eq!(
            r.target,
            Target::Remote {
                server: "http://b".into(),
                api_key: "k".into()
            }
        );
    }

    #[test]
    fn a_server_without_a_key_is_refused_with_the_ways_to_give_one() {
        let err = resolve(
            &cli(&["--server", "http://b"]),
            FileConfig::default(),
            &no_env,
        )
        .unwrap_err();
        assert!(err.to_string().contains("--api-key"), "{err}");
    }

    #[test]
    fn unknown_settings_in_the_file_are_refused() {
        assert!(toml::from_str::<FileConfig>("sever = \"typo\"").is_err());
    }
}
