//! A peer that stops reading: the sender's memory stays bounded and the queue policy applies.

mod support;

use std::time::Duration;

use telerpc_session::{QueuePolicy, SessionConfig};
use telerpc_socket::code;

use support::{duplex_sockets, start, within};

/// The capacity of the pipe between the two ends, each way.
const PIPE: usize = 4 * 1024;
/// The writer's most bytes per write (the session's batch budget).
const BATCH_BUDGET: usize = 64 * 1024;
const CAPACITY: usize = 16;

#[tokio::test]
async fn fail_fast_answers_104_once_the_queue_is_full_and_memory_stays_bounded() {
    within(async {
        let (_silent_peer, socket) = duplex_sockets(PIPE);
        let config = SessionConfig::default()
            .with_queue_capacity(CAPACITY)
            .with_queue_policy(QueuePolicy::FailFast);
        let session = start(socket, config, None, None).await;
        let body = "x".repeat(1000);

        let mut queued = 0;
        let refused = loop {
            assert!(queued < 10_000, "the queue never filled up");
            match session.push("/flood", &body).await {
                Ok(()) => queued += 1,
                Err(status) => break status,
            }
            // Let the writer take what it can.
            tokio::task::yield_now().await;
        };

        assert_eq!(refused.code(), code::WRITE_FAILED);
        assert!(
            refused.cause().unwrap().contains("queue is full"),
            "{refused}"
        );
        let frame = 1000 + 20;
        assert!(queued >= CAPACITY);
        assert!(
            queued <= CAPACITY + (BATCH_BUDGET + PIPE) / frame + 2,
            "{queued} frames accepted: more than the queue, one batch and the pipe hold"
        );
        assert_eq!(session.stats().queued_frames, CAPACITY);
        assert!(session.stats().bytes_out <= PIPE as u64);

        let call = session.call::<(), _>("/x", &()).await.unwrap_err();
        assert_eq!(call.code(), code::WRITE_FAILED, "calls fail fast too");
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn wait_blocks_until_the_deadline_then_408() {
    within(async {
        let (_silent_peer, socket) = duplex_sockets(PIPE);
        let grace = Duration::from_secs(1);
        let config = SessionConfig::default()
            .with_queue_capacity(CAPACITY)
            .with_close_grace(grace);
        let session = start(socket, config, None, None).await;
        let body = "x".repeat(1000);

        let mut queued = 0;
        let timed_out = loop {
            assert!(queued < 10_000, "the queue never filled up");
            match session
                .push("/flood", &body)
                .timeout(Duration::from_millis(50))
                .await
            {
                Ok(()) => queued += 1,
                Err(status) => break status,
            }
        };
        assert_eq!(timed_out.code(), code::HANDLE_TIMEOUT);
        assert_eq!(session.stats().queued_frames, CAPACITY);

        let started = tokio::time::Instant::now();
        let call = session
            .call::<(), _>("/x", &())
            .timeout(Duration::from_millis(300))
            .await
            .unwrap_err();
        assert_eq!(call.code(), code::HANDLE_TIMEOUT);
        assert_eq!(
            started.elapsed(),
            Duration::from_millis(300),
            "blocked until its deadline"
        );

        let closing = tokio::spawn({
            let session = session.clone();
            async move {
                session
                    .push("/flood", &"late")
                    .timeout(Duration::from_secs(3600))
                    .await
            }
        });
        tokio::task::yield_now().await;
        let started = tokio::time::Instant::now();
        session.close().await;
        assert_eq!(
            started.elapsed(),
            grace,
            "a silent peer holds the close up to its grace"
        );
        let late = closing.await.unwrap().unwrap_err();
        assert_eq!(
            late.code(),
            code::CONN_CLOSED,
            "a waiting push ends with the session"
        );
    })
    .await;
}
