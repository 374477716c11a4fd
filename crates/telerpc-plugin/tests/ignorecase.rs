//! The ignorecase plugin over real TCP connections: routes found whatever the case of the
//! incoming service method, queries kept as they were sent, collisions refused.

mod support;

use std::sync::Arc;

use support::{dialed, shut_down, within};
use telerpc_plugin::ignorecase::IgnoreCase;
use telerpc_router::{CallCtx, PushCtx, Router};
use telerpc_socket::{code, Status};
use tokio::sync::mpsc;

/// Sums its numbers, answering the path and query it was routed with too.
async fn add(ctx: CallCtx, numbers: Vec<i64>) -> Result<(i64, String, String), Status> {
    Ok((
        numbers.iter().sum(),
        ctx.path().to_owned(),
        ctx.query_string().to_owned(),
    ))
}

#[tokio::test]
async fn calls_reach_a_route_whatever_their_case_and_keep_their_query() {
    within(async {
        let router = Router::new()
            .plugin(Arc::new(IgnoreCase))
            .call("/Math/Add", add);
        let (server, client, session) = dialed(router, vec![]).await;

        for (name, query) in [
            ("/math/add", ""),
            ("/Math/Add", ""),
            ("/MATH/ADD?x=1", "x=1"),
            ("/mAtH/aDd?Name=Ada&X=Up", "Name=Ada&X=Up"),
        ] {
            let (sum, path, seen_query): (i64, String, String) = session
                .call(name, &[1, 2, 3])
                .await
                .unwrap_or_else(|status| panic!("{name}: {status}"));
            assert_eq!(sum, 6, "{name}");
            assert_eq!(path, "/math/add", "{name}");
            assert_eq!(seen_query, query, "{name}: the query keeps its case");
        }

        let missing = session
            .call::<(i64, String, String), _>("/Math/Sub", &[1])
            .await
            .expect_err("no such route");
        assert_eq!(missing.code(), code::NOT_FOUND);

        shut_down(&[&client, &server]).await;
    })
    .await;
}

#[tokio::test]
async fn without_the_plugin_case_matters() {
    within(async {
        let (server, client, session) = dialed(Router::new().call("/Math/Add", add), vec![]).await;
        let status = session
            .call::<(i64, String, String), _>("/math/add", &[1])
            .await
            .expect_err("case matters");
        assert_eq!(status.code(), code::NOT_FOUND);
        let (sum, _, _): (i64, String, String) =
            session.call("/Math/Add", &[1]).await.expect("exact case");
        assert_eq!(sum, 1);
        shut_down(&[&client, &server]).await;
    })
    .await;
}

#[tokio::test]
async fn pushes_reach_a_route_whatever_their_case() {
    within(async {
        let (heard, mut hearing) = mpsc::unbounded_channel();
        let router = Router::new()
            .push("/Chat/Say", move |ctx: PushCtx, text: String| {
                let heard = heard.clone();
                async move {
                    // The test may have ended; then nobody listens.
                    let _ =
                        heard.send((ctx.path().to_owned(), ctx.query_string().to_owned(), text));
                    Ok::<_, Status>(())
                }
            })
            .plugin(Arc::new(IgnoreCase));
        let (server, client, session) = dialed(router, vec![]).await;

        session
            .push("/CHAT/SAY?Room=Blue", "hello")
            .await
            .expect("pushed");
        let (path, query, text) = hearing.recv().await.expect("the push arrived");
        assert_eq!(path, "/chat/say");
        assert_eq!(query, "Room=Blue");
        assert_eq!(text, "hello");

        shut_down(&[&client, &server]).await;
    })
    .await;
}

#[test]
fn routes_registered_before_and_after_the_plugin_are_lowercased() {
    let router = Router::new()
        .call("/Before/Plugin", add)
        .plugin(Arc::new(IgnoreCase))
        .group("/V1", |g| g.call("/After", add));
    let mut paths: Vec<&str> = router.call_paths().collect();
    paths.sort_unstable();
    assert_eq!(paths, ["/before/plugin", "/v1/after"]);
}

#[test]
#[should_panic(expected = "the call route \"/math/add\" is registered twice")]
fn two_routes_differing_only_in_case_collide() {
    let _ = Router::new()
        .plugin(Arc::new(IgnoreCase))
        .call("/Math/Add", add)
        .call("/math/add", add);
}

#[test]
#[should_panic(expected = "is registered twice")]
fn adding_the_plugin_to_routes_that_differ_only_in_case_collides() {
    let _ = Router::new()
        .call("/Math/Add", add)
        .call("/MATH/ADD", add)
        .plugin(Arc::new(IgnoreCase));
}
