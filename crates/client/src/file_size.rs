//! A file's size as people read it, for the links to files in messages (widget and console).

/// `512 B`, `12 KB` (rounded up), `3.4 MB` (rounded down to a tenth).
pub fn size_label(bytes: u64) -> String {
    const KB: u64 = 1024;
    const MB: u64 = KB * KB;
    if bytes < KB {
        format!("{bytes} B")
    } else if bytes < MB {
        format!("{} KB", bytes.div_ceil(KB))
    } else {
        format!("{}.{} MB", bytes / MB, bytes % MB * 10 / MB)
    }
}

#[cfg(test)]
mod tests {
    use super::size_label;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size_label(300), "300 B");
        assert_eq!(size_label(1025), "2 KB");
        assert_eq!(size_label(3 * 1024 * 1024 + 400 * 1024), "3.3 MB");
    }
}
