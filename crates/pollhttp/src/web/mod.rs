//! The browser transport (`wasm32-unknown-unknown`): [`HttpClient`] over the page's
//! `fetch`, with the same poll-driven API as the native client, as Godot's web export
//! has it. See the manual's chapter [In the browser](crate::manual::web).

mod client;
mod fetch;
mod forbidden;
mod promise;
mod response;
mod settings;
mod tls_options;

pub use client::HttpClient;
pub use tls_options::TlsOptions;
