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

/// The pre-chat form's question.
pub const PRECHAT_QUESTION: &str = "Before we start, tell us who you are.";
/// Its name field's label.
pub const PRECHAT_NAME: &str = "Name";
/// Its email field's label.
pub const PRECHAT_EMAIL: &str = "Email";
/// After a label, for a field the site does not require.
pub const PRECHAT_OPTIONAL: &str = " (optional)";
/// Its submit button.
pub const PRECHAT_SUBMIT: &str = "Start chatting";
/// A required name left empty.
pub const PRECHAT_NAME_MISSING: &str = "Please enter your name.";
/// A required email left empty.
pub const PRECHAT_EMAIL_MISSING: &str = "Please enter your email address.";
/// An email that is not shaped like one.
pub const PRECHAT_EMAIL_INVALID: &str =
    "Please enter a valid email address, like name@example.com.";
/// An answer longer than the server keeps.
pub const PRECHAT_TOO_LONG: &str = "This is too long: 512 characters at most.";

/// The list of past conversations (its accessible name).
pub const PAST_TITLE: &str = "Past conversations";
/// The button back to the conversation the widget shows.
pub const PAST_BACK: &str = "Back to the current conversation";
/// From a past conversation back to the list.
pub const PAST_ALL: &str = "All past conversations";
/// Loads the page of messages before those shown.
pub const PAST_OLDER: &str = "Load earlier messages";
/// The past conversation being read (its accessible name).
pub const PAST_READING: &str = "Earlier conversation";
/// A list item's state: the conversation the widget shows, an ended one, an open one.
pub const PAST_CURRENT: &str = "Current conversation";
pub const PAST_ENDED: &str = "Ended";
pub const PAST_OPEN: &str = "Open";
/// A list item's day, when it is today or yesterday.
pub const PAST_TODAY: &str = "Today";
pub const PAST_YESTERDAY: &str = "Yesterday";
