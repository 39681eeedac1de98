//! The page's side: runs the [`Tutorial`] against the page's own server, one frame per
//! `requestAnimationFrame`, and shows its lines in `<pre id="out">`.

use crate::tutorial::{Progress, Tutorial};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{Element, Window};

/// The path the page fetches: the chunked demo page, as `pollhttp demo` does by default.
const PATH: &str = "/chunked";

/// The animation-frame callback, kept where the callback itself can find it to ask for
/// the next frame; emptied when the script ends, which frees it.
type FrameCallback = Rc<RefCell<Option<Closure<dyn FnMut()>>>>;

/// Starts the tutorial when the module is instantiated.
#[wasm_bindgen(start)]
pub fn start() -> Result<(), JsValue> {
    let window = web_sys::window().ok_or("no window: the demo runs in a page")?;
    let out = window
        .document()
        .and_then(|d| d.get_element_by_id("out"))
        .ok_or("the page has no <pre id=\"out\">")?;
    let location = window.location();
    let host = location.hostname()?;
    // An empty port is the scheme's default; the page is served over plain HTTP.
    let port = match location.port()?.as_str() {
        "" => 80,
        p => p
            .parse::<u16>()
            .map_err(|_| JsValue::from_str(&format!("bad page port {p:?}")))?,
    };
    let mut tutorial = Tutorial::new(&host, port, PATH);
    let mut shown = 0;
    let callback: FrameCallback = Rc::new(RefCell::new(None));
    let next = Rc::clone(&callback);
    let frame_window = window.clone();
    *callback.borrow_mut() = Some(Closure::new(move || {
        let progress = tutorial.frame();
        for line in &tutorial.lines()[shown..] {
            append(&out, line);
        }
        shown = tutorial.lines().len();
        let rest = match progress {
            Progress::Running => match request_frame(&frame_window, &next) {
                Ok(()) => return,
                Err(e) => format!("failed: requestAnimationFrame: {e:?}"),
            },
            Progress::Done => "done".to_string(),
            Progress::Failed(why) => format!("failed: {why}"),
        };
        append(&out, &rest);
        // Drops this closure once the call returns: nothing will call it again.
        next.borrow_mut().take();
    }));
    request_frame(&window, &callback)
}

fn request_frame(window: &Window, callback: &FrameCallback) -> Result<(), JsValue> {
    let borrowed = callback.borrow();
    let f = borrowed.as_ref().ok_or("the frame callback is gone")?;
    window.request_animation_frame(f.as_ref().unchecked_ref())?;
    Ok(())
}

/// Adds `line` and a line end to the element's text (as text, never as markup).
fn append(out: &Element, line: &str) {
    let mut text = out.text_content().unwrap_or_default();
    text.push_str(line);
    text.push('\n');
    out.set_text_content(Some(&text));
}
