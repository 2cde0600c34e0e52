//! The page's backend choice: `?backend=auto|webgpu|cpu` in the hash wins
//! (read by [`super::link`]), else the last choice made on this browser
//! (localStorage), else auto.

use crate::worker::protocol::BackendChoice;

/// Where the last choice is kept.
const STORAGE_KEY: &str = "playnet.mnist.backend";

/// The choices, in the menu's order.
pub const CHOICES: [BackendChoice; 3] = [
    BackendChoice::Auto,
    BackendChoice::WebGpu,
    BackendChoice::Cpu,
];

/// The name in URLs, storage and the menu's values.
pub fn id(choice: BackendChoice) -> &'static str {
    match choice {
        BackendChoice::Auto => "auto",
        BackendChoice::WebGpu => "webgpu",
        BackendChoice::Cpu => "cpu",
    }
}

/// What the menu says.
pub fn label(choice: BackendChoice) -> &'static str {
    match choice {
        BackendChoice::Auto => "auto (a GPU if there is one)",
        BackendChoice::WebGpu => "WebGPU",
        BackendChoice::Cpu => "CPU",
    }
}

pub fn from_id(name: &str) -> Option<BackendChoice> {
    CHOICES.into_iter().find(|&c| id(c) == name)
}

/// The value of `key` in the hash's query (`#/mnist?a=1&key=value`).
pub fn hash_param<'a>(hash: &'a str, key: &str) -> Option<&'a str> {
    let query = hash.split_once('?')?.1;
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

/// The backend to start with: the link's, else the stored one, else auto.
pub fn initial(from_link: Option<BackendChoice>) -> BackendChoice {
    from_link
        .or_else(|| stored().as_deref().and_then(from_id))
        .unwrap_or_default()
}

/// Remembers `choice` on this browser, and in the hash if it names one (so
/// that a reload keeps it); neither is essential, so failures are ignored.
pub fn remember(choice: BackendChoice) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Ok(Some(storage)) = window.local_storage() {
        let _ = storage.set_item(STORAGE_KEY, id(choice));
    }
    let Ok(hash) = window.location().hash() else {
        return;
    };
    // `replaceState`, not `location.hash`: a hash change would re-open the page.
    if hash_param(&hash, "backend").is_some()
        && let Ok(history) = window.history()
    {
        let url = with_param(&hash, "backend", id(choice));
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

fn stored() -> Option<String> {
    web_sys::window()?
        .local_storage()
        .ok()??
        .get_item(STORAGE_KEY)
        .ok()?
}

/// `hash` with `key`'s value replaced by `value`.
fn with_param(hash: &str, key: &str, value: &str) -> String {
    let Some((path, query)) = hash.split_once('?') else {
        return format!("{hash}?{key}={value}");
    };
    let query: Vec<String> = query
        .split('&')
        .map(|kv| match kv.split_once('=') {
            Some((k, _)) if k == key => format!("{key}={value}"),
            _ => kv.to_string(),
        })
        .collect();
    format!("{path}?{}", query.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_names_the_backend() {
        assert_eq!(
            hash_param("#/mnist?preset=conv&backend=cpu", "backend"),
            Some("cpu")
        );
        assert_eq!(hash_param("#/mnist", "backend"), None);
        assert_eq!(from_id("webgpu"), Some(BackendChoice::WebGpu));
        assert_eq!(from_id("gpu"), None);
        assert!(CHOICES.into_iter().all(|c| from_id(id(c)) == Some(c)));
    }

    #[test]
    fn a_new_choice_replaces_the_old_one_in_the_hash() {
        assert_eq!(
            with_param("#/mnist?preset=conv&backend=cpu", "backend", "webgpu"),
            "#/mnist?preset=conv&backend=webgpu"
        );
        assert_eq!(
            with_param("#/mnist", "backend", "cpu"),
            "#/mnist?backend=cpu"
        );
    }
}
