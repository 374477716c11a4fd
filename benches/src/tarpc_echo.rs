//! tarpc, for comparison: the benchmark method as a tarpc service, its [`BenchmarkMessage`]
//! encoded with bincode (serde) in length-delimited frames over TCP.
//!
//! The server wraps each accepted connection with `tarpc::serde_transport::tcp` and
//! [`Bincode`], serves it as a [`BaseChannel`] with tarpc's default config, and runs every
//! request of a channel on a task of its own (tarpc's usual `execute` and spawn). The clients
//! keep tarpc's default config; each call carries its deadline, [`CALL_TIMEOUT`], in its
//! [`context::Context`]. Both sides set `TCP_NODELAY`, as every other system measured here
//! does (tarpc's `tcp` module leaves the socket as the OS makes it).

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Instant;

use futures::StreamExt;
use tarpc::client;
use tarpc::context;
use tarpc::serde_transport::tcp;
use tarpc::server::{BaseChannel, Channel};
use tarpc::tokio_serde::formats::Bincode;
use tokio::net::TcpListener;

use crate::harness::{Caller, CALL_TIMEOUT};
use crate::BenchmarkMessage;

/// The benchmark service.
#[tarpc::service]
pub trait Hello {
    /// The benchmark method: answers `request` with [`BenchmarkMessage::reply_to`].
    async fn say(request: BenchmarkMessage) -> BenchmarkMessage;
}

/// The server side of [`Hello`].
#[derive(Debug, Clone, Copy, Default)]
pub struct HelloServer;

impl Hello for HelloServer {
    async fn say(self, _: context::Context, request: BenchmarkMessage) -> BenchmarkMessage {
        BenchmarkMessage::reply_to(&request)
    }
}

/// Runs a request's answer on a task of its own.
async fn spawn(answer: impl Future<Output = ()> + Send + 'static) {
    tokio::spawn(answer);
}

/// Accepts connections on `listener` and serves [`Hello`] on each, on a task of its own, until
/// `stop` resolves.
pub async fn serve(listener: TcpListener, stop: impl Future<Output = ()>) -> io::Result<()> {
    let mut incoming = tcp::listen_on(listener, Bincode::default).await?;
    tokio::pin!(stop);
    loop {
        tokio::select! {
            () = &mut stop => return Ok(()),
            accepted = incoming.next() => {
                let Some(transport) = accepted else { return Ok(()) };
                let transport = transport?;
                transport.get_ref().set_nodelay(true)?;
                let channel = BaseChannel::with_defaults(transport);
                tokio::spawn(channel.execute(HelloServer.serve()).for_each(spawn));
            }
        }
    }
}

/// A caller of [`Hello::say`], on one of the shared clients.
#[derive(Debug, Clone)]
pub struct TarpcCaller {
    client: HelloClient,
    request: BenchmarkMessage,
}

impl TarpcCaller {
    /// A caller making its calls with `client`.
    pub fn new(client: HelloClient) -> Self {
        Self {
            client,
            request: BenchmarkMessage::request(),
        }
    }
}

impl Caller for TarpcCaller {
    async fn call(&mut self) -> bool {
        let mut context = context::current();
        context.deadline = Instant::now() + CALL_TIMEOUT;
        match self.client.say(context, self.request.clone()).await {
            Ok(reply) => reply.field1 == "OK",
            Err(_) => false,
        }
    }
}

/// Connects one new client to `addr`, with tarpc's default client config; its dispatch task
/// ends when the connection does, or when the last handle on the client is dropped.
pub async fn connect(addr: SocketAddr) -> io::Result<HelloClient> {
    let transport = tcp::connect(addr, Bincode::default).await?;
    transport.get_ref().set_nodelay(true)?;
    Ok(HelloClient::new(client::Config::default(), transport).spawn())
}

/// `callers` tarpc callers over `connections` new clients of `addr`, each its own connection;
/// caller `i` uses client `i % connections`.
pub async fn callers(
    addr: SocketAddr,
    connections: usize,
    callers: usize,
) -> io::Result<Vec<TarpcCaller>> {
    let mut clients = Vec::with_capacity(connections);
    for _ in 0..connections.max(1) {
        clients.push(connect(addr).await?);
    }
    Ok((0..callers)
        .map(|i| TarpcCaller::new(clients[i % clients.len()].clone()))
        .collect())
}
