//! A file message's file: a picture as a thumbnail that opens full size in a new tab, any
//! other file as a download link with its name and size. One element tree for both, its
//! parts optional, so the widget carries no second view type for it.

use leptos::prelude::*;
use tidings_protocol::Attachment;

use tidings_client::file_size::size_label;

#[component]
pub fn AttachmentView(attachment: Attachment) -> impl IntoView {
    let url = attachment.url.unwrap_or_default();
    let name = attachment.name;
    let image = attachment.content_type.starts_with("image/");
    let size = size_label(attachment.size);
    // Joined rather than `format!`ted: less formatting code in the wasm.
    let label = (!image).then(|| name.clone() + " (" + &size + ")");
    let thumbnail = image.then(|| {
        view! { <img class="tw-thumb" data-testid="attachment-image" src=url.clone() alt=name.clone()/> }
    });
    view! {
        <div class="tw-file" data-testid="attachment" data-kind=if image { "image" } else { "file" }>
            <a
                href=url
                data-testid=(!image).then_some("attachment-file")
                target=image.then_some("_blank")
                rel=image.then_some("noopener")
                title=image.then_some(crate::texts::t("upload.open_image"))
                download=(!image).then(|| name.clone())
            >
                {thumbnail}
                {label}
            </a>
        </div>
    }
}
