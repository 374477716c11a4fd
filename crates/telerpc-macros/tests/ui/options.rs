use telerpc_macros::service;
use telerpc_router::CallCtx;
use telerpc_socket::Status;

struct Math;

#[service(styel = "rpc")]
impl Math {
    pub async fn add(&self, _ctx: CallCtx, args: Vec<i64>) -> Result<i64, Status> {
        Ok(args.iter().sum())
    }
}

struct Calc;

#[service(style = "grpc")]
impl Calc {
    pub async fn add(&self, _ctx: CallCtx, args: Vec<i64>) -> Result<i64, Status> {
        Ok(args.iter().sum())
    }
}

struct Clock;

#[service(client = false, client = true)]
impl Clock {
    pub async fn now(&self, _ctx: CallCtx, _: ()) -> Result<u64, Status> {
        Ok(0)
    }
}

fn main() {}
