//! One module per top-level page.

pub mod playground;
pub mod upcoming;
