//! scraper-tui: the terminal dashboard. Not built yet; it says so instead of
//! pretending, and points at what works today.

fn main() {
    eprintln!(
        "scraper-tui: the terminal dashboard is not available in this version yet.\n\
         Run the server with `cargo run --release -p scraper-server` and use the REST API \
         (see README.md)."
    );
    std::process::exit(2);
}
