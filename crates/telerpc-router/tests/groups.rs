//! Groups with a prefix and their own middleware, the order middleware runs in, controllers
//! registered as services in both name styles, and routes that cannot be registered.

mod support;

use std::sync::{Arc, Mutex};

use support::{serve, within};
use telerpc_router::{
    CallCtx, Middleware, NameStyle, Next, PushCtx, PushNext, Router, Routes, Service,
};
use telerpc_session::{BoxFuture, Reply};
use telerpc_socket::Status;
use tokio::sync::mpsc;

/// What the middleware and handlers of a test did, in order.
#[derive(Clone, Default)]
struct Trace(Arc<Mutex<Vec<String>>>);

impl Trace {
    fn note(&self, event: impl Into<String>) {
        self.0.lock().unwrap().push(event.into());
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// A middleware that notes `name>` on the way in and `<name` on the way out, for calls and
/// pushes.
struct Tracer {
    name: &'static str,
    trace: Trace,
}

impl Tracer {
    fn new(name: &'static str, trace: &Trace) -> Self {
        Self {
            name,
            trace: trace.clone(),
        }
    }
}

impl Middleware for Tracer {
    fn call(&self, ctx: CallCtx, next: Next) -> BoxFuture<'static, Result<Reply, Status>> {
        let (name, trace) = (self.name, self.trace.clone());
        Box::pin(async move {
            trace.note(format!("{name}>"));
            let outcome = next.run(ctx).await;
            trace.note(format!("<{name}"));
            outcome
        })
    }

    fn push(&self, ctx: PushCtx, next: PushNext) -> BoxFuture<'static, Result<(), Status>> {
        self.trace.note(format!("push {}", self.name));
        next.run(ctx)
    }
}

/// A call handler that notes `handler <path>` and answers with its path.
fn traced(
    trace: &Trace,
) -> impl Fn(CallCtx, ()) -> BoxFuture<'static, Result<String, Status>> + Send + Sync + 'static {
    let trace = trace.clone();
    move |ctx: CallCtx, (): ()| {
        trace.note(format!("handler {}", ctx.path()));
        let path = ctx.path().to_owned();
        Box::pin(async move { Ok(path) })
    }
}

#[tokio::test]
async fn groups_prefix_their_routes_and_nest() {
    let trace = Trace::default();
    let router = Router::new()
        .call("/top", traced(&trace))
        .group("/v1", |g| {
            g.call("/add", traced(&trace))
                .group("/admin", |g| g.call("/reset", traced(&trace)))
        });
    let mut paths: Vec<_> = router.call_paths().map(str::to_owned).collect();
    paths.sort();
    assert_eq!(paths, ["/top", "/v1/add", "/v1/admin/reset"]);
    let (client, _server) = serve(router).await;
    within(async {
        for path in ["/top", "/v1/add", "/v1/admin/reset"] {
            assert_eq!(client.call::<String, _>(path, &()).await.unwrap(), path);
        }
        assert_eq!(
            client
                .call::<String, _>("/add", &())
                .await
                .unwrap_err()
                .code(),
            404
        );
    })
    .await;
}

#[tokio::test]
async fn router_middleware_runs_outside_group_middleware_first_added_outermost() {
    let trace = Trace::default();
    let router = Router::new()
        .layer(Tracer::new("r1", &trace))
        .group("/g", |g| {
            g.call("/x", traced(&trace))
                .layer(Tracer::new("g1", &trace))
                .group("/inner", |g| {
                    g.layer(Tracer::new("i1", &trace))
                        .call("/y", traced(&trace))
                })
                .layer(Tracer::new("g2", &trace))
        })
        .layer(Tracer::new("r2", &trace))
        .call("/plain", traced(&trace));
    let (client, _server) = serve(router).await;
    within(async {
        client.call::<String, _>("/g/x", &()).await.unwrap();
        assert_eq!(
            trace.take(),
            [
                "r1>",
                "r2>",
                "g1>",
                "g2>",
                "handler /g/x",
                "<g2",
                "<g1",
                "<r2",
                "<r1"
            ]
        );
        client.call::<String, _>("/g/inner/y", &()).await.unwrap();
        assert_eq!(
            trace.take(),
            [
                "r1>",
                "r2>",
                "g1>",
                "g2>",
                "i1>",
                "handler /g/inner/y",
                "<i1",
                "<g2",
                "<g1",
                "<r2",
                "<r1"
            ]
        );
        client.call::<String, _>("/plain", &()).await.unwrap();
        assert_eq!(
            trace.take(),
            ["r1>", "r2>", "handler /plain", "<r2", "<r1"],
            "group middleware stays out of routes outside the group"
        );
        client.call::<String, _>("/nope", &()).await.unwrap_err();
        assert_eq!(
            trace.take(),
            ["r1>", "r2>", "<r2", "<r1"],
            "the router's middleware wraps the fallback too"
        );
    })
    .await;
}

#[tokio::test]
async fn middleware_answers_alone_and_sets_reply_meta() {
    let router = Router::new().group("/secure", |g| {
        g.layer(|ctx: CallCtx, next: Next| async move {
            if ctx.meta().get("token") != Some("secret") {
                return Err(Status::new(401, "Unauthorized"));
            }
            ctx.set_reply_meta("checked-by", "auth");
            let mut reply = next.run(ctx).await?;
            reply.meta.append("wrapped", "yes");
            Ok(reply)
        })
        .call("/data", |_ctx: CallCtx, (): ()| async {
            Ok::<_, Status>(42)
        })
    });
    let (client, _server) = serve(router).await;
    within(async {
        let refused = client
            .call::<i64, _>("/secure/data", &())
            .await
            .unwrap_err();
        assert_eq!((refused.code(), refused.message()), (401, "Unauthorized"));
        let reply = client
            .call::<i64, _>("/secure/data", &())
            .meta("token", "secret")
            .raw()
            .await
            .unwrap();
        assert_eq!(&reply.body[..], b"42");
        let meta: Vec<_> = reply.meta.iter().collect();
        assert_eq!(meta, [("checked-by", "auth"), ("wrapped", "yes")]);
    })
    .await;
}

#[tokio::test]
async fn push_middleware_wraps_the_pushes_of_its_group_only() {
    let trace = Trace::default();
    let (heard, mut hearing) = mpsc::unbounded_channel();
    let handler = move |ctx: PushCtx, (): ()| {
        let heard = heard.clone();
        async move {
            heard
                .send(ctx.path().to_owned())
                .map_err(|_| Status::new(500, "ended"))
        }
    };
    let router = Router::new()
        .layer(Tracer::new("r", &trace))
        .push("/plain", handler.clone())
        .group("/g", |g| {
            g.layer(Tracer::new("g", &trace)).push("/note", handler)
        });
    let (client, _server) = serve(router).await;
    within(async {
        client.push("/g/note", &()).await.unwrap();
        assert_eq!(hearing.recv().await.as_deref(), Some("/g/note"));
        assert_eq!(trace.take(), ["push r", "push g"]);
        client.push("/plain", &()).await.unwrap();
        assert_eq!(hearing.recv().await.as_deref(), Some("/plain"));
        assert_eq!(trace.take(), ["push r"]);
    })
    .await;
}

/// A controller written as the controller macro would generate it.
struct Math {
    offset: i64,
}

impl Math {
    async fn add(&self, _ctx: CallCtx, numbers: Vec<i64>) -> Result<i64, Status> {
        Ok(self.offset + numbers.iter().sum::<i64>())
    }

    async fn add_num(&self, _ctx: CallCtx, (a, b): (i64, i64)) -> Result<i64, Status> {
        Ok(self.offset + a + b)
    }
}

impl Service for Math {
    fn register(self: Arc<Self>, routes: Routes) -> Routes {
        let add = routes.service_method("Math", "add");
        let add_num = routes.service_method("Math", "add_num");
        let this = Arc::clone(&self);
        let routes = routes.call(&add, move |ctx: CallCtx, numbers: Vec<i64>| {
            let this = Arc::clone(&this);
            async move { this.add(ctx, numbers).await }
        });
        let this = Arc::clone(&self);
        routes.call(&add_num, move |ctx: CallCtx, pair: (i64, i64)| {
            let this = Arc::clone(&this);
            async move { this.add_num(ctx, pair).await }
        })
    }
}

fn sorted_calls(router: &Router) -> Vec<String> {
    let mut paths: Vec<_> = router.call_paths().map(str::to_owned).collect();
    paths.sort();
    paths
}

#[tokio::test]
async fn services_serve_erpc_names_in_either_style() {
    let http = Router::new()
        .service(Math { offset: 100 })
        .group("/v1", |g| {
            g.group("", |g| Arc::new(Math { offset: 200 }).register(g))
        });
    assert_eq!(
        sorted_calls(&http),
        [
            "/math/add",
            "/math/add_num",
            "/v1/math/add",
            "/v1/math/add_num"
        ]
    );
    let rpc = Router::new()
        .name_style(NameStyle::Rpc)
        .service(Math { offset: 300 })
        .group("v1.", |g| g.service(Math { offset: 400 }));
    assert_eq!(
        sorted_calls(&rpc),
        ["Math.Add", "Math.AddNum", "v1.Math.Add", "v1.Math.AddNum"]
    );

    let (http_client, _http_server) = serve(http).await;
    let (rpc_client, _rpc_server) = serve(rpc).await;
    within(async {
        let numbers = vec![1_i64, 2];
        assert_eq!(
            http_client
                .call::<i64, _>("/math/add", &numbers)
                .await
                .unwrap(),
            103
        );
        assert_eq!(
            http_client
                .call::<i64, _>("/v1/math/add_num", &(1, 2))
                .await
                .unwrap(),
            203
        );
        assert_eq!(
            rpc_client
                .call::<i64, _>("Math.AddNum", &(1, 2))
                .await
                .unwrap(),
            303
        );
        assert_eq!(
            rpc_client
                .call::<i64, _>("v1.Math.Add", &numbers)
                .await
                .unwrap(),
            403
        );
    })
    .await;
}

#[tokio::test]
async fn a_service_layer_wraps_only_the_services_routes() {
    struct Guarded(Trace);

    impl Service for Guarded {
        fn register(self: Arc<Self>, routes: Routes) -> Routes {
            let path = routes.service_method("Guarded", "get");
            routes
                .layer(Tracer::new("svc", &self.0))
                .call(&path, traced(&self.0))
        }
    }

    let trace = Trace::default();
    let router = Router::new().group("/g", |g| {
        g.call("/other", traced(&trace))
            .service(Guarded(trace.clone()))
    });
    let (client, _server) = serve(router).await;
    within(async {
        client
            .call::<String, _>("/g/guarded/get", &())
            .await
            .unwrap();
        assert_eq!(trace.take(), ["svc>", "handler /g/guarded/get", "<svc"]);
        client.call::<String, _>("/g/other", &()).await.unwrap();
        assert_eq!(trace.take(), ["handler /g/other"]);
    })
    .await;
}

#[test]
#[should_panic(expected = "the call route \"/v1/add\" is registered twice")]
fn a_call_route_registered_twice_panics() {
    let add = |_ctx: CallCtx, (): ()| async { Ok::<_, Status>(()) };
    let _ = Router::new()
        .call("/v1/add", add)
        .group("/v1", |g| g.call("/add", add));
}

#[test]
fn one_name_may_be_a_call_route_and_a_push_route() {
    let router = Router::new()
        .call("/x", |_ctx: CallCtx, (): ()| async { Ok::<_, Status>(()) })
        .push("/x", |_ctx: PushCtx, (): ()| async { Ok(()) });
    assert_eq!(router.call_paths().collect::<Vec<_>>(), ["/x"]);
    assert_eq!(router.push_paths().collect::<Vec<_>>(), ["/x"]);
}

#[test]
#[should_panic(expected = "holds a '?'")]
fn a_route_with_a_query_panics() {
    let _ = Router::new().push("/a?b=1", |_ctx: PushCtx, (): ()| async { Ok(()) });
}

#[test]
#[should_panic(expected = "empty service method")]
fn an_empty_route_panics() {
    let _ = Router::new().call("", |_ctx: CallCtx, (): ()| async { Ok::<_, Status>(()) });
}
