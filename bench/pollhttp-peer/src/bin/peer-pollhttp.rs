//! `peer-pollhttp`: the library in non-blocking mode, `poll()` + `wait()`.

fn main() {
    pollhttp_peer::Peer {
        client: "pollhttp",
        blocking: false,
        wait_first: std::env::var_os("PEER_POLLHTTP_WAIT_FIRST").is_some_and(|v| v == "1"),
    }
    .main();
}
