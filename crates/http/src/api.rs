//! What every API function builds once per cold start, and the runtime loop.

use crate::{ApiResult, Auth, respond};
use invites_adapters::config::ConfigError;
use invites_adapters::{Config, Queue, Store};
use invites_domain::message::{DecisionMail, SendInvite, SendInvites};
use lambda_http::{Request, service_fn};
use std::convert::Infallible;
use std::future::Future;

/// What a function needs beyond the table, checked at cold start.
#[derive(Debug, Clone, Copy, Default)]
pub struct Needs {
    /// It queues invitation e-mails (`INVITES_QUEUE_URL`).
    pub queue: bool,
    /// It mints or checks invite links, or gives erased people their keyed
    /// pseudonyms (the link keys, `invites_adapters::keys`); the others never
    /// see the key.
    pub link_keys: bool,
}

/// Clients and configuration shared by all invocations of a function.
pub struct AppState {
    pub config: Config,
    pub store: Store,
    /// Present for functions that enqueue mail.
    pub queue: Option<Queue>,
    pub auth: Auth,
}

impl AppState {
    /// Reads configuration and builds the AWS clients. Fails with a message
    /// naming the missing variable.
    pub async fn from_env(needs: Needs) -> Result<Self, ConfigError> {
        let config = Config::from_env()?;
        if needs.link_keys {
            config.require_token_keys()?;
        }
        let sdk = invites_adapters::sdk_config().await?;
        let queue = if needs.queue { Some(Queue::new(&sdk, config.require_queue()?)) } else { None };
        let store = Store::from_config(&sdk, &config);
        invites_runtime::prime(&store, queue.as_ref()).await?;
        Ok(Self { store, queue, auth: Auth::from_env(), config })
    }

    /// Queues an invite e-mail after its state is committed; `true` when
    /// queued. A failure is logged, not returned: the invite stands and an
    /// admin can resend, so the caller reports `emailQueued: false` instead.
    pub async fn enqueue(&self, msg: &SendInvite) -> bool {
        self.enqueue_one(msg, &msg.invite_id).await
    }

    /// Queues the e-mail telling a person the decision on their request to
    /// join, after it is committed (logged, not returned, as above).
    pub async fn enqueue_decision(&self, msg: &DecisionMail) -> bool {
        self.enqueue_one(msg, &msg.request_id).await
    }

    async fn enqueue_one(&self, msg: &impl serde::Serialize, id: &str) -> bool {
        let sent = match &self.queue {
            Some(queue) => queue.send(msg).await,
            None => Err(invites_domain::Error::internal("queue not configured")),
        };
        match sent {
            Ok(()) => true,
            Err(e) => {
                tracing::error!(id, error = %e, "could not queue an e-mail");
                false
            }
        }
    }

    /// Queues many e-mails: ten invites to a message (`invites.send`), ten
    /// messages to an SQS call, so a hundred take one call; answers, in
    /// order, whether each was queued. Failures are logged, as for
    /// [`AppState::enqueue`].
    pub async fn enqueue_all(&self, msgs: &[SendInvite]) -> Vec<bool> {
        let groups = SendInvites::group(msgs);
        let mut queued = Vec::with_capacity(msgs.len());
        for chunk in groups.chunks(10) {
            let messages: Vec<&SendInvites> = chunk.iter().map(|(g, _)| g).collect();
            let sent = match &self.queue {
                Some(queue) => queue.send_batch(&messages).await,
                None => Err(invites_domain::Error::internal("queue not configured")),
            };
            let sent = sent.unwrap_or_else(|e| {
                tracing::error!(invites = chunk.iter().map(|(_, n)| n).sum::<usize>(), error = %e, "could not queue invite e-mails");
                vec![false; chunk.len()]
            });
            for (ok, (_, n)) in sent.into_iter().zip(chunk) {
                queued.extend(std::iter::repeat_n(ok, *n));
            }
        }
        queued
    }
}

/// Runs an API function: logging, configuration and clients once, then the
/// Lambda loop. Every result goes through [`respond`].
pub async fn serve<F, Fut>(needs: Needs, handler: F) -> Result<(), lambda_http::Error>
where
    F: Fn(&'static AppState, Request) -> Fut,
    Fut: Future<Output = ApiResult> + Send,
{
    invites_runtime::logging::init();
    let api = match AppState::from_env(needs).await {
        Ok(api) => api,
        Err(e) => {
            tracing::error!("{e}");
            return Err(e.into());
        }
    };
    // One instance for the life of the process.
    let api: &'static AppState = Box::leak(Box::new(api));
    lambda_http::run(service_fn(move |req| {
        let fut = handler(api, req);
        async move { Ok::<_, Infallible>(respond(fut.await)) }
    }))
    .await
}
