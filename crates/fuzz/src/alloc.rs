//! An allocator that turns a parser trusting a length field into a finding.
//!
//! A parser that sizes a buffer from a header ("4 294 967 295 images
//! follow") before checking the bytes are there would, in the page, ask
//! wasm for gigabytes and abort the tab. [`Capped`] refuses any single
//! allocation over [`CAP`]: while a [`Watch`] is live on the thread it
//! first writes the input being parsed to `target/fuzz/<target>.oversize`,
//! then aborts with a message naming the target. Test
//! binaries that fuzz install it:
//!
//! ```ignore
//! #[global_allocator]
//! static ALLOC: playnet_fuzz::alloc::Capped = playnet_fuzz::alloc::Capped;
//! ```
//!
//! Nothing here allocates on that path: the input and the open file are
//! kept as raw parts in thread-local cells.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Write;
use std::mem::ManuallyDrop;
use std::os::fd::{FromRawFd, IntoRawFd};

/// The largest single allocation a parser may make of a fuzzed input (at
/// most 64 KiB long): 256 MiB.
pub const CAP: usize = 256 << 20;

thread_local! {
    static INPUT: Cell<(*const u8, usize)> = const { Cell::new((std::ptr::null(), 0)) };
    static NAME: Cell<(*const u8, usize)> = const { Cell::new((std::ptr::null(), 0)) };
    static SINK: Cell<i32> = const { Cell::new(-1) };
    static SINK_FOR: Cell<(*const u8, usize)> = const { Cell::new((std::ptr::null(), 0)) };
}

/// Where an input that asked for too much is written.
pub fn oversize_path(target: &str) -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/fuzz")
        .join(format!("{target}.oversize"))
}

/// The system allocator, refusing single allocations over [`CAP`].
pub struct Capped;

unsafe impl GlobalAlloc for Capped {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        refuse_oversize(layout.size());
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        refuse_oversize(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        refuse_oversize(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Marks `input` as the one being parsed on this thread for `target`,
/// until dropped.
pub struct Watch {
    _not_send: std::marker::PhantomData<*const u8>,
}

impl Watch {
    pub fn new(target: &'static str, input: &[u8]) -> Watch {
        INPUT.with(|c| c.set((input.as_ptr(), input.len())));
        NAME.with(|c| c.set((target.as_ptr(), target.len())));
        let name = (target.as_ptr(), target.len());
        if SINK_FOR.with(Cell::get) != name {
            let old = SINK.with(|c| c.replace(-1));
            if old >= 0 {
                // SAFETY: `old` came from `into_raw_fd` below and is closed only here.
                drop(unsafe { std::fs::File::from_raw_fd(old) });
            }
            let path = oversize_path(target);
            let file = path
                .parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .and_then(|_| {
                    std::fs::OpenOptions::new()
                        .write(true)
                        .create(true)
                        .truncate(false)
                        .open(&path)
                });
            if let Ok(file) = file {
                SINK.with(|c| c.set(file.into_raw_fd()));
            }
            SINK_FOR.with(|c| c.set(name));
        }
        Watch {
            _not_send: std::marker::PhantomData,
        }
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        INPUT.with(|c| c.set((std::ptr::null(), 0)));
        NAME.with(|c| c.set((std::ptr::null(), 0)));
    }
}

fn refuse_oversize(size: usize) {
    if size <= CAP {
        return;
    }
    let (input, len) = INPUT.try_with(Cell::get).unwrap_or((std::ptr::null(), 0));
    if input.is_null() {
        return;
    }
    let (name, name_len) = NAME.try_with(Cell::get).unwrap_or((std::ptr::null(), 0));
    // SAFETY: a live `Watch` set both from borrowed slices that outlive it.
    let (input, name) = unsafe {
        (
            std::slice::from_raw_parts(input, len),
            std::slice::from_raw_parts(name, name_len),
        )
    };
    let fd = SINK.try_with(Cell::get).unwrap_or(-1);
    let mut err = std::io::stderr();
    let _ = err.write_all(b"\nfuzz ");
    let _ = err.write_all(name);
    let _ = err.write_all(b": one allocation of ");
    let mut digits = [0u8; 20];
    let _ = err.write_all(decimal(size, &mut digits));
    let _ = err.write_all(b" bytes (more than the fuzzer's cap) for an input of ");
    let _ = err.write_all(decimal(len, &mut digits));
    let _ = err.write_all(b" bytes: the parser trusts a length it has not checked");
    if fd >= 0 {
        // SAFETY: `fd` came from `into_raw_fd` and is never closed; the
        // `ManuallyDrop` keeps it open.
        let mut file = ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(fd) });
        let kept = file.set_len(0).is_ok() && file.write_all(input).is_ok();
        let _ = err.write_all(if kept {
            b"; the input is kept as target/fuzz/<target>.oversize: move it to \
              crates/fuzz/corpus/<target>/crash-<what>, fix the parser and commit it\n"
                .as_slice()
        } else {
            b"; the input could not be kept\n".as_slice()
        });
    } else {
        let _ = err.write_all(b"\n");
    }
    std::process::abort();
}

fn decimal(mut n: usize, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &buf[i..]
}

#[cfg(test)]
mod tests {
    #[test]
    fn decimal_writes_digits() {
        let mut buf = [0; 20];
        assert_eq!(super::decimal(0, &mut buf), b"0");
        assert_eq!(super::decimal(268_435_457, &mut buf), b"268435457");
        assert_eq!(
            super::decimal(usize::MAX, &mut buf),
            b"18446744073709551615"
        );
    }
}
