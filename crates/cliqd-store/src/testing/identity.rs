//! Identity: organizations, users (unique email), teams, tokens and OAuth clients.

use super::TestStore;
use crate::*;

fn new_user(org_id: i64, email: &str, name: &str) -> NewUser {
    NewUser {
        org_id,
        email: email.into(),
        name: name.into(),
        is_admin: false,
    }
}

pub async fn orgs_users_and_teams(t: TestStore) {
    let (store, _guard) = t.into_parts();
    assert!(store.is_empty().await.unwrap());
    assert!(matches!(store.first_org().await, Err(StoreError::NotFound)));
    let org = store.create_org("First").await.unwrap();
    let other_org = store.create_org("Second").await.unwrap();
    assert!(!store.is_empty().await.unwrap());
    assert_eq!(store.first_org().await.unwrap(), org);
    assert_ne!(org.id, other_org.id);

    let a = store
        .create_user(new_user(org.id, "a@o", "A"))
        .await
        .unwrap();
    let b = store
        .create_user(new_user(org.id, "b@o", "B"))
        .await
        .unwrap();
    let stranger = store
        .create_user(new_user(other_org.id, "s@x", "S"))
        .await
        .unwrap();
    assert_eq!(store.user_by_id(a.id).await.unwrap(), a);
    assert_eq!(store.user_by_email("a@o").await.unwrap(), a);
    assert_eq!(
        store.user_by_email("A@O").await.unwrap(),
        a,
        "emails ignore case"
    );
    assert!(matches!(
        store.user_by_email("nobody@o").await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.user_by_id(-1).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.create_user(new_user(org.id, "B@o", "B2")).await,
        Err(StoreError::Conflict(ConflictOn::Email))
    ));

    let team = store
        .create_team(org.id, "Eng", vec![b.id, a.id])
        .await
        .unwrap();
    assert_eq!(team.org_id, org.id);
    assert_eq!(team.name, "Eng");
    let mut members = team.members.clone();
    members.sort();
    assert_eq!(members, vec![a.id, b.id]);
    let solo = store.create_team(org.id, "Solo", vec![a.id]).await.unwrap();
    assert!(matches!(
        store.create_team(org.id, "Mixed", vec![stranger.id]).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        store
            .existing_teams(org.id, vec![solo.id, -5, team.id])
            .await
            .unwrap()
            .into_iter()
            .collect::<std::collections::BTreeSet<_>>(),
        [team.id, solo.id].into_iter().collect()
    );
    assert!(
        store
            .existing_teams(other_org.id, vec![team.id])
            .await
            .unwrap()
            .is_empty()
    );
    let mut of_a = store.teams_of_user(a.id).await.unwrap();
    of_a.sort();
    let mut both = vec![team.id, solo.id];
    both.sort();
    assert_eq!(of_a, both);
    assert_eq!(store.teams_of_user(b.id).await.unwrap(), vec![team.id]);
    assert!(store.teams_of_user(stranger.id).await.unwrap().is_empty());
}

pub async fn tokens_and_clients(t: TestStore) {
    let (store, _guard) = t.into_parts();
    let org = store.create_org("o").await.unwrap();
    let user = store
        .create_user(new_user(org.id, "a@o", "A"))
        .await
        .unwrap();
    store
        .insert_token(NewToken {
            hash: "h-access".into(),
            user_id: user.id,
            kind: TokenKind::Access,
            scopes: "a b".into(),
            expires_at: Some(1_000),
            client_id: Some("c1".into()),
        })
        .await
        .unwrap();
    store
        .insert_token(NewToken {
            hash: "h-refresh".into(),
            user_id: user.id,
            kind: TokenKind::Refresh,
            scopes: "a".into(),
            expires_at: None,
            client_id: None,
        })
        .await
        .unwrap();
    let (tok, owner) = store.token_by_hash("h-access").await.unwrap();
    assert_eq!(owner, user);
    assert_eq!(tok.hash, "h-access");
    assert_eq!(tok.user_id, user.id);
    assert_eq!(tok.kind, TokenKind::Access);
    assert_eq!(tok.scopes, "a b");
    assert_eq!(tok.expires_at, Some(1_000));
    assert_eq!(tok.client_id.as_deref(), Some("c1"));
    assert!(!tok.revoked);
    let (refresh, _) = store.token_by_hash("h-refresh").await.unwrap();
    assert_eq!(refresh.kind, TokenKind::Refresh);
    assert_eq!(refresh.expires_at, None);
    store.revoke_token("h-access").await.unwrap();
    assert!(store.token_by_hash("h-access").await.unwrap().0.revoked);
    assert!(matches!(
        store.revoke_token("nope").await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        store.token_by_hash("nope").await,
        Err(StoreError::NotFound)
    ));

    let client = ClientRow {
        client_id: "1000.ABC".into(),
        secret_hash: "sh".into(),
        name: "CLI".into(),
        user_id: user.id,
        scopes: "x y".into(),
    };
    store.insert_client(client.clone()).await.unwrap();
    let got = store.client_by_id("1000.ABC").await.unwrap();
    assert_eq!(
        (
            got.client_id,
            got.secret_hash,
            got.name,
            got.user_id,
            got.scopes
        ),
        (
            client.client_id,
            client.secret_hash,
            client.name,
            client.user_id,
            client.scopes
        )
    );
    assert!(matches!(
        store.client_by_id("1000.XYZ").await,
        Err(StoreError::NotFound)
    ));
}

/// The admin CLI's lists: organizations, an organization's users, teams, tokens and clients
/// (nothing of another organization), and deleting a client revokes its tokens.
pub async fn admin_lists(t: TestStore) {
    let (store, _guard) = t.into_parts();
    let org = store.create_org("One").await.unwrap();
    let other = store.create_org("Two").await.unwrap();
    let a = store
        .create_user(new_user(org.id, "a@one", "A"))
        .await
        .unwrap();
    let b = store
        .create_user(new_user(other.id, "b@two", "B"))
        .await
        .unwrap();
    let names: Vec<String> = store
        .list_orgs()
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.name)
        .collect();
    assert_eq!(names, ["One", "Two"]);
    assert_eq!(store.users_of_org(org.id).await.unwrap(), vec![a.clone()]);
    store.create_team(org.id, "T", vec![a.id]).await.unwrap();
    store.create_team(other.id, "U", vec![b.id]).await.unwrap();
    let teams = store.teams_of_org(org.id).await.unwrap();
    assert_eq!(teams.len(), 1);
    assert_eq!(
        (teams[0].name.as_str(), teams[0].members.clone()),
        ("T", vec![a.id])
    );
    for (hash, user, client) in [("h1", a.id, Some("c1")), ("h2", b.id, None)] {
        store
            .insert_token(NewToken {
                hash: hash.into(),
                user_id: user,
                kind: TokenKind::Access,
                scopes: "s".into(),
                expires_at: None,
                client_id: client.map(Into::into),
            })
            .await
            .unwrap();
    }
    let tokens = store.tokens_of_org(org.id).await.unwrap();
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].hash, "h1");
    store
        .insert_client(ClientRow {
            client_id: "c1".into(),
            secret_hash: "sh".into(),
            name: "ci".into(),
            user_id: a.id,
            scopes: "s".into(),
        })
        .await
        .unwrap();
    assert_eq!(store.clients_of_org(org.id).await.unwrap().len(), 1);
    assert!(store.clients_of_org(other.id).await.unwrap().is_empty());
    store.delete_client("c1").await.unwrap();
    assert!(store.clients_of_org(org.id).await.unwrap().is_empty());
    assert!(store.token_by_hash("h1").await.unwrap().0.revoked);
    assert!(!store.token_by_hash("h2").await.unwrap().0.revoked);
    assert!(matches!(
        store.delete_client("c1").await,
        Err(StoreError::NotFound)
    ));
}
