//! Every text the extras show a visitor, in one place, so that the widget's message catalogs
//! can take them over (emoji names aside: they are CLDR data, in `emoji_list.rs`).

/// The emoji picker's accessible name.
pub const EMOJI_PICKER: &str = "Emoji";
/// The picker's search field: its label and placeholder.
pub const EMOJI_SEARCH: &str = "Search emoji";
/// The picker's grid of emoji buttons.
pub const EMOJI_LIST: &str = "Emoji to insert";
/// Shown in the picker when the search matches no emoji.
pub const EMOJI_NONE: &str = "No emoji found";

/// A request that got no answer.
pub const NO_CONNECTION: &str = "No connection. Please try again.";
/// A request the server refused without saying why.
pub const SERVER_ERROR: &str = "Something went wrong. Please try again.";

/// The offline email field's label, when nobody is online.
pub const OFFLINE_EMAIL_LABEL: &str = "Nobody is online. Leave your email and we'll reply there:";
/// The same, when the site requires the email before a message.
pub const OFFLINE_EMAIL_REQUIRED: &str =
    "Nobody is online. Please leave your email first, so that we can reply there:";
/// The offline email's save button.
pub const OFFLINE_EMAIL_SAVE: &str = "Save";
/// Confirms the saved address (before and after it).
pub const OFFLINE_EMAIL_SAVED: (&str, &str) = ("We'll email ", " when we reply.");

/// The ended chat's button that emails the transcript.
pub const TRANSCRIPT_BUTTON: &str = "Email me the transcript";
/// The transcript's email field, when the visitor has not given one yet.
pub const TRANSCRIPT_EMAIL: &str = "Your email";
/// Confirms the transcript request (before and after the address).
pub const TRANSCRIPT_SENT: (&str, &str) = ("The transcript is on its way to ", ".");
