//! Canned responses in the composer: when the text ends in `/` and a shortcut being typed,
//! which responses match it, and the text once one is chosen, its placeholders filled in.
//! Plain functions, tested natively.

use tidings_protocol::CannedResponse;

/// The placeholders a body may hold, and what fills them.
const VISITOR_NAME: &str = "visitor.name";
const AGENT_NAME: &str = "agent.name";

/// The shortcut being typed: the text after a `/` that starts the text or follows
/// whitespace, up to the end of the text, with no whitespace in it. `None` when the text
/// does not end in one.
pub fn slash_query(text: &str) -> Option<&str> {
    let start = text.rfind('/')?;
    let query = &text[start + 1..];
    let before = &text[..start];
    let starts_word = before.is_empty() || before.ends_with(char::is_whitespace);
    (starts_word && !query.contains(char::is_whitespace)).then_some(query)
}

/// The responses matching `query`: those whose shortcut starts with it first (by
/// shortcut), then those whose shortcut or title contains it; case does not matter.
pub fn matching<'a>(all: &'a [CannedResponse], query: &str) -> Vec<&'a CannedResponse> {
    let query = query.to_lowercase();
    let mut prefix: Vec<&CannedResponse> = Vec::new();
    let mut inside: Vec<&CannedResponse> = Vec::new();
    for response in all {
        let shortcut = response.shortcut.to_lowercase();
        if shortcut.starts_with(&query) {
            prefix.push(response);
        } else if shortcut.contains(&query) || response.title.to_lowercase().contains(&query) {
            inside.push(response);
        }
    }
    prefix.sort_by_key(|r| r.shortcut.to_lowercase());
    prefix.extend(inside);
    prefix
}

/// The body with `{{visitor.name}}` and `{{agent.name}}` filled in (spaces inside the
/// braces allowed). A name not known fills in as nothing, never as the placeholder;
/// anything else in braces is left as written.
pub fn fill(body: &str, visitor_name: Option<&str>, agent_name: Option<&str>) -> String {
    let mut out = String::with_capacity(body.len());
    let mut rest = body;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open..].find("}}") else {
            break;
        };
        let inner = rest[open + 2..open + close].trim();
        out.push_str(&rest[..open]);
        match inner {
            VISITOR_NAME => out.push_str(visitor_name.unwrap_or_default().trim()),
            AGENT_NAME => out.push_str(agent_name.unwrap_or_default().trim()),
            _ => out.push_str(&rest[open..open + close + 2]),
        }
        rest = &rest[open + close + 2..];
    }
    out.push_str(rest);
    out
}

/// The composer's text with the `/shortcut` it ends in replaced by `body`.
pub fn insert(text: &str, body: &str) -> String {
    match (slash_query(text), text.rfind('/')) {
        (Some(_), Some(start)) => format!("{}{body}", &text[..start]),
        _ => format!("{text}{body}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    fn response(shortcut: &str, title: &str) -> CannedResponse {
        CannedResponse {
            id: Uuid::new_v4(),
            title: title.into(),
            shortcut: shortcut.into(),
            body: format!("body of {shortcut}"),
            updated_at: 0,
        }
    }

    #[test]
    fn a_slash_starting_a_word_at_the_end_opens_the_list() {
        assert_eq!(slash_query("/"), Some(""));
        assert_eq!(slash_query("/he"), Some("he"));
        assert_eq!(slash_query("Sure! /he"), Some("he"));
        assert_eq!(slash_query("line\n/he"), Some("he"));
        assert_eq!(slash_query("/he llo"), None, "the shortcut ended");
        assert_eq!(slash_query("and/or"), None, "not at a word's start");
        assert_eq!(slash_query("https://example.test/a"), None);
        assert_eq!(slash_query("no slash"), None);
        assert_eq!(slash_query(""), None);
    }

    #[test]
    fn prefix_matches_come_first_then_matches_inside_shortcut_or_title() {
        let all = vec![
            response("thanks", "Say thank you"),
            response("hello", "Greeting"),
            response("help", "How to get help"),
            response("bye", "Say hello again later"),
        ];
        let shortcuts = |q: &str| {
            matching(&all, q)
                .into_iter()
                .map(|r| r.shortcut.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(shortcuts("he"), ["hello", "help", "bye"]);
        assert_eq!(shortcuts("you"), ["thanks"], "a match in the title");
        assert_eq!(shortcuts("HEL"), ["hello", "help", "bye"]);
        assert_eq!(shortcuts("").len(), 4);
        assert!(shortcuts("zzz").is_empty());
    }

    #[test]
    fn names_are_filled_in_and_an_unknown_name_is_empty() {
        let body = "Hi {{visitor.name}}, I'm {{ agent.name }}. {{other}} stays.";
        assert_eq!(
            fill(body, Some("Grace"), Some("Ada")),
            "Hi Grace, I'm Ada. {{other}} stays."
        );
        assert_eq!(
            fill(body, None, Some("Ada")),
            "Hi , I'm Ada. {{other}} stays."
        );
        assert_eq!(fill(body, Some("  "), None), "Hi , I'm . {{other}} stays.");
        assert_eq!(fill("{{visitor.name", Some("G"), None), "{{visitor.name");
        assert_eq!(fill("no placeholders", None, None), "no placeholders");
    }

    #[test]
    fn choosing_replaces_the_typed_shortcut() {
        assert_eq!(insert("/he", "Hello!"), "Hello!");
        assert_eq!(insert("Sure. /he", "Hello!"), "Sure. Hello!");
        assert_eq!(insert("done", "Hello!"), "doneHello!");
    }
}
