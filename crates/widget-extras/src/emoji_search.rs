//! The emoji picker's plain logic, tested natively: which emoji a search shows, and where the
//! arrow keys move in the grid.

use crate::emoji_list::EMOJI;

/// Emoji per row of the picker's grid (its stylesheet lays out exactly this many).
pub const COLUMNS: usize = 8;

/// The positions in [`EMOJI`] of the emoji whose name contains every word of `query`
/// (case-insensitive), in the list's order; all of them for an empty query.
pub fn matching(query: &str) -> Vec<usize> {
    let query = query.to_lowercase();
    let words: Vec<&str> = query.split_whitespace().collect();
    EMOJI
        .iter()
        .enumerate()
        .filter(|(_, (_, name))| words.iter().all(|w| name.contains(w)))
        .map(|(i, _)| i)
        .collect()
}

/// Where a key moves the focus from the option at `at` among `len` options: `Some(Some(n))`
/// to option `n`, `Some(None)` out of the grid back to the search field (up from the first
/// row), `None` when the key does not move (not an arrow, Home or End, or at an edge).
/// Right to left (`rtl`), the grid is mirrored: the left arrow moves to the next option.
pub fn step(at: usize, key: &str, len: usize, rtl: bool) -> Option<Option<usize>> {
    let (next, previous) = if rtl {
        ("ArrowLeft", "ArrowRight")
    } else {
        ("ArrowRight", "ArrowLeft")
    };
    let to = match key {
        k if k == next => at + 1,
        k if k == previous => at.checked_sub(1)?,
        "ArrowDown" => at + COLUMNS,
        "ArrowUp" => return Some(at.checked_sub(COLUMNS)),
        "Home" => 0,
        "End" => len.checked_sub(1)?,
        _ => return None,
    };
    (to < len).then_some(Some(to))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_matches_every_word_of_the_name_in_any_case() {
        let found: Vec<&str> = matching("Heart  RED").iter().map(|&i| EMOJI[i].0).collect();
        assert_eq!(found, vec!["❤\u{fe0f}"]);
        assert!(matching("thumbs")
            .iter()
            .any(|&i| EMOJI[i].1 == "thumbs up"));
        assert!(matching("no such emoji").is_empty());
        assert_eq!(matching("  ").len(), EMOJI.len());
    }

    #[test]
    fn the_list_has_a_few_hundred_emoji_each_with_a_distinct_name() {
        assert!(EMOJI.len() >= 300);
        let mut names: Vec<&str> = EMOJI.iter().map(|(_, n)| *n).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), EMOJI.len());
    }

    #[test]
    fn arrows_move_in_the_grid_and_up_from_the_first_row_leaves_it() {
        assert_eq!(step(0, "ArrowRight", 20, false), Some(Some(1)));
        assert_eq!(step(0, "ArrowLeft", 20, false), None);
        assert_eq!(step(3, "ArrowDown", 20, false), Some(Some(3 + COLUMNS)));
        assert_eq!(step(15, "ArrowDown", 20, false), None);
        assert_eq!(step(3, "ArrowUp", 20, false), Some(None));
        assert_eq!(step(COLUMNS + 3, "ArrowUp", 20, false), Some(Some(3)));
        assert_eq!(step(7, "Home", 20, false), Some(Some(0)));
        assert_eq!(step(7, "End", 20, false), Some(Some(19)));
        assert_eq!(step(7, "Enter", 20, false), None);
    }

    #[test]
    fn right_to_left_the_grid_is_mirrored() {
        assert_eq!(step(0, "ArrowLeft", 20, true), Some(Some(1)));
        assert_eq!(step(0, "ArrowRight", 20, true), None);
        assert_eq!(step(5, "ArrowRight", 20, true), Some(Some(4)));
        assert_eq!(step(3, "ArrowDown", 20, true), Some(Some(3 + COLUMNS)));
    }
}
