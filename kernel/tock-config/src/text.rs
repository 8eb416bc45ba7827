//! `const` helpers for comparing names.

/// True if `a` and `b` hold the same bytes; usable in `const` contexts.
pub(crate) const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// True if `list` holds `name`; usable in `const` contexts.
pub(crate) const fn contains(list: &[&str], name: &str) -> bool {
    let mut i = 0;
    while i < list.len() {
        if str_eq(list[i], name) {
            return true;
        }
        i += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn str_eq_compares_bytes() {
        assert!(str_eq("", ""));
        assert!(str_eq("echo", "echo"));
        assert!(!str_eq("echo", "echo2"));
        assert!(!str_eq("echo", "Echo"));
        const SAME: bool = str_eq("a", "a");
        assert!(SAME);
    }

    #[test]
    fn contains_finds_names() {
        assert!(contains(&["a", "bc"], "bc"));
        assert!(!contains(&["a", "bc"], "b"));
        assert!(!contains(&[], "a"));
    }
}
