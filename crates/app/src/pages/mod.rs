//! One module per top-level page.

pub mod mnist;
pub mod playground;
pub mod upcoming;
