//! Property: over random accounts, websites, memberships and tokens, no principal reads or
//! changes a website it has no access to, and every principal with access is let in. The
//! expected answer is computed from a plain model of who holds which role and which scope; the
//! actual answer comes from the real use cases over the in-memory store.

// Test code: a failed unwrap is a failed test, which is what it should be.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;

use datafast_application::{NewToken, NewWebsite};
use datafast_application::{ServiceError, Services};
use datafast_domain::access::{Principal, WebsiteScope};
use datafast_domain::account::Email;
use datafast_domain::id::WebsiteId;
use datafast_domain::permission::{Permission, PermissionSet};
use datafast_domain::role::Role;
use datafast_domain::website::{Domain, WebsitePatch};
use datafast_memory::MemoryStore;
use datafast_ports::Clock;
use datafast_secrets::{AeadVault, HmacHasher, OsRandom};
use datafast_tests::principals::signed_in;
use proptest::prelude::*;

struct FixedClock;

impl Clock for FixedClock {
    fn now(&self) -> jiff::Timestamp {
        jiff::Timestamp::from_second(1_800_000_000).unwrap()
    }
}

/// One generated world: `accounts` accounts, each website owned by one of them, extra
/// memberships, and one token per account with a random scope and permission pick.
#[derive(Debug, Clone)]
struct World {
    accounts: usize,
    website_owners: Vec<usize>,
    memberships: Vec<(usize, usize, bool)>,
    token_scopes: Vec<Vec<usize>>,
    token_write: Vec<bool>,
}

fn world() -> impl Strategy<Value = World> {
    (2usize..4, 1usize..4).prop_flat_map(|(accounts, websites)| {
        (
            Just(accounts),
            proptest::collection::vec(0..accounts, websites),
            proptest::collection::vec((0..accounts, 0..websites, any::<bool>()), 0..4),
            proptest::collection::vec(proptest::collection::vec(0..websites, 0..2), accounts),
            proptest::collection::vec(any::<bool>(), accounts),
        )
            .prop_map(
                |(accounts, website_owners, memberships, token_scopes, token_write)| World {
                    accounts,
                    website_owners,
                    memberships,
                    token_scopes,
                    token_write,
                },
            )
    })
}

fn services() -> Services {
    Services::new(
        Arc::new(MemoryStore::new()),
        Arc::new(FixedClock),
        Arc::new(OsRandom),
        Arc::new(HmacHasher::new([3; 32])),
        Arc::new(AeadVault::new([4; 32])),
    )
}

async fn full_token(services: &Services, account: usize) -> Principal {
    let email = format!("user{account}@example.com");
    signed_in(services, &email, None).await.0
}

async fn check(world: World) -> Result<(), TestCaseError> {
    let services = services();
    let mut owners = Vec::new();
    for account in 0..world.accounts {
        owners.push(full_token(&services, account).await);
    }
    // Websites, each created by its owner's full token.
    let mut websites = Vec::new();
    for (n, owner) in world.website_owners.iter().enumerate() {
        let website = services
            .websites()
            .create(
                &owners[*owner],
                NewWebsite {
                    domain: Domain::parse(&format!("site{n}.example.com")).unwrap(),
                    name: None,
                    timezone: None,
                },
            )
            .await
            .unwrap();
        websites.push(website.id);
    }
    // The model: who holds which role where.
    let mut roles: BTreeMap<(usize, usize), Role> = BTreeMap::new();
    for (n, owner) in world.website_owners.iter().enumerate() {
        roles.insert((*owner, n), Role::Owner);
    }
    for (account, website, member) in &world.memberships {
        if roles.contains_key(&(*account, *website)) {
            continue;
        }
        let role = if *member { Role::Member } else { Role::Viewer };
        let owner = world.website_owners[*website];
        let email = Email::parse(&format!("user{account}@example.com")).unwrap();
        let invitation = services
            .team()
            .invite(&owners[owner], websites[*website], email, role)
            .await;
        if let Ok(invitation) = invitation {
            services
                .team()
                .accept_invitation(&owners[*account], invitation.id)
                .await
                .unwrap();
            roles.insert((*account, *website), role);
        }
    }
    // One narrowed token per account, created by its full token.
    for (account, full_token) in owners.iter().enumerate() {
        let scope_ids: Vec<WebsiteId> = world.token_scopes[account]
            .iter()
            .filter(|w| roles.contains_key(&(account, **w)))
            .map(|w| websites[*w])
            .collect();
        let permissions = if world.token_write[account] {
            PermissionSet::parse(&["websites:read", "settings:read", "settings:write"]).unwrap()
        } else {
            PermissionSet::parse(&["websites:read", "settings:read"]).unwrap()
        };
        let issued = services
            .tokens()
            .create(
                full_token,
                NewToken {
                    name: None,
                    permissions: permissions.clone(),
                    websites: WebsiteScope::from_ids(scope_ids.clone()),
                },
            )
            .await
            .unwrap();
        let principal = services
            .auth()
            .authenticate(Some(issued.raw.expose()))
            .await
            .unwrap();
        for (n, website) in websites.iter().enumerate() {
            let role = roles.get(&(account, n)).copied();
            let in_scope = scope_ids.is_empty() || scope_ids.contains(website);
            let may_read = role.is_some() && in_scope;
            let may_write = may_read
                && permissions.contains(Permission::SettingsWrite)
                && role != Some(Role::Viewer);

            let read = services.websites().get(&principal, *website).await;
            prop_assert_eq!(
                read.is_ok(),
                may_read,
                "read of site {} by account {}",
                n,
                account
            );
            // Without a role the website answers as unknown; with one but out of scope, 403.
            if let Err(error) = read {
                if role.is_some() {
                    prop_assert!(matches!(error, ServiceError::Denied(_)), "{:?}", error);
                } else {
                    prop_assert!(matches!(error, ServiceError::NotFound(_)), "{:?}", error);
                }
            }
            let patch = WebsitePatch {
                name: Some(format!("renamed by {account}")),
                ..WebsitePatch::default()
            };
            let write = services
                .websites()
                .update(&principal, *website, patch)
                .await;
            prop_assert_eq!(
                write.is_ok(),
                may_write,
                "write of site {} by account {}",
                n,
                account
            );

            let listed = services.websites().list(&principal).await.unwrap();
            let visible = listed.iter().any(|w| w.website.id == *website);
            prop_assert_eq!(
                visible,
                may_read,
                "listing of site {} for account {}",
                n,
                account
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn no_principal_reaches_a_website_it_has_no_access_to(world in world()) {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        runtime.block_on(check(world))?;
    }
}
