//! The Godot "HTTP client class" tutorial's poll loop, one frame at a time, for a web page.
//!
//! [`Tutorial`] runs the loop of the tutorial's script (the same one `pollhttp demo` runs,
//! line for line) as a state machine: each call of [`Tutorial::frame`] runs the script up
//! to its next `await process_frame` and keeps the lines it printed. Natively a loop with
//! a short sleep drives it; in the browser (`wasm32`) the module's start function drives
//! it from `requestAnimationFrame` and writes the lines into the page's `<pre id="out">`,
//! then a last line `done` or `failed: WHY`.
//!
//! The page (`index.html` beside this crate's manifest) and the module are served by the
//! test server's `/site/` route, so the tutorial's requests go back to the page's own origin
//! and need no CORS. `scripts/web/test.sh` builds it, serves it and checks the lines in
//! headless Chromium.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod godot_fmt;
mod tutorial;
#[cfg(target_arch = "wasm32")]
mod web;

pub use godot_fmt::{dictionary, string_from_ascii};
pub use tutorial::{Progress, Tutorial, TUTORIAL_HEADERS};
