//! Console sessions: a random id (the cookie) naming the credential that signed in, its CSRF
//! token and when it ends. Held in memory only: a restart signs everyone out.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a session lasts after sign-in.
pub const LIFETIME: Duration = Duration::from_secs(8 * 3600);

/// Most sessions kept at once; signing in past it drops the one closest to its end.
const MAX_SESSIONS: usize = 1000;

/// The cookie that carries the session id.
pub const COOKIE: &str = "ossemu_console";

/// A signed-in session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// The credential it acts as.
    pub access_key: String,
    /// The token every state-changing request must carry (`x-ossemu-csrf`).
    pub csrf: String,
    /// When it ends.
    pub expires: Instant,
}

/// The signed-in sessions, by id.
#[derive(Debug, Default)]
pub struct Sessions {
    by_id: Mutex<HashMap<String, Session>>,
}

/// 256 bits from the system's random source (two v4 UUIDs, 244 of them random), as hex.
fn random_token() -> String {
    let a = uuid::Uuid::new_v4().simple().to_string();
    let b = uuid::Uuid::new_v4().simple().to_string();
    format!("{a}{b}")
}

impl Sessions {
    /// Starts a session for `access_key`; its id and the session.
    pub fn start(&self, access_key: &str) -> (String, Session) {
        let id = random_token();
        let session = Session {
            access_key: access_key.to_string(),
            csrf: random_token(),
            expires: Instant::now() + LIFETIME,
        };
        let mut map = self.by_id.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        map.retain(|_, s| s.expires > now);
        if map.len() >= MAX_SESSIONS
            && let Some(first) = map
                .iter()
                .min_by_key(|(_, s)| s.expires)
                .map(|(k, _)| k.clone())
        {
            map.remove(&first);
        }
        map.insert(id.clone(), session.clone());
        (id, session)
    }

    /// The live session with this id.
    pub fn get(&self, id: &str) -> Option<Session> {
        let mut map = self.by_id.lock().unwrap_or_else(|e| e.into_inner());
        match map.get(id) {
            Some(s) if s.expires > Instant::now() => Some(s.clone()),
            Some(_) => {
                map.remove(id);
                None
            }
            None => None,
        }
    }

    /// Ends a session.
    pub fn end(&self, id: &str) {
        self.by_id
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id);
    }
}

/// The session id in a `Cookie` header, if any.
pub fn cookie_id(headers: &http::HeaderMap) -> Option<&str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_is_found_by_its_id_until_it_ends() {
        let sessions = Sessions::default();
        let (id, s) = sessions.start("ak");
        assert_eq!(id.len(), 64);
        assert_ne!(id, s.csrf);
        assert_eq!(sessions.get(&id).unwrap().access_key, "ak");
        assert!(sessions.get("other").is_none());
        sessions.end(&id);
        assert!(sessions.get(&id).is_none());
    }

    #[test]
    fn an_expired_session_is_gone() {
        let sessions = Sessions::default();
        let (id, _) = sessions.start("ak");
        sessions.by_id.lock().unwrap().get_mut(&id).unwrap().expires =
            Instant::now() - Duration::from_secs(1);
        assert!(sessions.get(&id).is_none());
    }

    #[test]
    fn the_cookie_is_read_among_others() {
        let mut h = http::HeaderMap::new();
        h.insert(
            http::header::COOKIE,
            "a=1; ossemu_console=abc; b=2".parse().unwrap(),
        );
        assert_eq!(cookie_id(&h), Some("abc"));
        h.insert(http::header::COOKIE, "ossemu_consolex=1".parse().unwrap());
        assert_eq!(cookie_id(&h), None);
    }
}
