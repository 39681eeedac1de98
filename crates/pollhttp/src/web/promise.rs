//! A JavaScript promise that is looked at, never awaited: the browser client has no
//! executor, so each `poll()` asks whether the promise has settled.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// A promise in flight. `JsFuture` keeps the promise's result in state that its own
/// callbacks fill in, and it frees those callbacks when the promise settles, also after
/// this value was dropped (an aborted fetch settles as rejected): nothing leaks and no
/// callback runs into freed memory.
pub(crate) struct Pending(Option<JsFuture>);

impl Pending {
    pub(crate) fn new(promise: js_sys::Promise) -> Pending {
        Pending(Some(JsFuture::from(promise)))
    }

    /// The promise's outcome once it has settled; `None` while it is pending. The
    /// outcome is handed out once.
    pub(crate) fn settled(&mut self) -> Option<Result<JsValue, JsValue>> {
        let future = self.0.as_mut()?;
        // Nobody is woken: the next poll() of the client looks again.
        let mut cx = Context::from_waker(Waker::noop());
        match Pin::new(future).poll(&mut cx) {
            Poll::Ready(outcome) => {
                self.0 = None;
                Some(outcome)
            }
            Poll::Pending => None,
        }
    }
}
