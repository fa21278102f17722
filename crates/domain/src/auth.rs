//! Rules for signing in: when a session is still alive, and when login attempts are throttled.
//! The clock is an input, so the rules are tested without waiting.

use chrono::{DateTime, Duration, Utc};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionPolicy {
    /// Signed out after this long without a request.
    pub idle: Duration,
    /// Signed out this long after sign-in, however active.
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        // A reviewer may sit with one case for a long while; autosave keeps work safe, so an
        // hour idle is the balance between convenience and an unlocked screen in an office.
        Self {
            idle: Duration::minutes(60),
            absolute: Duration::hours(10),
        }
    }
}

impl SessionPolicy {
    pub fn is_alive(
        &self,
        created_at: DateTime<Utc>,
        last_seen_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> bool {
        now - last_seen_at < self.idle && now - created_at < self.absolute
    }

    /// Touching the session row on every request would turn every read into a write; once a
    /// minute is enough precision for an idle timeout measured in tens of minutes.
    pub fn needs_touch(&self, last_seen_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        now - last_seen_at >= Duration::seconds(60)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrottlePolicy {
    pub window: Duration,
    /// Failed attempts for one username (existing or not) before it is locked for the window.
    pub per_account: u32,
    /// Failed attempts from one client address before it is locked for the window.
    pub per_address: u32,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        Self {
            window: Duration::minutes(15),
            per_account: 5,
            per_address: 30,
        }
    }
}

impl ThrottlePolicy {
    /// Whether a new attempt is refused, given the failures inside the window.
    pub fn is_throttled(&self, account_failures: u32, address_failures: u32) -> bool {
        account_failures >= self.per_account || address_failures >= self.per_address
    }

    pub fn window_start(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - self.window
    }
}

/// API bearer tokens are `tls_` followed by 43 URL-safe characters (256 bits); only a hash is
/// stored. The prefix lets secret scanners recognise a leaked token.
pub const TOKEN_PREFIX: &str = "tls_";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_end_when_idle_or_too_old() {
        let p = SessionPolicy {
            idle: Duration::minutes(30),
            absolute: Duration::hours(8),
        };
        let t0 = DateTime::parse_from_rfc3339("2026-11-22T08:00:00Z").map(|d| d.to_utc());
        let t0 = t0.expect("valid time");
        assert!(p.is_alive(t0, t0, t0 + Duration::minutes(29)));
        assert!(!p.is_alive(t0, t0, t0 + Duration::minutes(30)));
        // active all day, but past the absolute limit
        let late = t0 + Duration::hours(8);
        assert!(!p.is_alive(t0, late - Duration::minutes(1), late));
        assert!(p.is_alive(t0, late - Duration::minutes(2), late - Duration::minutes(1)));
    }

    #[test]
    fn throttling_starts_at_the_limit() {
        let p = ThrottlePolicy {
            window: Duration::minutes(15),
            per_account: 5,
            per_address: 30,
        };
        assert!(!p.is_throttled(4, 29));
        assert!(p.is_throttled(5, 0));
        assert!(p.is_throttled(0, 30));
    }
}
