//! A counting TCP proxy in front of an emulator: counts the AWS API calls
//! that pass (by `x-amz-target`, or method and path) and the time spent
//! waiting for their answers, so the benchmark can report round trips and
//! handler overhead without touching the functions.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Default, Clone, Debug)]
pub struct Stats {
    pub calls: BTreeMap<String, u64>,
    pub busy: Duration,
}

#[derive(Clone)]
pub struct Proxy {
    pub url: String,
    stats: Arc<Mutex<Stats>>,
}

impl Proxy {
    pub async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let stats: Arc<Mutex<Stats>> = Arc::default();
        let shared = stats.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (up, stats) = (upstream.clone(), shared.clone());
                tokio::spawn(async move {
                    if let Ok(server) = TcpStream::connect(&up).await {
                        pipe(client, server, stats).await;
                    }
                });
            }
        });
        Self { url, stats }
    }

    /// Stats since the last call, then reset.
    pub fn take(&self) -> Stats {
        std::mem::take(&mut *self.stats.lock().unwrap())
    }
}

fn call_name(head: &str) -> String {
    for line in head.lines() {
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("x-amz-target:") {
            return v.trim().rsplit('.').next().unwrap_or("").to_owned();
        }
    }
    let mut first = head.lines().next().unwrap_or("").split_whitespace();
    format!("{} {}", first.next().unwrap_or(""), first.next().unwrap_or("").split('?').next().unwrap_or(""))
}

async fn pipe(client: TcpStream, server: TcpStream, stats: Arc<Mutex<Stats>>) {
    let (mut cr, mut cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    let started: Arc<Mutex<Option<Instant>>> = Arc::default();
    let (st_up, stats_up) = (started.clone(), stats.clone());
    let up = tokio::spawn(async move {
        let mut buf = vec![0u8; 65536];
        loop {
            let n = match cr.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let text = String::from_utf8_lossy(&buf[..n]);
            if text.contains(" HTTP/1.1\r\n") {
                let head = text.split("\r\n\r\n").next().unwrap_or("");
                *stats_up.lock().unwrap().calls.entry(call_name(head)).or_default() += 1;
                *st_up.lock().unwrap() = Some(Instant::now());
            }
            if sw.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
    });
    let mut buf = vec![0u8; 65536];
    loop {
        let n = match sr.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if let Some(t) = started.lock().unwrap().take() {
            stats.lock().unwrap().busy += t.elapsed();
        }
        if cw.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    up.abort();
}
