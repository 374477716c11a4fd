//! Redial: a dialed session outlives a server restart on the same address, keeping its id
//! and attributes; calls made during the outage wait up to their deadline; pending calls fail
//! with 102; exhausted attempts or a close end the session for good.

mod endpoint_support;

use std::sync::Arc;
use std::time::Duration;

use endpoint_support::{echo, eventually, inet, unix_path, within, Echo, Events};
use telerpc_session::endpoint::{Acceptor, Backoff, Dialer, RedialPolicy, Server, Target};
use telerpc_session::{Health, Session, SessionConfig};
use telerpc_socket::code;

/// A server on `target` whose sessions echo and close quickly.
async fn start_server(target: &Target) -> Server {
    Acceptor::new()
        .config(SessionConfig::default().with_close_grace(Duration::from_millis(50)))
        .handler(Arc::new(Echo))
        .bind(target)
        .await
        .unwrap()
}

/// A dialer that redials `policy`-many times, 10 ms apart growing to 50 ms.
fn dialer(policy: RedialPolicy, events: &Arc<Events>) -> Dialer {
    let backoff = Backoff::new(Duration::from_millis(10), Duration::from_millis(50));
    Dialer::new()
        .dial_timeout(Duration::from_secs(1))
        .listener(Arc::clone(events) as _)
        .redial(policy.with_backoff(backoff))
}

/// A session dialed with `policy` to a server on a local port, which is then shut down: the
/// server's target (to restart it there), the session's events, and the session.
async fn dialed_then_server_gone(policy: RedialPolicy) -> (Target, Arc<Events>, Session) {
    let server = start_server(&Target::tcp("127.0.0.1:0")).await;
    let target = Target::from(inet(server.local_addr()));
    let events = Arc::new(Events::default());
    let session = dialer(policy, &events).dial(&target).await.unwrap();
    server.shutdown().await.unwrap();
    (target, events, session)
}

/// Waits until `session` has lost its connection and is redialing.
async fn until_reconnecting(session: &Session) {
    assert_eq!(session.disconnected().await, Health::Reconnecting);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_during_an_outage_succeed_after_the_restart() {
    within(async {
        let server = start_server(&Target::tcp("127.0.0.1:0")).await;
        let target = Target::from(inet(server.local_addr()));
        let events = Arc::new(Events::default());
        let session = dialer(RedialPolicy::unlimited(), &events)
            .dial(&target)
            .await
            .unwrap();
        session.set_id("client-7");
        session.attributes().insert("user", String::from("ada"));
        assert_eq!(echo(&session, "before").await.unwrap(), "before");

        // A call in flight when the server goes away fails with 102.
        let in_flight = {
            let session = session.clone();
            tokio::spawn(async move {
                session
                    .call::<(), _>("/sleep", &())
                    .timeout(Duration::from_secs(4))
                    .await
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        server.shutdown().await.unwrap();
        until_reconnecting(&session).await;
        assert_eq!(
            in_flight.await.unwrap().unwrap_err().code(),
            code::CONN_CLOSED
        );

        // A call made during the outage waits for the new connection.
        let waiting = {
            let session = session.clone();
            tokio::spawn(async move {
                session
                    .call::<String, _>("/echo", "during")
                    .timeout(Duration::from_secs(3))
                    .await
            })
        };
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(
            !waiting.is_finished(),
            "the call waits while the server is down"
        );
        assert_eq!(session.health(), Health::Reconnecting);

        let restarted = start_server(&target).await;
        assert_eq!(waiting.await.unwrap().unwrap(), "during");
        assert_eq!(session.health(), Health::Open);
        assert_eq!(echo(&session, "after").await.unwrap(), "after");

        // The same session: id, attributes, one open and no close.
        assert_eq!(&*session.id(), "client-7");
        assert_eq!(
            session.attributes().get::<String>("user").as_deref(),
            Some(&String::from("ada"))
        );
        assert_eq!((events.opened(), events.closed()), (1, 0));
        assert_eq!(restarted.counter().admitted(), 1);

        session.close().await;
        eventually(|| events.closed() == 1).await;
        restarted.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_call_whose_deadline_passes_in_the_outage_fails_with_408() {
    within(async {
        let (target, _, session) = dialed_then_server_gone(RedialPolicy::unlimited()).await;
        until_reconnecting(&session).await;

        let started = tokio::time::Instant::now();
        let status = session
            .call::<String, _>("/echo", "too late")
            .timeout(Duration::from_millis(150))
            .await
            .unwrap_err();
        assert_eq!(status.code(), code::HANDLE_TIMEOUT);
        assert!(started.elapsed() >= Duration::from_millis(150));
        assert_eq!(session.health(), Health::Reconnecting);

        // The session still comes back.
        let restarted = start_server(&target).await;
        assert_eq!(
            session
                .call::<String, _>("/echo", "in time")
                .timeout(Duration::from_secs(3))
                .await
                .unwrap(),
            "in time"
        );
        session.close().await;
        restarted.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn redials_a_unix_socket() {
    within(async {
        let path = unix_path("redial");
        let target = Target::unix(&path);
        let server = start_server(&target).await;
        let events = Arc::new(Events::default());
        let session = dialer(RedialPolicy::limited(100), &events)
            .dial(&target)
            .await
            .unwrap();
        let id = session.id();
        server.shutdown().await.unwrap();
        until_reconnecting(&session).await;

        let restarted = start_server(&target).await;
        assert_eq!(
            session
                .call::<String, _>("/echo", "unix again")
                .timeout(Duration::from_secs(3))
                .await
                .unwrap(),
            "unix again"
        );
        assert_eq!(session.id(), id);
        session.close().await;
        restarted.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn exhausted_attempts_close_the_session_for_good() {
    within(async {
        let (target, events, session) =
            dialed_then_server_gone(RedialPolicy::from_redial_times(3)).await;

        // Waiting on a connection that never comes back: fails with 102 when the session ends,
        // well before its own deadline.
        let status = session
            .call::<String, _>("/echo", "nobody")
            .timeout(Duration::from_secs(4))
            .await
            .unwrap_err();
        assert_eq!(status.code(), code::CONN_CLOSED);
        session.closed().await;
        assert_eq!(session.health(), Health::Closed);
        eventually(|| events.closed() == 1).await;
        assert_eq!(events.opened(), 1);

        // Closed for good: a server coming back is not dialed, calls fail at once.
        let restarted = start_server(&target).await;
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert_eq!(restarted.counter().admitted(), 0);
        assert_eq!(
            echo(&session, "still nobody").await.unwrap_err().code(),
            code::CONN_CLOSED
        );
        assert_eq!(events.closed(), 1);
        restarted.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn closing_during_the_redial_stops_it() {
    within(async {
        let (target, events, session) = dialed_then_server_gone(RedialPolicy::unlimited()).await;
        until_reconnecting(&session).await;

        let waiting = {
            let session = session.clone();
            tokio::spawn(async move {
                session
                    .call::<String, _>("/echo", "abandoned")
                    .timeout(Duration::from_secs(4))
                    .await
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        session.close().await;
        assert_eq!(
            waiting.await.unwrap().unwrap_err().code(),
            code::CONN_CLOSED
        );
        eventually(|| events.closed() == 1).await;
        assert_eq!(events.opened(), 1);

        let restarted = start_server(&target).await;
        tokio::time::sleep(Duration::from_millis(150)).await;
        assert_eq!(restarted.counter().admitted(), 0);
        restarted.shutdown().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn without_redial_a_lost_connection_ends_the_session() {
    within(async {
        let (_, events, session) = dialed_then_server_gone(RedialPolicy::off()).await;
        assert_eq!(session.disconnected().await, Health::Closed);
        eventually(|| events.closed() == 1).await;
        assert_eq!(events.opened(), 1);
    })
    .await;
}
