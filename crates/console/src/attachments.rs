//! Sending a file from the composer (its paperclip, a file dropped on it, a picture pasted
//! into it): one `POST /v1/attachments` (see `api::upload_attachment`), then the stored
//! message shown at once from the answer; the socket's copy merges into it by id and seq.
//! The id is kept for Retry, so a retry after a lost answer stores the file once.

use leptos::prelude::*;
use uuid::Uuid;
use web_sys::File;

use crate::api;
use crate::state::ConsoleState;

/// One composer's file sending: whether a file is on its way, and why the last one failed.
#[derive(Clone, Copy)]
pub struct FileSender {
    pub conversation_id: Uuid,
    /// The name of the file being sent.
    pub sending: RwSignal<Option<String>>,
    /// Why the last file was not sent.
    pub error: RwSignal<Option<String>>,
    /// The last file and its id, for Retry.
    last: StoredValue<Option<(Uuid, File)>, LocalStorage>,
}

impl FileSender {
    pub fn new(conversation_id: Uuid) -> FileSender {
        FileSender {
            conversation_id,
            sending: RwSignal::new(None),
            error: RwSignal::new(None),
            last: StoredValue::new_local(None),
        }
    }

    /// Sends a new file.
    pub fn send(self, state: ConsoleState, file: File) {
        self.last.set_value(Some((Uuid::new_v4(), file)));
        self.retry(state);
    }

    /// Sends the last file again, under the same id.
    pub fn retry(self, state: ConsoleState) {
        let Some((file_id, file)) = self.last.get_value() else {
            return;
        };
        if self.sending.get_untracked().is_some() {
            return;
        }
        let Some(token) = state.token() else {
            self.error.set(Some("You are signed out.".to_string()));
            return;
        };
        self.error.set(None);
        self.sending.set(Some(file.name()));
        let id = self.conversation_id;
        leptos::task::spawn_local(async move {
            let outcome = api::upload_attachment(&token, id, file_id, &file).await;
            // The composer may be gone (the conversation was closed meanwhile).
            _ = self.sending.try_set(None);
            match outcome {
                Ok(message) => {
                    state.update_thread(id, |t| t.timeline.insert(message));
                    self.last.try_set_value(None);
                }
                Err(failure) => {
                    _ = self.error.try_set(Some(format!(
                        "{} was not sent: {}",
                        file.name(),
                        failure.message
                    )))
                }
            }
        });
    }

    /// Forgets the failed file.
    pub fn dismiss(self) {
        self.error.set(None);
        self.last.set_value(None);
    }
}

/// The first file a drop or paste carries, if it carries one.
pub fn first_file(data: Option<web_sys::DataTransfer>) -> Option<File> {
    data?.files()?.get(0)
}
