//! `*` / `?` wildcard matching as IAM uses it in Action, Resource, `String*Like` and `Arn*`.

/// Positions of `pattern` reachable after consuming `text`, as a bitmap of `pattern.len() + 1`
/// states (state `i` = the first `i` pattern characters are used up). `*` matches any sequence
/// (including `/` and the empty one), `?` exactly one character.
fn run(pattern: &[char], text: impl Iterator<Item = char>, fold: bool) -> Vec<bool> {
    let n = pattern.len();
    let mut cur = vec![false; n + 1];
    cur[0] = true;
    close(pattern, &mut cur);
    for c in text {
        let c = if fold { lower(c) } else { c };
        let mut next = vec![false; n + 1];
        let mut any = false;
        for i in 0..n {
            if !cur[i] {
                continue;
            }
            match pattern[i] {
                '*' => next[i] = true,
                '?' => next[i + 1] = true,
                p if (if fold { lower(p) } else { p }) == c => next[i + 1] = true,
                _ => continue,
            }
            any = true;
        }
        if !any {
            return next;
        }
        close(pattern, &mut next);
        cur = next;
    }
    cur
}

/// Epsilon moves: a `*` may match nothing.
fn close(pattern: &[char], states: &mut [bool]) {
    for i in 0..pattern.len() {
        if states[i] && pattern[i] == '*' {
            states[i + 1] = true;
        }
    }
}

fn lower(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

/// Whether `text` matches `pattern` entirely (case-sensitive).
pub(crate) fn matches(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    run(&p, text.chars(), false)[p.len()]
}

/// Whether `text` matches `pattern` entirely, ignoring case.
pub(crate) fn matches_fold(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    run(&p, text.chars(), true)[p.len()]
}

/// Whether some string that starts with `prefix` matches `pattern` (case-sensitive).
pub(crate) fn can_extend(pattern: &str, prefix: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    run(&p, prefix.chars(), false).iter().any(|s| *s)
}

/// Whether `s` contains a wildcard character.
pub(crate) fn has_wildcard(s: &str) -> bool {
    s.contains(['*', '?'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_and_question_mark() {
        assert!(matches("*", ""));
        assert!(matches("*", "a/b/c"));
        assert!(matches("bucket/*", "bucket/a/b"));
        assert!(matches("bucket/*", "bucket/"));
        assert!(!matches("bucket/*", "bucket"));
        assert!(matches("b?cket", "bucket"));
        assert!(!matches("b?cket", "bcket"));
        assert!(matches("a*b*c", "aXXbYYc"));
        assert!(!matches("a*b*c", "aXXbYY"));
        assert!(matches("**", "x"));
        assert!(!matches("Bucket", "bucket"));
        assert!(matches("héllo?", "héllo!"));
    }

    #[test]
    fn folding() {
        assert!(matches_fold("s3:get*", "S3:GetObject"));
        assert!(matches_fold("S3:GETOBJECT", "s3:getobject"));
        assert!(!matches_fold("s3:Put*", "s3:GetObject"));
    }

    #[test]
    fn extension() {
        assert!(can_extend("*", "bucket/"));
        assert!(can_extend("*/*", "bucket/"));
        assert!(can_extend("bucket/key*", "bucket/"));
        assert!(can_extend("buck*", "bucket/"));
        assert!(!can_extend("other/*", "bucket/"));
        assert!(!can_extend("bucket", "bucket/"));
        assert!(!can_extend("bucket2/*", "bucket/"));
    }
}
