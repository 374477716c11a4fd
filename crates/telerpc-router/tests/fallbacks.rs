//! Fallbacks: an unknown call forwarded as raw bytes to a third session and its reply relayed,
//! an unknown push observed, and the defaults.

mod support;

use support::{pair, serve, within};
use telerpc_codec::{id, Raw};
use telerpc_router::{CallCtx, PushCtx, Router};
use telerpc_socket::Status;
use tokio::sync::mpsc;

/// A proxy whose call fallback forwards every unknown call, body untouched, to `backend`, and
/// relays the backend's reply: codec, body and error status alike.
fn proxy(backend: telerpc_session::Session) -> Router {
    Router::new()
        .call("/proxy/local", |_ctx: CallCtx, (): ()| async {
            Ok::<_, Status>("local")
        })
        .fallback_call(move |ctx: CallCtx, body: Raw| {
            let backend = backend.clone();
            async move {
                let reply = backend
                    .call::<Raw, _>(ctx.service_method(), &body)
                    .codec(ctx.body_codec())
                    .raw()
                    .await?;
                ctx.set_reply_codec(reply.body_codec);
                ctx.set_reply_meta("via", "proxy");
                Ok::<_, Status>(Raw(reply.body))
            }
        })
}

#[tokio::test]
async fn an_unknown_call_is_forwarded_raw_to_a_third_session_and_its_reply_relayed() {
    let backend_router =
        Router::new().call("/math/add", |ctx: CallCtx, numbers: Vec<i64>| async move {
            Ok::<_, Status>(format!(
                "{} = {}",
                ctx.service_method(),
                numbers.iter().sum::<i64>()
            ))
        });
    let (to_backend, _backend) = pair(None, Some(backend_router)).await;
    let (client, _proxy) = serve(proxy(to_backend)).await;
    within(async {
        let numbers = vec![1_i64, 2, 3];
        for codec in [id::JSON, id::BINCODE] {
            let reply = client
                .call::<String, _>("/math/add?x=1", &numbers)
                .codec(codec)
                .raw()
                .await
                .unwrap();
            assert_eq!(reply.body_codec, codec, "the backend's codec is relayed");
            assert_eq!(reply.meta.get("via"), Some("proxy"));
            let text: String = reply.body_as(client.config().codecs()).unwrap();
            assert_eq!(
                text, "/math/add?x=1 = 6",
                "the whole service method is forwarded"
            );
        }
        let missing = client
            .call::<String, _>("/math/nope", &numbers)
            .await
            .unwrap_err();
        assert_eq!(
            missing,
            Status::from_code(404),
            "the backend's 404 is relayed"
        );
        assert_eq!(
            client.call::<String, _>("/proxy/local", &()).await.unwrap(),
            "local",
            "known routes are still served locally"
        );
    })
    .await;
}

#[tokio::test]
async fn an_unknown_push_reaches_the_push_fallback_with_its_raw_body() {
    let (heard, mut hearing) = mpsc::unbounded_channel();
    let router = Router::new()
        .push("/known", |_ctx: PushCtx, (): ()| async { Ok(()) })
        .fallback_push(move |ctx: PushCtx, body: Raw| {
            let heard = heard.clone();
            async move {
                heard
                    .send((ctx.service_method().to_owned(), ctx.body_codec(), body))
                    .map_err(|_| Status::new(500, "ended"))
            }
        });
    let (client, _server) = serve(router).await;
    within(async {
        client.push("/known", &()).await.unwrap();
        client.push("/chat/unknown", "hi").await.unwrap();
        let (service_method, codec, Raw(body)) = hearing.recv().await.unwrap();
        assert_eq!(
            service_method, "/chat/unknown",
            "the known push did not reach the fallback"
        );
        assert_eq!((codec, &body[..]), (id::JSON, &b"\"hi\""[..]));
    })
    .await;
}

#[tokio::test]
async fn by_default_an_unknown_call_is_404_and_an_unknown_push_is_dropped() {
    let (heard, mut hearing) = mpsc::unbounded_channel();
    let router = Router::new().push("/known", move |_ctx: PushCtx, n: i64| {
        let heard = heard.clone();
        async move { heard.send(n).map_err(|_| Status::new(500, "ended")) }
    });
    let (client, server) = serve(router).await;
    within(async {
        let status = client.call::<(), _>("/nope", &()).await.unwrap_err();
        assert_eq!(status, Status::from_code(404));
        assert_eq!((status.message(), status.cause()), ("Not Found", Some("")));
        client.push("/unknown", &1).await.unwrap();
        client.push("/known", &2).await.unwrap();
        assert_eq!(
            hearing.recv().await,
            Some(2),
            "the unknown push was dropped, in order"
        );
        assert_eq!(server.health(), telerpc_session::Health::Open);
    })
    .await;
}
