//! Both ends calling each other at once, with pushes mixed in: every reply reaches its own
//! call.

mod support;

use std::collections::BTreeSet;
use std::sync::Arc;

use support::{reply_with, start, tcp_sockets, within, FnHandler};
use telerpc_session::{BoxFuture, Reply, Request, Session, SessionConfig};
use tokio::sync::mpsc;

const CALLS: i64 = 10_000;
/// Every this many calls, a push goes too.
const PUSH_EVERY: i64 = 10;

/// A handler that answers `n` with `(side, n)`, so that a reply proves both its number and
/// which side produced it, and hands every push's number to a channel.
fn side(
    name: &'static str,
) -> (
    Arc<dyn telerpc_session::Handler>,
    mpsc::UnboundedReceiver<i64>,
) {
    let (handler, mut requests) =
        FnHandler::with_pushes(move |request: Request| -> BoxFuture<'static, Reply> {
            Box::pin(async move {
                match request.body_as::<i64>() {
                    Ok(n) => reply_with(&request, &(name, n)),
                    Err(status) => status.into(),
                }
            })
        });
    let (numbers, received) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(push) = requests.recv().await {
            let _ = numbers.send(push.body_as::<i64>().expect("an i64 push"));
        }
    });
    (handler, received)
}

/// Spawns `CALLS` calls from `session`, each of a unique number, with a push every
/// `PUSH_EVERY`; checks that each call gets `(peer, its number)` back.
fn fire(session: &Session, offset: i64, peer: &'static str) -> Vec<tokio::task::JoinHandle<()>> {
    (0..CALLS)
        .map(|i| {
            let session = session.clone();
            tokio::spawn(async move {
                let n = offset + i;
                let (name, echoed): (String, i64) =
                    session.call("/echo", &n).await.expect("a reply");
                assert_eq!(
                    (name.as_str(), echoed),
                    (peer, n),
                    "a reply matched to another call"
                );
                if i % PUSH_EVERY == 0 {
                    session.push("/note", &n).await.expect("a queued push");
                }
            })
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_sides_call_each_other_ten_thousand_times() {
    within(async {
        let (a, b) = tcp_sockets().await;
        let (alice_handler, mut alice_pushes) = side("alice");
        let (bob_handler, mut bob_pushes) = side("bob");
        let alice = start(a, SessionConfig::default(), Some(alice_handler), None).await;
        let bob = start(b, SessionConfig::default(), Some(bob_handler), None).await;

        let mut tasks = fire(&alice, 0, "bob");
        tasks.extend(fire(&bob, 1_000_000, "alice"));
        for task in tasks {
            task.await.expect("a call task");
        }

        let expected = |offset: i64| -> BTreeSet<i64> {
            (0..CALLS)
                .filter(|i| i % PUSH_EVERY == 0)
                .map(|i| offset + i)
                .collect()
        };
        let mut at_bob = BTreeSet::new();
        while at_bob.len() < expected(0).len() {
            at_bob.insert(bob_pushes.recv().await.expect("a push"));
        }
        let mut at_alice = BTreeSet::new();
        while at_alice.len() < expected(1_000_000).len() {
            at_alice.insert(alice_pushes.recv().await.expect("a push"));
        }
        assert_eq!(at_bob, expected(0));
        assert_eq!(at_alice, expected(1_000_000));

        // Once alice has closed (her writer is done) and bob has read to the end, the counts
        // are final.
        alice.close().await;
        bob.closed().await;
        let (sent, received) = (alice.stats(), bob.stats());
        let pushes = (CALLS / PUSH_EVERY) as u64;
        assert_eq!(
            sent.messages_out,
            CALLS as u64 * 2 + pushes,
            "calls, replies, pushes"
        );
        assert_eq!(received.messages_in, sent.messages_out);
        assert_eq!(received.bytes_in, sent.bytes_out);
    })
    .await;
}
