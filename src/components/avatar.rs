//! A round avatar (the header's and the message rows'): the person's initial, coloured from
//! their name so each agent keeps one colour.

/// A hue in 0..360 derived from `name`.
fn hue(name: &str) -> u32 {
    name.bytes()
        .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(b as u32))
        % 360
}

/// The name's initial, upper case ("?" for no name).
pub fn initial(name: &str) -> String {
    name.chars()
        .next()
        .map(|c| c.to_uppercase().collect::<String>())
        .unwrap_or_else(|| "?".into())
}

/// The avatar's `style`: its background colour.
pub fn avatar_style(name: &str) -> String {
    // Joined rather than `format!`ted: less formatting code in the wasm.
    let mut style = String::from("background:hsl(");
    style += &hue(name).to_string();
    style += ",55%,45%)";
    style
}
