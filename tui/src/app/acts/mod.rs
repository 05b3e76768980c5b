//! What each act does, one file per group of `action::Act`.

mod api_keys;
mod flows;
mod general;
mod items;
mod logs;
mod moves;
mod open;
mod runs;
