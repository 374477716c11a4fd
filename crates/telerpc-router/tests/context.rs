//! What a handler's context tells and lets it choose: the query string, the reply codec
//! (handler's choice, `X-Accept-Body-Codec`, the request's), reply meta, `X-Real-IP`, the
//! deadline, the message's details and the session's attributes and extensions.

mod support;

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use support::{serve, serve_tcp, within};
use telerpc_codec::id;
use telerpc_router::{CallCtx, Extensions, Router, ACCEPT_BODY_CODEC_META_KEY, REAL_IP_META_KEY};
use telerpc_socket::Status;

#[tokio::test]
async fn routing_ignores_the_query_string_which_the_context_parses() {
    let router = Router::new().call("/a/b", |ctx: CallCtx, (): ()| async move {
        let pairs: Vec<String> = ctx
            .query()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        Ok::<_, Status>((ctx.path().to_owned(), ctx.query_string().to_owned(), pairs))
    });
    let (client, _server) = serve(router).await;
    within(async {
        let (path, raw, pairs): (String, String, Vec<String>) = client
            .call("/a/b?x=1&y=two%20words&x=3&flag", &())
            .await
            .unwrap();
        assert_eq!(path, "/a/b");
        assert_eq!(raw, "x=1&y=two%20words&x=3&flag");
        assert_eq!(pairs, ["x=1", "y=two words", "x=3", "flag="]);
        let (path, raw, pairs): (String, String, Vec<String>) =
            client.call("/a/b", &()).await.unwrap();
        assert_eq!((path.as_str(), raw.as_str(), pairs.len()), ("/a/b", "", 0));
        let not_routed = client.call::<(), _>("/a/b/c?x=1", &()).await.unwrap_err();
        assert_eq!(not_routed.code(), 404);
    })
    .await;
}

#[tokio::test]
async fn the_reply_codec_is_the_handlers_choice_then_the_accepted_one_then_the_requests() {
    let router = Router::new().call("/sum", |ctx: CallCtx, numbers: Vec<i64>| async move {
        if ctx.query().get("codec") == Some("plain") {
            ctx.set_reply_codec(id::PLAIN);
        }
        Ok::<_, Status>(numbers.iter().sum::<i64>())
    });
    let (client, _server) = serve(router).await;
    let numbers = vec![40_i64, 2];
    let reply_of = |service_method: &'static str, codec: u8, accept: Option<&'static str>| {
        let client = client.clone();
        let numbers = numbers.clone();
        async move {
            let mut call = client.call::<i64, _>(service_method, &numbers).codec(codec);
            if let Some(accept) = accept {
                call = call.meta(ACCEPT_BODY_CODEC_META_KEY, accept);
            }
            let reply = call.raw().await.unwrap();
            (
                reply.body_codec,
                String::from_utf8_lossy(&reply.body).into_owned(),
            )
        }
    };
    within(async {
        assert_eq!(
            reply_of("/sum", id::JSON, None).await,
            (id::JSON, "42".into())
        );
        assert_eq!(
            reply_of("/sum", id::BINCODE, None).await.0,
            id::BINCODE,
            "the request's codec"
        );
        assert_eq!(
            reply_of("/sum", id::JSON, Some("115")).await,
            (id::PLAIN, "42".into()),
            "X-Accept-Body-Codec=115 asks for plain"
        );
        assert_eq!(
            reply_of("/sum", id::BINCODE, Some("106")).await,
            (id::JSON, "42".into()),
            "X-Accept-Body-Codec=106 asks for json"
        );
        for unknown in ["200", "abc", "+106", "", "1060"] {
            assert_eq!(
                reply_of("/sum", id::JSON, Some(unknown)).await.0,
                id::JSON,
                "{unknown:?} is not a known codec: the request's codec is used"
            );
        }
        assert_eq!(
            reply_of("/sum?codec=plain", id::JSON, Some("98")).await,
            (id::PLAIN, "42".into()),
            "the handler's choice wins over X-Accept-Body-Codec"
        );
    })
    .await;
}

#[tokio::test]
async fn reply_meta_goes_with_ok_and_error_replies() {
    let router = Router::new().call("/meta", |ctx: CallCtx, fail: bool| async move {
        ctx.set_reply_meta("k", "first");
        ctx.set_reply_meta("k", "second");
        ctx.append_reply_meta("tag", "a");
        ctx.append_reply_meta("tag", "b");
        assert_eq!(ctx.reply_meta().get_all("tag").count(), 2);
        if fail {
            return Err(Status::new(1001, "failed"));
        }
        Ok(())
    });
    let (client, _server) = serve(router).await;
    within(async {
        let reply = client.call::<(), _>("/meta", &false).raw().await.unwrap();
        let meta: Vec<_> = reply.meta.iter().collect();
        assert_eq!(meta, [("k", "second"), ("tag", "a"), ("tag", "b")]);
        let error = client.call::<(), _>("/meta", &true).await.unwrap_err();
        assert_eq!(error.code(), 1001);
    })
    .await;
}

#[tokio::test]
async fn the_real_ip_is_x_real_ip_else_the_peer_address() {
    let router = Router::new().call("/ip", |ctx: CallCtx, (): ()| async move {
        Ok::<_, Status>(ctx.real_ip().map(|ip| ip.to_string()))
    });
    let (tcp_client, _tcp_server) = serve_tcp(router).await;
    let router = Router::new().call("/ip", |ctx: CallCtx, (): ()| async move {
        Ok::<_, Status>(ctx.real_ip().map(|ip| ip.to_string()))
    });
    let (pipe_client, _pipe_server) = serve(router).await;
    within(async {
        let ip = |client: &telerpc_session::Session, real: Option<&'static str>| {
            let client = client.clone();
            async move {
                let mut call = client.call::<Option<String>, _>("/ip", &());
                if let Some(real) = real {
                    call = call.meta(REAL_IP_META_KEY, real);
                }
                call.await.unwrap()
            }
        };
        let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST).to_string();
        assert_eq!(
            ip(&tcp_client, None).await.as_deref(),
            Some(loopback.as_str())
        );
        assert_eq!(
            ip(&tcp_client, Some("203.0.113.7")).await.as_deref(),
            Some("203.0.113.7")
        );
        assert_eq!(
            ip(&tcp_client, Some("[2001:db8::1]:443")).await.as_deref(),
            Some("2001:db8::1")
        );
        assert_eq!(
            ip(&tcp_client, Some("not an address")).await.as_deref(),
            Some(loopback.as_str()),
            "an X-Real-IP that is not an address is ignored"
        );
        assert_eq!(
            ip(&pipe_client, None).await,
            None,
            "a pipe has no peer address"
        );
        assert_eq!(
            ip(&pipe_client, Some("198.51.100.1")).await.as_deref(),
            Some("198.51.100.1")
        );
    })
    .await;
}

#[tokio::test]
async fn the_handler_sees_the_callers_deadline() {
    let router = Router::new().call("/left", |ctx: CallCtx, (): ()| async move {
        let deadline = ctx
            .deadline()
            .ok_or_else(|| Status::new(1002, "no deadline"))?;
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        Ok::<_, Status>(left.as_millis() as u64)
    });
    let (client, _server) = serve(router).await;
    within(async {
        let left: u64 = client
            .call("/left", &())
            .timeout(Duration::from_secs(5))
            .await
            .unwrap();
        assert!((4_000..=5_000).contains(&left), "{left} ms left of 5 s");
        let left: u64 = client
            .call("/left", &())
            .timeout(Duration::from_millis(1_500))
            .await
            .unwrap();
        assert!((500..=1_500).contains(&left), "{left} ms left of 1.5 s");
    })
    .await;
}

#[derive(Debug)]
struct PeerTag(&'static str);

#[tokio::test]
async fn the_context_tells_the_message_and_reaches_session_attributes_and_extensions() {
    let router = Router::new().call("/who", |ctx: CallCtx, (): ()| async move {
        ctx.attributes().insert("calls", ctx.seq());
        Ok::<_, Status>((
            ctx.seq(),
            ctx.service_method().to_owned(),
            ctx.meta().get("author").map(str::to_owned),
            ctx.body_codec(),
            ctx.extension::<PeerTag>().map(|tag| tag.0),
            ctx.message().mtype == telerpc_socket::MessageType::Call,
        ))
    });
    let (client, server) = serve(router).await;
    assert!(server
        .attributes()
        .insert_extension(PeerTag("server-side"))
        .is_none());
    within(async {
        type Seen = (i32, String, Option<String>, u8, Option<String>, bool);
        let first: Seen = client
            .call("/who", &())
            .meta("author", "ada")
            .await
            .unwrap();
        assert_eq!(
            first,
            (
                1,
                "/who".into(),
                Some("ada".into()),
                id::JSON,
                Some("server-side".into()),
                true
            )
        );
        let second: Seen = client.call("/who?x", &()).codec(id::BINCODE).await.unwrap();
        assert_eq!(
            (second.0, second.1.as_str(), second.3),
            (2, "/who?x", id::BINCODE)
        );
        assert_eq!(server.attributes().get::<i32>("calls").as_deref(), Some(&2));
    })
    .await;
}
