//! `#[service]` end to end: controllers in HTTP and RPC style served by a router behind a
//! session over a duplex pipe, every service method called or pushed through the generated
//! client, and the routes named by the router's own mapping.

use std::future::IntoFuture;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use telerpc_codec::{id, Proto};
use telerpc_router::{CallCtx, NameStyle, PushCtx, Router};
use telerpc_session::{Health, Session};
use telerpc_socket::{Socket, Status};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

/// Every step of a test must finish within this.
const DEADLINE: Duration = Duration::from_secs(10);

/// Runs `future`, failing the test if it takes longer than [`DEADLINE`].
async fn within<F: IntoFuture>(future: F) -> F::Output {
    tokio::time::timeout(DEADLINE, future)
        .await
        .expect("the test hung")
}

/// A client session, and a server session routing with `router`, over a duplex pipe.
async fn serve(router: Router) -> (Session, Session) {
    let (a, b) = tokio::io::duplex(64 * 1024);
    let client = within(Session::builder().start(Socket::new(a)))
        .await
        .expect("the client starts");
    let server = within(
        Session::builder()
            .handler(Arc::new(router))
            .start(Socket::new(b)),
    )
    .await
    .expect("the server starts");
    (client, server)
}

/// The sorted service methods of `paths`.
fn sorted<'a>(paths: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut paths: Vec<&str> = paths.collect();
    paths.sort_unstable();
    paths
}

/// A serde argument and result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// Abscissa.
    pub x: i64,
    /// Ordinate.
    pub y: i64,
}

/// A prost argument and result.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Pair {
    /// The first term.
    #[prost(int64, tag = "1")]
    pub a: i64,
    /// The second term.
    #[prost(int64, tag = "2")]
    pub b: i64,
}

/// A controller in HTTP style, eRPC's default.
#[derive(Debug)]
pub struct Math {
    offset: i64,
    notes: UnboundedSender<String>,
}

#[telerpc_macros::service]
impl Math {
    /// Adds numbers and the offset.
    pub async fn add(&self, _ctx: CallCtx, args: Vec<i64>) -> Result<i64, Status> {
        Ok(self.offset + args.iter().sum::<i64>())
    }

    /// Adds and subtracts the terms of a protobuf pair: Go's `AddNum`.
    pub async fn add_num(
        &self,
        _ctx: CallCtx,
        Proto(pair): Proto<Pair>,
    ) -> Result<Proto<Pair>, Status> {
        Ok(Proto(Pair {
            a: pair.a + pair.b,
            b: pair.a - pair.b,
        }))
    }

    /// Scales a point by the query's `k`.
    pub async fn scale(&self, ctx: CallCtx, point: Point) -> Result<Point, Status> {
        let k: i64 = ctx
            .query()
            .get("k")
            .map_or(Ok(1), str::parse)
            .map_err(|_| Status::new(400, "k is not a number"))?;
        Ok(Point {
            x: point.x * k,
            y: point.y * k,
        })
    }

    /// Always refuses.
    pub async fn refuse(&self, _ctx: CallCtx, _: ()) -> Result<(), Status> {
        Err(Status::new(403, "refused"))
    }

    /// Echoes text, under a service method of its own.
    #[rename("/custom/echo")]
    pub async fn echo(&self, _ctx: CallCtx, text: String) -> Result<String, Status> {
        Ok(text)
    }

    /// Takes a note.
    pub async fn notify(&self, _ctx: PushCtx, text: String) -> Result<(), Status> {
        self.note(text)
    }

    /// Notes the point it is pushed.
    pub async fn mark(&self, _ctx: PushCtx, point: Point) -> Result<(), Status> {
        self.note(format!("{},{}", point.x, point.y))
    }

    /// A public constructor: not async, so not a service method.
    pub fn new(offset: i64) -> (Self, UnboundedReceiver<String>) {
        let (notes, heard) = unbounded_channel();
        (Self { offset, notes }, heard)
    }

    /// A private helper: not a service method.
    fn note(&self, text: String) -> Result<(), Status> {
        self.notes
            .send(text)
            .map_err(|_| Status::new(500, "nobody listens"))
    }

    /// A private async helper: not a service method either.
    #[allow(dead_code)]
    async fn private(&self, _ctx: CallCtx, _: ()) -> Result<(), Status> {
        Ok(())
    }
}

/// A controller in RPC style.
#[derive(Debug)]
pub struct Calc;

#[telerpc_macros::service(style = "rpc")]
impl Calc {
    /// Adds two numbers.
    pub async fn add_num(&self, _ctx: CallCtx, (a, b): (i64, i64)) -> Result<i64, Status> {
        Ok(a + b)
    }

    /// Negates a number, under a name of its own.
    #[rename("Calc.Minus")]
    pub async fn negate(&self, _ctx: CallCtx, n: i64) -> Result<i64, Status> {
        Ok(-n)
    }

    /// Pushes the text back to the pusher, at `Calc.Echo`.
    #[allow(non_snake_case)]
    pub async fn user__say(&self, ctx: PushCtx, text: String) -> Result<(), Status> {
        ctx.session()
            .push(&NameStyle::Rpc.rust_service_method("Calc", "echo"), &text)
            .await
    }
}

/// What a facade crate re-exports, for the `crate` option.
mod facade {
    pub(crate) use telerpc_router as router;
}

/// An argument that only decodes: a client could not encode it.
#[derive(Debug, Deserialize)]
pub struct Delay {
    ms: u64,
}

/// A controller without a client, naming the runtime crates through a facade.
#[derive(Debug)]
pub struct Clock;

#[telerpc_macros::service(crate = "crate::facade", client = false)]
impl Clock {
    /// Waits, then answers the time waited.
    pub async fn wait(&self, _ctx: CallCtx, delay: Delay) -> Result<u64, Status> {
        tokio::time::sleep(Duration::from_millis(delay.ms)).await;
        Ok(delay.ms)
    }
}

#[tokio::test]
async fn an_http_controller_serves_every_method_through_its_client() {
    let (math, mut heard) = Math::new(100);
    let router = Router::new().service(math);
    assert_eq!(
        sorted(router.call_paths()),
        [
            "/custom/echo",
            "/math/add",
            "/math/add_num",
            "/math/refuse",
            "/math/scale"
        ]
    );
    assert_eq!(sorted(router.push_paths()), ["/math/mark", "/math/notify"]);

    let (session, _server) = serve(router).await;
    let client = MathClient::new(session.clone());
    assert_eq!(within(client.add(&[1, 2, 3])).await, Ok(106));
    let numbers: Vec<i64> = (1..=4).collect();
    assert_eq!(within(client.add(&numbers)).await, Ok(110));
    let pair = Proto(Pair { a: 20, b: 22 });
    let Proto(sums) = within(client.add_num(&pair).codec(id::PROTOBUF))
        .await
        .unwrap();
    assert_eq!(sums, Pair { a: 42, b: -2 });
    assert_eq!(
        within(client.scale(&Point { x: 1, y: -2 })).await,
        Ok(Point { x: 1, y: -2 })
    );
    assert_eq!(within(client.echo("hello")).await.as_deref(), Ok("hello"));
    let refused = within(client.refuse()).await.unwrap_err();
    assert_eq!((refused.code(), refused.message()), (403, "refused"));

    within(client.notify("hi")).await.unwrap();
    assert_eq!(within(heard.recv()).await.as_deref(), Some("hi"));
    within(client.mark(&Point { x: 3, y: 4 })).await.unwrap();
    assert_eq!(within(heard.recv()).await.as_deref(), Some("3,4"));

    let scaled: Point = within(session.call("/math/scale?k=3", &Point { x: 1, y: -2 }))
        .await
        .unwrap();
    assert_eq!(scaled, Point { x: 3, y: -6 });
    assert!(matches!(client.session().health(), Health::Open));
}

#[tokio::test]
async fn an_rpc_controller_serves_every_method_through_its_client() {
    let router = Router::new().service(Calc);
    assert_eq!(sorted(router.call_paths()), ["Calc.AddNum", "Calc.Minus"]);
    assert_eq!(sorted(router.push_paths()), ["Calc.User.Say"]);

    let (echoes, mut heard) = unbounded_channel();
    let listener = Router::new().push("Calc.Echo", move |_ctx: PushCtx, text: String| {
        let echoes = echoes.clone();
        async move {
            echoes
                .send(text)
                .map_err(|_| Status::new(500, "nobody listens"))
        }
    });
    let (a, b) = tokio::io::duplex(64 * 1024);
    let session = within(
        Session::builder()
            .handler(Arc::new(listener))
            .start(Socket::new(a)),
    )
    .await
    .unwrap();
    let _server = within(
        Session::builder()
            .handler(Arc::new(router))
            .start(Socket::new(b)),
    )
    .await
    .unwrap();

    let client = CalcClient::new(session);
    assert_eq!(within(client.add_num(&(40, 2))).await, Ok(42));
    assert_eq!(within(client.negate(&7)).await, Ok(-7));
    within(client.user__say("back")).await.unwrap();
    assert_eq!(within(heard.recv()).await.as_deref(), Some("back"));
}

#[tokio::test]
async fn a_controller_without_a_client_serves_through_the_facade_paths() {
    let router = Router::new().service(Clock);
    assert_eq!(sorted(router.call_paths()), ["/clock/wait"]);
    let (session, _server) = serve(router).await;
    /// What a caller encodes for a `Delay`.
    #[derive(Serialize)]
    struct Wait {
        ms: u64,
    }
    let waited: u64 = within(session.call("/clock/wait", &Wait { ms: 1 }))
        .await
        .unwrap();
    assert_eq!(waited, 1);
}

#[test]
fn names_are_the_routers_mapping_of_go_names() {
    // `add_num` is what Go writes `AddNum`: both map to the same service methods.
    let go_http = NameStyle::Http.service_method("Math", "AddNum");
    let go_rpc = NameStyle::Rpc.service_method("Calc", "AddNum");
    assert_eq!(go_http, "/math/add_num");
    assert_eq!(go_rpc, "Calc.AddNum");
    assert!(Router::new()
        .service(Math::new(0).0)
        .call_paths()
        .any(|path| path == go_http));
    assert!(Router::new()
        .service(Calc)
        .call_paths()
        .any(|path| path == go_rpc));
}

#[test]
fn the_style_is_the_attributes_and_a_group_prefixes_it() {
    let router = Router::new()
        .name_style(NameStyle::Rpc)
        .group("/v1", |g| g.service(Math::new(0).0));
    assert!(router.call_paths().any(|path| path == "/v1/math/add"));
    assert!(router.call_paths().any(|path| path == "/v1/custom/echo"));
}
