//! The navigation shell: a header with the four pages and the About view,
//! and the page the URL hash selects.

use leptos::prelude::*;

use crate::pages::{
    about::About, mnist::MnistLab, playground::Playground, sketch::Sketch, webcam::Webcam,
};
use crate::route::Route;

fn current_route() -> Route {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    Route::from_hash(&hash)
}

/// What pages tell the navigation shell: set by the Playground when its link
/// says `hideText=true` (an embed), which hides the About link too.
#[derive(Clone, Copy)]
pub struct Chrome {
    pub hide_text: RwSignal<bool>,
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
    let chrome = Chrome {
        hide_text: RwSignal::new(false),
    };
    provide_context(chrome);
    let route = RwSignal::new(current_route());
    let listener =
        window_event_listener(leptos::ev::hashchange, move |_| route.set(current_route()));
    on_cleanup(move || listener.remove());

    view! {
        <div class="app">
            <header class="nav">
                <a class="brand" href="#">"Playnet"</a>
                <nav>
                    {Route::ALL
                        .into_iter()
                        .map(|r| {
                            view! {
                                <a
                                    href=r.href()
                                    data-testid=format!("nav-{}", r.id())
                                    class:active=move || route.get() == r
                                    class:about=r == Route::About
                                    hidden=move || r == Route::About && chrome.hide_text.get()
                                >
                                    {r.title()}
                                </a>
                            }
                        })
                        .collect_view()}
                </nav>
            </header>
            <main class="page" data-testid=move || format!("page-{}", route.get().id())>
                {move || match route.get() {
                    Route::Playground => view! { <Playground /> }.into_any(),
                    Route::Mnist => view! { <MnistLab /> }.into_any(),
                    Route::About => view! { <About /> }.into_any(),
                    Route::Sketch => view! { <Sketch /> }.into_any(),
                    Route::Webcam => view! { <Webcam /> }.into_any(),
                }}
            </main>
        </div>
    }
}
