use crate::budget::Budget;
use crate::limits::Limit;
use std::cell::Cell;
use std::io::{self, Read};

/// How many compressed bytes a stream has consumed so far, for the ratio check.
#[derive(Clone, Copy)]
pub(crate) enum Consumed<'a> {
    /// Counted live by a [`CountingSlice`] under the decompressor.
    Counted(&'a Cell<u64>),
    /// Known up front (a zip entry's compressed size, bounded by the archive).
    Known(u64),
    /// Not compressed: no ratio to check.
    Uncompressed,
}

/// A slice reader that counts what the decompressor above it has taken.
pub(crate) struct CountingSlice<'a> {
    pub data: &'a [u8],
    pub consumed: &'a Cell<u64>,
}

impl Read for CountingSlice<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.data.read(buf)?;
        self.consumed.set(self.consumed.get() + n as u64);
        Ok(n)
    }
}

/// Wraps a decompressed stream and fails it as soon as it breaks a limit: total bytes
/// for the package, the compression ratio of this stream, or the time budget.
pub(crate) struct Guarded<'a, 'b, R> {
    inner: R,
    budget: &'a Budget<'b>,
    consumed: Consumed<'a>,
    produced: u64,
}

impl<'a, 'b, R: Read> Guarded<'a, 'b, R> {
    pub fn new(inner: R, budget: &'a Budget<'b>, consumed: Consumed<'a>) -> Self {
        Guarded {
            inner,
            budget,
            consumed,
            produced: 0,
        }
    }

    fn fail(&self, limit: Limit) -> io::Error {
        self.budget.trip(limit);
        io::Error::other(format!("{limit} limit reached"))
    }
}

impl<R: Read> Read for Guarded<'_, '_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.budget.is_stopped() {
            return Err(io::Error::other("unpacking stopped at a limit"));
        }
        if self.budget.out_of_time() {
            return Err(self.fail(Limit::Time));
        }
        let n = self.inner.read(buf)?;
        self.produced += n as u64;
        let total = self.budget.total_bytes.get() + n as u64;
        self.budget.total_bytes.set(total);
        let limits = self.budget.limits;
        if total > limits.max_total_bytes {
            return Err(self.fail(Limit::TotalBytes));
        }
        if self.produced > limits.ratio_floor_bytes {
            let consumed = match self.consumed {
                Consumed::Counted(cell) => Some(cell.get()),
                Consumed::Known(n) => Some(n),
                Consumed::Uncompressed => None,
            };
            if let Some(consumed) = consumed
                && self.produced > limits.max_ratio.saturating_mul(consumed.max(1))
            {
                return Err(self.fail(Limit::Ratio));
            }
        }
        Ok(n)
    }
}
