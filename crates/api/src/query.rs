//! The query string, decoded once.

/// Decoded query parameters in request order, plus the raw string.
#[derive(Clone, Debug, Default)]
pub struct Query {
    /// `(name, value)`; bare names have an empty value.
    pub pairs: Vec<(String, String)>,
    /// The raw query string (without `?`).
    pub raw: String,
}

impl Query {
    /// Parses a raw query string (`+` is a space, as in form encoding).
    pub fn parse(raw: &str) -> Self {
        Self {
            pairs: form_urlencoded::parse(raw.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
            raw: raw.to_string(),
        }
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// Whether `name` is present (with or without a value).
    pub fn has(&self, name: &str) -> bool {
        self.pairs.iter().any(|(k, _)| k == name)
    }
}
