//! A small HTTP/1.1 load generator over loopback: keep-alive connections on threads, open
//! loop (requests scheduled at a fixed rate, each latency measured from its scheduled time, so
//! a slow server is not hidden by the generator waiting: no coordinated omission) or closed
//! loop (each connection sends its next request when the last one is answered).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What a run measured.
pub(crate) struct Load {
    /// Microseconds per answered request.
    pub latencies_us: Vec<u64>,
    /// Requests answered with a status other than 200, or not answered.
    pub errors: usize,
    pub elapsed: Duration,
}

impl Load {
    pub fn rate(&self) -> f64 {
        self.latencies_us.len() as f64 / self.elapsed.as_secs_f64()
    }

    /// The `p`-th percentile latency in milliseconds.
    pub fn percentile_ms(&mut self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        self.latencies_us.sort_unstable();
        let i = ((p / 100.0) * (self.latencies_us.len() - 1) as f64).round() as usize;
        self.latencies_us[i] as f64 / 1000.0
    }
}

/// `POST path` with a JSON body, or `GET path` when `body` is empty.
pub(crate) fn request(addr: SocketAddr, path: &str, body: &str) -> Vec<u8> {
    if body.is_empty() {
        format!("GET {path} HTTP/1.1\r\nhost: {addr}\r\n\r\n").into_bytes()
    } else {
        format!(
            "POST {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    }
}

/// Sends one request on a kept-alive connection; true on a 200.
fn exchange(reader: &mut BufReader<TcpStream>, req: &[u8]) -> bool {
    if reader.get_mut().write_all(req).is_err() {
        return false;
    }
    let mut status = String::new();
    if reader.read_line(&mut status).is_err() {
        return false;
    }
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).is_err() || line.is_empty() {
            return false;
        }
        if line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).is_ok() && status.starts_with("HTTP/1.1 200")
}

/// Runs `total` requests (request `i` is `make(i)`) over `connections` connections; with
/// `rate` (requests per second) in open loop, else closed loop.
pub(crate) fn run(
    addr: SocketAddr,
    connections: usize,
    total: usize,
    rate: Option<f64>,
    make: Arc<dyn Fn(usize) -> Vec<u8> + Send + Sync>,
) -> Load {
    let start = Instant::now() + Duration::from_millis(50);
    let threads: Vec<_> = (0..connections)
        .map(|c| {
            let make = make.clone();
            std::thread::spawn(move || {
                let stream = TcpStream::connect(addr).expect("connect");
                stream.set_nodelay(true).ok();
                let mut reader = BufReader::new(stream);
                let mut latencies = Vec::new();
                let mut errors = 0;
                let mut i = c;
                while i < total {
                    let req = make(i);
                    let scheduled = match rate {
                        Some(r) => {
                            let at = start + Duration::from_secs_f64(i as f64 / r);
                            if let Some(wait) = at.checked_duration_since(Instant::now()) {
                                std::thread::sleep(wait);
                            }
                            at
                        }
                        None => Instant::now(),
                    };
                    if exchange(&mut reader, &req) {
                        latencies.push(scheduled.elapsed().as_micros() as u64);
                    } else {
                        errors += 1;
                        // A broken connection: reconnect.
                        if let Ok(s) = TcpStream::connect(addr) {
                            s.set_nodelay(true).ok();
                            reader = BufReader::new(s);
                        }
                    }
                    i += connections;
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut load = Load {
        latencies_us: Vec::with_capacity(total),
        errors: 0,
        elapsed: Duration::ZERO,
    };
    for t in threads {
        let (l, e) = t.join().expect("load thread");
        load.latencies_us.extend(l);
        load.errors += e;
    }
    load.elapsed = start.elapsed();
    load
}
