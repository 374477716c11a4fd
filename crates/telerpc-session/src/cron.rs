//! [`Cron`]: one shared timer that drives every session's
//! [`on_cron`](crate::EventListener::on_cron).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError, Weak};
use std::time::Duration;

use tokio::time::{Instant, MissedTickBehavior};

use crate::shared::Shared;

/// The shortest period: 1 ms.
pub const MIN_CRON_PERIOD: Duration = Duration::from_millis(1);

/// A periodic timer shared by many sessions: every period it calls
/// [`EventListener::on_cron`](crate::EventListener::on_cron) for each live session registered
/// with it, one after the other.
///
/// One tokio task with one interval serves every session holding a clone (through
/// [`SessionConfig::with_cron`](crate::SessionConfig::with_cron)): no task or timer per
/// session. A session registers when it starts and leaves when it ends; the cron holds only
/// weak references, so it keeps no session alive. The task starts with the first session and
/// stops at the first tick after the last clone of the cron is dropped.
///
/// The first tick comes one period after the task starts; a tick that falls behind (a slow
/// `on_cron`) delays the next rather than bursting. `on_cron` runs on the cron's task: keep it
/// short, since it delays every other session's.
///
/// ```
/// use std::time::Duration;
/// use telerpc_session::{Cron, SessionConfig};
///
/// let heartbeat = Cron::new(Duration::from_secs(5));
/// let config = SessionConfig::default().with_cron(heartbeat.clone());
/// assert_eq!(heartbeat.period(), Duration::from_secs(5));
/// assert_eq!(heartbeat.sessions(), 0);
/// # drop(config);
/// ```
#[derive(Clone)]
pub struct Cron {
    inner: Arc<Inner>,
}

struct Inner {
    period: Duration,
    sessions: Mutex<HashMap<u64, Weak<Shared>>>,
    task: OnceLock<()>,
}

impl Cron {
    /// A timer ticking every `period`, at least [`MIN_CRON_PERIOD`].
    pub fn new(period: Duration) -> Self {
        Self {
            inner: Arc::new(Inner {
                period: period.max(MIN_CRON_PERIOD),
                sessions: Mutex::new(HashMap::new()),
                task: OnceLock::new(),
            }),
        }
    }

    /// The period.
    pub fn period(&self) -> Duration {
        self.inner.period
    }

    /// How many sessions are registered.
    pub fn sessions(&self) -> usize {
        self.inner.sessions().len()
    }

    /// Registers a session under its serial, starting the timer task on first use. Must be
    /// called within a tokio runtime.
    pub(crate) fn register(&self, serial: u64, session: Weak<Shared>) {
        self.inner.sessions().insert(serial, session);
        self.inner.task.get_or_init(|| {
            tokio::spawn(run(Arc::downgrade(&self.inner), self.inner.period));
        });
    }

    /// Removes a session.
    pub(crate) fn unregister(&self, serial: u64) {
        self.inner.sessions().remove(&serial);
    }
}

impl Inner {
    fn sessions(&self) -> MutexGuard<'_, HashMap<u64, Weak<Shared>>> {
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The timer task: ticks every `period` while the cron lives.
async fn run(cron: Weak<Inner>, period: Duration) {
    let mut interval = tokio::time::interval_at(Instant::now() + period, period);
    interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        let Some(cron) = cron.upgrade() else {
            tracing::debug!("cron stopped: no handle left");
            return;
        };
        let live: Vec<Arc<Shared>> = {
            let mut sessions = cron.sessions();
            sessions.retain(|_, session| session.strong_count() > 0);
            sessions.values().filter_map(Weak::upgrade).collect()
        };
        drop(cron);
        for session in live {
            Shared::cron_tick(&session);
        }
    }
}

impl fmt::Debug for Cron {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cron")
            .field("period", &self.inner.period)
            .field("sessions", &self.sessions())
            .finish()
    }
}
