//! Accounts for the team server: registration, password login (argon2id), and refresh
//! tokens that rotate on every use, where reusing an old one revokes its whole family.
//! Access tokens (JWT) are the server's business; the rules about who may log in live here.
//! Every function is blocking (argon2 is deliberately slow): call it off the async executor.

use crate::error::{Error, Result};
use crate::profile::{self, Profile};
use crate::store::Unit;
use crate::store::port::{NewAccount, RefreshToken};
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use sha2::{Digest, Sha256};

pub const MIN_PASSWORD: usize = 10;
/// Refresh tokens live 7 days.
pub const REFRESH_TTL_SECONDS: i64 = 7 * 24 * 3600;
pub const ROLES: &[&str] = &["user", "premium", "admin", "partner"];

/// The one message for a failed login: it never says whether the email exists.
const BAD_LOGIN: &str = "the email or the password is wrong";

fn hash_password(password: &str) -> Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| Error::internal(format!("password hashing failed: {e}")))
}

fn password_matches(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

fn check_email(email: &str) -> Result<String> {
    let e = email.trim().to_ascii_lowercase();
    if crate::model::traveller::is_email(&e) {
        Ok(e)
    } else {
        Err(crate::model::traveller::not_an_email(email))
    }
}

/// Creates an account. The first account of a server is not special: admins are made with
/// `booksygo admin create-user --role admin` on the server's data directory.
pub fn register(
    unit: &dyn Unit,
    email: &str,
    password: &str,
    first: &str,
    last: &str,
    role: &str,
    now: i64,
) -> Result<Profile> {
    register_referred(unit, email, password, first, last, role, None, now)
}

/// [`register`] with the referral code the new traveller was given: a code that is not one,
/// or that no account has, is refused before anything is written, and the account is linked
/// to the code's owner ([`crate::points::referrals`]). Run it in a write unit so that the
/// account, its referral and its event commit together.
#[allow(clippy::too_many_arguments)]
pub fn register_referred(
    unit: &dyn Unit,
    email: &str,
    password: &str,
    first: &str,
    last: &str,
    role: &str,
    referral_code: Option<&str>,
    now: i64,
) -> Result<Profile> {
    let email = check_email(email)?;
    if password.chars().count() < MIN_PASSWORD {
        return Err(Error::invalid(format!(
            "a password has at least {MIN_PASSWORD} characters"
        )));
    }
    if password.len() > 1024 {
        return Err(Error::invalid("a password has at most 1024 bytes"));
    }
    if !ROLES.contains(&role) {
        return Err(Error::invalid(format!(
            "role '{role}': use {}",
            ROLES.join(", ")
        )));
    }
    for n in [first, last] {
        if n.chars().count() > 50 {
            return Err(Error::invalid("names are at most 50 characters"));
        }
    }
    let referrer = referral_code
        .map(|code| crate::points::referrals::referrer_of(unit, code))
        .transpose()?;
    let hash = hash_password(password)?;
    let id = crate::ids::new("usr");
    let added = unit.users().register(&NewAccount {
        id: &id,
        email: &email,
        first_name: first.trim(),
        last_name: last.trim(),
        role,
        password_hash: &hash,
        at: now,
    })?;
    if !added {
        return Err(Error::Conflict(
            "an account with this email already exists: log in instead".into(),
        ));
    }
    if let Some(referrer) = &referrer {
        crate::points::referrals::link(unit, &id, referrer, now)?;
    }
    crate::events::emit(
        unit,
        "user.registered",
        &id,
        Some(&id),
        &serde_json::json!({"user_id": id}),
        now,
    )?;
    profile::get(unit, &id)
}

/// Checks an email and password. Unknown emails cost the same argon2 work as wrong
/// passwords, and both get the same answer.
pub fn login(unit: &dyn Unit, email: &str, password: &str) -> Result<Profile> {
    let email = email.trim().to_ascii_lowercase();
    let row = unit.users().credentials(&email)?;
    // A real hash of a random password, verified when there is no account, so that both
    // failures cost one argon2 verification.
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    match row {
        Some((id, Some(hash))) if password_matches(password, &hash) => profile::get(unit, &id),
        Some((_, Some(_))) => Err(Error::AuthRequired(BAD_LOGIN.into())),
        _ => {
            let dummy = DUMMY.get_or_init(|| {
                random_token()
                    .and_then(|t| hash_password(&t))
                    .unwrap_or_default()
            });
            let _ = password_matches(password, dummy);
            Err(Error::AuthRequired(BAD_LOGIN.into()))
        }
    }
}

fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn random_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Error::internal(format!("no randomness: {e}")))?;
    Ok(format!(
        "rt_{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ))
}

/// A new refresh token, in a new family (a login) or an existing one (a rotation).
pub fn issue_refresh(
    unit: &dyn Unit,
    user: &str,
    family: Option<&str>,
    now: i64,
) -> Result<String> {
    let token = random_token()?;
    let family = family
        .map(str::to_string)
        .unwrap_or_else(|| crate::ids::new("fam"));
    unit.users().add_refresh_token(
        &token_hash(&token),
        user,
        &family,
        now + REFRESH_TTL_SECONDS,
        now,
    )?;
    Ok(token)
}

/// A refresh token's renewal: whose it is, its family (the session's id), and the next token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotated {
    pub user: String,
    pub family: String,
    pub next: String,
}

/// Uses a refresh token: returns its user, its family and a fresh token of that family. A
/// token used twice means it was stolen or replayed: the whole family is revoked.
pub fn rotate(unit: &dyn Unit, token: &str, now: i64) -> Result<Rotated> {
    let row = unit.users().refresh_token_by_hash(&token_hash(token))?;
    let Some(RefreshToken {
        user,
        family,
        expires_at: expires,
        used_at: used,
        revoked_at: revoked,
    }) = row
    else {
        return Err(Error::AuthRequired(
            "unknown refresh token: log in again".into(),
        ));
    };
    if revoked.is_some() {
        return Err(Error::AuthRequired(
            "this session was revoked: log in again".into(),
        ));
    }
    if expires <= now {
        return Err(Error::AuthRequired(
            "the session expired: log in again".into(),
        ));
    }
    // Claim the token atomically: of two uses, only one can set `used_at`. Run outside a
    // surrounding transaction, so that the revocation below is kept when we return an error.
    let claimed = unit.users().use_refresh_token(&token_hash(token), now)?;
    if !claimed || used.is_some() {
        unit.users().revoke_family(&family, now)?;
        crate::events::emit(
            unit,
            "auth.refresh_reuse",
            &user,
            Some(&user),
            &serde_json::json!({"family": family}),
            now,
        )?;
        return Err(Error::AuthRequired(
            "refresh token reused: every session of this login is revoked; log in again".into(),
        ));
    }
    let next = issue_refresh(unit, &user, Some(&family), now)?;
    Ok(Rotated { user, family, next })
}

/// Logs out: the token's whole family stops working. Returns that family (the session id).
pub fn logout(unit: &dyn Unit, token: &str, now: i64) -> Result<String> {
    match unit.users().refresh_family(&token_hash(token))? {
        Some(f) => {
            unit.users().revoke_family(&f, now)?;
            Ok(f)
        }
        None => Err(Error::AuthRequired("unknown refresh token".into())),
    }
}

pub fn role(unit: &dyn Unit, user: &str) -> Result<String> {
    unit.users()
        .role(user)?
        .ok_or_else(|| Error::AuthRequired("the account no longer exists".into()))
}

/// Failed logins allowed for one account from one client address in a window: one
/// person's typos at one place.
pub const MAX_LOGIN_ATTEMPTS: i64 = 5;
/// Failed logins allowed for one account from all addresses together in a window: bounds
/// guessing spread over many addresses, while a stranger's five typos elsewhere do not lock
/// the owner out.
pub const MAX_LOGIN_ATTEMPTS_PER_ACCOUNT: i64 = 10;
/// Login attempts allowed from one client address, whatever the account, in a window: a
/// household or an office behind one address is not locked out by one person's typos, and
/// guessing across many accounts from one address still stops.
pub const MAX_LOGIN_ATTEMPTS_PER_ADDRESS: i64 = 100;
/// The window of the login limits.
pub const LOGIN_WINDOW_SECONDS: i64 = 15 * 60;

/// One limit a login counts against: its key in the limiter, the attempts allowed per
/// window, and whether a successful login wipes it (the account's keys) or only gives back
/// the attempt it reserved (the address's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginLimit {
    pub key: String,
    pub allowed: i64,
    pub forgotten_on_success: bool,
}

/// The limits of a login: the account from this address, the account from anywhere, and
/// this address for any account. Without a known address (a request that did not come over
/// a socket), the account from "an unknown address".
pub fn login_keys(email: &str, client: Option<std::net::IpAddr>) -> Vec<LoginLimit> {
    let email = email.trim().to_ascii_lowercase();
    let from = client.map_or_else(|| "unknown".to_string(), |ip| ip.to_canonical().to_string());
    let mut limits = vec![
        LoginLimit {
            // The address first: it holds no space, so the key is unambiguous.
            key: format!("acct-ip:{from} {email}"),
            allowed: MAX_LOGIN_ATTEMPTS,
            forgotten_on_success: true,
        },
        LoginLimit {
            key: format!("acct:{email}"),
            allowed: MAX_LOGIN_ATTEMPTS_PER_ACCOUNT,
            forgotten_on_success: true,
        },
    ];
    if client.is_some() {
        limits.push(LoginLimit {
            key: format!("ip:{from}"),
            allowed: MAX_LOGIN_ATTEMPTS_PER_ADDRESS,
            forgotten_on_success: false,
        });
    }
    limits
}

/// Reserves one attempt under every limit before the password is checked. Each key's count
/// is taken by one statement, so attempts made at the same moment (by several threads or
/// server processes) are counted one by one and cannot all slip under the limit. Past a
/// limit: a rate-limit error saying how long to wait. The reservation stands until the
/// window ends, unless [`login_succeeded`] gives it back.
pub fn reserve_login(unit: &dyn Unit, limits: &[LoginLimit], now: i64) -> Result<()> {
    for limit in limits {
        let (attempts, since) = unit.limits().count(&limit.key, now, LOGIN_WINDOW_SECONDS)?;
        if attempts > limit.allowed {
            let wait = (since + LOGIN_WINDOW_SECONDS - now).max(1) as u64;
            return Err(Error::RateLimited {
                message: format!(
                    "too many failed logins: try again in {}",
                    crate::model::counted(wait.div_ceil(60), "minute", "minutes")
                ),
                retry_after: wait,
            });
        }
    }
    Ok(())
}

/// A login went through: the account's attempts are forgotten, and the address gets back
/// the attempt it reserved (a household behind one address may log in all day).
pub fn login_succeeded(unit: &dyn Unit, limits: &[LoginLimit]) -> Result<()> {
    for limit in limits {
        if limit.forgotten_on_success {
            unit.limits().forget(&limit.key)?;
        } else {
            unit.limits().give_back(&limit.key)?;
        }
    }
    Ok(())
}

/// A signed-in session as the server needs it: who, with which role, the session's id (the
/// refresh-token family its login started, kept by every renewal: access tokens carry it as
/// `sid`), and the refresh token that renews it.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: String,
    pub role: String,
    pub session: String,
    pub refresh_token: String,
}

/// How long this instance trusts what it learnt about a session (live or ended) before it
/// asks the store again. Logout, revocation by refresh-token reuse (on this instance) take
/// effect here at once; on other instances, within this bound.
pub const SESSION_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(5);
/// Sessions remembered at most; past it, expired entries are dropped, then everything.
pub const SESSION_CACHE_ENTRIES: usize = 10_000;

/// What this instance knows of sessions, for [`SESSION_CACHE_TTL`]: by session id, whose it
/// is, whether it was live, and when that was read. The clock is the caller's (`now`), so
/// tests drive it without waiting.
#[derive(Debug)]
pub struct SessionCache {
    ttl: std::time::Duration,
    capacity: usize,
    entries:
        std::sync::Mutex<std::collections::HashMap<String, (String, bool, std::time::Instant)>>,
}

impl Default for SessionCache {
    fn default() -> Self {
        SessionCache::new(SESSION_CACHE_TTL, SESSION_CACHE_ENTRIES)
    }
}

impl SessionCache {
    pub fn new(ttl: std::time::Duration, capacity: usize) -> SessionCache {
        SessionCache {
            ttl,
            capacity: capacity.max(1),
            entries: Default::default(),
        }
    }

    fn entries(
        &self,
    ) -> std::sync::MutexGuard<
        '_,
        std::collections::HashMap<String, (String, bool, std::time::Instant)>,
    > {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// What is known of `session` for `user`, if it was learnt less than the TTL before `now`.
    pub fn get(&self, user: &str, session: &str, now: std::time::Instant) -> Option<bool> {
        let entries = self.entries();
        let (owner, live, at) = entries.get(session)?;
        let fresh = now.saturating_duration_since(*at) < self.ttl;
        // An ended session is ended whoever asks; a live one only for its owner.
        (fresh && (!*live || owner == user)).then_some(*live)
    }

    /// Remembers what the store said of `session` at `now`. A read that started before the
    /// session [`ended`](Self::ended) here and answers "live" after it does not bring it back.
    pub fn put(&self, user: &str, session: &str, live: bool, now: std::time::Instant) {
        let mut entries = self.entries();
        if let Some((_, false, at)) = entries.get(session)
            && live
            && now.saturating_duration_since(*at) < self.ttl
        {
            return;
        }
        if entries.len() >= self.capacity && !entries.contains_key(session) {
            let ttl = self.ttl;
            entries.retain(|_, (_, _, at)| now.saturating_duration_since(*at) < ttl);
            if entries.len() >= self.capacity {
                entries.clear();
            }
        }
        entries.insert(session.to_string(), (user.to_string(), live, now));
    }

    /// `session` ended on this instance (logout, revocation): refused at once, whoever asks.
    pub fn ended(&self, session: &str, now: std::time::Instant) {
        self.put("", session, false, now);
    }

    pub fn len(&self) -> usize {
        self.entries().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Accounts and sessions, the door the server's auth routes go through (they never see the
/// store). Every method runs its blocking work (argon2, the database) off the executor.
#[async_trait::async_trait]
pub trait Accounts: Send + Sync {
    /// A new traveller account (role `user`).
    async fn register(
        &self,
        email: &str,
        password: &str,
        first_name: &str,
        last_name: &str,
    ) -> Result<Profile>;
    /// [`Accounts::register`] with the referral code the traveller was given (see
    /// [`crate::points::referrals`]): an unknown code is invalid input and nothing is written.
    async fn register_referred(
        &self,
        email: &str,
        password: &str,
        first_name: &str,
        last_name: &str,
        referral_code: &str,
    ) -> Result<Profile>;
    /// An account with any role, made on the server's own machine (the first admin); never
    /// reachable over HTTP.
    async fn create_account(
        &self,
        email: &str,
        password: &str,
        first_name: &str,
        last_name: &str,
        role: &str,
    ) -> Result<Profile>;
    /// Checks the password within the login limits (per account from the `client` address,
    /// per account, and per address when known; see [`login_keys`]); a new session.
    async fn login(
        &self,
        email: &str,
        password: &str,
        client: Option<std::net::IpAddr>,
    ) -> Result<Session>;
    /// Renews a session with its refresh token (rotated; a reused token ends the family).
    async fn refresh(&self, refresh_token: &str) -> Result<Session>;
    /// Ends the session the refresh token belongs to.
    async fn logout(&self, refresh_token: &str) -> Result<()>;
    /// Whether `session` (an access token's `sid`) of `user` is still live: not logged out nor
    /// revoked, and the account still exists and can log in. Answered from a short cache
    /// ([`SESSION_CACHE_TTL`]) that this instance's logouts and revocations clear at once.
    async fn session_live(&self, user: &str, session: &str) -> Result<bool>;
}

/// [`Accounts`] over the local store.
#[derive(Clone)]
pub struct LocalAccounts {
    store: crate::store::Store,
    clock: crate::config::Clock,
    sessions: std::sync::Arc<SessionCache>,
}

impl LocalAccounts {
    pub(crate) fn new(store: crate::store::Store, clock: crate::config::Clock) -> LocalAccounts {
        LocalAccounts {
            store,
            clock,
            sessions: Default::default(),
        }
    }

    /// What this instance remembers of sessions (tests look at it).
    pub fn session_cache(&self) -> &SessionCache {
        &self.sessions
    }

    /// Runs `work` on the blocking pool, on a pooled connection outside any transaction:
    /// each statement commits on its own, so the family a reused refresh token revokes stays
    /// revoked when the rotation answers with an error.
    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&dyn Unit, i64) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let now = self.clock.now().as_second();
        self.store.reading(move |u| work(u, now)).await
    }
}

#[async_trait::async_trait]
impl Accounts for LocalAccounts {
    async fn register(
        &self,
        email: &str,
        password: &str,
        first_name: &str,
        last_name: &str,
    ) -> Result<Profile> {
        let (email, password) = (email.to_string(), password.to_string());
        let (first, last) = (first_name.to_string(), last_name.to_string());
        self.blocking(move |c, now| register(c, &email, &password, &first, &last, "user", now))
            .await
    }

    async fn register_referred(
        &self,
        email: &str,
        password: &str,
        first_name: &str,
        last_name: &str,
        referral_code: &str,
    ) -> Result<Profile> {
        let (email, password) = (email.to_string(), password.to_string());
        let (first, last, code) = (
            first_name.to_string(),
            last_name.to_string(),
            referral_code.to_string(),
        );
        let now = self.clock.now().as_second();
        // The code is looked at first, outside the write, so a wrong one costs no hashing.
        let looked = code.clone();
        self.store
            .reading(move |u| crate::points::referrals::referrer_of(u, &looked).map(|_| ()))
            .await?;
        // The account, its referral and its event in one transaction.
        self.store
            .writing(move |u| {
                register_referred(
                    u,
                    &email,
                    &password,
                    &first,
                    &last,
                    "user",
                    Some(&code),
                    now,
                )
            })
            .await
    }

    async fn create_account(
        &self,
        email: &str,
        password: &str,
        first_name: &str,
        last_name: &str,
        role: &str,
    ) -> Result<Profile> {
        let (email, password, role) = (email.to_string(), password.to_string(), role.to_string());
        let (first, last) = (first_name.to_string(), last_name.to_string());
        self.blocking(move |c, now| register(c, &email, &password, &first, &last, &role, now))
            .await
    }

    async fn login(
        &self,
        email: &str,
        password: &str,
        client: Option<std::net::IpAddr>,
    ) -> Result<Session> {
        let (email, password) = (email.to_string(), password.to_string());
        self.blocking(move |c, now| {
            let keys = login_keys(&email, client);
            reserve_login(c, &keys, now)?;
            let p = login(c, &email, &password)?;
            login_succeeded(c, &keys)?;
            let family = crate::ids::new("fam");
            Ok(Session {
                refresh_token: issue_refresh(c, &p.id, Some(&family), now)?,
                session: family,
                user: p.id,
                role: p.role,
            })
        })
        .await
    }

    async fn refresh(&self, refresh_token: &str) -> Result<Session> {
        let token = refresh_token.to_string();
        let sessions = self.sessions.clone();
        self.blocking(move |c, now| match rotate(c, &token, now) {
            Ok(r) => Ok(Session {
                role: role(c, &r.user)?,
                user: r.user,
                session: r.family,
                refresh_token: r.next,
            }),
            Err(e) => {
                // A refused renewal may have revoked its family (a reused token): then its
                // access tokens stop at once on this instance.
                if let Ok(Some(t)) = c.users().refresh_token_by_hash(&token_hash(&token))
                    && t.revoked_at.is_some()
                {
                    sessions.ended(&t.family, std::time::Instant::now());
                }
                Err(e)
            }
        })
        .await
    }

    async fn logout(&self, refresh_token: &str) -> Result<()> {
        let token = refresh_token.to_string();
        let family = self.blocking(move |c, now| logout(c, &token, now)).await?;
        self.sessions.ended(&family, std::time::Instant::now());
        Ok(())
    }

    async fn session_live(&self, user: &str, session: &str) -> Result<bool> {
        let now = std::time::Instant::now();
        if let Some(live) = self.sessions.get(user, session, now) {
            return Ok(live);
        }
        let (u, sid) = (user.to_string(), session.to_string());
        let live = self
            .blocking(move |c, _| c.users().session_live(&u, &sid))
            .await?;
        self.sessions.put(user, session, live, now);
        Ok(live)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, crate::store::Store) {
        let dir = tempfile::tempdir().unwrap();
        let s = crate::store::Store::open(&dir.path().join("a.db")).unwrap();
        (dir, s)
    }

    #[test]
    fn register_login_and_uniform_failures() {
        let (_d, s) = store();
        s.read(|c| {
            let p = register(
                c,
                "Ada@Example.com",
                "correct horse battery",
                "Ada",
                "Lovelace",
                "user",
                0,
            )
            .unwrap();
            assert_eq!(p.email, "ada@example.com");
            assert_eq!(
                login(c, "ada@example.com", "correct horse battery")
                    .unwrap()
                    .id,
                p.id
            );
            let wrong = login(c, "ada@example.com", "wrong password!!")
                .unwrap_err()
                .to_string();
            let unknown = login(c, "nobody@example.com", "wrong password!!")
                .unwrap_err()
                .to_string();
            assert_eq!(
                wrong, unknown,
                "the answer never reveals whether an email exists"
            );
            assert!(register(c, "ada@example.com", "another password", "", "", "user", 0).is_err());
            assert!(
                register(c, "bob@example.com", "short", "", "", "user", 0)
                    .unwrap_err()
                    .to_string()
                    .contains("at least")
            );
            assert!(register(c, "not-an-email", "long enough pw", "", "", "user", 0).is_err());
            let (id, stored) = c.users().credentials("ada@example.com").unwrap().unwrap();
            assert_eq!(id, p.id);
            assert!(stored.unwrap().starts_with("$argon2id$"));
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn refresh_tokens_rotate_and_reuse_revokes_the_family() {
        let (_d, s) = store();
        s.read(|c| {
            let p = register(
                c,
                "ada@example.com",
                "correct horse battery",
                "",
                "",
                "user",
                0,
            )
            .unwrap();
            let t1 = issue_refresh(c, &p.id, None, 0).unwrap();
            let Rotated {
                user,
                family,
                next: t2,
            } = rotate(c, &t1, 10).unwrap();
            assert_eq!(user, p.id);
            assert!(c.users().session_live(&p.id, &family)?);
            let t3 = rotate(c, &t2, 20).unwrap().next;
            assert_eq!(
                rotate(c, &t3, 25).unwrap().family,
                family,
                "renewals keep it"
            );
            // t1 again: stolen. Everything in the family dies, t3 included.
            assert!(
                rotate(c, &t1, 30)
                    .unwrap_err()
                    .to_string()
                    .contains("reused")
            );
            assert!(
                rotate(c, &t3, 40)
                    .unwrap_err()
                    .to_string()
                    .contains("revoked")
            );
            assert!(!c.users().session_live(&p.id, &family)?, "reuse ends it");
            // Expiry.
            let t = issue_refresh(c, &p.id, None, 0).unwrap();
            assert!(
                rotate(c, &t, REFRESH_TTL_SECONDS + 1)
                    .unwrap_err()
                    .to_string()
                    .contains("expired")
            );
            // Logout.
            let t = issue_refresh(c, &p.id, None, 0).unwrap();
            logout(c, &t, 5).unwrap();
            assert!(rotate(c, &t, 6).is_err());
            assert!(rotate(c, "rt_garbage", 6).is_err());
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn the_session_cache_answers_within_its_ttl_and_ended_sessions_stay_ended() {
        use std::time::{Duration, Instant};
        let cache = SessionCache::new(Duration::from_secs(5), 3);
        let t0 = Instant::now();
        assert_eq!(cache.get("usr_a", "fam_1", t0), None, "nothing known yet");
        cache.put("usr_a", "fam_1", true, t0);
        assert_eq!(
            cache.get("usr_a", "fam_1", t0 + Duration::from_secs(4)),
            Some(true)
        );
        assert_eq!(
            cache.get("usr_b", "fam_1", t0),
            None,
            "a live session is its owner's"
        );
        assert_eq!(
            cache.get("usr_a", "fam_1", t0 + Duration::from_secs(5)),
            None,
            "past the TTL the store is asked again"
        );
        // Logout here: refused at once, and a read that raced it cannot bring it back.
        cache.ended("fam_1", t0 + Duration::from_secs(1));
        assert_eq!(
            cache.get("usr_a", "fam_1", t0 + Duration::from_secs(1)),
            Some(false)
        );
        cache.put("usr_a", "fam_1", true, t0 + Duration::from_secs(2));
        assert_eq!(
            cache.get("usr_a", "fam_1", t0 + Duration::from_secs(2)),
            Some(false)
        );
        // Bounded: a full cache drops what expired, then everything.
        cache.put("usr_a", "fam_2", true, t0 + Duration::from_secs(2));
        cache.put("usr_a", "fam_3", true, t0 + Duration::from_secs(2));
        assert_eq!(cache.len(), 3);
        cache.put("usr_a", "fam_4", true, t0 + Duration::from_secs(7));
        assert_eq!(cache.len(), 1, "all three had expired");
        cache.put("usr_a", "fam_5", true, t0 + Duration::from_secs(7));
        cache.put("usr_a", "fam_6", true, t0 + Duration::from_secs(7));
        cache.put("usr_a", "fam_7", true, t0 + Duration::from_secs(7));
        assert!(cache.len() <= 3);
        assert_eq!(
            cache.get("usr_a", "fam_7", t0 + Duration::from_secs(7)),
            Some(true)
        );
    }

    /// A failed attempt: reserved and never given back.
    fn fail(c: &dyn Unit, email: &str, ip: [u8; 4], now: i64) -> Result<()> {
        reserve_login(c, &login_keys(email, Some(ip.into())), now)
    }

    #[test]
    fn limits_per_account_and_address_per_account_and_per_address() {
        let (_d, s) = store();
        let now = 1_000_000;
        s.read(|c| {
            let (home, office) = ([203, 0, 113, 1], [198, 51, 100, 1]);
            // Five typos for Ada at home lock Ada at home...
            for _ in 0..MAX_LOGIN_ATTEMPTS {
                fail(c, "ada@example.com", home, now)?;
            }
            let locked = fail(c, "ada@example.com", home, now + 60).unwrap_err();
            let Error::RateLimited { retry_after, .. } = locked else {
                panic!("{locked:?}")
            };
            assert_eq!(retry_after, (LOGIN_WINDOW_SECONDS - 60) as u64);
            // ...not Bob at home, nor Ada at the office.
            fail(c, "bob@example.com", home, now)?;
            fail(c, "ADA@example.com ", office, now)?;
            // Ada from anywhere: ten in the window (the refused one at home did not reach the
            // account's count: 5 at home, 1 at the office, 4 more elsewhere).
            for i in 0..4 {
                fail(c, "ada@example.com", [192, 0, 2, i], now)?;
            }
            let spread = fail(c, "ada@example.com", [192, 0, 2, 9], now).unwrap_err();
            assert_eq!(spread.kind(), crate::ErrorKind::RateLimited);
            // One address guessing across accounts: a hundred attempts, then no more.
            let shared = [100, 64, 0, 1];
            for i in 0..MAX_LOGIN_ATTEMPTS_PER_ADDRESS {
                fail(c, &format!("user{i}@example.com"), shared, now)?;
            }
            let sweep = fail(c, "another@example.com", shared, now).unwrap_err();
            assert_eq!(sweep.kind(), crate::ErrorKind::RateLimited);
            // A new window forgets it all.
            fail(c, "another@example.com", shared, now + LOGIN_WINDOW_SECONDS)?;
            // A success wipes the account's counts and gives the address its attempt back.
            let keys = login_keys("carol@example.com", Some(shared.into()));
            for _ in 0..MAX_LOGIN_ATTEMPTS - 1 {
                reserve_login(c, &keys, now + LOGIN_WINDOW_SECONDS)?;
            }
            login_succeeded(c, &keys)?;
            let (pair, _) = c.limits().count(
                &keys[0].key,
                now + LOGIN_WINDOW_SECONDS,
                LOGIN_WINDOW_SECONDS,
            )?;
            assert_eq!(pair, 1, "forgotten, then this count");
            let (address, _) = c.limits().count(
                &keys[2].key,
                now + LOGIN_WINDOW_SECONDS,
                LOGIN_WINDOW_SECONDS,
            )?;
            assert_eq!(address, 1 + (MAX_LOGIN_ATTEMPTS - 1) - 1 + 1);
            Ok(())
        })
        .unwrap();
    }
}
