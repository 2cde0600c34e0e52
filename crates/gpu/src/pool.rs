//! Recycled storage buffers.
//!
//! A training step makes about a hundred temporary tensors, the same sizes
//! step after step. Creating a GPU buffer for each costs an allocation, and in
//! the browser a dropped buffer's memory comes back only when JavaScript's
//! garbage collector gets to it, which a fast training loop can outrun. So a
//! buffer whose last [`crate::GpuBuffer`] handle is dropped goes back to a
//! pool, by size, and the next request of that size takes it.
//!
//! Reusing a buffer at once is safe because WebGPU runs everything on one
//! queue in order: whatever later work writes into it runs after the earlier
//! work that read it, even when that work is still waiting in the pending
//! encoder. The one exception is `Queue::write_buffer`, which runs before the
//! pending encoder's commands; uploads into recycled buffers therefore submit
//! the pending work first (see [`crate::Gpu`]'s `upload`).

use std::collections::HashMap;
use std::ops::Deref;
use std::sync::{Arc, Mutex};

use crate::device::lock;

/// Bytes the pool keeps at most; buffers beyond it are dropped (and freed by
/// wgpu, or by the browser's garbage collector).
const POOL_BYTES: u64 = 256 << 20;

/// Sizes are rounded up to this many bytes, so that near sizes share.
const GRANULE: u64 = 256;

/// The usages of every pooled buffer: a kernel's input or output, a copy's
/// source or destination.
pub(crate) const STORAGE: wgpu::BufferUsages = wgpu::BufferUsages::STORAGE
    .union(wgpu::BufferUsages::COPY_SRC)
    .union(wgpu::BufferUsages::COPY_DST);

/// Free buffers by size.
#[derive(Default)]
pub(crate) struct Pool {
    free: Mutex<Free>,
}

#[derive(Default)]
struct Free {
    by_size: HashMap<u64, Vec<wgpu::Buffer>>,
    bytes: u64,
}

impl Pool {
    /// The size of the buffer that holds `bytes` (at least one granule).
    pub fn size_for(bytes: u64) -> u64 {
        bytes.max(1).next_multiple_of(GRANULE)
    }

    /// A buffer of [`Pool::size_for`]`(bytes)`, recycled if one is free; its
    /// contents are whatever its last user left.
    pub fn take(self: &Arc<Self>, device: &wgpu::Device, bytes: u64) -> Pooled {
        let size = Pool::size_for(bytes);
        let recycled = {
            let mut free = lock(&self.free);
            let buffer = free.by_size.get_mut(&size).and_then(Vec::pop);
            if buffer.is_some() {
                free.bytes -= size;
            }
            buffer
        };
        let buffer = recycled.unwrap_or_else(|| {
            device.create_buffer(&wgpu::BufferDescriptor {
                label: None,
                size,
                usage: STORAGE,
                mapped_at_creation: false,
            })
        });
        Pooled {
            buffer: Some(buffer),
            pool: self.clone(),
        }
    }

    fn give_back(&self, buffer: wgpu::Buffer) {
        let size = buffer.size();
        let mut free = lock(&self.free);
        if free.bytes + size <= POOL_BYTES {
            free.bytes += size;
            free.by_size.entry(size).or_default().push(buffer);
        }
    }
}

/// A storage buffer that returns to its pool when dropped.
pub(crate) struct Pooled {
    /// `None` only while being dropped.
    buffer: Option<wgpu::Buffer>,
    pool: Arc<Pool>,
}

impl Deref for Pooled {
    type Target = wgpu::Buffer;

    fn deref(&self) -> &wgpu::Buffer {
        self.buffer
            .as_ref()
            .expect("a pooled buffer is only empty while dropped")
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        if let Some(buffer) = self.buffer.take() {
            self.pool.give_back(buffer);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_round_up_to_granules() {
        assert_eq!(Pool::size_for(0), 256);
        assert_eq!(Pool::size_for(4), 256);
        assert_eq!(Pool::size_for(256), 256);
        assert_eq!(Pool::size_for(257), 512);
    }
}
