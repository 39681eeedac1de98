//! Proxy settings: a proxy's address and credentials, and the environment's
//! `http_proxy` / `https_proxy` / `no_proxy`.

mod config;
mod env;

pub(crate) use config::percent_decode;
pub use config::{ProxyConfig, DEFAULT_PROXY_PORT};
pub use env::no_proxy_matches;
#[cfg(feature = "fuzzing")]
pub(crate) use env::normalize;
