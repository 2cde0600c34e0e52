//! The pages that are planned but not built yet say so plainly, and say what
//! they will do, instead of pretending.

use leptos::prelude::*;

use crate::route::Route;

/// What a planned page will offer, in a sentence or two.
fn plan(route: Route) -> &'static str {
    match route {
        Route::Mnist => {
            "Train real networks on the full MNIST set (60,000 training and 10,000 test digits) \
             right here: from one softmax layer (about 92%) to a convolutional network with \
             dropout and batch norm (above 99%), with live curves, the mistakes it makes, and a \
             pad to draw your own digit."
        }
        Route::Webcam => {
            "Teach a network with your webcam: a pretrained image model turns frames into \
             features, you record a few examples of each class, and a small head trains live \
             and steers a game."
        }
        Route::Playground | Route::Sketch | Route::About => "",
    }
}

/// A planned page.
#[component]
pub fn Upcoming(route: Route) -> impl IntoView {
    view! {
        <section class="upcoming" data-testid="upcoming">
            <h1>{route.title()}</h1>
            <p>{plan(route)}</p>
            <p class="muted">
                "This page is not built yet. The "
                <a href="#">"Playground"</a>
                " works today."
            </p>
        </section>
    }
}
