//! The navigation shell: a header with the four pages, and the page the URL
//! hash selects.

use leptos::prelude::*;

use crate::pages::{mnist::MnistLab, playground::Playground, upcoming::Upcoming};
use crate::route::Route;

fn current_route() -> Route {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    Route::from_hash(&hash)
}

/// The whole app.
#[component]
pub fn App() -> impl IntoView {
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
                    other => view! { <Upcoming route=other /> }.into_any(),
                }}
            </main>
        </div>
    }
}
