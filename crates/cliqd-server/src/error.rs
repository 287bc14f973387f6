//! The one API error type and its code → (HTTP status, message) table, rendered as Cliq's
//! `{"message": "…", "code": "…"}` body in exactly one place ([`ApiError::into_response`]).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use cliqd_store::StoreError;

macro_rules! error_codes {
    ($( $variant:ident => ($status:ident, $code:expr, $message:expr), )*) => {
        /// Every error cliqd can answer with. Generic variants carry no `code` on the wire.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum ErrorCode { $( $variant, )* }

        impl ErrorCode {
            /// Every code, for tests and documentation.
            pub const ALL: &'static [ErrorCode] = &[$( ErrorCode::$variant, )*];

            /// HTTP status, wire code (None for the generic bodies) and default message.
            pub fn describe(self) -> (StatusCode, Option<&'static str>, &'static str) {
                match self { $( ErrorCode::$variant => (StatusCode::$status, $code, $message), )* }
            }
        }
    };
}

const MSG_400: &str =
    "The request cannot be performed. Usually because of malformed parameter or missing parameter.";

error_codes! {
    // Generic bodies, in Cliq's wording (<https://www.zoho.com/cliq/help/restapi/v2/>).
    BadRequest => (BAD_REQUEST, None, MSG_400),
    Unauthorized => (UNAUTHORIZED, None, "Request was rejected because of invalid AuthToken."),
    Forbidden => (FORBIDDEN, None, "The user does not have enough permission or possibly not an user of the respective organization to access the resource."),
    NotFound => (NOT_FOUND, None, "The URL you've sent is wrong. It's possible that the resource you've requested has been moved to another URL."),
    MethodNotAllowed => (METHOD_NOT_ALLOWED, None, "The requested resource does not support the HTTP method used. For example, requesting List of all customers API with PUT as the HTTP method."),
    NotAcceptable => (NOT_ACCEPTABLE, None, "The response has been received but the requested response type is not supported by the browser."),
    TooManyRequests => (TOO_MANY_REQUESTS, None, "Too many requests within a certain time frame."),
    Internal => (INTERNAL_SERVER_ERROR, None, "Cliq server encountered an error which prevents it from fulfilling the request."),
    // Cross-cutting specific codes.
    InvalidOauthScope => (FORBIDDEN, Some("invalid_oauthscope"), "The access token does not have the OAuth scope this API requires"),
    RequestTimeout => (REQUEST_TIMEOUT, Some("request_timeout"), "The request did not arrive in time: send the whole request without pausing"),
    PayloadTooLarge => (PAYLOAD_TOO_LARGE, Some("request_entity_too_large"), "The request body is larger than the server accepts"),
    UnsupportedMediaType => (UNSUPPORTED_MEDIA_TYPE, Some("unsupported_media_type"), "The request body must be JSON (Content-Type: application/json)"),
    InvalidInputs => (BAD_REQUEST, Some("invalid_inputs"), "Request body validation failed"),
    SignInAsDisabled => (FORBIDDEN, Some("sign_in_as_disabled"), "Signing in as another user is allowed only while the server listens on a loopback address or web_sign_in_as is set"),
    InvalidScope => (BAD_REQUEST, Some("invalid_scope"), "The provided scope value is invalid. Allowed values are organization, team, and personal"),
    OperationFailed => (INTERNAL_SERVER_ERROR, Some("operation_failed"), "The operation failed"),
    // The dev endpoints (cliqd's own, `cliqd serve --dev`).
    SnapshotNotFound => (NOT_FOUND, Some("snapshot_not_found"), "The snapshot does not exist (see GET /cliqd/dev/snapshots)"),
    // Handlers (bots, functions, message actions).
    ExecutionUrlRequired => (BAD_REQUEST, Some("execution_url_required"), "execution_url is required when execution_type is set to webhook"),
    ExecutionUrlNotAllowed => (BAD_REQUEST, Some("execution_url_not_allowed"), "execution_url is not allowed when execution_type is set to deluge"),
    ExecutionHandlerCreateFailed => (CONFLICT, Some("execution_handler_create_failed"), "Failed to create the execution handler"),
    ExecutionHandlerUpdateFailed => (INTERNAL_SERVER_ERROR, Some("execution_handler_update_failed"), "Failed to update the execution handler"),
    ExecutionHandlerGetFailed => (INTERNAL_SERVER_ERROR, Some("execution_handler_get_failed"), "Failed to get the execution handler"),
    ExecutionHandlerDeleteFailed => (INTERNAL_SERVER_ERROR, Some("execution_handler_delete_failed"), "Failed to delete the execution handler"),
    ExecutionHandlerDataRequired => (BAD_REQUEST, Some("execution_handler_data_required"), "Required handler data is missing"),
    ExecutionHandlerDataInvalid => (BAD_REQUEST, Some("execution_handler_data_invalid"), "Provided handler data is invalid"),
    ExecutionHandlerNotFound => (NOT_FOUND, Some("execution_handler_not_found"), "The execution handler does not exist"),
    DefaultHandlerDeleteNotAllowed => (BAD_REQUEST, Some("default_handler_delete_not_allowed"), "The default handler cannot be deleted"),
    // Bots.
    BotNotFound => (NOT_FOUND, Some("bot_not_found"), "The bot does not exist"),
    BotNameAlreadyExists => (CONFLICT, Some("bot_name_already_exists"), "A bot with this name already exists"),
    BotPermissionDenied => (FORBIDDEN, Some("bot_permission_denied"), "Only the bot creator or an organization admin can do this"),
    BotCreationLimitExceeded => (BAD_REQUEST, Some("bot_creation_limit_exceeded"), "Organization has reached the maximum number of bots"),
    BotAlertNotEnabled => (BAD_REQUEST, Some("bot_alert_not_enabled"), "Calls are not enabled for this bot"),
    BotmessageNoValidUsers => (BAD_REQUEST, Some("botmessage_no_valid_users"), "None of the given users can receive the bot's message"),
    CallNotFound => (NOT_FOUND, Some("call_not_found"), "The call does not exist or does not ring you"),
    // The execution journal.
    ExecutionNotFound => (NOT_FOUND, Some("execution_not_found"), "The execution does not exist"),
    // Functions.
    FunctionNotFound => (NOT_FOUND, Some("function_not_found"), "The function does not exist"),
    FunctionNameAlreadyExists => (CONFLICT, Some("function_name_already_exists"), "A function with this name already exists"),
    FunctionCreationLimitExceeded => (BAD_REQUEST, Some("function_creation_limit_exceeded"), "Organization has reached the maximum number of functions"),
    FunctionPermissionDenied => (FORBIDDEN, Some("function_permission_denied"), "Only the function creator or an organization admin can do this"),
    // Message actions.
    MsgactionNotFound => (NOT_FOUND, Some("msgaction_not_found"), "The message action does not exist"),
    MsgactionNameAlreadyExists => (CONFLICT, Some("msgaction_name_already_exists"), "A message action with this name already exists"),
    MsgactionCreationLimitExceeded => (BAD_REQUEST, Some("msgaction_creation_limit_exceeded"), "Organization has reached the maximum number of message actions"),
    MsgactionPermissionDenied => (FORBIDDEN, Some("msgaction_permission_denied"), "Only the message action creator or an organization admin can do this"),
    // Messaging: channels, chats, messages, reactions, bot messages.
    ChatNotFound => (NOT_FOUND, Some("chat_not_found"), "The chat does not exist"),
    ChannelNotFound => (NOT_FOUND, Some("channel_not_found"), "The channel does not exist"),
    MessageNotFound => (NOT_FOUND, Some("message_not_found"), "The message does not exist"),
    UserNotFound => (NOT_FOUND, Some("user_not_found"), "The user does not exist"),
    AccessDenied => (FORBIDDEN, Some("access_denied"), "You are not a member of this chat"),
    MessagePermissionDenied => (FORBIDDEN, Some("message_permission_denied"), "Only the sender of a message can do this"),
    UserNotInOrganization => (FORBIDDEN, Some("user_not_in_organization"), "The user is not a member of your organization"),
    ChannelUniqueNameAlreadyExists => (CONFLICT, Some("channel_unique_name_already_exists"), "A channel with this unique name already exists"),
    ChannelPermissionDenied => (FORBIDDEN, Some("channel_permission_denied"), "Only the channel creator or an organization admin can do this"),
    BotAlreadyMember => (BAD_REQUEST, Some("bot_already_member"), "The bot is already a member of this channel"),
    BotNotMember => (FORBIDDEN, Some("bot_not_member"), "The bot is not a member of this channel"),
    ThreadChatidInvalid => (BAD_REQUEST, Some("thread_chatid_invalid"), "A thread cannot be started inside a thread"),
    ThreadClosed => (FORBIDDEN, Some("thread_closed"), "The thread is closed; reopen it to post"),
    OneToOneChatAddMemberNotAllowed => (BAD_REQUEST, Some("one_to_one_chat_add_member_not_allowed"), "Adding members to a one-to-one chat is not allowed"),
    ChatWithOtherOrgDisabled => (FORBIDDEN, Some("chat_with_other_org_disabled"), "Adding members from other organizations is disabled"),
    OneToOneChatDeleteMemberNotAllowed => (BAD_REQUEST, Some("one_to_one_chat_delete_member_not_allowed"), "Removing members from a one-to-one chat is not allowed"),
    ReactionNotFound => (NOT_FOUND, Some("reaction_not_found"), "You have not reacted to this message with this emoji"),
    MessageDeleteLimitExceeded => (BAD_REQUEST, Some("message_delete_limit_exceeded"), "You can only delete up to 25 messages at once"),
    InvalidParameters => (BAD_REQUEST, Some("invalid_parameters"), "The message_ids parameter is invalid or empty"),
    InvalidDeleteReason => (BAD_REQUEST, Some("invalid_delete_reason"), "reason must be irrelevant_information, obscene_content or others"),
    // Forward messages (messages.yml names these in its partial-success example and schema).
    ChatAccessDenied => (FORBIDDEN, Some("chat_access_denied"), "You must be a participant in this chat to perform this action"),
    ChatWithOtherOrgUsersDisabled => (FORBIDDEN, Some("chat_with_other_org_users_disabled"), "Chat with other org users is disabled"),
    // Search messages (messages.yml's dotted codes, rendered in Cliq's usual error shape).
    InvalidInputsSubmitted => (BAD_REQUEST, Some("invalid.inputs.submitted"), "An invalid parameter value was passed"),
    InvalidTimeSubmitted => (BAD_REQUEST, Some("invalid.time.submitted"), "Invalid timestamp format or from_time must be earlier than to_time"),
    // Extensions.
    ExtensionAlreadyInstalled => (CONFLICT, Some("extension_already_installed"), "The extension is already installed"),
    ExtensionErrorNotInstalled => (BAD_REQUEST, Some("extension_error_not_installed"), "The extension is not installed"),
    ExtensionDisabled => (FORBIDDEN, Some("extension_disabled"), "The extension is disabled"),
    AppDisabledByOwner => (FORBIDDEN, Some("app_disabled_by_owner"), "The extension has been disabled by its owner"),
    ExtensionInstallRestricted => (FORBIDDEN, Some("extension_install_restricted"), "Installing this extension is restricted"),
    ExtensionInstallRestrictedNonMarketplace => (FORBIDDEN, Some("extension_install_restricted_non_marketplace"), "Installing extensions from outside the Marketplace is restricted"),
    ExtensionPlanLimitExceeded => (BAD_REQUEST, Some("extension_plan_limit_exceeded"), "The extension plan limit has been exceeded"),
    ExtensionPropertyInvalidKey => (BAD_REQUEST, Some("extension_property_invalid_key"), "The property key is invalid"),
    ExtensionPropertyKeyLengthExceeded => (BAD_REQUEST, Some("extension_property_key_length_exceeded"), "The property key is longer than 30 characters"),
    // cliqd's own: form sessions.
    FormNotFound => (NOT_FOUND, Some("form_not_found"), "No open form has this id"),
    FormExpired => (GONE, Some("form_expired"), "The form has expired or was closed"),
}

/// An error answer: a code from the table, optionally a more specific message.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: Option<String>,
    /// Seconds for `Retry-After` (rate limits).
    pub retry_after: Option<u64>,
    /// Why, for the request log only (never sent): a refused token's reason, say.
    pub detail: Option<String>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(code: ErrorCode) -> Self {
        ApiError {
            code,
            message: None,
            retry_after: None,
            detail: None,
        }
    }

    /// Same code, with a message naming what exactly was wrong.
    pub fn with_message(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: Some(message.into()),
            retry_after: None,
            detail: None,
        }
    }

    /// The same error, with a reason the request log gives and the client does not see.
    pub fn logged(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// Shorthand for the most common validation failure.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::with_message(ErrorCode::InvalidInputs, message)
    }

    pub fn status(&self) -> StatusCode {
        self.code.describe().0
    }

    /// The JSON body, as Cliq renders errors.
    pub fn body(&self) -> serde_json::Value {
        let (_, code, default) = self.code.describe();
        let message = self.message.as_deref().unwrap_or(default);
        match code {
            Some(code) => serde_json::json!({ "message": message, "code": code }),
            None => serde_json::json!({ "message": message }),
        }
    }
}

impl From<ErrorCode> for ApiError {
    fn from(code: ErrorCode) -> Self {
        ApiError::new(code)
    }
}

/// Store failures that a handler did not map itself. Handlers map `NotFound`/`Conflict` to their
/// area's codes; whatever reaches here is unexpected.
impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::new(ErrorCode::NotFound),
            StoreError::Conflict(what) => ApiError::invalid(format!("{what} is already taken")),
            StoreError::Other(msg) => {
                tracing::error!(error = %msg, "store error");
                ApiError::new(ErrorCode::Internal)
            }
        }
    }
}

/// A refusal of the domain service layer, as Cliq reports it.
impl From<cliqd_service::ServiceError> for ApiError {
    fn from(e: cliqd_service::ServiceError) -> Self {
        use cliqd_service::ServiceError as S;
        match e {
            S::ChatNotFound => ApiError::new(ErrorCode::ChatNotFound),
            S::ChannelNotFound => ApiError::new(ErrorCode::ChannelNotFound),
            S::NotMember => ApiError::new(ErrorCode::AccessDenied),
            S::BotNotMember => ApiError::new(ErrorCode::BotNotMember),
            S::MessageNotFound(None) => ApiError::new(ErrorCode::MessageNotFound),
            S::MessageNotFound(Some(why)) => {
                ApiError::with_message(ErrorCode::MessageNotFound, why)
            }
            S::ThreadClosed => ApiError::new(ErrorCode::ThreadClosed),
            S::NestedThread => ApiError::new(ErrorCode::ThreadChatidInvalid),
            S::NotSender => ApiError::new(ErrorCode::MessagePermissionDenied),
            S::UserNotFound(why) => ApiError::with_message(ErrorCode::UserNotFound, why),
            S::UserNotInOrganization => ApiError::new(ErrorCode::UserNotInOrganization),
            S::BotNotFound => ApiError::new(ErrorCode::BotNotFound),
            S::Invalid(why) => ApiError::invalid(why),
            S::InvalidMessage(errs) => crate::api::messaging::field_errors(&errs),
            S::Store(e) => e.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = self.body();
        let reason = match (&self.detail, body["code"].as_str()) {
            (Some(detail), _) => detail.clone(),
            (None, Some(code)) => format!("{code}: {}", body["message"].as_str().unwrap_or("")),
            (None, None) => body["message"].as_str().unwrap_or("").to_string(),
        };
        let mut resp = (self.status(), axum::Json(body)).into_response();
        resp.extensions_mut()
            .insert(crate::access_log::LogReason(reason));
        if let Some(secs) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_consistent() {
        let mut seen = std::collections::HashSet::new();
        for code in ErrorCode::ALL {
            let (status, wire, message) = code.describe();
            assert!(status.is_client_error() || status.is_server_error());
            assert!(!message.ends_with('.') || wire.is_none(), "{code:?}");
            if let Some(wire) = wire {
                assert!(seen.insert(wire), "duplicate code {wire}");
            }
        }
    }
}
