//! Shutdown on SIGTERM. A binary of its own: the signal handler is process-wide.
#![cfg(unix)]

mod support;

use std::process::Command;
use std::time::Duration;

use support::{echo, within, Service};
use telerpc_peer::{Peer, PeerConfig};
use telerpc_socket::code;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_shuts_the_peer_down() {
    within(async {
        let (server, addr) =
            support::start_server(&Service::new("server"), PeerConfig::default()).await;
        let client = Peer::new(PeerConfig::default());
        let session = client.dial(addr.clone()).await.unwrap();
        assert_eq!(echo(&session, "up").await.unwrap(), "up");

        let on_signal = tokio::spawn(server.shutdown_on_signals(Duration::from_secs(2)).unwrap());
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!on_signal.is_finished());
        assert!(!server.is_shutting_down());

        let pid = std::process::id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(sent.success());

        let report = on_signal.await.unwrap();
        assert!(report.graceful, "{report:?}");
        assert_eq!(report.sessions, 1);
        assert!(server.is_shutting_down());
        session.closed().await;
        let refused = client.dial(addr).await.unwrap_err();
        assert_eq!(refused.code(), code::DIAL_FAILED);
    })
    .await;
}
