# Scraper: common tasks. README.md gives the plain cargo commands these wrap.

# List the recipes
default:
    @just --list

# Run the server on 127.0.0.1:8080 with ./scraper.db (prints an admin key on first start)
run *ARGS:
    cargo run --release -p scraper-server -- {{ARGS}}

# Run the terminal dashboard (local server in-process without --server)
tui *ARGS:
    cargo run --release -p scraper-tui -- {{ARGS}}

# Try everything with no network: the dashboard, its local server and the demo shop
demo:
    cargo run --release -p scraper-tui -- --demo

# Build everything, tests included, without running
check:
    cargo check --workspace --all-targets

# Run every test (end-to-end tests start the real server on loopback)
test:
    cargo test --workspace

# Run the tests again with PostgreSQL as the database (root; Debian's postgresql): a throwaway cluster on loopback
test-postgres:
    .ci/with-postgres bash -c "cargo test --workspace && SCRAPER_TEST_DATABASE=postgres cargo test -p scraper-tests"

# Format the code
fmt:
    cargo fmt --all

# Lint as CI does
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings

# Run the benchmarks
bench:
    cargo bench --workspace
