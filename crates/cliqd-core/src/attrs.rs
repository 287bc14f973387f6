//! The kind-specific attributes a component stores (the store keeps them as one JSON object
//! per component). Each struct carries a `version`: rows written before versioning have none
//! and read as version 1; a row of a newer version than this build knows is refused rather
//! than misread. Optional and list fields tolerate being absent, so adding a field later does
//! not make older rows unreadable.

use crate::kinds::{ComponentKind, ExecutionType, FunctionType};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The attribute version this build writes.
pub const VERSION: u32 = 1;

fn first_version() -> u32 {
    1
}

/// Stored attributes that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttrsError {
    #[error("malformed {kind} attributes: {detail}")]
    Malformed { kind: ComponentKind, detail: String },
    #[error("{kind} attributes of version {found} are newer than this server (version {VERSION})")]
    TooNew { kind: ComponentKind, found: u32 },
}

/// What every component's attributes provide.
pub trait ComponentAttrs: Serialize + DeserializeOwned + Sized {
    /// The component kind they belong to.
    const KIND: ComponentKind;

    fn version(&self) -> u32;
    fn execution_type(&self) -> ExecutionType;
    fn execution_url(&self) -> Option<&str>;
    fn set_execution_url(&mut self, url: String);

    /// Reads a stored attribute object, upgrading an older version to the current one.
    fn from_stored(v: &Value) -> Result<Self, AttrsError> {
        let attrs: Self = serde_json::from_value(v.clone()).map_err(|e| AttrsError::Malformed {
            kind: Self::KIND,
            detail: e.to_string(),
        })?;
        if attrs.version() > VERSION {
            return Err(AttrsError::TooNew {
                kind: Self::KIND,
                found: attrs.version(),
            });
        }
        // Version 1 is the first and current shape: nothing to upgrade yet.
        Ok(attrs)
    }

    /// The object to store (always the current version).
    fn to_stored(&self) -> Result<Value, AttrsError> {
        serde_json::to_value(self).map_err(|e| AttrsError::Malformed {
            kind: Self::KIND,
            detail: e.to_string(),
        })
    }
}

macro_rules! execution_accessors {
    () => {
        fn version(&self) -> u32 {
            self.version
        }
        fn execution_type(&self) -> ExecutionType {
            self.execution_type
        }
        fn execution_url(&self) -> Option<&str> {
            self.execution_url.as_deref()
        }
        fn set_execution_url(&mut self, url: String) {
            self.execution_url = Some(url);
        }
    };
}

/// A bot's attributes (<https://www.zoho.com/cliq/help/restapi/v3/bots/>).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BotAttrs {
    #[serde(default = "first_version")]
    pub version: u32,
    pub description: String,
    #[serde(default)]
    pub status_messages: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default)]
    pub channel_participation: Vec<String>,
    /// `enabled` or `disabled`.
    pub calls: String,
    pub execution_type: ExecutionType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_url: Option<String>,
}

impl ComponentAttrs for BotAttrs {
    const KIND: ComponentKind = ComponentKind::Bot;
    execution_accessors!();
}

/// A function's attributes (<https://www.zoho.com/cliq/help/restapi/v3/functions/>).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionAttrs {
    #[serde(default = "first_version")]
    pub version: u32,
    pub description: String,
    pub function_type: FunctionType,
    pub execution_type: ExecutionType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_url: Option<String>,
}

impl ComponentAttrs for FunctionAttrs {
    const KIND: ComponentKind = ComponentKind::Function;
    execution_accessors!();
}

/// A message action's attributes (<https://www.zoho.com/cliq/help/restapi/v3/messageactions/>).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionAttrs {
    #[serde(default = "first_version")]
    pub version: u32,
    pub hint: String,
    #[serde(default)]
    pub multi_selectable: bool,
    #[serde(default)]
    pub message_types: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    pub execution_type: ExecutionType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution_url: Option<String>,
}

impl ComponentAttrs for ActionAttrs {
    const KIND: ComponentKind = ComponentKind::MessageAction;
    execution_accessors!();
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rows_in_todays_stored_shape_are_read() {
        let bot = json!({"description": "d", "status_messages": ["hi"],
            "channel_participation": ["listen_message"], "calls": "disabled",
            "execution_type": "webhook", "execution_url": "https://a.example/x"});
        let a = BotAttrs::from_stored(&bot).unwrap();
        assert_eq!(a.version, 1);
        assert_eq!(a.execution_type(), ExecutionType::Webhook);
        assert_eq!(a.execution_url(), Some("https://a.example/x"));
        assert_eq!(a.image, None);
        let mut again = bot.clone();
        again["version"] = json!(1);
        assert_eq!(a.to_stored().unwrap(), again);

        let f = json!({"description": "d", "function_type": "widget_button",
            "execution_type": "deluge"});
        let a = FunctionAttrs::from_stored(&f).unwrap();
        assert_eq!(a.function_type, FunctionType::WidgetButton);
        assert_eq!(a.execution_url, None);

        let m = json!({"hint": "h", "multi_selectable": true, "message_types": ["text"],
            "image": "i", "execution_type": "deluge"});
        let a = ActionAttrs::from_stored(&m).unwrap();
        assert!(a.multi_selectable);
        assert_eq!(a.image.as_deref(), Some("i"));
    }

    #[test]
    fn newer_or_malformed_rows_are_refused() {
        let f = json!({"version": 2, "description": "d", "function_type": "form",
            "execution_type": "deluge"});
        assert_eq!(
            FunctionAttrs::from_stored(&f),
            Err(AttrsError::TooNew {
                kind: ComponentKind::Function,
                found: 2
            })
        );
        let bad = json!({"description": "d", "function_type": "lambda",
            "execution_type": "deluge"});
        assert!(matches!(
            FunctionAttrs::from_stored(&bad),
            Err(AttrsError::Malformed { .. })
        ));
        assert!(BotAttrs::from_stored(&json!("not an object")).is_err());
    }
}
