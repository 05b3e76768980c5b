//! What each act does, one file per group of `action::Act`.

mod api_keys;
mod changes;
mod deliveries;
mod describe;
mod dialogs;
mod flows;
mod general;
mod input;
mod items;
mod logs;
mod moves;
mod open;
mod runs;
