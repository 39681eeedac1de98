//! `HttpClient`: Godot's `HTTPClient` contract over the protocol core and the socket layer.
//! (Signatures fixed; bodies are being written.)
#![allow(missing_docs, unused_variables, dead_code)]

use crate::{Error, Method, Status, StreamPeer, TlsOptions};
use std::time::Duration;

/// A non-blocking HTTP/1.1 client, driven by [`poll`](HttpClient::poll).
pub struct HttpClient {
    status: Status,
}

impl Default for HttpClient {
    fn default() -> Self {
        HttpClient::new()
    }
}

impl HttpClient {
    pub fn new() -> HttpClient {
        HttpClient {
            status: Status::Disconnected,
        }
    }
    pub fn connect_to_host(
        &mut self,
        host: &str,
        port: Option<u16>,
        tls: Option<TlsOptions>,
    ) -> Result<(), Error> {
        todo!()
    }
    pub fn set_connection(&mut self, peer: Box<dyn StreamPeer>) {
        todo!()
    }
    pub fn connection(&mut self) -> Option<&mut dyn StreamPeer> {
        todo!()
    }
    pub fn poll(&mut self) -> Result<(), Error> {
        todo!()
    }
    pub fn status(&self) -> Status {
        self.status
    }
    pub fn request<H: AsRef<str>>(
        &mut self,
        method: Method,
        url: &str,
        headers: &[H],
        body: &str,
    ) -> Result<(), Error> {
        todo!()
    }
    pub fn request_raw<H: AsRef<str>>(
        &mut self,
        method: Method,
        url: &str,
        headers: &[H],
        body: &[u8],
    ) -> Result<(), Error> {
        todo!()
    }
    pub fn has_response(&self) -> bool {
        todo!()
    }
    pub fn response_code(&self) -> u16 {
        todo!()
    }
    pub fn response_headers(&self) -> Vec<String> {
        todo!()
    }
    pub fn response_headers_as_dictionary(&self) -> Vec<(String, String)> {
        todo!()
    }
    pub fn is_response_chunked(&self) -> bool {
        todo!()
    }
    pub fn response_body_length(&self) -> i64 {
        todo!()
    }
    pub fn read_response_body_chunk(&mut self) -> Vec<u8> {
        todo!()
    }
    pub fn read_response_body_into(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        todo!()
    }
    pub fn close(&mut self) {
        todo!()
    }
    pub fn set_http_proxy(&mut self, host: &str, port: Option<u16>) {
        todo!()
    }
    pub fn set_https_proxy(&mut self, host: &str, port: Option<u16>) {
        todo!()
    }
    pub fn set_blocking_mode(&mut self, enabled: bool) {
        todo!()
    }
    pub fn is_blocking_mode_enabled(&self) -> bool {
        todo!()
    }
    pub fn set_read_chunk_size(&mut self, size: usize) -> Result<(), Error> {
        todo!()
    }
    pub fn read_chunk_size(&self) -> usize {
        todo!()
    }
    pub fn last_error(&self) -> Option<&Error> {
        todo!()
    }
    /// Sleeps until this client has something to do or `timeout` passes.
    pub fn wait(&mut self, timeout: Option<Duration>) -> Result<bool, Error> {
        todo!()
    }
}
