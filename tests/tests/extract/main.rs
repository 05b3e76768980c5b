//! The extraction engine on HTML fixtures (tests/fixtures/extract) and on the
//! generated bench shop: pure functions, no server needed.

mod auto_mode;
mod bench_site;
mod common;
mod explicit_mode;
mod robustness;
mod spec;
