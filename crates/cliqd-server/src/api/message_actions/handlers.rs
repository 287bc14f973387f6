//! The message action's `execution_handler`: get and update (<https://www.zoho.com/cliq/help/restapi/v3/messageactions/>), served by the shared
//! handler endpoints of [`crate::api::execution`]. It exists from the action's creation, so
//! there is no create or delete.

use crate::api::Endpoint;
use crate::api::component::endpoint;
use axum::http::Method;

pub const UPDATE: Endpoint = endpoint(
    "messageactions.handlers.update",
    Method::PATCH,
    "/api/v3/messageactions/{message_action_id}/handlers/{handler_type}",
    "messageactions.update",
    10,
);
pub const GET: Endpoint = endpoint(
    "messageactions.handlers.get",
    Method::GET,
    "/api/v3/messageactions/{message_action_id}/handlers/{handler_type}",
    "messageactions.read",
    10,
);

#[cfg(test)]
mod tests {
    use super::super::DESCRIPTOR;

    #[test]
    fn only_execution_handler() {
        assert!(DESCRIPTOR.handler("execution_handler").is_ok());
        assert!(DESCRIPTOR.handler("button_handler").is_err());
    }
}
