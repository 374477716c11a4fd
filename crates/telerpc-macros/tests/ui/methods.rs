use telerpc_macros::service;
use telerpc_router::{CallCtx, PushCtx};
use telerpc_socket::Status;

struct Math;

#[service]
impl Math {
    pub async fn no_context(&self, args: Vec<i64>) -> Result<i64, Status> {
        Ok(args.iter().sum())
    }

    pub async fn two_args(&self, _ctx: CallCtx, a: i64, b: i64) -> Result<i64, Status> {
        Ok(a + b)
    }

    pub async fn not_a_result(&self, _ctx: CallCtx, a: i64) -> i64 {
        a
    }

    pub async fn no_arg(&self, _ctx: CallCtx) -> Result<i64, Status> {
        Ok(0)
    }

    pub async fn by_mut(&mut self, _ctx: CallCtx, a: i64) -> Result<i64, Status> {
        Ok(a)
    }

    pub async fn by_ref(&self, _ctx: CallCtx, a: &str) -> Result<usize, Status> {
        Ok(a.len())
    }

    pub async fn push_reply(&self, _ctx: PushCtx, a: i64) -> Result<i64, Status> {
        Ok(a)
    }

    pub async fn new(&self, _ctx: CallCtx, _: ()) -> Result<(), Status> {
        Ok(())
    }

    #[rename("/math/helper")]
    async fn helper(&self) {}

    #[rename("/math/add?x=1")]
    pub async fn add(&self, _ctx: CallCtx, a: i64) -> Result<i64, Status> {
        Ok(a)
    }
}

fn main() {}
