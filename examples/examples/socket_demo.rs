//! Two telerpc sockets talking eRPC v6's wire format over loopback TCP, with no session and no
//! router: the transport tier alone.
//!
//! The client sends a CALL `/math/add` with the JSON body `[1,2,3]` and the meta
//! `author=telerpc`, and a PUSH `/chat/say` with a plain-text body, both in one write. The
//! server answers the CALL with a REPLY whose body is the sum, and the client reads it. Each side
//! prints every message it reads; the program ends by itself.
//!
//! ```text
//! cargo run -p telerpc-examples --example socket_demo
//! ```

use std::error::Error;
use std::net::SocketAddr;
use std::time::Duration;

use telerpc_codec::{id, CodecRegistry};
use telerpc_socket::{code, Message, MessageType, Socket, SocketConfig, Status};
use tokio::net::{TcpListener, TcpStream};

/// Whatever can go wrong in the demo.
pub(crate) type DemoError = Box<dyn Error + Send + Sync>;

/// The whole exchange must end within this, or the demo fails instead of hanging.
const DEADLINE: Duration = Duration::from_secs(5);

/// Runs the demo, printing each line to standard output. (`pub(crate)` so that
/// `tests/socket_demo.rs`, which includes this file as a module, can run it.)
#[tokio::main(flavor = "current_thread")]
pub(crate) async fn main() -> Result<(), DemoError> {
    run(&|line| println!("{line}")).await
}

/// Runs the exchange on loopback TCP, handing every line the demo reports to `print`.
pub(crate) async fn run(print: &dyn Fn(&str)) -> Result<(), DemoError> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    print(&format!("server listening on {addr}"));
    let exchange = async { tokio::try_join!(serve(listener, print), dial(addr, print)) };
    tokio::time::timeout(DEADLINE, exchange)
        .await
        .map_err(|_| "the exchange did not end in time")??;
    Ok(())
}

/// The server: accepts one connection, answers CALLs, and ends when the client closes.
async fn serve(listener: TcpListener, print: &dyn Fn(&str)) -> Result<(), DemoError> {
    let codecs = CodecRegistry::standard();
    let (stream, _) = listener.accept().await?;
    let mut socket = Socket::tcp(stream, SocketConfig::default())?;
    print(&format!("server accepted {}", socket.id()));
    while let Some(message) = socket.recv().await? {
        print(&describe("server", &message));
        if message.mtype != MessageType::Call {
            continue;
        }
        let mut reply = Message::reply_to(&message);
        if message.service_method == "/math/add" {
            let numbers: Vec<i64> = message.body_as(codecs)?;
            reply.set_body(codecs, reply.body_codec, &numbers.iter().sum::<i64>())?;
        } else {
            reply.status = Some(Status::from_code(code::NOT_FOUND));
        }
        socket.send(&reply).await?;
    }
    print("server: the client closed the connection");
    Ok(())
}

/// The client: sends the CALL and the PUSH in one write, reads the REPLY, and closes.
async fn dial(addr: SocketAddr, print: &dyn Fn(&str)) -> Result<(), DemoError> {
    let codecs = CodecRegistry::standard();
    let mut socket = Socket::tcp(TcpStream::connect(addr).await?, SocketConfig::default())?;

    let mut call = Message::new(MessageType::Call, 1, "/math/add");
    call.meta.append("author", "telerpc");
    call.set_body(codecs, id::JSON, &vec![1, 2, 3])?;
    let mut push = Message::new(MessageType::Push, 2, "/chat/say");
    push.set_body(codecs, id::PLAIN, &String::from("hello from telerpc"))?;
    socket.feed(&call)?;
    socket.feed(&push)?;
    socket.flush().await?;

    let reply = socket
        .recv()
        .await?
        .ok_or("the server closed the connection before replying")?;
    print(&describe("client", &reply));
    let sum: i64 = reply.body_as(codecs)?;
    print(&format!("client: 1 + 2 + 3 = {sum}"));
    socket.shutdown().await?;
    Ok(())
}

/// One readable line for a message read by `side`: seq, type, service method, status, meta and
/// the body as text.
fn describe(side: &str, message: &Message) -> String {
    let status = match &message.status {
        Some(status) => status.to_string(),
        None => String::from("OK"),
    };
    format!(
        "{side} read seq={} {} {:?} status={status} meta={:?} body={}",
        message.seq,
        type_name(message.mtype),
        message.service_method,
        message.meta.to_query(),
        String::from_utf8_lossy(&message.body),
    )
}

/// The message type as eRPC names it.
fn type_name(mtype: MessageType) -> &'static str {
    match mtype {
        MessageType::Call => "CALL",
        MessageType::Reply => "REPLY",
        MessageType::Push => "PUSH",
        MessageType::AuthCall => "AUTH_CALL",
        MessageType::AuthReply => "AUTH_REPLY",
    }
}
