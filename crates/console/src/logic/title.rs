//! The browser tab title, with the count of things waiting for the agent.

/// "(3) Tidings console" when something waits, the plain title otherwise.
pub fn tab_title(base: &str, attention: u32) -> String {
    if attention == 0 {
        base.to_string()
    } else {
        format!("({attention}) {base}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_count_prefixes_the_title_only_when_non_zero() {
        assert_eq!(tab_title("Tidings", 0), "Tidings");
        assert_eq!(tab_title("Tidings", 3), "(3) Tidings");
    }
}
