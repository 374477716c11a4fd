//! [`CatchUnwind`]: a handler's panic turned into a value, so one bad handler does not take
//! its task or the connection down.

use std::any::Any;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

/// Runs `start` (a handler's synchronous part) and catches its panic as text.
pub(crate) fn catch<T>(start: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(start)).map_err(panic_text)
}

/// A future that resolves to `Err(panic text)` if polling `F` panics. After a panic the inner
/// future is never polled again.
#[derive(Debug)]
pub(crate) struct CatchUnwind<F>(pub(crate) F);

impl<F: Future + Unpin> Future for CatchUnwind<F> {
    type Output = Result<F::Output, String>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = &mut self.0;
        match catch(|| Pin::new(inner).poll(cx)) {
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}

/// The message of a panic payload: the `&str` or `String` that `panic!` carries.
fn panic_text(payload: Box<dyn Any + Send>) -> String {
    match payload.downcast::<String>() {
        Ok(text) => *text,
        Err(payload) => payload.downcast_ref::<&str>().map_or_else(
            || "a panic without a message".to_owned(),
            |s| (*s).to_owned(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_while_polling_becomes_its_message() {
        let future = Box::pin(async {
            tokio::task::yield_now().await;
            panic!("boom {}", 7);
        });
        let caught: Result<(), String> = CatchUnwind(future).await;
        assert_eq!(caught, Err("boom 7".to_owned()));
    }

    #[tokio::test]
    async fn a_future_that_does_not_panic_passes_through() {
        assert_eq!(CatchUnwind(Box::pin(async { 5 })).await, Ok(5));
    }

    #[test]
    fn a_panic_before_the_future_exists_is_caught_too() {
        assert_eq!(
            catch(|| panic!("static text")),
            Err::<(), _>("static text".to_owned())
        );
        assert_eq!(catch(|| 1), Ok(1));
    }
}
