//! Pure policy: who may see and change a component, the scope/teams rule (<https://www.zoho.com/cliq/help/restapi/v3/bots/>), and
//! the plan of a post from the facts a backend loads inside its transaction.
//!
//! Nothing here loads anything: callers pass in what they read and get back a decision.

mod post;
mod triggers;

use crate::kinds::Scope;
use serde_json::Value;

pub use post::{
    BotFacts, ChatFacts, Landing, NewThread, ParentCopy, ParentMessage, PostFacts, PostPlan,
    Refusal, ReplyFacts, Target, ThreadFacts, bot_channel, plan_post, reply_to_allowed,
    thread_title,
};
pub use triggers::{MessageFacts, MessageRoute, bots_to_notify, route_message};

/// Who is asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    pub org_id: i64,
    pub user_id: i64,
    pub is_admin: bool,
}

/// What visibility depends on in a component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ComponentFacts<'a> {
    pub org_id: i64,
    pub creator_id: i64,
    pub scope: Scope,
    pub team_ids: &'a [i64],
}

/// Whether [`can_see`] needs the viewer's teams to decide (only then need a caller load them).
pub fn needs_teams(viewer: &Viewer, c: &ComponentFacts<'_>) -> bool {
    c.org_id == viewer.org_id && c.creator_id != viewer.user_id && c.scope == Scope::Team
}

/// Personal → its creator; team → its creator or a member of one of its teams; organization
/// → everyone in the organization. Other organizations never see anything. `viewer_teams`
/// matters only when [`needs_teams`] says so.
pub fn can_see(viewer: &Viewer, c: &ComponentFacts<'_>, viewer_teams: &[i64]) -> bool {
    if c.org_id != viewer.org_id {
        return false;
    }
    if c.creator_id == viewer.user_id {
        return true;
    }
    match c.scope {
        Scope::Organization => true,
        Scope::Team => c.team_ids.iter().any(|t| viewer_teams.contains(t)),
        Scope::Personal => false,
    }
}

/// Update and delete need the creator or an organization admin.
pub fn can_modify(viewer: &Viewer, c: &ComponentFacts<'_>) -> bool {
    c.org_id == viewer.org_id && (c.creator_id == viewer.user_id || viewer.is_admin)
}

/// Why a `scope`/`team_ids` pair was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScopeRefusal {
    /// The scope is not one the component kind allows (`invalid_scope`).
    InvalidScope,
    /// Malformed or inconsistent `team_ids` (`invalid_inputs` with this message).
    Invalid(&'static str),
}

/// Most teams a component may be shared with.
pub const MAX_TEAMS: usize = 4;

/// The pure part of the scope/teams rule: `scope` must be one of `allowed`; `team_ids` (ids
/// as numbers or numeric strings) are required for and allowed only with team scope, at most
/// [`MAX_TEAMS`]. Returns the scope and the team ids to store (sorted, without repeats); the
/// caller still checks that those teams exist in the organization.
pub fn check_scope_and_teams(
    scope: &str,
    team_ids: Option<&[Value]>,
    allowed: &[Scope],
) -> Result<(Scope, Vec<i64>), ScopeRefusal> {
    let scope = match scope.parse::<Scope>() {
        Ok(s) if allowed.contains(&s) => s,
        _ => return Err(ScopeRefusal::InvalidScope),
    };
    let ids = match team_ids {
        None => Vec::new(),
        Some(list) => list
            .iter()
            .map(|v| match v {
                Value::Number(n) => n.as_i64(),
                Value::String(s) => s.trim().parse().ok(),
                _ => None,
            })
            .collect::<Option<Vec<i64>>>()
            .ok_or(ScopeRefusal::Invalid("team_ids must be a list of team IDs"))?,
    };
    if scope != Scope::Team {
        if !ids.is_empty() {
            return Err(ScopeRefusal::Invalid(
                "team_ids is allowed only when scope is team",
            ));
        }
        return Ok((scope, ids));
    }
    if ids.is_empty() {
        return Err(ScopeRefusal::Invalid(
            "team_ids is required when scope is team",
        ));
    }
    if ids.len() > MAX_TEAMS {
        return Err(ScopeRefusal::Invalid(
            "team_ids can have at most 4 team IDs",
        ));
    }
    let mut unique = ids;
    unique.sort_unstable();
    unique.dedup();
    Ok((scope, unique))
}

/// What an update's `scope`/`team_ids` ask of a component now at `current_scope` with
/// `current_teams`: `None` when neither was sent; otherwise the scope to check and the team
/// list to check with it. Changing only the scope to `team` needs `team_ids`; sending only
/// `team_ids` keeps the scope; keeping the scope without new teams keeps the current ones.
pub fn scope_patch(
    current_scope: &str,
    current_teams: &[i64],
    scope: Option<&str>,
    team_ids: Option<&[Value]>,
) -> Option<(String, Option<Vec<Value>>)> {
    if scope.is_none() && team_ids.is_none() {
        return None;
    }
    let scope = scope.unwrap_or(current_scope).to_string();
    let teams = match (team_ids, scope == current_scope) {
        (Some(t), _) => Some(t.to_vec()),
        (None, true) => Some(current_teams.iter().map(|t| Value::from(*t)).collect()),
        (None, false) => None,
    };
    Some((scope, teams))
}

/// The name a chat goes by for `viewer_id`, as Cliq's chat list shows it: a direct chat is
/// named after the other participant. It is stored under the name of the user its creator
/// opened it with, so its other member sees the creator's name; every other chat goes by its
/// title.
pub fn chat_name_for<'a>(
    kind: &str,
    title: &'a str,
    creator_id: i64,
    creator_name: Option<&'a str>,
    viewer_id: i64,
) -> &'a str {
    match creator_name {
        Some(name) if kind == "direct_message" && creator_id != viewer_id => name,
        _ => title,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn direct_chats_are_named_after_the_other_participant() {
        let dm = |viewer| chat_name_for("direct_message", "James", 1, Some("Scott"), viewer);
        assert_eq!(dm(1), "James");
        assert_eq!(dm(2), "Scott");
        assert_eq!(
            chat_name_for("direct_message", "James", 1, None, 2),
            "James"
        );
        assert_eq!(
            chat_name_for("group_chat", "Crew", 1, Some("Scott"), 2),
            "Crew"
        );
    }

    const ORG: i64 = 1;
    fn viewer(user_id: i64, is_admin: bool) -> Viewer {
        Viewer {
            org_id: ORG,
            user_id,
            is_admin,
        }
    }
    fn comp(scope: Scope, teams: &[i64]) -> ComponentFacts<'_> {
        ComponentFacts {
            org_id: ORG,
            creator_id: 10,
            scope,
            team_ids: teams,
        }
    }

    #[test]
    fn visibility() {
        let creator = viewer(10, false);
        let other = viewer(11, false);
        for s in Scope::ALL.iter() {
            assert!(can_see(&creator, &comp(*s, &[5]), &[]));
            assert!(!needs_teams(&creator, &comp(*s, &[5])));
        }
        assert!(can_see(&other, &comp(Scope::Organization, &[]), &[]));
        assert!(!can_see(&other, &comp(Scope::Personal, &[]), &[]));
        assert!(needs_teams(&other, &comp(Scope::Team, &[5])));
        assert!(can_see(&other, &comp(Scope::Team, &[5, 6]), &[6]));
        assert!(!can_see(&other, &comp(Scope::Team, &[5]), &[6]));
        let foreign = Viewer {
            org_id: 2,
            user_id: 10,
            is_admin: true,
        };
        assert!(!can_see(&foreign, &comp(Scope::Organization, &[]), &[]));
        assert!(!needs_teams(&foreign, &comp(Scope::Team, &[5])));
    }

    #[test]
    fn modification() {
        let c = comp(Scope::Organization, &[]);
        assert!(can_modify(&viewer(10, false), &c));
        assert!(can_modify(&viewer(11, true), &c));
        assert!(!can_modify(&viewer(11, false), &c));
        let foreign_admin = Viewer {
            org_id: 2,
            user_id: 11,
            is_admin: true,
        };
        assert!(!can_modify(&foreign_admin, &c));
    }

    #[test]
    fn scope_and_teams() {
        use ScopeRefusal::*;
        let all = &Scope::ALL;
        let org_team = &[Scope::Organization, Scope::Team];
        assert_eq!(
            check_scope_and_teams("personal", None, all),
            Ok((Scope::Personal, vec![]))
        );
        assert_eq!(
            check_scope_and_teams("personal", None, org_team),
            Err(InvalidScope)
        );
        assert_eq!(
            check_scope_and_teams("galaxy", None, all),
            Err(InvalidScope)
        );
        let teams = [json!(3), json!(" 2 "), json!(3)];
        assert_eq!(
            check_scope_and_teams("team", Some(&teams), all),
            Ok((Scope::Team, vec![2, 3]))
        );
        assert_eq!(
            check_scope_and_teams("team", Some(&[json!(true)]), all),
            Err(Invalid("team_ids must be a list of team IDs"))
        );
        assert_eq!(
            check_scope_and_teams("organization", Some(&[json!(1)]), all),
            Err(Invalid("team_ids is allowed only when scope is team"))
        );
        assert_eq!(
            check_scope_and_teams("organization", Some(&[]), all),
            Ok((Scope::Organization, vec![]))
        );
        assert_eq!(
            check_scope_and_teams("team", None, all),
            Err(Invalid("team_ids is required when scope is team"))
        );
        let five: Vec<Value> = (1..=5).map(Value::from).collect();
        assert_eq!(
            check_scope_and_teams("team", Some(&five), all),
            Err(Invalid("team_ids can have at most 4 team IDs"))
        );
    }

    #[test]
    fn scope_patches() {
        assert_eq!(scope_patch("team", &[4], None, None), None);
        assert_eq!(
            scope_patch("team", &[4], None, Some(&[json!(5)])),
            Some(("team".into(), Some(vec![json!(5)])))
        );
        assert_eq!(
            scope_patch("team", &[4], Some("team"), None),
            Some(("team".into(), Some(vec![json!(4)])))
        );
        assert_eq!(
            scope_patch("team", &[4], Some("organization"), None),
            Some(("organization".into(), None))
        );
    }
}
