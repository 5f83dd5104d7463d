//! Mirror loops: every origin request carries [`HOP_HEADER`], the ids of the ossemu servers
//! the fetch passed through, each server's own id last. A server that finds its own id in a
//! request's header is being asked by its own mirror fetch (a rule whose origin is the
//! server itself, or buckets mirroring each other) and must not fetch again: that fetch
//! would wait on itself until the read timeout. The ids are random per process, so chains
//! through several servers keep working and only a cycle is refused.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

/// The header naming the servers a mirror fetch came through: `id[,id…]`.
pub const HOP_HEADER: &str = "x-ossemu-mirror-hop";

/// Most servers a chain of mirror fetches may pass through.
pub const MAX_HOPS: usize = 8;

/// Why a request may not start a mirror fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HopError {
    /// The request comes from this server's own mirror fetch.
    #[error("Mirror loop: the origin of this mirror fetch is this server itself")]
    Loop,
    /// The request has come through [`MAX_HOPS`] servers already.
    #[error("Mirror loop: the request has passed through too many mirror fetches")]
    TooManyHops,
}

/// A random id for this server (16 hex digits).
pub(crate) fn instance_id() -> String {
    let mut h = RandomState::new().build_hasher();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    h.write_u128(now);
    h.write_u32(std::process::id());
    format!("{:016x}", h.finish())
}

/// The servers a request carrying `header` came through, if this server (`own`) may fetch
/// for it.
pub(crate) fn chain(own: &str, header: Option<&str>) -> Result<Vec<String>, HopError> {
    let ids: Vec<String> = header
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
        .collect();
    if ids.iter().any(|id| id == own) {
        return Err(HopError::Loop);
    }
    if ids.len() >= MAX_HOPS {
        return Err(HopError::TooManyHops);
    }
    Ok(ids)
}

/// The header value of a fetch by `own` for a request that came through `chain`.
pub(crate) fn header_value(chain: &[String], own: &str) -> String {
    let mut ids = chain.to_vec();
    ids.push(own.to_owned());
    ids.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_id_is_a_loop_and_chains_are_bounded() {
        let own = instance_id();
        assert_eq!(own.len(), 16);
        assert_ne!(own, instance_id());
        assert_eq!(chain(&own, None), Ok(vec![]));
        assert_eq!(chain(&own, Some("a, b")), Ok(vec!["a".into(), "b".into()]));
        assert_eq!(chain(&own, Some(&format!("a,{own}"))), Err(HopError::Loop));
        let long = ["x"; MAX_HOPS].join(",");
        assert_eq!(chain(&own, Some(&long)), Err(HopError::TooManyHops));
        assert_eq!(header_value(&["a".into()], "me"), "a,me");
        assert_eq!(header_value(&[], "me"), "me");
    }
}
