//! Entry point of the widget app (the page inside the loader's iframe).

fn main() {
    #[cfg(target_arch = "wasm32")]
    tidings_widget::start();
}
