//! The step definitions, one module per domain concept, registered explicitly in [`collection`]
//! (no `inventory`: a registration cannot vanish at link time, in debug or release).

pub mod common;
pub mod connect;
pub mod raw;

use cucumber::step::Collection;

use crate::world::KushkiWorld;

/// Registers a step: `step!(collection, given, "pattern with {amount}", path::to::async_fn)`.
macro_rules! step {
    ($c:expr, $kind:ident, $pattern:expr, $f:path) => {{
        fn shim<'a>(
            w: &'a mut $crate::world::KushkiWorld,
            ctx: cucumber::step::Context,
        ) -> futures::future::LocalBoxFuture<'a, ()> {
            Box::pin($f(w, ctx))
        }
        $c.$kind(
            None,
            regex::Regex::new(&$crate::params::pattern($pattern)).expect("a valid step pattern"),
            shim,
        )
    }};
}
pub(crate) use step;

/// Every step of the suite.
pub fn collection() -> Collection<KushkiWorld> {
    let c = Collection::new();
    let c = common::register(c);
    let c = raw::register(c);
    connect::register(c)
}
