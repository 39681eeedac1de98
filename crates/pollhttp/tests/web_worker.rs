//! The browser client in a dedicated worker, where there is no `window`: the global
//! `fetch` and `setTimeout` are the worker's. Run by `scripts/web/test.sh`, as `web.rs`.
#![cfg(target_arch = "wasm32")]

use pollhttp::{HttpRequest, HttpRequestResult, Method, Status};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_dedicated_worker);

mod web_support;
use web_support::*;

#[wasm_bindgen_test]
async fn the_tutorial_loop_runs_in_a_worker() {
    assert!(
        js_sys::global()
            .dyn_ref::<web_sys::WorkerGlobalScope>()
            .is_some(),
        "not in a worker"
    );
    let mut http = connected().await;
    http.request(Method::Get, "/cors/hello", &[], "")
        .expect("request");
    assert_eq!(
        poll_while(&mut http, Status::Requesting).await,
        Status::Body
    );
    assert_eq!(http.response_code(), 200);
    assert_eq!(read_body(&mut http).await.concat(), b"Hello, world!\n");
    assert!(http.is_response_complete());
}

#[wasm_bindgen_test]
async fn http_request_runs_in_a_worker() {
    let mut http = HttpRequest::new();
    http.request(
        &format!("{}/cors/redirect/2", server()),
        &[],
        Method::Get,
        "",
    )
    .expect("request");
    let done = complete(&mut http).await;
    assert_eq!(done.result, HttpRequestResult::Success, "{:?}", done.error);
    assert_eq!(done.text(), "Hello, world!\n");
}
