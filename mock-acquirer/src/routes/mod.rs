//! The acquirer's HTTP routes, one module per resource.

pub mod admin;
pub mod card_info;
pub mod pos;
pub mod search;

use std::sync::Arc;

use axum::Router;

use crate::state::AppState;

/// Every route of the mock acquirer but the shared admin ones.
pub fn router() -> Router<Arc<AppState>> {
    Router::new()
        .merge(pos::router())
        .merge(card_info::router())
        .merge(search::router())
        .merge(admin::router())
}
