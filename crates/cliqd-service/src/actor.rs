//! Who acts: a user of an organization, as an API caller or as the invoker of a handler.

use cliqd_store::UserRow;
use std::sync::Arc;

/// The user on whose behalf a service call happens.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user: Arc<UserRow>,
}

impl Actor {
    pub fn new(user: Arc<UserRow>) -> Self {
        Actor { user }
    }

    pub fn org_id(&self) -> i64 {
        self.user.org_id
    }

    pub fn id(&self) -> i64 {
        self.user.id
    }

    pub fn is_admin(&self) -> bool {
        self.user.is_admin
    }
}
