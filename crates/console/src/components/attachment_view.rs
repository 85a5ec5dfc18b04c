//! A file message's file in the console: a picture as a thumbnail that opens full size in a
//! new tab, any other file as a download link with its name and size.

use leptos::prelude::*;
use tidings_protocol::Attachment;

use tidings_client::file_size::size_label;

#[component]
pub fn AttachmentView(attachment: Attachment) -> impl IntoView {
    let url = attachment.url.clone().unwrap_or_default();
    let name = attachment.name.clone();
    if attachment.content_type.starts_with("image/") {
        view! {
            <div class="attachment" data-testid="attachment" data-kind="image">
                <a href=url.clone() target="_blank" rel="noopener" title="Open the picture full size">
                    <img class="attachment-thumb" data-testid="attachment-image" src=url.clone() alt=name />
                </a>
            </div>
        }
        .into_any()
    } else {
        let label = format!("{name} ({})", size_label(attachment.size));
        view! {
            <div class="attachment" data-testid="attachment" data-kind="file">
                <a data-testid="attachment-file" href=url download=name>
                    {label}
                </a>
            </div>
        }
        .into_any()
    }
}
