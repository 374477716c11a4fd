//! The session hub: membership follows sessions opening and closing; lookups by id, shared
//! ids and renames; broadcast to every session or a filtered few.

mod support;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use support::{echo, eventually, start_server, within, Service};
use telerpc_peer::{Peer, PeerConfig};
use telerpc_session::{Execution, Session};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hub_follows_sessions_opening_and_closing() {
    within(async {
        let (server, addr) = start_server(&Service::new("server"), PeerConfig::default()).await;
        let client = Peer::new(PeerConfig::default());
        assert_eq!((server.hub().count(), client.hub().count()), (0, 0));

        let mut dialed = Vec::new();
        for _ in 0..3 {
            dialed.push(client.dial(addr.clone()).await.unwrap());
        }
        eventually(|| server.hub().count() == 3).await;
        assert_eq!(client.hub().count(), 3);

        // The server knows each session by the client's address, its default id.
        let mut ids = HashSet::new();
        server.hub().range(|session| {
            ids.insert(session.id());
            true
        });
        let expected: HashSet<Arc<str>> = dialed
            .iter()
            .map(|session| Arc::from(session.local_addr().to_string()))
            .collect();
        assert_eq!(ids, expected);
        for id in &ids {
            assert_eq!(
                server.hub().get(id).map(|session| session.id()).as_ref(),
                Some(id)
            );
        }
        assert!(server.hub().get("nobody").is_none());

        // The client's three sessions share one id, the server's address: all are members,
        // and the id finds one of them while any is live.
        let shared = dialed[0].id();
        assert!(dialed.iter().all(|session| session.id() == shared));
        let mut visited = 0;
        client.hub().range(|_| {
            visited += 1;
            true
        });
        assert_eq!(visited, 3);
        let mut first_only = 0;
        client.hub().range(|_| {
            first_only += 1;
            false
        });
        assert_eq!(first_only, 1);

        // Closing removes a session from both hubs.
        let leaving = dialed.pop().unwrap();
        let leaving_id: Arc<str> = Arc::from(leaving.local_addr().to_string());
        leaving.close().await;
        assert_eq!(client.hub().count(), 2);
        eventually(|| server.hub().count() == 2).await;
        assert!(server.hub().get(&leaving_id).is_none());
        let found = client
            .hub()
            .get(&shared)
            .expect("another session shares the id");
        assert!(dialed.iter().any(|session| same(session, &found)));

        // Renamed through the hub: found by the new id at once, not by the old one.
        let renamed = server.hub().get(&ids_of(&dialed[0])).unwrap();
        server.hub().set_id(&renamed, "alice");
        assert!(same(&server.hub().get("alice").unwrap(), &renamed));
        assert!(server.hub().get(&ids_of(&dialed[0])).is_none());

        // Renamed directly: re-keyed on lookup.
        renamed.set_id("bob");
        assert!(server.hub().get("alice").is_none());
        assert!(same(&server.hub().get("bob").unwrap(), &renamed));
        assert_eq!(server.hub().count(), 2);

        client.shutdown(Duration::from_secs(1)).await;
        assert_eq!(client.hub().count(), 0);
        eventually(|| server.hub().count() == 0).await;
        server.shutdown(Duration::from_secs(1)).await;
    })
    .await;
}

/// The id the server gives the session `dialed` made: the client's address.
fn ids_of(dialed: &Session) -> String {
    dialed.local_addr().to_string()
}

/// Whether two handles are on the same session (same peer address on the same side).
fn same(a: &Session, b: &Session) -> bool {
    a.local_addr() == b.local_addr() && a.peer_addr() == b.peer_addr()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broadcast_reaches_every_session_or_those_selected() {
    within(async {
        let (server, addr) = start_server(&Service::new("server"), PeerConfig::default()).await;
        let mut clients = Vec::new();
        for name in ["ann", "bea", "cid"] {
            let service = Service::new(name);
            // Ordered: each client handles its pushes one by one, in arrival order.
            let peer = Peer::new(
                PeerConfig::default()
                    .with_execution(Execution::Ordered { queue: 16 })
                    .with_handler(service.handler()),
            );
            let session = peer.dial(addr.clone()).await.unwrap();
            assert_eq!(echo(&session, name).await.unwrap(), name);
            clients.push((service, peer, session));
        }
        eventually(|| server.hub().count() == 3).await;

        let report = server.broadcast("/note", "hello, all").await.unwrap();
        assert_eq!(report.sent, 3);
        assert!(report.failed.is_empty(), "{:?}", report.failed);
        assert_eq!(report.attempted(), 3);
        for (service, _, _) in &clients {
            eventually(|| service.notes() == ["hello, all"]).await;
        }

        // Only the session of `bea`'s client, by its id on the server.
        let bea: Arc<str> = Arc::from(clients[1].2.local_addr().to_string());
        let selected = server
            .broadcast("/note", "hello, bea")
            .filter(move |session| session.id() == bea)
            .timeout(Duration::from_secs(1))
            .await
            .unwrap();
        assert_eq!(selected.sent, 1);
        // Pushes on one session arrive, and are handled here, in order: once `done` is
        // everywhere, so is what came before it.
        server.broadcast("/note", "done").await.unwrap();
        for (service, _, _) in &clients {
            eventually(|| service.notes().last().map(String::as_str) == Some("done")).await;
        }
        let notes: Vec<Vec<String>> = clients
            .iter()
            .map(|(service, _, _)| service.notes())
            .collect();
        assert_eq!(notes[0], ["hello, all", "done"]);
        assert_eq!(notes[1], ["hello, all", "hello, bea", "done"]);
        assert_eq!(notes[2], ["hello, all", "done"]);

        // A session that ended is not in the hub, so not tried.
        clients[2].2.close().await;
        eventually(|| server.hub().count() == 2).await;
        let fewer = server.broadcast("/note", "two left").await.unwrap();
        assert_eq!((fewer.sent, fewer.failed.len()), (2, 0));

        for (_, peer, _) in &clients {
            peer.shutdown(Duration::from_secs(1)).await;
        }
        server.shutdown(Duration::from_secs(1)).await;
    })
    .await;
}
