//! A file message's file: a picture as a thumbnail that opens full size in a new tab, any
//! other file as a download link with its name and size.

use leptos::prelude::*;
use tidings_protocol::Attachment;

use crate::file_size::size_label;
use crate::upload::text;

#[component]
pub fn AttachmentView(attachment: Attachment) -> impl IntoView {
    let url = attachment.url.clone().unwrap_or_default();
    let name = attachment.name.clone();
    if attachment.content_type.starts_with("image/") {
        view! {
            <div class="tw-file" data-testid="attachment" data-kind="image">
                <a href=url.clone() target="_blank" rel="noopener" title=text::OPEN_IMAGE>
                    <img class="tw-thumb" data-testid="attachment-image" src=url.clone() alt=name/>
                </a>
            </div>
        }
        .into_any()
    } else {
        let size = size_label(attachment.size);
        view! {
            <div class="tw-file" data-testid="attachment" data-kind="file">
                <a data-testid="attachment-file" href=url download=name.clone()
                    title=format!("{} {name}", text::DOWNLOAD)>
                    {name.clone()} " (" {size} ")"
                </a>
            </div>
        }
        .into_any()
    }
}
