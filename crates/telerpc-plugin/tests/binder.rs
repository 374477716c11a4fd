//! The binder over real TCP connections: valid arguments reach the handler, invalid ones are
//! answered 400 with a cause naming the fields at fault; and, for any input, `Valid<T>`
//! decodes exactly the values that validate.

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use proptest::prelude::*;
use serde::{Deserialize, Serialize};
use support::{dialed, eventually, shut_down, within};
use telerpc_codec::{id, CodecRegistry, DecodeBody, EncodeBody};
use telerpc_peer::Peer;
use telerpc_plugin::binder::Valid;
use telerpc_router::{CallCtx, PushCtx, Router};
use telerpc_session::Session;
use telerpc_socket::{code, Status};
use validator::Validate;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate)]
struct Rename {
    #[validate(range(min = 1))]
    id: i64,
    #[validate(length(min = 1))]
    name: String,
}

fn rename(id: i64, name: &str) -> Rename {
    Rename {
        id,
        name: name.to_owned(),
    }
}

async fn renamed(_ctx: CallCtx, Valid(args): Valid<Rename>) -> Result<String, Status> {
    Ok(format!("{} is now {}", args.id, args.name))
}

/// A server with `/user/rename` taking a `Valid<Rename>` and `/user/note` a pushed one
/// (counted in `pushed`), and a session to it.
async fn serve(pushed: Arc<AtomicUsize>) -> (Peer, Peer, Session) {
    let router = Router::new().call("/user/rename", renamed).push(
        "/user/note",
        move |_ctx: PushCtx, _args: Valid<Rename>| {
            let pushed = Arc::clone(&pushed);
            async move {
                pushed.fetch_add(1, Ordering::AcqRel);
                Ok::<_, Status>(())
            }
        },
    );
    dialed(router, vec![]).await
}

/// The status of a call to `/user/rename` with `args`, which must fail.
async fn refused<A: Serialize>(session: &Session, args: &A) -> Status {
    session
        .call::<String, _>("/user/rename", args)
        .await
        .expect_err("invalid arguments are refused")
}

#[tokio::test]
async fn valid_arguments_reach_the_handler() {
    within(async {
        let (server, client, session) = serve(Arc::default()).await;
        let reply: String = session
            .call("/user/rename", &rename(7, "ada"))
            .await
            .expect("valid");
        assert_eq!(reply, "7 is now ada");
        shut_down(&[&client, &server]).await;
    })
    .await;
}

#[tokio::test]
async fn invalid_arguments_are_answered_400_naming_the_field() {
    within(async {
        let (server, client, session) = serve(Arc::default()).await;

        let bad_id = refused(&session, &rename(0, "ada")).await;
        assert_eq!(bad_id.code(), code::BAD_MESSAGE);
        let cause = bad_id.cause().expect("a cause");
        assert!(
            cause.contains("invalid argument: id: range (min = 1)"),
            "{cause}"
        );
        assert!(!cause.contains("name"), "{cause}");

        let bad_name = refused(&session, &rename(1, "")).await;
        assert_eq!(bad_name.code(), code::BAD_MESSAGE);
        let cause = bad_name.cause().expect("a cause");
        assert!(
            cause.contains("invalid argument: name: length (min = 1)"),
            "{cause}"
        );
        assert!(!cause.contains("id:"), "{cause}");

        let both = refused(&session, &rename(-5, "")).await;
        let cause = both.cause().expect("a cause");
        assert!(
            cause.ends_with("invalid argument: id: range (min = 1); name: length (min = 1)"),
            "{cause}"
        );

        // A body that does not decode at all is refused as before.
        let garbage = refused(&session, &"not a struct").await;
        assert_eq!(garbage.code(), code::BAD_MESSAGE);
        assert!(!garbage.cause().unwrap_or("").contains("invalid argument"));

        shut_down(&[&client, &server]).await;
    })
    .await;
}

#[tokio::test]
async fn invalid_pushes_are_dropped() {
    within(async {
        let pushed = Arc::new(AtomicUsize::new(0));
        let (server, client, session) = serve(Arc::clone(&pushed)).await;
        for args in [rename(0, "x"), rename(1, ""), rename(2, "ok")] {
            session.push("/user/note", &args).await.expect("pushed");
        }
        // A call read after the pushes: once it is answered, every push has been judged.
        let _: String = session
            .call("/user/rename", &rename(1, "sync"))
            .await
            .expect("valid");
        eventually(|| pushed.load(Ordering::Acquire) > 0).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(pushed.load(Ordering::Acquire), 1, "only the valid push");
        shut_down(&[&client, &server]).await;
    })
    .await;
}

proptest! {
    #[test]
    fn valid_decodes_exactly_the_values_that_validate(
        id in any::<i64>(),
        name in ".{0,4}",
        codec_id in prop::sample::select(vec![id::JSON, id::BINCODE]),
    ) {
        let codecs = CodecRegistry::standard();
        let codec = codecs.require(codec_id).expect("a standard codec");
        let sent = rename(id, &name);
        let mut body = bytes::BytesMut::new();
        sent.encode_body(codec.as_ref(), &mut body).expect("encodes");
        let decoded = Valid::<Rename>::decode_body(codec.as_ref(), body.freeze());
        let id_ok = id >= 1;
        let name_ok = !name.is_empty();
        match decoded {
            Ok(Valid(args)) => {
                prop_assert!(id_ok && name_ok);
                prop_assert_eq!(args, sent);
            }
            Err(error) => {
                prop_assert!(!(id_ok && name_ok));
                let text = error.to_string();
                prop_assert_eq!(text.contains("id: range"), !id_ok, "{}", text);
                prop_assert_eq!(text.contains("name: length"), !name_ok, "{}", text);
            }
        }
    }
}
