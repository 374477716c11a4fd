//! [`AcceptLoop`]: accepts connections until shut down, backing off on temporary errors and
//! refusing connections over a limit.

use std::future::Future;
use std::io;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use telerpc_socket::Address;
use tokio::sync::watch;

use super::backoff::Backoff;

/// A source of incoming connections, as an [`AcceptLoop`] serves it.
///
/// [`Listener`](super::Listener) is the real one; the trait lets the loop run over anything
/// that produces connections.
pub trait Accept: Send {
    /// A connection.
    type Conn: Send + 'static;

    /// Waits for the next connection and returns it with the peer's address. An error is
    /// classified by [`is_temporary`]: temporary errors are retried after a backoff, others
    /// end the loop.
    fn accept(&mut self) -> impl Future<Output = io::Result<(Self::Conn, Address)>> + Send;
}

/// Whether an error from `accept` is temporary: the listener is sound and a later `accept` may
/// succeed, so the loop backs off and retries rather than stopping.
///
/// Temporary are: interruption (`EINTR`), would-block, time-outs; the process or the system
/// out of descriptors or memory (`EMFILE`, `ENFILE`, `ENOBUFS`, `ENOMEM`); and the failures of
/// one pending connection that Linux reports through `accept` (`ECONNABORTED`, `ECONNRESET`,
/// `EPROTO`, `EPERM` from a firewall, and the network errors `ENETDOWN`, `ENETUNREACH`,
/// `EHOSTDOWN`, `EHOSTUNREACH`, `ENOPROTOOPT`, `EOPNOTSUPP`). Anything else (a closed or
/// invalid descriptor, for example) is not.
pub fn is_temporary(error: &io::Error) -> bool {
    use io::ErrorKind;
    if matches!(
        error.kind(),
        ErrorKind::Interrupted
            | ErrorKind::WouldBlock
            | ErrorKind::TimedOut
            | ErrorKind::ConnectionAborted
            | ErrorKind::ConnectionReset
            | ErrorKind::OutOfMemory
    ) {
        return true;
    }
    error.raw_os_error().is_some_and(is_temporary_errno)
}

#[cfg(unix)]
fn is_temporary_errno(errno: i32) -> bool {
    matches!(
        errno,
        libc::EMFILE
            | libc::ENFILE
            | libc::ENOBUFS
            | libc::ENOMEM
            | libc::EPROTO
            | libc::EPERM
            | libc::ENETDOWN
            | libc::ENETUNREACH
            | libc::EHOSTDOWN
            | libc::EHOSTUNREACH
            | libc::ENOPROTOOPT
            | libc::EOPNOTSUPP
    )
}

#[cfg(not(unix))]
fn is_temporary_errno(_errno: i32) -> bool {
    false
}

/// The connection counts of one [`AcceptLoop`], shared with its [`ConnectionSlot`]s and
/// readable while the loop runs.
#[derive(Debug)]
pub struct ConnectionCounter {
    max: Option<usize>,
    live: AtomicUsize,
    admitted: AtomicU64,
    refused: AtomicU64,
}

impl ConnectionCounter {
    /// A counter admitting at most `max` live connections (`None`: no limit), with nothing
    /// counted yet. Share it among [`AcceptLoop`]s with
    /// [`with_counter`](AcceptLoop::with_counter) so the limit holds across all of them.
    pub fn new(max: impl Into<Option<usize>>) -> Arc<Self> {
        Arc::new(Self {
            max: max.into(),
            live: AtomicUsize::new(0),
            admitted: AtomicU64::new(0),
            refused: AtomicU64::new(0),
        })
    }

    /// The limit on live connections, `None` for no limit.
    pub fn max(&self) -> Option<usize> {
        self.max
    }

    /// The connections admitted whose [`ConnectionSlot`] is still held.
    pub fn live(&self) -> usize {
        self.live.load(Ordering::Acquire)
    }

    /// The connections admitted since the loop was made.
    pub fn admitted(&self) -> u64 {
        self.admitted.load(Ordering::Relaxed)
    }

    /// The connections refused over the limit since the loop was made.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }

    /// A slot if a connection may be admitted now, counting it as live (and as admitted);
    /// `None` at the limit, counting the connection as refused. An [`AcceptLoop`] admits each
    /// accepted connection this way; code that serves connections from elsewhere under the
    /// same limit admits them the same way and holds the slot while the connection lives.
    pub fn admit(self: &Arc<Self>) -> Option<ConnectionSlot> {
        let max = self.max.unwrap_or(usize::MAX);
        let admitted = self
            .live
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |live| {
                (live < max).then_some(live + 1)
            });
        if admitted.is_err() {
            self.refused.fetch_add(1, Ordering::Relaxed);
            return None;
        }
        self.admitted.fetch_add(1, Ordering::Relaxed);
        Some(ConnectionSlot {
            counter: Arc::clone(self),
        })
    }
}

/// One admitted connection's place under an [`AcceptLoop`]'s limit: the connection counts as
/// live until its slot is dropped, so whoever serves the connection holds the slot for as
/// long as the connection (or the session over it) lives.
#[derive(Debug)]
pub struct ConnectionSlot {
    counter: Arc<ConnectionCounter>,
}

impl Drop for ConnectionSlot {
    /// Frees the slot for another connection.
    fn drop(&mut self) {
        self.counter.live.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Accepts connections from an [`Accept`] source and hands each admitted one, with its
/// [`ConnectionSlot`], to a callback, until shut down.
///
/// - **Limit.** With [`with_max_connections(n)`](Self::with_max_connections), at most `n`
///   connections are live (their slots held) at once. A connection over the limit is accepted
///   and dropped at once, so its peer reads the end of the stream; it is counted in
///   [`ConnectionCounter::refused`] and logged at debug level.
/// - **Temporary errors.** An accept error that [`is_temporary`] says is temporary is logged
///   at warn level and retried after the next delay of the loop's [`Backoff`]
///   ([`Backoff::ACCEPT`] unless set: 5 ms doubling to 1 s); the delays start over after every
///   successful accept. Any other error ends the loop with that error.
/// - **Shutdown.** [`run`](Self::run) returns `Ok(())` once the shutdown channel holds `true`
///   or every sender is dropped, checked before each accept and during each backoff. The
///   source is dropped on return (a Unix [`Listener`](super::Listener) then removes its file);
///   connections already handed out are not touched.
///
/// ```
/// use telerpc_session::endpoint::{AcceptLoop, Listener, Target};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// let listener = Listener::bind(&Target::tcp("127.0.0.1:0")).await?;
/// let accept = AcceptLoop::new(listener).with_max_connections(100);
/// let counter = accept.counter();
/// let (stop, shutdown) = tokio::sync::watch::channel(false);
/// let served = tokio::spawn(accept.run(|_stream, _slot| {}, shutdown));
/// stop.send_replace(true);
/// served.await.unwrap()?;
/// assert_eq!(counter.admitted(), 0);
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct AcceptLoop<L> {
    source: L,
    backoff: Backoff,
    counter: Arc<ConnectionCounter>,
}

impl<L: Accept> AcceptLoop<L> {
    /// A loop over `source` with no connection limit and [`Backoff::ACCEPT`].
    pub fn new(source: L) -> Self {
        Self {
            source,
            backoff: Backoff::ACCEPT,
            counter: ConnectionCounter::new(None),
        }
    }

    /// Limits the live connections to `max`; `None` removes the limit. Resets the counts.
    pub fn with_max_connections(mut self, max: impl Into<Option<usize>>) -> Self {
        self.counter = ConnectionCounter::new(max);
        self
    }

    /// Counts and limits this loop's connections with `counter`, which other loops, and
    /// connections admitted elsewhere through [`ConnectionCounter::admit`], may share: its
    /// limit then holds across all of them. Replaces the loop's own counter.
    pub fn with_counter(mut self, counter: Arc<ConnectionCounter>) -> Self {
        self.counter = counter;
        self
    }

    /// Sets the backoff after temporary accept errors.
    pub fn with_backoff(mut self, backoff: Backoff) -> Self {
        self.backoff = backoff;
        self
    }

    /// The loop's connection counts, to read while it runs.
    pub fn counter(&self) -> Arc<ConnectionCounter> {
        Arc::clone(&self.counter)
    }

    /// Accepts until shut down, calling `on_connection` with each admitted connection and its
    /// slot. Returns `Ok(())` on shutdown and the error of an accept that is not temporary.
    pub async fn run<F>(
        mut self,
        mut on_connection: F,
        mut shutdown: watch::Receiver<bool>,
    ) -> io::Result<()>
    where
        F: FnMut(L::Conn, ConnectionSlot),
    {
        let mut delays = self.backoff.delays();
        loop {
            let accepted = tokio::select! {
                biased;
                () = stopped(&mut shutdown) => return Ok(()),
                accepted = self.source.accept() => accepted,
            };
            match accepted {
                Ok((conn, peer)) => {
                    delays.reset();
                    match self.counter.admit() {
                        Some(slot) => on_connection(conn, slot),
                        None => {
                            drop(conn);
                            tracing::debug!(
                                %peer,
                                max = self.counter.max,
                                "refused a connection over the limit"
                            );
                        }
                    }
                }
                Err(error) if is_temporary(&error) => {
                    let delay = delays.next_delay();
                    tracing::warn!(%error, ?delay, "temporary accept error; retrying");
                    tokio::select! {
                        biased;
                        () = stopped(&mut shutdown) => return Ok(()),
                        () = tokio::time::sleep(delay) => {}
                    }
                }
                Err(error) => {
                    tracing::error!(%error, "accept failed; the accept loop stops");
                    return Err(error);
                }
            }
        }
    }
}

/// Completes once `shutdown` holds `true` or its senders are gone.
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    // An error means every sender is dropped: nobody can ask for more, so stop too.
    let _ = shutdown.wait_for(|stop| *stop).await;
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::time::Duration;

    use tokio::sync::mpsc;
    use tokio::time::Instant;

    use super::*;

    #[test]
    fn classifies_errors() {
        for errno in [
            libc::EMFILE,
            libc::ENFILE,
            libc::ENOBUFS,
            libc::ENOMEM,
            libc::ECONNABORTED,
            libc::ECONNRESET,
            libc::EINTR,
            libc::EAGAIN,
            libc::EPROTO,
            libc::ENETUNREACH,
        ] {
            let error = io::Error::from_raw_os_error(errno);
            assert!(is_temporary(&error), "{error} should be temporary");
        }
        for errno in [libc::EBADF, libc::EINVAL, libc::ENOTSOCK, libc::EFAULT] {
            let error = io::Error::from_raw_os_error(errno);
            assert!(!is_temporary(&error), "{error} should not be temporary");
        }
        assert!(is_temporary(&io::ErrorKind::Interrupted.into()));
        assert!(!is_temporary(&io::Error::other("listener gone")));
    }

    /// A source that replays scripted results, recording when each accept was made; once the
    /// script is spent, it waits for ever.
    struct Scripted {
        script: VecDeque<io::Result<u32>>,
        calls: mpsc::UnboundedSender<Instant>,
    }

    impl Accept for Scripted {
        type Conn = u32;

        async fn accept(&mut self) -> io::Result<(u32, Address)> {
            let _ = self.calls.send(Instant::now());
            match self.script.pop_front() {
                Some(result) => result.map(|conn| (conn, Address::Unknown)),
                None => std::future::pending().await,
            }
        }
    }

    fn emfile() -> io::Result<u32> {
        Err(io::Error::from_raw_os_error(libc::EMFILE))
    }

    #[tokio::test(start_paused = true)]
    async fn backs_off_and_resets_after_a_success() {
        let script = VecDeque::from([emfile(), emfile(), emfile(), Ok(1), emfile(), Ok(2)]);
        let (calls, mut call_times) = mpsc::unbounded_channel();
        let source = Scripted { script, calls };
        let (stop, shutdown) = watch::channel(false);
        let (conns, mut received) = mpsc::unbounded_channel();
        let served = tokio::spawn(AcceptLoop::new(source).run(
            move |conn, slot| {
                let _ = conns.send(conn);
                drop(slot);
            },
            shutdown,
        ));

        assert_eq!(received.recv().await, Some(1));
        assert_eq!(received.recv().await, Some(2));
        let mut times = Vec::new();
        while times.len() < 7 {
            times.push(call_times.recv().await.expect("an accept call"));
        }
        let gaps: Vec<_> = times.windows(2).map(|pair| pair[1] - pair[0]).collect();
        let ms = Duration::from_millis;
        // Three errors: 5, 10, 20 ms; a success: no wait; one error: 5 ms again; a success.
        assert_eq!(gaps, [ms(5), ms(10), ms(20), ms(0), ms(5), ms(0)]);

        stop.send_replace(true);
        served.await.unwrap().unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn stops_during_a_backoff() {
        let script = VecDeque::from([emfile()]);
        let (calls, _call_times) = mpsc::unbounded_channel();
        let (stop, shutdown) = watch::channel(false);
        let served = tokio::spawn(
            AcceptLoop::new(Scripted { script, calls })
                .with_backoff(Backoff::new(
                    Duration::from_secs(3600),
                    Duration::from_secs(3600),
                ))
                .run(|_, _| {}, shutdown),
        );
        tokio::task::yield_now().await;
        let start = Instant::now();
        stop.send_replace(true);
        served.await.unwrap().unwrap();
        assert!(start.elapsed() < Duration::from_secs(1));
    }

    #[tokio::test]
    async fn a_fatal_error_ends_the_loop() {
        let script = VecDeque::from([Ok(1), Err(io::Error::from_raw_os_error(libc::EBADF))]);
        let (calls, _call_times) = mpsc::unbounded_channel();
        let (_stop, shutdown) = watch::channel(false);
        let mut handed = 0;
        let result = AcceptLoop::new(Scripted { script, calls })
            .run(|_, _| handed += 1, shutdown)
            .await;
        assert_eq!(result.unwrap_err().raw_os_error(), Some(libc::EBADF));
        assert_eq!(handed, 1);
    }

    #[tokio::test]
    async fn limit_counts_held_slots() {
        let script = VecDeque::from([Ok(1), Ok(2), Ok(3), Ok(4)]);
        let (calls, _call_times) = mpsc::unbounded_channel();
        let (_stop, shutdown) = watch::channel(false);
        let accept = AcceptLoop::new(Scripted { script, calls }).with_max_connections(2);
        let counter = accept.counter();
        let mut slots = Vec::new();
        let mut handed = Vec::new();
        let run = accept.run(
            |conn, slot| {
                handed.push(conn);
                slots.push(slot);
            },
            shutdown,
        );
        // The script ends in a pending accept: run until then.
        assert!(tokio::time::timeout(Duration::from_millis(100), run)
            .await
            .is_err());
        assert_eq!(handed, [1, 2]);
        assert_eq!(
            (counter.live(), counter.admitted(), counter.refused()),
            (2, 2, 2)
        );
        slots.pop();
        assert_eq!(counter.live(), 1);
    }

    #[tokio::test]
    async fn a_shared_counter_limits_every_loop_and_direct_admissions() {
        let counter = ConnectionCounter::new(2);
        let direct = counter.admit().expect("room for one");
        let (_stop, shutdown) = watch::channel(false);
        let mut slots = Vec::new();
        for script in [VecDeque::from([Ok(1), Ok(2)]), VecDeque::from([Ok(3)])] {
            let (calls, _call_times) = mpsc::unbounded_channel();
            let run = AcceptLoop::new(Scripted { script, calls })
                .with_counter(Arc::clone(&counter))
                .run(|_, slot| slots.push(slot), shutdown.clone());
            assert!(tokio::time::timeout(Duration::from_millis(50), run)
                .await
                .is_err());
        }
        // One slot was taken directly: of three accepted, one fits.
        assert_eq!(slots.len(), 1);
        assert_eq!(
            (counter.live(), counter.admitted(), counter.refused()),
            (2, 2, 2)
        );
        assert!(counter.admit().is_none());
        drop(direct);
        assert!(counter.admit().is_some());
    }

    #[tokio::test]
    async fn dropping_every_sender_stops_the_loop() {
        let (calls, _call_times) = mpsc::unbounded_channel();
        let (stop, shutdown) = watch::channel(false);
        drop(stop);
        let source = Scripted {
            script: VecDeque::new(),
            calls,
        };
        AcceptLoop::new(source)
            .run(|_, _| {}, shutdown)
            .await
            .unwrap();
    }
}
