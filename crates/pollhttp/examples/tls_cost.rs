//! Measures what TLS costs a pollhttp client: handshakes and keep-alive requests.
//!
//! ```text
//! tls_cost MODE HOST PORT CA_PEM ROUNDS PATH
//! ```
//!
//! - `full`: a new connection per round with new [`TlsOptions`] (so no session to
//!   resume and the trusted chain is loaded again, as a new process would); times
//!   `connect_to_host` until CONNECTED.
//! - `resumed`: a new connection per round with clones of one [`TlsOptions`] (sessions
//!   are resumed); times `connect_to_host` until CONNECTED, after one unmeasured round.
//! - `keepalive`: one connection; times each GET of `PATH` from `request` to the end of
//!   the body, after one unmeasured request.
//!
//! Every connection GETs `PATH` once (so that TLS 1.3 session tickets are read). Prints
//! `median_us`, `mean_us` and `min_us` lines. `scripts/interop.sh --bench` runs it next
//! to curl against the same nginx.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use pollhttp::{Certificates, HttpClient, Method, Status, TlsOptions};

const WAIT: Option<Duration> = Some(Duration::from_secs(5));

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, host, port, ca, rounds, path] = args.as_slice() else {
        eprintln!("usage: tls_cost full|resumed|keepalive HOST PORT CA_PEM ROUNDS PATH");
        return ExitCode::from(2);
    };
    match run(mode, host, port, ca, rounds, path) {
        Ok(times) => {
            report(&times);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("tls_cost: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(
    mode: &str,
    host: &str,
    port: &str,
    ca: &str,
    rounds: &str,
    path: &str,
) -> Result<Vec<Duration>, String> {
    let port: u16 = port.parse().map_err(|e| format!("port {port:?}: {e}"))?;
    let rounds: usize = rounds
        .parse()
        .map_err(|e| format!("rounds {rounds:?}: {e}"))?;
    let ca = std::fs::read(ca).map_err(|e| format!("{ca}: {e}"))?;
    let host = format!("https://{host}");
    let mut times = Vec::with_capacity(rounds);
    match mode {
        "full" => {
            for _ in 0..rounds {
                // Parsing the PEM is part of the cost, as for a new curl process.
                let started = Instant::now();
                let chain = Certificates::from_pem(&ca).map_err(|e| e.to_string())?;
                let options = TlsOptions::client(Some(chain), None);
                let mut client = connect(&host, port, options)?;
                times.push(started.elapsed());
                get(&mut client, path)?;
            }
        }
        "resumed" => {
            let chain = Certificates::from_pem(&ca).map_err(|e| e.to_string())?;
            let options = TlsOptions::client(Some(chain), None);
            for round in 0..=rounds {
                let started = Instant::now();
                let mut client = connect(&host, port, options.clone())?;
                let elapsed = started.elapsed();
                get(&mut client, path)?;
                if round > 0 {
                    times.push(elapsed);
                }
            }
        }
        "keepalive" => {
            let chain = Certificates::from_pem(&ca).map_err(|e| e.to_string())?;
            let mut client = connect(&host, port, TlsOptions::client(Some(chain), None))?;
            for round in 0..=rounds {
                let started = Instant::now();
                get(&mut client, path)?;
                if round > 0 {
                    times.push(started.elapsed());
                }
                if client.status() != Status::Connected {
                    return Err(format!("connection not kept: {:?}", client.status()));
                }
            }
        }
        other => return Err(format!("unknown mode {other:?}")),
    }
    Ok(times)
}

fn connect(host: &str, port: u16, options: TlsOptions) -> Result<HttpClient, String> {
    let mut client = HttpClient::new();
    client
        .connect_to_host(host, Some(port), Some(options))
        .map_err(|e| e.to_string())?;
    while matches!(client.status(), Status::Resolving | Status::Connecting) {
        client.poll().map_err(|e| e.to_string())?;
        if client.status() == Status::Connecting {
            client.wait(WAIT).map_err(|e| e.to_string())?;
        }
    }
    if client.status() != Status::Connected {
        return Err(format!("{:?}: {:?}", client.status(), client.last_error()));
    }
    Ok(client)
}

fn get(client: &mut HttpClient, path: &str) -> Result<(), String> {
    client
        .request(Method::Get, path, &[] as &[&str], "")
        .map_err(|e| e.to_string())?;
    while client.status() == Status::Requesting {
        client.poll().map_err(|e| e.to_string())?;
        if client.status() == Status::Requesting {
            client.wait(WAIT).map_err(|e| e.to_string())?;
        }
    }
    let mut buf = [0u8; 16 * 1024];
    while client.status() == Status::Body {
        let n = client
            .read_response_body_into(&mut buf)
            .map_err(|e| e.to_string())?;
        if n == 0 && client.status() == Status::Body {
            client.wait(WAIT).map_err(|e| e.to_string())?;
        }
    }
    if client.response_code() != 200 {
        return Err(format!("{path}: HTTP {}", client.response_code()));
    }
    Ok(())
}

fn report(times: &[Duration]) {
    let mut us: Vec<f64> = times.iter().map(|t| t.as_secs_f64() * 1e6).collect();
    us.sort_by(f64::total_cmp);
    if us.is_empty() {
        println!("no rounds");
        return;
    }
    let mean = us.iter().sum::<f64>() / us.len() as f64;
    println!("rounds {}", us.len());
    println!("median_us {:.1}", us[(us.len() - 1) / 2]);
    println!("mean_us {mean:.1}");
    println!("min_us {:.1}", us[0]);
}
