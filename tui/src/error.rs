//! The one error type `scraper-tui` reports at its boundary.

#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    #[error("config: {0}")]
    Config(String),
    #[error(transparent)]
    Client(#[from] scraper_common::ClientError),
    #[error("terminal: {0}")]
    Terminal(#[from] std::io::Error),
    #[error("local server: {0:#}")]
    Local(anyhow::Error),
}
