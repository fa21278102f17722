//! Uploaded case extracts between "upload" and "confirm". They hold CPR numbers in clear, so
//! they live in memory only (never on disk), belong to the person who uploaded them, and are
//! dropped after the import, on a newer upload by the same person, or after 30 minutes.

use axum::body::Bytes;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tilsyn_domain::UserId;
use uuid::Uuid;

/// The largest extract the upload page accepts (the reader's own limit, plus room for the
/// form around it).
pub const MAX_UPLOAD: u64 = tilsyn_intake::DEFAULT_MAX_SIZE + 1024 * 1024;
const TTL: Duration = Duration::from_secs(30 * 60);
/// Uploads held at once across everyone; the oldest goes first.
const MAX_HELD: usize = 8;

/// One uploaded file.
#[derive(Clone)]
pub struct Upload {
    pub owner: UserId,
    pub file_name: String,
    /// Shared, never copied (a clone is a reference).
    pub bytes: Bytes,
    pub source_system: String,
    pub sheet: Option<String>,
    pub encoding: Option<String>,
    at: Instant,
}

#[derive(Default)]
pub struct Uploads(Mutex<HashMap<Uuid, Upload>>);

impl Uploads {
    /// Holds a file for `owner`, replacing any earlier upload of theirs; returns its token.
    pub fn put(
        &self,
        owner: UserId,
        file_name: String,
        bytes: Bytes,
        source_system: String,
        sheet: Option<String>,
        encoding: Option<String>,
    ) -> Uuid {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, u| u.owner != owner && u.at.elapsed() < TTL);
        while map.len() >= MAX_HELD {
            let oldest = map.iter().min_by_key(|(_, u)| u.at).map(|(k, _)| *k);
            match oldest {
                Some(k) => map.remove(&k),
                None => break,
            };
        }
        let token = Uuid::new_v4();
        map.insert(
            token,
            Upload {
                owner,
                file_name,
                bytes,
                source_system,
                sheet,
                encoding,
                at: Instant::now(),
            },
        );
        token
    }

    /// The upload behind `token`, if it is `owner`'s and not expired. Expired uploads of
    /// anyone are dropped here too, so none outlives its time by much.
    pub fn get(&self, token: Uuid, owner: UserId) -> Option<Upload> {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, u| u.at.elapsed() < TTL);
        map.get(&token)
            .filter(|u| u.owner == owner && u.at.elapsed() < TTL)
            .cloned()
    }

    pub fn remove(&self, token: Uuid) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&token);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploads_belong_to_their_owner_and_a_new_one_replaces_the_old() {
        let u = Uploads::default();
        let (a, b) = (UserId::new(), UserId::new());
        let t1 = u.put(
            a,
            "x.csv".into(),
            Bytes::from_static(b"1"),
            "DUBU".into(),
            None,
            None,
        );
        assert!(u.get(t1, a).is_some());
        assert!(
            u.get(t1, b).is_none(),
            "another person cannot use the token"
        );
        let t2 = u.put(
            a,
            "y.csv".into(),
            Bytes::from_static(b"2"),
            "DUBU".into(),
            None,
            None,
        );
        assert!(u.get(t1, a).is_none(), "the older upload is gone");
        assert_eq!(u.get(t2, a).map(|x| x.file_name), Some("y.csv".into()));
        u.remove(t2);
        assert!(u.get(t2, a).is_none());
        for _ in 0..(MAX_HELD + 3) {
            u.put(
                UserId::new(),
                "z".into(),
                Bytes::new(),
                "DUBU".into(),
                None,
                None,
            );
        }
        assert_eq!(u.0.lock().map(|m| m.len()).unwrap_or(0), MAX_HELD);
    }
}
