//! One error type for the harness: a message with its context, plus the
//! WebDriver error code when the driver sent one.

use std::fmt;

#[derive(Clone)]
pub struct Error {
    message: String,
    /// The W3C WebDriver error code (`no such element`, `stale element
    /// reference`, …) when the error came from the driver.
    code: Option<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn new(message: impl Into<String>) -> Self {
        Error {
            message: message.into(),
            code: None,
        }
    }

    pub(crate) fn webdriver(code: impl Into<String>, message: impl Into<String>) -> Self {
        Error {
            message: message.into(),
            code: Some(code.into()),
        }
    }

    /// The WebDriver error code, if the driver reported one.
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// Prefixes the message with what we were doing.
    pub fn context(mut self, context: impl fmt::Display) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

// Tests returning `Result` print errors with `Debug`: make that readable.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// `.context("doing X")` on any result whose error displays.
pub trait Context<T> {
    fn context(self, context: impl fmt::Display) -> Result<T>;
}

impl<T, E: fmt::Display> Context<T> for Result<T, E> {
    fn context(self, context: impl fmt::Display) -> Result<T> {
        self.map_err(|e| Error::new(format!("{context}: {e}")))
    }
}
