//! Accounts and their account tokens (`dft_`), each token kept beside its keyed hash.

use async_trait::async_trait;
use jiff::Timestamp;

use datafast_domain::account::{Account, Email};
use datafast_domain::id::{AccountId, TokenId};
use datafast_domain::token::AccessToken;
use datafast_ports::CredentialHash;
use datafast_ports::store::{AccountStore, StoreError, StoreResult, TokenStore};

use crate::MemoryStore;
use crate::state::{Hashed, duplicate_id, to_millis};

#[async_trait]
impl AccountStore for MemoryStore {
    async fn create_account(&self, account: &Account) -> StoreResult<()> {
        let account = Account {
            created_at: to_millis(account.created_at),
            ..account.clone()
        };
        self.write(|state| {
            if state.accounts.contains_key(&account.id) {
                return Err(duplicate_id("account"));
            }
            if state.accounts.values().any(|a| a.email == account.email) {
                return Err(StoreError::Conflict("email"));
            }
            state.accounts.insert(account.id, account);
            Ok(())
        })
    }

    async fn account(&self, id: AccountId) -> StoreResult<Option<Account>> {
        self.read(|state| state.accounts.get(&id).cloned())
    }

    async fn account_by_email(&self, email: &Email) -> StoreResult<Option<Account>> {
        self.read(|state| {
            state
                .accounts
                .values()
                .find(|account| account.email == *email)
                .cloned()
        })
    }

    async fn rename_account(&self, id: AccountId, name: &str) -> StoreResult<Account> {
        self.write(|state| {
            let account = state.accounts.get_mut(&id).ok_or(StoreError::NotFound)?;
            name.clone_into(&mut account.name);
            Ok(account.clone())
        })
    }

    async fn account_count(&self) -> StoreResult<u64> {
        self.read(|state| state.accounts.len() as u64)
    }
}

#[async_trait]
impl TokenStore for MemoryStore {
    async fn insert_token(&self, token: &AccessToken, hash: &CredentialHash) -> StoreResult<()> {
        let token = AccessToken {
            created_at: to_millis(token.created_at),
            last_used_at: token.last_used_at.map(to_millis),
            ..token.clone()
        };
        self.write(|state| {
            if state.tokens.contains_key(&token.id) {
                return Err(duplicate_id("token"));
            }
            if state.tokens.values().any(|stored| stored.hash == *hash) {
                return Err(StoreError::Conflict("token"));
            }
            let hash = hash.clone();
            state.tokens.insert(token.id, Hashed { row: token, hash });
            Ok(())
        })
    }

    async fn token_by_hash(&self, hash: &CredentialHash) -> StoreResult<Option<AccessToken>> {
        self.read(|state| {
            state
                .tokens
                .values()
                .find(|stored| stored.hash == *hash)
                .map(|stored| stored.row.clone())
        })
    }

    async fn tokens_of(&self, account: AccountId) -> StoreResult<Vec<AccessToken>> {
        self.read(|state| {
            let mut tokens: Vec<AccessToken> = state
                .tokens
                .values()
                .filter(|stored| stored.row.account_id == account)
                .map(|stored| stored.row.clone())
                .collect();
            tokens.sort_by_key(|token| std::cmp::Reverse((token.created_at, token.id)));
            tokens
        })
    }

    async fn delete_token(&self, account: AccountId, id: TokenId) -> StoreResult<()> {
        self.write(|state| {
            match state.tokens.get(&id) {
                Some(stored) if stored.row.account_id == account => {}
                _ => return Err(StoreError::NotFound),
            }
            state.revoke_token_tree(id);
            Ok(())
        })
    }

    async fn touch_tokens(&self, uses: &[(TokenId, Timestamp)]) -> StoreResult<()> {
        self.write(|state| {
            for (id, at) in uses {
                if let Some(stored) = state.tokens.get_mut(id) {
                    stored.row.last_used_at = Some(to_millis(*at));
                }
            }
            Ok(())
        })
    }
}
