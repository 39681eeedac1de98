//! `Fleet`: many clients on one thread, driven through a [`Poller`], each sending
//! `/echo/CLIENT-REQUEST` requests on its keep-alive connection and checking every answer.

use pollhttp::{HttpClient, Method, Poller, Status, Token};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// One client of the fleet.
pub struct Member {
    /// The client.
    pub client: HttpClient,
    token: Token,
    /// Responses received and checked.
    pub done: usize,
    /// Requests wanted in all.
    target: usize,
    awaiting: bool,
    body: Vec<u8>,
}

/// N clients, one poller, one thread.
pub struct Fleet {
    /// The poller every client is registered with.
    pub poller: Poller,
    /// The clients, at the index of their token.
    pub members: Vec<Member>,
    ready: Vec<Token>,
    buf: Vec<u8>,
    path: String,
    /// Readiness reports handled.
    pub wakeups: u64,
}

impl Fleet {
    /// Creates `n` clients connecting to 127.0.0.1:`port` (or `host`) and registers them.
    pub fn connect(n: usize, host: &str, port: u16) -> Fleet {
        let mut poller = Poller::new().expect("poller");
        let mut members = Vec::with_capacity(n);
        for i in 0..n {
            let mut client = HttpClient::new();
            client
                .connect_to_host(host, Some(port), None)
                .expect("connect_to_host");
            let token = poller.register(&client).expect("register");
            assert_eq!(token.index(), i, "tokens are dense");
            members.push(Member {
                client,
                token,
                done: 0,
                target: 0,
                awaiting: false,
                body: Vec::new(),
            });
        }
        Fleet {
            poller,
            members,
            ready: Vec::with_capacity(n),
            buf: vec![0u8; 64 * 1024],
            path: String::with_capacity(64),
            wakeups: 0,
        }
    }

    /// Drives every client until it is connected and has `total` checked responses in all
    /// (0: just connected), or `limit` passes. Every response is checked: status 200 and
    /// the body the server echoes for that client and request.
    pub fn run(&mut self, total: usize, limit: Duration) -> Result<(), String> {
        let deadline = Instant::now() + limit;
        let mut unfinished = 0;
        for i in 0..self.members.len() {
            let m = &mut self.members[i];
            m.target = total;
            if m.done < total || m.client.status() != Status::Connected {
                unfinished += 1;
            }
            // Clients already idle start their next request now.
            if m.client.status() == Status::Connected && !m.awaiting && m.done < total {
                self.send(i)?;
                let m = &mut self.members[i];
                self.poller
                    .update(m.token, &m.client)
                    .map_err(|e| e.to_string())?;
            }
        }
        while unfinished > 0 {
            if Instant::now() > deadline {
                let stuck: Vec<_> = self
                    .members
                    .iter()
                    .enumerate()
                    .filter(|(_, m)| m.done < m.target || m.client.status() != Status::Connected)
                    .take(5)
                    .map(|(i, m)| format!("#{i} {:?} done {}", m.client.status(), m.done))
                    .collect();
                return Err(format!("{unfinished} clients unfinished, e.g. {stuck:?}"));
            }
            let mut ready = std::mem::take(&mut self.ready);
            self.poller
                .poll(&mut ready, Some(Duration::from_millis(200)))
                .map_err(|e| e.to_string())?;
            for &token in &ready {
                self.wakeups += 1;
                if self.step(token.index())? {
                    unfinished -= 1;
                }
            }
            self.ready = ready;
        }
        Ok(())
    }

    /// Handles one readiness report; true when this client just finished.
    fn step(&mut self, i: usize) -> Result<bool, String> {
        let m = &mut self.members[i];
        let was_finished = m.done >= m.target && m.client.status() == Status::Connected;
        let _ = m.client.poll();
        while m.client.status() == Status::Body {
            match m.client.read_response_body_into(&mut self.buf) {
                Ok(0) => break,
                Ok(n) => m.body.extend_from_slice(&self.buf[..n]),
                Err(e) => return Err(format!("client {i}: body: {e}")),
            }
        }
        match m.client.status() {
            Status::Connected if m.awaiting => {
                m.awaiting = false;
                self.path.clear();
                let _ = write!(self.path, "{i}-{}", m.done);
                if m.client.response_code() != 200 || m.body != self.path.as_bytes() {
                    return Err(format!(
                        "client {i} request {}: code {} body {:?}",
                        m.done,
                        m.client.response_code(),
                        String::from_utf8_lossy(&m.body)
                    ));
                }
                m.body.clear();
                m.done += 1;
                if m.done < m.target {
                    self.send(i)?;
                }
            }
            Status::Connected if m.done < m.target => self.send(i)?,
            Status::Resolving | Status::Connecting | Status::Connected => {}
            Status::Requesting | Status::Body => {}
            other => {
                return Err(format!(
                    "client {i} failed in {other:?}: {:?}",
                    m.client.last_error()
                ))
            }
        }
        let m = &mut self.members[i];
        self.poller
            .update(m.token, &m.client)
            .map_err(|e| e.to_string())?;
        let finished = m.done >= m.target && m.client.status() == Status::Connected;
        Ok(finished && !was_finished)
    }

    fn send(&mut self, i: usize) -> Result<(), String> {
        let m = &mut self.members[i];
        self.path.clear();
        let _ = write!(self.path, "/echo/{i}-{}", m.done);
        m.client
            .request(Method::Get, &self.path, &[] as &[&str], "")
            .map_err(|e| format!("client {i}: request: {e}"))?;
        m.awaiting = true;
        Ok(())
    }

    /// Responses checked, over every client.
    pub fn responses(&self) -> usize {
        self.members.iter().map(|m| m.done).sum()
    }
}
