//! A minimal Lambda Runtime API (the part a function's runtime client uses):
//! `GET …/invocation/next` hands out queued events, `POST …/response` and
//! `…/error` complete them. Times are taken where Lambda would take them.

use crate::local_http::{Incoming, reply};
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Instant;
use tokio::net::TcpListener;
use tokio::sync::{Mutex, Notify, oneshot};

/// Where a function's answer goes: (time, body, is error).
type Reply = oneshot::Sender<(Instant, String, bool)>;

#[derive(Default)]
struct State {
    queue: VecDeque<(String, String, Reply)>,
    inflight: Vec<(String, Reply)>,
    first_next: Option<Instant>,
}

#[derive(Clone)]
pub struct RuntimeApi {
    pub addr: String,
    state: Arc<Mutex<State>>,
    ready: Arc<Notify>,
    counter: Arc<std::sync::atomic::AtomicU64>,
}

pub struct Outcome {
    pub latency: std::time::Duration,
    pub body: String,
    pub error: bool,
}

impl RuntimeApi {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let api = Self { addr, state: Arc::default(), ready: Arc::new(Notify::new()), counter: Arc::default() };
        let server = api.clone();
        crate::local_http::serve(listener, move |req| {
            let s = server.clone();
            async move { Some(s.answer(req).await) }
        });
        api
    }

    /// What Lambda gives a function's process besides its configuration:
    /// this Runtime API, the function's name and size, a region and
    /// (local) credentials.
    pub fn lambda_env(&self, function: &str) -> Vec<(&'static str, String)> {
        vec![
            ("AWS_LAMBDA_RUNTIME_API", self.addr.clone()),
            ("AWS_LAMBDA_FUNCTION_NAME", function.into()),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128".into()),
            ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".into()),
            ("AWS_REGION", "us-east-1".into()),
            ("AWS_DEFAULT_REGION", "us-east-1".into()),
            ("AWS_ACCESS_KEY_ID", "local".into()),
            ("AWS_SECRET_ACCESS_KEY", "local".into()),
        ]
    }

    /// When the function first asked for work (end of its init).
    pub async fn first_next(&self) -> Option<Instant> {
        self.state.lock().await.first_next
    }

    /// Queues an event and waits for the function's answer.
    pub async fn invoke(&self, event: String) -> Outcome {
        let id = format!("req-{}", self.counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst));
        let (tx, rx) = oneshot::channel();
        let start = Instant::now();
        self.state.lock().await.queue.push_back((id, event, tx));
        self.ready.notify_waiters();
        self.ready.notify_one();
        let (done, body, error) = rx.await.expect("the function answered");
        Outcome { latency: done - start, body, error }
    }

    async fn answer(&self, req: Incoming) -> crate::local_http::Reply {
        let path = req.path;
        if path.ends_with("/invocation/next") {
            let (id, event) = self.next().await;
            let deadline =
                std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() + 60_000;
            return reply(
                200,
                &[
                    ("content-type", "application/json"),
                    ("lambda-runtime-aws-request-id", &id),
                    ("lambda-runtime-deadline-ms", &deadline.to_string()),
                    ("lambda-runtime-invoked-function-arn", "arn:aws:lambda:us-east-1:000000000000:function:bench"),
                    ("lambda-runtime-trace-id", "Root=1-00000000-000000000000000000000000"),
                ],
                event,
            );
        }
        let body = String::from_utf8_lossy(&req.body).to_string();
        if path.contains("/invocation/") {
            let error = path.ends_with("/error");
            let id = path.split('/').nth(4).unwrap_or("").to_owned();
            let mut st = self.state.lock().await;
            if let Some(i) = st.inflight.iter().position(|(x, _)| *x == id) {
                let (_, tx) = st.inflight.remove(i);
                let _ = tx.send((Instant::now(), body, error));
            }
        } else {
            eprintln!("runtime api: {} {path}\n{body}", req.method);
        }
        reply(202, &[], "")
    }

    async fn next(&self) -> (String, String) {
        loop {
            let notified = self.ready.notified();
            {
                let mut st = self.state.lock().await;
                st.first_next.get_or_insert_with(Instant::now);
                if let Some((id, event, tx)) = st.queue.pop_front() {
                    st.inflight.push((id.clone(), tx));
                    return (id, event);
                }
            }
            notified.await;
        }
    }
}
