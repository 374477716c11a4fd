//! Handlers as plain async fns and closures over every kind of body: serde types, prost
//! messages in `Proto`, types that are both in `Dual`, and `Raw` bytes; push handlers; and
//! both ends of one connection routing and calling each other.

mod support;

use std::sync::Arc;

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use support::{pair, serve, within};
use telerpc_codec::{id, Dual, Proto, Raw};
use telerpc_router::{CallCtx, PushCtx, Router};
use telerpc_socket::Status;
use tokio::sync::mpsc;

async fn add(_ctx: CallCtx, numbers: Vec<i64>) -> Result<i64, Status> {
    Ok(numbers.iter().sum())
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Greeting {
    name: String,
    times: u32,
}

#[derive(Clone, PartialEq, prost::Message)]
struct PbTest {
    #[prost(int32, tag = "1")]
    a: i32,
    #[prost(int32, tag = "2")]
    b: i32,
}

#[derive(Clone, PartialEq, prost::Message, Serialize, Deserialize)]
struct Point {
    #[prost(int64, tag = "1")]
    x: i64,
    #[prost(string, tag = "2")]
    label: String,
}

#[tokio::test]
async fn async_fns_and_closures_answer_with_serde_bodies() {
    let prefix = Arc::new(String::from("hello"));
    let router = Router::new()
        .call("/math/add", add)
        .call("/greet", move |_ctx: CallCtx, greeting: Greeting| {
            let prefix = Arc::clone(&prefix);
            async move {
                Ok::<_, Status>(vec![
                    format!("{prefix} {}", greeting.name);
                    greeting.times as usize
                ])
            }
        })
        .call("/unit", |_ctx: CallCtx, (): ()| async {
            Ok::<_, Status>(())
        });
    let (client, _server) = serve(router).await;
    within(async {
        assert_eq!(
            client
                .call::<i64, _>("/math/add", &[1, 2, 3])
                .await
                .unwrap(),
            6
        );
        let greeting = Greeting {
            name: "ada".into(),
            times: 2,
        };
        let lines: Vec<String> = client.call("/greet", &greeting).await.unwrap();
        assert_eq!(lines, ["hello ada", "hello ada"]);
        let sum: i64 = client
            .call("/math/add", &vec![4_i64, 5])
            .codec(id::BINCODE)
            .await
            .unwrap();
        assert_eq!(sum, 9, "the same handler serves a bincode caller");
        client.call::<(), _>("/unit", &()).await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn proto_bodies_travel_under_protobuf_only() {
    let router = Router::new().call(
        "/pb/add",
        |_ctx: CallCtx, Proto(t): Proto<PbTest>| async move {
            Ok::<_, Status>(Proto(PbTest {
                a: t.a + t.b,
                b: t.a - t.b,
            }))
        },
    );
    let (client, _server) = serve(router).await;
    within(async {
        let Proto(reply): Proto<PbTest> = client
            .call("/pb/add", &Proto(PbTest { a: 10, b: 2 }))
            .codec(id::PROTOBUF)
            .await
            .unwrap();
        assert_eq!((reply.a, reply.b), (12, 8));
        let refused = client
            .call::<Raw, _>("/pb/add", &Raw(Bytes::from_static(b"{}")))
            .codec(id::JSON)
            .await
            .unwrap_err();
        assert_eq!(
            refused.code(),
            400,
            "a JSON body cannot be a protobuf-only argument"
        );
    })
    .await;
}

#[tokio::test]
async fn one_dual_handler_serves_a_json_caller_and_a_protobuf_caller() {
    let router = Router::new().call(
        "/point/shift",
        |_ctx: CallCtx, Dual(p): Dual<Point>| async move {
            Ok::<_, Status>(Dual(Point {
                x: p.x + 1,
                label: format!("{}'", p.label),
            }))
        },
    );
    let (client, _server) = serve(router).await;
    let point = Dual(Point {
        x: 41,
        label: "p".into(),
    });
    within(async {
        for codec in [id::JSON, id::PROTOBUF] {
            let reply = client
                .call::<Raw, _>("/point/shift", &point)
                .codec(codec)
                .raw()
                .await
                .unwrap();
            assert_eq!(reply.body_codec, codec, "answered in the caller's codec");
            let codecs = client.config().codecs();
            let Dual(shifted): Dual<Point> = reply.body_as(codecs).unwrap();
            assert_eq!((shifted.x, shifted.label.as_str()), (42, "p'"));
        }
        let json = client
            .call::<Raw, _>("/point/shift", &point)
            .codec(id::JSON)
            .raw()
            .await
            .unwrap();
        assert_eq!(&json.body[..], br#"{"x":42,"label":"p'"}"#);
    })
    .await;
}

#[tokio::test]
async fn raw_bodies_pass_through_untouched_under_any_codec() {
    let router = Router::new().call("/echo/bytes", |_ctx: CallCtx, body: Raw| async move {
        Ok::<_, Status>(body)
    });
    let (client, _server) = serve(router).await;
    let bytes = Raw(Bytes::from_static(b"\x00\x01\x02\xfe\xfferpc"));
    within(async {
        for codec in [id::JSON, id::PROTOBUF, id::BINCODE] {
            let reply = client
                .call::<Raw, _>("/echo/bytes", &bytes)
                .codec(codec)
                .raw()
                .await
                .unwrap();
            assert_eq!((reply.body_codec, &reply.body), (codec, &bytes.0));
        }
    })
    .await;
}

#[tokio::test]
async fn push_handlers_receive_typed_bodies() {
    let (heard, mut hearing) = mpsc::unbounded_channel();
    let router = Router::new().push("/chat/say", move |ctx: PushCtx, greeting: Greeting| {
        let heard = heard.clone();
        async move {
            heard
                .send((ctx.path().to_owned(), ctx.deadline(), greeting))
                .map_err(|_| Status::new(500, "the test ended"))
        }
    });
    let (client, _server) = serve(router).await;
    let greeting = Greeting {
        name: "bob".into(),
        times: 1,
    };
    within(async {
        client.push("/chat/say", &greeting).await.unwrap();
        client
            .push("/chat/say", &greeting)
            .codec(id::BINCODE)
            .await
            .unwrap();
        for _ in 0..2 {
            let (path, deadline, got) = hearing.recv().await.unwrap();
            assert_eq!(
                (path.as_str(), deadline, &got),
                ("/chat/say", None, &greeting)
            );
        }
    })
    .await;
}

#[tokio::test]
async fn both_ends_route_and_call_each_other_over_one_connection() {
    let (pushed, mut pushes) = mpsc::unbounded_channel();
    let left = Router::new().call("/left/ping", |ctx: CallCtx, n: i64| async move {
        let pong: i64 = ctx.session().call("/right/pong", &(n + 1)).await?;
        ctx.session()
            .push("/right/note", &format!("ping {n}"))
            .await?;
        Ok::<_, Status>(pong * 10)
    });
    let right = Router::new()
        .call("/right/pong", |_ctx: CallCtx, n: i64| async move {
            Ok::<_, Status>(n + 1)
        })
        .push("/right/note", move |_ctx: PushCtx, note: String| {
            let pushed = pushed.clone();
            async move { pushed.send(note).map_err(|_| Status::new(500, "ended")) }
        });
    let (left, right) = pair(Some(left), Some(right)).await;
    within(async {
        assert_eq!(right.call::<i64, _>("/left/ping", &1).await.unwrap(), 30);
        assert_eq!(pushes.recv().await.as_deref(), Some("ping 1"));
        assert_eq!(left.call::<i64, _>("/right/pong", &5).await.unwrap(), 6);
    })
    .await;
}
