//! `*` / `?` wildcard matching as IAM uses it in Action, Resource, `String*Like` and `Arn*`.

/// Positions of `pattern` reachable after consuming `text`, as a bitmap of `pattern.len() + 1`
/// states (state `i` = the first `i` pattern characters are used up). `*` matches any sequence
/// (including `/` and the empty one), `?` exactly one character.
fn run(pattern: &[char], text: impl Iterator<Item = char>) -> Vec<bool> {
    let n = pattern.len();
    let mut cur = vec![false; n + 1];
    cur[0] = true;
    close(pattern, &mut cur);
    for c in text {
        let mut next = vec![false; n + 1];
        let mut any = false;
        for i in 0..n {
            if !cur[i] {
                continue;
            }
            match pattern[i] {
                '*' => next[i] = true,
                '?' => next[i + 1] = true,
                p if p == c => next[i + 1] = true,
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
    let t: Vec<char> = text.chars().collect();
    greedy(&p, &t)
}

/// Whether `text` matches `pattern` entirely, ignoring case.
pub(crate) fn matches_fold(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().map(lower).collect();
    let t: Vec<char> = text.chars().map(lower).collect();
    greedy(&p, &t)
}

/// Full match by the usual greedy walk that backtracks only to the last `*` (a later `*` can
/// absorb anything an earlier one could), without allocating per character.
fn greedy(p: &[char], t: &[char]) -> bool {
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// Whether some string that starts with `prefix` matches `pattern` (case-sensitive).
pub(crate) fn can_extend(pattern: &str, prefix: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    run(&p, prefix.chars()).iter().any(|s| *s)
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
    fn greedy_agrees_with_the_automaton() {
        let pats = [
            "", "*", "?", "a*", "*a", "a*b", "*a*b*", "a?b*", "??", "a**b", "*?*",
        ];
        let texts = [
            "", "a", "b", "ab", "ba", "aab", "abab", "axxb", "abc", "bbb",
        ];
        for p in pats {
            let pc: Vec<char> = p.chars().collect();
            for t in texts {
                assert_eq!(matches(p, t), run(&pc, t.chars())[pc.len()], "{p} ~ {t}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn greedy_agrees_on_random_input(p in "[ab*?]{0,8}", t in "[abc]{0,10}") {
            let pc: Vec<char> = p.chars().collect();
            proptest::prop_assert_eq!(matches(&p, &t), run(&pc, t.chars())[pc.len()]);
        }
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
