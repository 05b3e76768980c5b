//! The web servers the tests run themselves, on loopback addresses only, for
//! the server under test to fetch. One HTTP server (`TestServer`) answers
//! with canned `Reply`s and counts what reached it; `TestSite` serves a map of
//! pages or a directory through it.

mod receiver;
mod reply;
mod server;
mod test_site;

pub use receiver::{Received, Receiver};
pub use reply::Reply;
pub use server::{TestServer, closed_port, eventually};
pub use test_site::{TestSite, cards};
