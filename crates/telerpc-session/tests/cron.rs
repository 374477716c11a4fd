//! The shared cron: one timer task ticks every registered session at its period.

mod support;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use telerpc_session::{Cron, Session, SessionConfig};
use tokio::sync::mpsc;
use tokio::time::Instant;

use support::{duplex_sockets, start, within, Recorder};

const PERIOD: Duration = Duration::from_millis(100);

/// A session on `cron` whose listener reports each tick, and its peer (without a cron).
async fn ticking(
    cron: &Cron,
) -> (
    Session,
    Session,
    Arc<Recorder>,
    mpsc::UnboundedReceiver<Instant>,
) {
    let (ticks_tx, ticks) = mpsc::unbounded_channel();
    let recorder = Arc::new(Recorder {
        ticks: Some(ticks_tx),
        ..Recorder::default()
    });
    let (a, b) = duplex_sockets(4096);
    let config = SessionConfig::default().with_cron(cron.clone());
    let session = start(a, config, None, Some(recorder.clone())).await;
    let peer = start(b, SessionConfig::default(), None, None).await;
    (session, peer, recorder, ticks)
}

fn alive_tasks() -> usize {
    tokio::runtime::Handle::current()
        .metrics()
        .num_alive_tasks()
}

#[tokio::test(start_paused = true)]
async fn every_live_session_ticks_at_the_period_from_one_shared_timer() {
    within(async {
        let cron = Cron::new(PERIOD);
        let started = Instant::now();
        let mut sessions = Vec::new();
        for _ in 0..3 {
            sessions.push(ticking(&cron).await);
        }
        assert_eq!(cron.sessions(), 3);
        // Six sessions of two tasks each (reader, writer), and the one cron task.
        assert_eq!(alive_tasks(), 6 * 2 + 1);

        for round in 1..=3 {
            for (_, _, _, ticks) in &mut sessions {
                let tick = ticks.recv().await.unwrap();
                assert_eq!(tick, started + PERIOD * round, "round {round}");
            }
        }

        let (closed, _, closed_recorder, _) = sessions.remove(1);
        closed.close().await;
        assert_eq!(cron.sessions(), 2, "a closed session leaves");
        let ticks_when_closed = closed_recorder.seen.crons.load(Ordering::SeqCst);
        for (_, _, _, ticks) in &mut sessions {
            ticks.recv().await.unwrap();
        }
        assert_eq!(
            closed_recorder.seen.crons.load(Ordering::SeqCst),
            ticks_when_closed
        );

        // More sessions add their own two tasks each, no timer.
        let before = alive_tasks();
        let _more = [ticking(&cron).await, ticking(&cron).await];
        assert_eq!(alive_tasks(), before + 2 * 2 * 2);
        assert_eq!(cron.sessions(), 4);
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn a_slow_round_delays_the_next_rather_than_bursting() {
    within(async {
        let cron = Cron::new(PERIOD);
        let (_session, _peer, _recorder, mut ticks) = ticking(&cron).await;
        let started = Instant::now();
        let first = ticks.recv().await.unwrap();
        assert_eq!(first, started + PERIOD);
        // Jump the clock three periods at once: the cron then ticks once, not three times.
        tokio::time::advance(PERIOD * 3).await;
        let late = ticks.recv().await.unwrap();
        assert_eq!(late, first + PERIOD * 3);
        let next = ticks.recv().await.unwrap();
        assert_eq!(next, late + PERIOD);
    })
    .await;
}
