//! gRPC over tonic, for comparison: the benchmark method as a unary gRPC call, its
//! [`BenchmarkMessage`] encoded with prost ([`ProstCodec`]), over HTTP/2 on TCP.
//!
//! The service is written by hand on [`tonic::server::Grpc::unary`] and the client on
//! [`tonic::client::Grpc::unary`], as tonic's code generator would write them, so that no
//! `protoc` and no build script are needed. The method is `/msg.Hello/Say`. Server and channels
//! keep tonic's defaults (`TCP_NODELAY` on, as tonic's `Server` and `Endpoint` set it); each
//! call carries its deadline, [`CALL_TIMEOUT`], as `grpc-timeout`.

use std::convert::Infallible;
use std::future::{ready, Future, Ready};
use std::io;
use std::net::SocketAddr;
use std::task::{Context, Poll};

use tokio::net::TcpListener;
use tonic::body::Body;
use tonic::codegen::http::uri::PathAndQuery;
use tonic::codegen::{http, Body as HttpBody, BoxFuture, Service, StdError};
use tonic::server::{Grpc, NamedService, UnaryService};
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Channel, Endpoint, Server};
use tonic::{Request, Response, Status};
use tonic_prost::ProstCodec;

use crate::harness::{Caller, CALL_TIMEOUT};
use crate::BenchmarkMessage;

/// The gRPC service of the benchmark: `msg.Hello`.
pub const SERVICE: &str = "msg.Hello";
/// The path of the benchmark method: `/msg.Hello/Say`.
pub const SAY_PATH: &str = "/msg.Hello/Say";

/// The server side of `msg.Hello`: answers `Say` with [`BenchmarkMessage::reply_to`], and any
/// other method with `UNIMPLEMENTED`.
#[derive(Debug, Clone, Copy, Default)]
pub struct HelloServer;

impl NamedService for HelloServer {
    const NAME: &'static str = SERVICE;
}

/// The `Say` method alone, as tonic's unary handler calls it.
struct Say;

impl UnaryService<BenchmarkMessage> for Say {
    type Response = BenchmarkMessage;
    type Future = Ready<Result<Response<BenchmarkMessage>, Status>>;

    fn call(&mut self, request: Request<BenchmarkMessage>) -> Self::Future {
        ready(Ok(Response::new(BenchmarkMessage::reply_to(
            request.get_ref(),
        ))))
    }
}

impl<B> Service<http::Request<B>> for HelloServer
where
    B: HttpBody + Send + 'static,
    B::Error: Into<StdError> + Send + 'static,
{
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = BoxFuture<Self::Response, Self::Error>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        if request.uri().path() != SAY_PATH {
            return Box::pin(ready(Ok(Status::unimplemented("").into_http())));
        }
        Box::pin(async move {
            let mut grpc = Grpc::new(ProstCodec::<BenchmarkMessage, BenchmarkMessage>::default());
            Ok(grpc.unary(Say, request).await)
        })
    }
}

/// Serves `msg.Hello` on `listener` with tonic's default server until `stop` resolves; the
/// accepted connections get `TCP_NODELAY`, as tonic's server sets it by default.
pub async fn serve(listener: TcpListener, stop: impl Future<Output = ()>) -> io::Result<()> {
    let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
    Server::builder()
        .add_service(HelloServer)
        .serve_with_incoming_shutdown(incoming, stop)
        .await
        .map_err(io::Error::other)
}

/// A caller of `msg.Hello/Say`, on one of the shared channels.
#[derive(Debug, Clone)]
pub struct TonicCaller {
    client: tonic::client::Grpc<Channel>,
    request: BenchmarkMessage,
}

impl TonicCaller {
    /// A caller making its calls on `channel`.
    pub fn new(channel: Channel) -> Self {
        Self {
            client: tonic::client::Grpc::new(channel),
            request: BenchmarkMessage::request(),
        }
    }

    async fn say(&mut self) -> Result<Response<BenchmarkMessage>, Status> {
        self.client
            .ready()
            .await
            .map_err(|error| Status::unavailable(error.to_string()))?;
        let mut request = Request::new(self.request.clone());
        request.set_timeout(CALL_TIMEOUT);
        self.client
            .unary(
                request,
                PathAndQuery::from_static(SAY_PATH),
                ProstCodec::default(),
            )
            .await
    }
}

impl Caller for TonicCaller {
    async fn call(&mut self) -> bool {
        match tokio::time::timeout(CALL_TIMEOUT, self.say()).await {
            Ok(Ok(reply)) => reply.get_ref().field1 == "OK",
            Ok(Err(_)) | Err(_) => false,
        }
    }
}

/// `callers` tonic callers over `connections` new channels to `addr`, each channel its own
/// HTTP/2 connection; caller `i` is on channel `i % connections`.
pub async fn callers(
    addr: SocketAddr,
    connections: usize,
    callers: usize,
) -> io::Result<Vec<TonicCaller>> {
    let endpoint = Endpoint::from_shared(format!("http://{addr}")).map_err(io::Error::other)?;
    let mut channels = Vec::with_capacity(connections);
    for _ in 0..connections.max(1) {
        channels.push(endpoint.connect().await.map_err(io::Error::other)?);
    }
    Ok((0..callers)
        .map(|i| TonicCaller::new(channels[i % channels.len()].clone()))
        .collect())
}
