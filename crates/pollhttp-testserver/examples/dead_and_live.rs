//! For `scripts/eyeballs_bench.sh`: the demo server on 127.0.0.1:PORT, and the same port
//! unanswered ([`BlackHole`]) on `[::1]` and `127.0.0.2`. Prints PORT (and `no-ipv6` when
//! `[::1]` cannot be bound), then serves until standard input closes.

use pollhttp_testserver::{BlackHole, DemoServer};
use std::io::Read;

fn main() -> std::io::Result<()> {
    let server = DemoServer::start()?;
    let port = server.port();
    let v4 = BlackHole::bind(format!("127.0.0.2:{port}").parse().unwrap())?;
    v4.verify()?;
    let v6 = BlackHole::bind(format!("[::1]:{port}").parse().unwrap());
    if let Ok(hole) = &v6 {
        hole.verify()?;
    }
    match &v6 {
        Ok(_) => println!("{port}"),
        Err(_) => println!("{port} no-ipv6"),
    }
    // Until the script closes our standard input.
    let mut sink = Vec::new();
    std::io::stdin().read_to_end(&mut sink)?;
    drop((v4, v6, server));
    Ok(())
}
