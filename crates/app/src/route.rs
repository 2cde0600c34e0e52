//! Which page the URL hash selects.
//!
//! Pages live in the hash (`#/mnist`) so the app works from any static host
//! and inside an `<iframe>`; any other hash belongs to the Playground, whose
//! state it will carry (TensorFlow Playground's `#activation=tanh&…`).

/// A top-level page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    Playground,
    Mnist,
    Webcam,
    Sketch,
    About,
}

impl Route {
    /// Every page, in navigation order.
    pub const ALL: [Route; 5] = [
        Route::Playground,
        Route::Mnist,
        Route::Webcam,
        Route::Sketch,
        Route::About,
    ];

    /// The page a `location.hash` (with or without the leading `#`) selects.
    pub fn from_hash(hash: &str) -> Route {
        let path = hash.trim_start_matches('#');
        Route::ALL
            .into_iter()
            .find(|r| {
                r.path()
                    .is_some_and(|p| path == p || path.starts_with(&format!("{p}?")))
            })
            .unwrap_or(Route::Playground)
    }

    /// The hash path of the page; the Playground has none (its hash is its state).
    pub fn path(self) -> Option<&'static str> {
        match self {
            Route::Playground => None,
            Route::Mnist => Some("/mnist"),
            Route::Webcam => Some("/webcam"),
            Route::Sketch => Some("/sketch"),
            Route::About => Some("/about"),
        }
    }

    /// The link target for the navigation bar.
    pub fn href(self) -> String {
        format!("#{}", self.path().unwrap_or(""))
    }

    /// The name shown in the navigation bar.
    pub fn title(self) -> &'static str {
        match self {
            Route::Playground => "Playground",
            Route::Mnist => "MNIST lab",
            Route::Webcam => "Webcam",
            Route::Sketch => "Sketch",
            Route::About => "About",
        }
    }

    /// A stable name for `data-testid`s.
    pub fn id(self) -> &'static str {
        match self {
            Route::Playground => "playground",
            Route::Mnist => "mnist",
            Route::Webcam => "webcam",
            Route::Sketch => "sketch",
            Route::About => "about",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_select_pages() {
        assert_eq!(Route::from_hash(""), Route::Playground);
        assert_eq!(Route::from_hash("#"), Route::Playground);
        assert_eq!(Route::from_hash("#/mnist"), Route::Mnist);
        assert_eq!(Route::from_hash("/sketch"), Route::Sketch);
        assert_eq!(Route::from_hash("#/webcam?x=1"), Route::Webcam);
        assert_eq!(Route::from_hash("#/about"), Route::About);
        // TensorFlow Playground state belongs to the Playground.
        assert_eq!(
            Route::from_hash("#activation=tanh&dataset=circle"),
            Route::Playground
        );
        assert_eq!(Route::from_hash("#/mnistx"), Route::Playground);
    }

    #[test]
    fn links_round_trip() {
        for route in Route::ALL {
            assert_eq!(Route::from_hash(&route.href()), route);
        }
    }
}
