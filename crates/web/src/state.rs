//! What every handler can reach: the store and the settings.

use std::sync::Arc;
use std::time::Duration;
use tilsyn_domain::auth::{SessionPolicy, ThrottlePolicy};
use tilsyn_store::Store;

#[derive(Clone, Debug)]
pub struct Settings {
    pub session: SessionPolicy,
    pub throttle: ThrottlePolicy,
    /// Mark cookies `Secure` (set when tilsyn is reached over HTTPS).
    pub secure_cookies: bool,
    /// Take the client address and scheme from X-Forwarded-For/-Proto (behind a reverse proxy).
    pub trust_proxy: bool,
    pub request_timeout: Duration,
    /// Key of the person-key hash for case imports (CPR numbers are replaced by it).
    pub person_key_secret: PersonKeySecret,
}

/// A secret that never shows in logs or `Debug` output.
#[derive(Clone, Default)]
pub struct PersonKeySecret(pub Vec<u8>);

impl std::fmt::Debug for PersonKeySecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_empty() {
            "<unset>"
        } else {
            "<redacted>"
        })
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            session: SessionPolicy::default(),
            throttle: ThrottlePolicy::default(),
            secure_cookies: false,
            trust_proxy: false,
            request_timeout: Duration::from_secs(30),
            person_key_secret: PersonKeySecret::default(),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub settings: Arc<Settings>,
    pub openapi_json: Arc<String>,
    /// Case extracts between upload and confirmation (in memory only: they hold CPR numbers).
    pub uploads: Arc<crate::staging::Uploads>,
    /// Parsed content of published template versions (immutable, so never stale).
    pub contents: Arc<crate::rounds::ContentCache>,
    pub results: Arc<crate::results::ResultsCache>,
}
