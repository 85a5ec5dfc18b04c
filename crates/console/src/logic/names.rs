//! How people are named on screen: visitors without a name, browsers from a user agent.

use tidings_protocol::Conversation;
use uuid::Uuid;

/// The visitor's name, or "Visitor #" and a short id. The tail of the UUID is used because
/// the head of a v7 UUID is a timestamp shared by visitors who arrived around the same time.
pub fn visitor_label(conversation: &Conversation) -> String {
    match conversation.visitor_name.as_deref().map(str::trim) {
        Some(name) if !name.is_empty() => name.to_string(),
        _ => anonymous_visitor(conversation.visitor_id),
    }
}

/// "Visitor #3fa2c1".
pub fn anonymous_visitor(visitor_id: Uuid) -> String {
    let simple = visitor_id.simple().to_string();
    format!("Visitor #{}", &simple[simple.len() - 6..])
}

/// "Chrome 120 on Linux" from a user agent string; empty input gives "Unknown browser".
pub fn browser_summary(user_agent: &str) -> String {
    if user_agent.trim().is_empty() {
        return "Unknown browser".to_string();
    }
    // Order matters: Edge and Opera also say Chrome, Chrome also says Safari.
    const BROWSERS: [(&str, &str); 6] = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("HeadlessChrome/", "Headless Chrome"),
        ("Chrome/", "Chrome"),
        ("Version/", "Safari"),
    ];
    let browser = BROWSERS.iter().find_map(|(token, name)| {
        let at = user_agent.find(token)?;
        let version: String = user_agent[at + token.len()..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        Some(if version.is_empty() {
            name.to_string()
        } else {
            format!("{name} {version}")
        })
    });
    const SYSTEMS: [(&str, &str); 6] = [
        ("Windows", "Windows"),
        ("iPhone", "iOS"),
        ("iPad", "iOS"),
        ("Mac OS X", "macOS"),
        ("Android", "Android"),
        ("Linux", "Linux"),
    ];
    let system = SYSTEMS
        .iter()
        .find(|(token, _)| user_agent.contains(token))
        .map(|(_, name)| *name);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} on {s}"),
        (Some(b), None) => b,
        (None, Some(s)) => format!("A browser on {s}"),
        (None, None) => "Unknown browser".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anonymous_visitors_get_a_short_id_from_the_uuid_tail() {
        let id = Uuid::parse_str("01890a5d-ac96-774b-bcce-b302099a8057").unwrap();
        assert_eq!(anonymous_visitor(id), "Visitor #9a8057");
    }

    #[test]
    fn browsers_are_recognised_in_the_right_order() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
        assert_eq!(browser_summary(chrome), "Chrome 120 on Linux");
        let edge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 Edg/120.0.1";
        assert_eq!(browser_summary(edge), "Edge 120 on Windows");
        let firefox =
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.1; rv:121.0) Gecko/20100101 Firefox/121.0";
        assert_eq!(browser_summary(firefox), "Firefox 121 on macOS");
        let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1";
        assert_eq!(browser_summary(safari), "Safari 17 on iOS");
        assert_eq!(browser_summary(""), "Unknown browser");
        assert_eq!(browser_summary("curl/8.0"), "Unknown browser");
    }
}
