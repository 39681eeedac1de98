//! `peer-pollhttp-blocking`: the library in blocking mode.

fn main() {
    pollhttp_peer::Peer {
        client: "pollhttp-blocking",
        blocking: true,
        wait_first: false,
    }
    .main();
}
