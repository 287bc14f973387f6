//! The store conformance suite: what every backend of [`crate::Store`] must do, checked
//! through `Arc<dyn Store>` only (enabled by the `testing` feature).
//!
//! Each case is a `pub async fn` taking a fresh, empty store ([`TestStore`]). A backend runs
//! the whole suite with one line in its tests:
//!
//! ```text
//! cliqd_store::store_conformance_tests!(my_backend_test_store);
//! ```
//!
//! where `my_backend_test_store()` returns a [`TestStore`]. Cases that need a backend's
//! internals (killing its writer, raw SQL) belong in that backend's own tests.

// Test code: a failed step stops the test with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod components;
pub mod forms;
pub mod identity;
pub mod mentions;
pub mod messaging;
pub mod messaging_more;
pub mod page_versions;
pub mod runtime;
pub mod search;
pub mod snapshots;
pub mod webhooks;

use crate::Store;
use std::any::Any;
use std::sync::Arc;

/// Whatever keeps a test store's resources alive (a temporary directory, say).
pub type Guard = Box<dyn Any + Send + Sync>;

/// A fresh, empty store for one case, and what must live as long as it.
pub struct TestStore {
    pub store: Arc<dyn Store>,
    pub guard: Guard,
}

impl TestStore {
    pub fn new(store: Arc<dyn Store>, guard: impl Any + Send + Sync) -> Self {
        TestStore {
            store,
            guard: Box::new(guard),
        }
    }

    pub fn into_parts(self) -> (Arc<dyn Store>, Guard) {
        (self.store, self.guard)
    }
}

/// Stamps out one `#[tokio::test]` per conformance case, each on a fresh store from `$make`
/// (a path to a `fn() -> TestStore`). Cases that race writes run on a multi-threaded runtime.
#[macro_export]
macro_rules! store_conformance_tests {
    ($make:path) => {
        $crate::store_conformance_tests!(@cases $make;
            current components::unique_names_and_sync,
            current components::default_handlers_come_with_their_component,
            current components::visible_count_follows_scope,
            current components::extension_properties_and_installations,
            multi components::a_failing_job_does_not_sink_its_batch,
            multi components::concurrent_handler_creates_respect_the_type_limit,
            current components::listing_pages_and_sync_pages,
            current components::handlers_update_configure_and_delete,
            current components::narrowing_visibility_is_a_deletion_for_who_lost_sight,
            current components::handlers_of_many_reads_a_page_at_once,
            current identity::orgs_users_and_teams,
            current identity::tokens_and_clients,
            current identity::admin_lists,
            current messaging::refusals_write_nothing_and_publish_nothing,
            multi messaging::events_follow_commit_order,
            current messaging::threads_and_reading_shapes,
            multi messaging::time_bounds_and_cursors_match_a_model,
            multi messaging::refused_thread_posts_open_no_thread_even_in_a_shared_batch,
            current messaging::following_closing_and_muting,
            current messaging::member_reads_listings_and_stored_bodies,
            current page_versions::page_versions_move_with_what_a_page_shows,
            current messaging_more::channels_and_chats,
            current messaging_more::bots_post_only_where_associated,
            current messaging_more::bot_messages_and_reply_to,
            current messaging_more::edits_deletes_and_reactions_are_published,
            current messaging_more::replies_and_thread_follows,
            multi messaging_more::event_seq_increases_per_chat_across_chats,
            current messaging_more::webhook_tokens,
            current search::index_follows_posts_edits_and_deletes,
            current search::only_chats_of_the_caller_and_filters,
            current search::cursor_pages_without_repeats_and_input_is_never_syntax,
            current search::thread_hits_name_their_parent_and_channel,
            current search::concurrent_posts_are_indexed_by_their_batch,
            current mentions::mentions_are_stored_and_read_back,
            current mentions::search_by_mentioned_user_and_has_mentions,
            current runtime::triggers_are_written_with_their_events,
            current runtime::a_trigger_completes_once_with_its_reply_and_record,
            current runtime::the_journal_filters_pages_and_keeps_its_retention,
            current runtime::removals_and_thread_states_write_triggers,
            current forms::form_sessions_live_until_closed_or_expired,
            current webhooks::keys_and_secrets_are_kept_once_unless_rotated,
            current webhooks::response_tokens_expire_and_run_out,
            current snapshots::snapshots_save_restore_and_wipe,
        );
    };
    (@cases $make:path; $($flavor:ident $module:ident :: $case:ident,)*) => {
        $(
            $crate::store_conformance_tests!(@case $make; $flavor $module $case);
        )*
    };
    (@case $make:path; current $module:ident $case:ident) => {
        #[tokio::test]
        async fn $case() {
            $crate::testing::$module::$case($make()).await;
        }
    };
    (@case $make:path; multi $module:ident $case:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
        async fn $case() {
            $crate::testing::$module::$case($make()).await;
        }
    };
}
