use telerpc_macros::service;

#[service]
struct NotAnImpl;

struct Math;

trait Named {
    fn name(&self) -> &'static str;
}

#[service]
impl Named for Math {
    fn name(&self) -> &'static str {
        "math"
    }
}

struct Wrapper<T>(T);

#[service]
impl<T> Wrapper<T> {}

#[service]
impl Math {
    fn helper(&self) {}
}

fn main() {}
