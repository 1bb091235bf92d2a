//! Property: no sequence of API calls by a principal produces a credential, or a membership,
//! that can do something the principal could not do itself; and after any removal or
//! revocation, nothing derived from it still works.
//!
//! Random accounts, websites and memberships are set up; then random principals (every live
//! token and key) make random calls through the real use cases over the in-memory store: create
//! tokens with random permissions and website scopes, create, roll and delete website keys,
//! invite, accept, make invitation links and join through them, remove members and revoke
//! tokens; and dashboard sessions: sign in with the account's password, sign out, change the
//! password (which ends every session of the account). A session acts with its account's whole
//! authority, and what it makes belongs to the account: signing out ends the session only. A
//! plain model remembers which credential
//! made which, who holds which role, and what each call revoked. After every call, every live
//! credential is authenticated afresh and probed on every website with every permission a
//! website route requires, and compared with the credential that made it and with the model.

// Test code: a failed unwrap is a failed test, which is what it should be.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;

use datafast_application::{NewAccount, NewToken, NewWebsite};
use datafast_application::{ServiceError, Services, SignedIn};
use datafast_domain::access::{Principal, WebsiteScope};
use datafast_domain::account::{Account, Email};
use datafast_domain::id::{ApiKeyId, InvitationId, SessionId, TokenId, WebsiteId};
use datafast_domain::permission::{Permission, PermissionSet};
use datafast_domain::role::Role;
use datafast_domain::session::{Password, PasswordHash};
use datafast_domain::website::Domain;
use datafast_memory::MemoryStore;
use datafast_ports::Clock;
use datafast_ports::secrets::{PasswordHashError, PasswordHasher};
use datafast_secrets::{AeadVault, HmacHasher, OsRandom};
use proptest::prelude::*;

struct FixedClock;

/// Passwords "hashed" as themselves: argon2id's cost (tested in `datafast-secrets`) would
/// make hundreds of cases slow, and the property is about authority, not hashing.
struct QuickPasswords;

#[async_trait::async_trait]
impl PasswordHasher for QuickPasswords {
    async fn hash_password(&self, password: &Password) -> Result<PasswordHash, PasswordHashError> {
        Ok(PasswordHash::from_phc(password.expose().to_owned()))
    }

    async fn verify_password(&self, password: &Password, hash: &PasswordHash) -> bool {
        password.expose() == hash.as_phc()
    }
}

impl Clock for FixedClock {
    fn now(&self) -> jiff::Timestamp {
        jiff::Timestamp::from_second(1_800_000_000).unwrap()
    }
}

/// The permissions generated tokens pick from; the ones that mint come up more often.
const POOL: &[Permission] = &[
    Permission::ApiKeysWrite,
    Permission::ApiKeysWrite,
    Permission::TeamWrite,
    Permission::SettingsRead,
    Permission::SettingsWrite,
    Permission::ApiKeysRead,
    Permission::ApiKeysWrite,
    Permission::TeamRead,
    Permission::TeamWrite,
    Permission::FunnelsWrite,
    Permission::AnalyticsRead,
    Permission::PaymentsWrite,
];

/// One call by the live credential picked with `by` (indices wrap around the current pools).
#[derive(Debug, Clone)]
enum Op {
    CreateToken {
        by: usize,
        permissions: Option<Vec<usize>>,
        websites: Vec<usize>,
    },
    CreateKey {
        by: usize,
        website: usize,
    },
    RollKey {
        by: usize,
        key: usize,
    },
    DeleteKey {
        by: usize,
        key: usize,
    },
    Invite {
        by: usize,
        website: usize,
        invitee: usize,
        member: bool,
    },
    Accept {
        by: usize,
        invitation: usize,
    },
    /// `by` makes a link for a pending invitation, and the invitee joins through it with
    /// its password (every account here has one).
    JoinByLink {
        by: usize,
        invitation: usize,
    },
    RemoveMember {
        by: usize,
        website: usize,
        account: usize,
    },
    RevokeToken {
        by: usize,
        target: usize,
    },
    SignIn {
        account: usize,
    },
    SignOut {
        session: usize,
    },
    ChangePassword {
        session: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let pick = 0usize..64;
    prop_oneof![
        3 => (
            pick.clone(),
            proptest::option::weighted(0.8, proptest::collection::vec(0..POOL.len(), 1..5)),
            proptest::collection::vec(0usize..3, 0..3),
        )
            .prop_map(|(by, permissions, websites)| Op::CreateToken { by, permissions, websites }),
        3 => (pick.clone(), 0usize..3).prop_map(|(by, website)| Op::CreateKey { by, website }),
        2 => (pick.clone(), pick.clone()).prop_map(|(by, key)| Op::RollKey { by, key }),
        1 => (pick.clone(), pick.clone()).prop_map(|(by, key)| Op::DeleteKey { by, key }),
        2 => (pick.clone(), 0usize..3, 0usize..3, any::<bool>()).prop_map(
            |(by, website, invitee, member)| Op::Invite { by, website, invitee, member }
        ),
        2 => (pick.clone(), pick.clone()).prop_map(|(by, invitation)| Op::Accept { by, invitation }),
        2 => (pick.clone(), pick.clone())
            .prop_map(|(by, invitation)| Op::JoinByLink { by, invitation }),
        1 => (pick.clone(), 0usize..3, 0usize..3)
            .prop_map(|(by, website, account)| Op::RemoveMember { by, website, account }),
        2 => (pick.clone(), pick.clone()).prop_map(|(by, target)| Op::RevokeToken { by, target }),
        2 => (0usize..3).prop_map(|account| Op::SignIn { account }),
        1 => pick.clone().prop_map(|session| Op::SignOut { session }),
        1 => pick.prop_map(|session| Op::ChangePassword { session }),
    ]
}

/// The starting world: three accounts, websites with their owners, and extra memberships.
#[derive(Debug, Clone)]
struct World {
    website_owners: Vec<usize>,
    memberships: Vec<(usize, usize, bool)>,
    /// Invitations sent by each website's owner and left pending, for accepting and
    /// joining by link to work on.
    pending: Vec<(usize, usize, bool)>,
    ops: Vec<Op>,
}

fn world() -> impl Strategy<Value = World> {
    (
        proptest::collection::vec(0usize..3, 2..4),
        proptest::collection::vec((0usize..3, 0usize..3, any::<bool>()), 0..4),
        proptest::collection::vec((0usize..3, 0usize..3, any::<bool>()), 0..3),
        proptest::collection::vec(op(), 1..12),
    )
        .prop_map(|(website_owners, memberships, pending, ops)| World {
            website_owners,
            memberships,
            pending,
            ops,
        })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CredentialId {
    Token(TokenId),
    Key(WebsiteId, ApiKeyId),
    Session(SessionId),
}

/// One credential the run has minted, as the model sees it.
#[derive(Debug, Clone)]
struct Minted {
    raw: String,
    id: CredentialId,
    /// The account it acts for.
    account: usize,
    /// The credential that made it (for a key: that last issued it); none for roots.
    maker: Option<usize>,
    /// A token's permissions and scope, for the reach rule.
    grant: Option<(PermissionSet, WebsiteScope)>,
    live: bool,
}

#[derive(Debug, Clone)]
struct Pending {
    id: InvitationId,
    website: usize,
    invitee: usize,
    sender: usize,
    role: Role,
}

/// A call on one website key: who calls, as whom, and on which key.
struct KeyCall {
    by: usize,
    principal: Principal,
    key: usize,
    website: WebsiteId,
    id: ApiKeyId,
}

struct Run {
    services: Services,
    accounts: Vec<Account>,
    websites: Vec<WebsiteId>,
    roles: BTreeMap<(usize, usize), Role>,
    minted: Vec<Minted>,
    invitations: Vec<Pending>,
    /// Each account's current dashboard password.
    passwords: Vec<String>,
}

fn email(account: usize) -> Email {
    Email::parse(&format!("user{account}@example.com")).unwrap()
}

/// Every error a refused call may give; an internal error is a failure of the test.
fn refused(error: &ServiceError) -> bool {
    !matches!(error, ServiceError::Internal(_))
}

impl Run {
    async fn start(world: &World) -> Run {
        let services = Services::new(
            Arc::new(MemoryStore::new()),
            Arc::new(FixedClock),
            Arc::new(OsRandom),
            Arc::new(HmacHasher::new([3; 32])),
            Arc::new(AeadVault::new([4; 32])),
        )
        .with_password_hasher(Arc::new(QuickPasswords));
        let mut run = Run {
            services,
            accounts: Vec::new(),
            websites: Vec::new(),
            roles: BTreeMap::new(),
            minted: Vec::new(),
            invitations: Vec::new(),
            passwords: Vec::new(),
        };
        for account in 0..3 {
            run.add_root(account).await;
        }
        for (n, owner) in world.website_owners.iter().enumerate() {
            let principal = run.principal(*owner).await.unwrap();
            let website = run
                .services
                .websites()
                .create(
                    &principal,
                    NewWebsite {
                        domain: Domain::parse(&format!("site{n}.example.com")).unwrap(),
                        name: None,
                        timezone: None,
                    },
                )
                .await
                .unwrap();
            run.websites.push(website.id);
            run.roles.insert((*owner, n), Role::Owner);
        }
        for (account, website, member) in &world.memberships {
            run.join(*account, *website % run.websites.len(), *member)
                .await;
        }
        for (invitee, website, member) in &world.pending {
            run.leave_pending(*invitee, *website % run.websites.len(), *member)
                .await;
        }
        run
    }

    async fn add_root(&mut self, account: usize) {
        let (row, _) = self
            .services
            .accounts()
            .ensure(NewAccount {
                email: email(account),
                name: None,
            })
            .await
            .unwrap();
        let issued = self
            .services
            .tokens()
            .issue_for(&row, NewToken::default())
            .await
            .unwrap();
        let password = format!("password of account {account}");
        self.services
            .sign_in()
            .set_password(&row.email, &password)
            .await
            .unwrap();
        self.passwords.push(password);
        self.accounts.push(row);
        self.minted.push(Minted {
            raw: issued.raw.expose().to_owned(),
            id: CredentialId::Token(issued.token.id),
            account,
            maker: None,
            grant: Some((PermissionSet::All, WebsiteScope::All)),
            live: true,
        });
    }

    /// Sends an invitation with the owner's root token and leaves it pending; one the
    /// server refuses (a member already, the owner itself) is simply not sent.
    async fn leave_pending(&mut self, invitee: usize, website: usize, member: bool) {
        let owner = self.owner_of(website);
        let role = if member { Role::Member } else { Role::Viewer };
        let sender = self.principal(owner).await.unwrap();
        let sent = self
            .services
            .team()
            .invite(&sender, self.websites[website], email(invitee), role)
            .await;
        if let Ok(invitation) = sent {
            self.invitations.push(Pending {
                id: invitation.id,
                website,
                invitee,
                sender: owner,
                role,
            });
        }
    }

    /// The account owning `website`; its root token has the same index.
    fn owner_of(&self, website: usize) -> usize {
        self.roles
            .iter()
            .find(|((_, w), r)| *w == website && **r == Role::Owner)
            .map(|((a, _), _)| *a)
            .unwrap()
    }

    /// Sets up a membership through the owner's and the invitee's root tokens.
    async fn join(&mut self, account: usize, website: usize, member: bool) {
        if self.roles.contains_key(&(account, website)) {
            return;
        }
        let role = if member { Role::Member } else { Role::Viewer };
        let owner = self.owner_of(website);
        let sender = self.principal(owner).await.unwrap();
        let invitation = self
            .services
            .team()
            .invite(&sender, self.websites[website], email(account), role)
            .await
            .unwrap();
        let accepting = self.principal(account).await.unwrap();
        self.services
            .team()
            .accept_invitation(&accepting, invitation.id)
            .await
            .unwrap();
        self.roles.insert((account, website), role);
    }

    async fn principal(&self, index: usize) -> Option<Principal> {
        let raw = &self.minted[index].raw;
        match self.minted[index].id {
            CredentialId::Session(_) => self.services.sign_in().authenticate(raw).await.ok(),
            CredentialId::Token(_) | CredentialId::Key(..) => {
                self.services.auth().authenticate(Some(raw)).await.ok()
            }
        }
    }

    /// What a credential made through `by` derives from: `by` itself, except for a session,
    /// which makes things for its account (they outlive its sign-out).
    fn maker_of(&self, by: usize) -> Option<usize> {
        match self.minted[by].id {
            CredentialId::Session(_) => None,
            CredentialId::Token(_) | CredentialId::Key(..) => Some(by),
        }
    }

    fn live(&self) -> Vec<usize> {
        (0..self.minted.len())
            .filter(|n| self.minted[*n].live)
            .collect()
    }

    /// A live credential; most picks fall on the newest ones, so that chains of derived
    /// credentials grow long.
    /// `None` once every credential is revoked (a root may revoke itself).
    fn pick_live(&self, pick: usize) -> Option<usize> {
        let live = self.live();
        if live.is_empty() {
            None
        } else if pick < 40 {
            Some(live[live.len() - 1 - pick % live.len().min(3)])
        } else {
            Some(live[pick % live.len()])
        }
    }

    fn keys(&self) -> Vec<usize> {
        self.live()
            .into_iter()
            .filter(|n| matches!(self.minted[*n].id, CredentialId::Key(..)))
            .collect()
    }

    fn tokens(&self) -> Vec<usize> {
        self.live()
            .into_iter()
            .filter(|n| matches!(self.minted[*n].id, CredentialId::Token(_)))
            .collect()
    }

    /// Marks `index` and everything made from it, transitively, as revoked.
    fn revoke_tree(&mut self, index: usize) {
        self.minted[index].live = false;
        let mut changed = true;
        while changed {
            changed = false;
            for n in 0..self.minted.len() {
                let dead_maker = self.minted[n]
                    .maker
                    .is_some_and(|maker| !self.minted[maker].live);
                if self.minted[n].live && dead_maker {
                    self.minted[n].live = false;
                    changed = true;
                }
            }
        }
        let minted = &self.minted;
        self.invitations.retain(|pending| {
            minted[pending.sender].live
                || matches!(minted[pending.sender].id, CredentialId::Session(_))
        });
    }

    async fn apply(&mut self, op: &Op) -> Result<(), TestCaseError> {
        match op {
            Op::CreateToken {
                by,
                permissions,
                websites,
            } => {
                self.create_token(*by, permissions.as_deref(), websites)
                    .await
            }
            Op::CreateKey { by, website } => self.create_key(*by, *website).await,
            Op::RollKey { by, key } => self.roll_key(*by, *key).await,
            Op::DeleteKey { by, key } => self.delete_key(*by, *key).await,
            Op::Invite {
                by,
                website,
                invitee,
                member,
            } => self.invite(*by, *website, *invitee, *member).await,
            Op::Accept { by, invitation } => self.accept(*by, *invitation).await,
            Op::JoinByLink { by, invitation } => self.join_by_link(*by, *invitation).await,
            Op::RemoveMember {
                by,
                website,
                account,
            } => self.remove_member(*by, *website, *account).await,
            Op::RevokeToken { by, target } => self.revoke_token(*by, *target).await,
            Op::SignIn { account } => self.sign_in(*account).await,
            Op::SignOut { session } => self.sign_out(*session).await,
            Op::ChangePassword { session } => self.change_password(*session).await,
        }
    }

    async fn create_token(
        &mut self,
        by: usize,
        permissions: Option<&[usize]>,
        websites: &[usize],
    ) -> Result<(), TestCaseError> {
        let Some(by) = self.pick_live(by) else {
            return Ok(());
        };
        let principal = self.principal(by).await.unwrap();
        let permissions = match permissions {
            None => PermissionSet::All,
            Some(picks) => PermissionSet::Only(picks.iter().map(|n| POOL[*n]).collect()),
        };
        let scope = WebsiteScope::from_ids(
            websites
                .iter()
                .map(|n| self.websites[*n % self.websites.len()]),
        );
        let request = NewToken {
            name: None,
            permissions: permissions.clone(),
            websites: scope.clone(),
        };
        match self.services.tokens().create(&principal, request).await {
            Ok(issued) => self.minted.push(Minted {
                raw: issued.raw.expose().to_owned(),
                id: CredentialId::Token(issued.token.id),
                account: self.minted[by].account,
                maker: self.maker_of(by),
                grant: Some((permissions, scope)),
                live: true,
            }),
            Err(error) => prop_assert!(refused(&error), "{error:?}"),
        }
        Ok(())
    }

    async fn create_key(&mut self, by: usize, website: usize) -> Result<(), TestCaseError> {
        let Some(by) = self.pick_live(by) else {
            return Ok(());
        };
        let principal = self.principal(by).await.unwrap();
        let website = self.websites[website % self.websites.len()];
        match self
            .services
            .api_keys()
            .create(&principal, website, "k".to_owned())
            .await
        {
            Ok(issued) => self.minted.push(Minted {
                raw: issued.raw.expose().to_owned(),
                id: CredentialId::Key(website, issued.key.id),
                account: self.minted[by].account,
                maker: self.maker_of(by),
                grant: None,
                live: true,
            }),
            Err(error) => prop_assert!(refused(&error), "{error:?}"),
        }
        Ok(())
    }

    /// The picked live key and the picked caller, for a call on that key; `None` when there
    /// is no live key or no live caller.
    async fn key_call(&self, by: usize, key: usize) -> Option<KeyCall> {
        let keys = self.keys();
        let key = *keys.get(key % keys.len().max(1))?;
        let by = self.pick_live(by)?;
        let CredentialId::Key(website, id) = self.minted[key].id else {
            return None;
        };
        Some(KeyCall {
            by,
            principal: self.principal(by).await?,
            key,
            website,
            id,
        })
    }

    async fn roll_key(&mut self, by: usize, key: usize) -> Result<(), TestCaseError> {
        let Some(KeyCall {
            by,
            principal,
            key,
            website,
            id,
        }) = self.key_call(by, key).await
        else {
            return Ok(());
        };
        match self.services.api_keys().roll(&principal, website, id).await {
            Ok(issued) => {
                // The old value dies; the key lives on under its new issuer.
                let mut old = self.minted[key].clone();
                old.live = false;
                old.maker = None;
                self.minted.push(old);
                let account = self.minted[by].account;
                let maker = self.maker_of(by);
                let rolled = &mut self.minted[key];
                rolled.raw = issued.raw.expose().to_owned();
                rolled.maker = maker;
                rolled.account = account;
            }
            Err(error) => prop_assert!(refused(&error), "{error:?}"),
        }
        Ok(())
    }

    async fn delete_key(&mut self, by: usize, key: usize) -> Result<(), TestCaseError> {
        let Some(KeyCall {
            principal,
            key,
            website,
            id,
            ..
        }) = self.key_call(by, key).await
        else {
            return Ok(());
        };
        match self
            .services
            .api_keys()
            .delete(&principal, website, id)
            .await
        {
            Ok(()) => self.revoke_tree(key),
            Err(error) => prop_assert!(refused(&error), "{error:?}"),
        }
        Ok(())
    }

    async fn invite(
        &mut self,
        by: usize,
        website: usize,
        invitee: usize,
        member: bool,
    ) -> Result<(), TestCaseError> {
        let Some(by) = self.pick_live(by) else {
            return Ok(());
        };
        let principal = self.principal(by).await.unwrap();
        let website = website % self.websites.len();
        let role = if member { Role::Member } else { Role::Viewer };
        match self
            .services
            .team()
            .invite(&principal, self.websites[website], email(invitee), role)
            .await
        {
            Ok(invitation) => {
                // What the invitation hands over, its sender must hold.
                for permission in &role.website_permissions() {
                    let held = self
                        .services
                        .access(&principal, self.websites[website], *permission, false)
                        .await;
                    prop_assert!(held.is_ok(), "invited to {role} without {permission}");
                }
                self.invitations.push(Pending {
                    id: invitation.id,
                    website,
                    invitee,
                    sender: by,
                    role,
                });
            }
            Err(error) => prop_assert!(refused(&error), "{error:?}"),
        }
        Ok(())
    }

    async fn accept(&mut self, by: usize, invitation: usize) -> Result<(), TestCaseError> {
        if self.invitations.is_empty() {
            return Ok(());
        }
        let pending = self.invitations[invitation % self.invitations.len()].clone();
        let Some(by) = self.pick_live(by) else {
            return Ok(());
        };
        let principal = self.principal(by).await.unwrap();
        match self
            .services
            .team()
            .accept_invitation(&principal, pending.id)
            .await
        {
            Ok(membership) => {
                let account = self.minted[by].account;
                prop_assert_eq!(account, pending.invitee);
                self.invitations.retain(|other| other.id != pending.id);
                self.roles
                    .insert((account, pending.website), membership.role);
                self.check_membership_within(by, pending.website).await?;
            }
            Err(error) => prop_assert!(refused(&error), "{error:?}"),
        }
        Ok(())
    }

    /// A link is minted only by a credential that could invite there (the owner's, with
    /// `team:write`); joining through it gives the invitee the invited role and a session.
    async fn join_by_link(&mut self, by: usize, invitation: usize) -> Result<(), TestCaseError> {
        if self.invitations.is_empty() {
            return Ok(());
        }
        let pending = self.invitations[invitation % self.invitations.len()].clone();
        let Some(by) = self.pick_live(by) else {
            return Ok(());
        };
        let principal = self.principal(by).await.unwrap();
        let website = self.websites[pending.website];
        let links = self.services.links();
        let code = match links.invitation_link(&principal, website, pending.id).await {
            Ok(code) => code,
            Err(error) => {
                prop_assert!(refused(&error), "{error:?}");
                return Ok(());
            }
        };
        let may_invite = self
            .services
            .access(&principal, website, Permission::TeamWrite, true)
            .await;
        prop_assert!(
            may_invite.is_ok(),
            "{} made a link without inviting rights",
            by
        );
        let password = self.passwords[pending.invitee].clone();
        match links.join(code.expose(), None, &password).await {
            Ok(signed_in) => {
                prop_assert_eq!(signed_in.account.id, self.accounts[pending.invitee].id);
                self.invitations.retain(|other| other.id != pending.id);
                self.roles
                    .insert((pending.invitee, pending.website), pending.role);
                self.push_session(pending.invitee, signed_in);
            }
            Err(error) => prop_assert!(refused(&error), "{error:?}"),
        }
        Ok(())
    }

    /// After `accepting` made its account a member of `website`: nothing of that account
    /// reaches further there than the accepting credential.
    async fn check_membership_within(
        &self,
        accepting: usize,
        website: usize,
    ) -> Result<(), TestCaseError> {
        let account = self.minted[accepting].account;
        for n in self.live() {
            if self.minted[n].account == account {
                self.check_within(n, accepting, &[website]).await?;
            }
        }
        Ok(())
    }

    async fn remove_member(
        &mut self,
        by: usize,
        website: usize,
        account: usize,
    ) -> Result<(), TestCaseError> {
        let Some(by) = self.pick_live(by) else {
            return Ok(());
        };
        let principal = self.principal(by).await.unwrap();
        let website = website % self.websites.len();
        match self
            .services
            .team()
            .remove_member(
                &principal,
                self.websites[website],
                self.accounts[account].id,
            )
            .await
        {
            Ok(()) => {
                self.roles.remove(&(account, website));
                // The keys the member issued there came from the membership: they die with it.
                for n in self.keys() {
                    let on_website = matches!(
                        self.minted[n].id,
                        CredentialId::Key(w, _) if w == self.websites[website]
                    );
                    if on_website && self.minted[n].account == account {
                        self.revoke_tree(n);
                    }
                }
            }
            Err(error) => prop_assert!(refused(&error), "{error:?}"),
        }
        Ok(())
    }

    async fn revoke_token(&mut self, by: usize, target: usize) -> Result<(), TestCaseError> {
        let tokens = self.tokens();
        if tokens.is_empty() {
            return Ok(());
        }
        let target = tokens[target % tokens.len()];
        let Some(by) = self.pick_live(by) else {
            return Ok(());
        };
        let principal = self.principal(by).await.unwrap();
        let CredentialId::Token(id) = self.minted[target].id else {
            return Ok(());
        };
        match self.services.tokens().delete(&principal, id).await {
            Ok(()) => {
                prop_assert!(self.reaches(by, target), "revoked a token out of reach");
                self.revoke_tree(target);
            }
            Err(error) => prop_assert!(refused(&error), "{error:?}"),
        }
        Ok(())
    }

    async fn sign_in(&mut self, account: usize) -> Result<(), TestCaseError> {
        let email = self.accounts[account].email.to_string();
        let signed_in = self
            .services
            .sign_in()
            .sign_in(&email, &self.passwords[account])
            .await;
        prop_assert!(signed_in.is_ok(), "{:?}", signed_in);
        self.push_session(account, signed_in.unwrap());
        Ok(())
    }

    fn push_session(&mut self, account: usize, signed_in: SignedIn) {
        self.minted.push(Minted {
            raw: signed_in.cookie.expose().to_owned(),
            id: CredentialId::Session(signed_in.session.id),
            account,
            maker: None,
            grant: Some((PermissionSet::All, WebsiteScope::All)),
            live: true,
        });
    }

    fn sessions(&self) -> Vec<usize> {
        self.live()
            .into_iter()
            .filter(|n| matches!(self.minted[*n].id, CredentialId::Session(_)))
            .collect()
    }

    async fn sign_out(&mut self, session: usize) -> Result<(), TestCaseError> {
        let sessions = self.sessions();
        let Some(session) = sessions.get(session % sessions.len().max(1)).copied() else {
            return Ok(());
        };
        let principal = self.principal(session).await.unwrap();
        let signed_out = self.services.sign_in().sign_out(&principal).await;
        prop_assert!(signed_out.is_ok(), "{:?}", signed_out);
        self.revoke_tree(session);
        Ok(())
    }

    /// A password change ends every session of the account, and opens one in its place.
    async fn change_password(&mut self, session: usize) -> Result<(), TestCaseError> {
        let sessions = self.sessions();
        let Some(session) = sessions.get(session % sessions.len().max(1)).copied() else {
            return Ok(());
        };
        let account = self.minted[session].account;
        let new = format!("{} again", self.passwords[account]);
        let principal = self.principal(session).await.unwrap();
        let changed = self
            .services
            .sign_in()
            .change_password(&principal, &self.passwords[account], &new)
            .await;
        prop_assert!(changed.is_ok(), "{:?}", changed);
        for n in self.sessions() {
            if self.minted[n].account == account {
                self.revoke_tree(n);
            }
        }
        self.passwords[account] = new;
        self.push_session(account, changed.unwrap());
        Ok(())
    }

    /// The model's reach rule: `holder` could have created `token`.
    fn reaches(&self, holder: usize, token: usize) -> bool {
        let (Some((held, held_scope)), Some((permissions, scope))) =
            (&self.minted[holder].grant, &self.minted[token].grant)
        else {
            return false;
        };
        self.minted[holder].account == self.minted[token].account
            && permissions.is_subset_of(held)
            && scope.is_subset_of(held_scope)
    }

    /// Every check of the properties, after one call.
    async fn check(&self) -> Result<(), TestCaseError> {
        for (n, minted) in self.minted.iter().enumerate() {
            let works = self.principal(n).await.is_some();
            prop_assert_eq!(works, minted.live, "credential {} liveness", n);
            if !minted.live {
                continue;
            }
            if let Some(maker) = minted.maker {
                prop_assert!(self.minted[maker].live, "{} outlived its maker", n);
                let all: Vec<usize> = (0..self.websites.len()).collect();
                self.check_within(n, maker, &all).await?;
            }
            self.check_roles(n).await?;
            self.check_listing(n).await?;
        }
        Ok(())
    }

    /// On `websites`, `derived` may do nothing `source` may not.
    async fn check_within(
        &self,
        derived: usize,
        source: usize,
        websites: &[usize],
    ) -> Result<(), TestCaseError> {
        let derived_principal = self.principal(derived).await.unwrap();
        let source_principal = self.principal(source).await.unwrap();
        for website in websites {
            for permission in &Role::Owner.website_permissions() {
                for owner_only in [false, true] {
                    let id = self.websites[*website];
                    let allowed =
                        |principal| self.services.access(principal, id, *permission, owner_only);
                    if allowed(&derived_principal).await.is_ok() {
                        prop_assert!(
                            allowed(&source_principal).await.is_ok(),
                            "{} exceeds {} with {} on site {} (owner only: {})",
                            derived,
                            source,
                            permission,
                            website,
                            owner_only
                        );
                    }
                }
            }
        }
        Ok(())
    }

    /// Whatever a credential may do on a website, its account's role there allows; and the
    /// probe agrees with a real call.
    async fn check_roles(&self, n: usize) -> Result<(), TestCaseError> {
        let principal = self.principal(n).await.unwrap();
        for (website, id) in self.websites.iter().enumerate() {
            let role = self.roles.get(&(self.minted[n].account, website)).copied();
            for permission in &Role::Owner.website_permissions() {
                for owner_only in [false, true] {
                    let allowed = self
                        .services
                        .access(&principal, *id, *permission, owner_only)
                        .await;
                    if allowed.is_ok() {
                        prop_assert!(
                            role.is_some(),
                            "{} reaches site {} without a role",
                            n,
                            website
                        );
                        prop_assert!(!owner_only || role == Some(Role::Owner));
                        prop_assert!(!permission.is_write() || role != Some(Role::Viewer));
                    }
                }
            }
            let probe = self
                .services
                .access(&principal, *id, Permission::SettingsRead, false)
                .await
                .is_ok();
            let real = self.services.websites().get(&principal, *id).await.is_ok();
            prop_assert_eq!(probe, real, "probe and route disagree for {}", n);
        }
        Ok(())
    }

    /// A token lists only tokens it could have created.
    async fn check_listing(&self, n: usize) -> Result<(), TestCaseError> {
        let principal = self.principal(n).await.unwrap();
        let Ok(listed) = self.services.tokens().list(&principal).await else {
            return Ok(());
        };
        for token in listed {
            let index = self
                .minted
                .iter()
                .position(|m| m.id == CredentialId::Token(token.id))
                .unwrap();
            prop_assert!(self.reaches(n, index), "{} lists {} out of reach", n, index);
        }
        Ok(())
    }
}

async fn check(world: World) -> Result<(), TestCaseError> {
    let mut run = Run::start(&world).await;
    run.check().await?;
    for op in &world.ops {
        run.apply(op).await?;
        run.check().await?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn no_credential_or_membership_exceeds_what_made_it(world in world()) {
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        runtime.block_on(check(world))?;
    }
}
