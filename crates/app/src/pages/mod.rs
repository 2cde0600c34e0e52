//! One module per top-level page.

pub mod about;
pub mod mnist;
pub mod playground;
pub mod sketch;
pub mod webcam;
